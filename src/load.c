/*
 * load.c - the loader engine: batches of normalized events into
 * PostgreSQL, whatever their provider.  Each event goes to its kind's
 * queue (load.h); a batch is validated in C, staged with COPY and loaded
 * by its kind's set-based SQL in one transaction.  While one batch's SQL
 * runs on the server the client fills the next (two batches a kind, one
 * in flight on the connection at a time).
 * Rule: nothing the database could refuse reaches it unchecked, and if it
 * refuses anyway the batch is loaded record by record so that only the
 * bad ones are rejected; a fate is told only once its batch committed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "copyrow.h"
#include "db.h"
#include "diag.h"
#include "envelope.h"
#include "load.h"
#include "provider.h"
#include "spool.h"

/* A queued record: who it is and where its COPY line lies. */
struct load_rec {
	char	*event_id;
	char	*spool_file;
	char	*file;
	unsigned long line;
	size_t	 off, len;
};

struct load_queue;

/* A batch: its records and their COPY lines. */
struct load_batch {
	struct load_queue *q;
	struct buf copy;
	struct load_rec *recs;
	size_t	 n, cap;
};

/* One kind's batches: one being filled, the other maybe in flight. */
struct load_queue {
	const struct load_kind *k;
	struct load_batch bat[2];
	struct load_batch *fill;
	char	*truncate, *copy;		/* its statements */
	int	 staged;			/* stage_sql has run */
};

struct loader {
	PGconn	*conn;
	struct loader_opts o;
	struct load_queue **q;		/* in order of first use */
	size_t	 nq;
	struct load_batch *fly;		/* sent, not yet committed, or NULL */
	struct loader_stats st;
	time_t	 now;
};

extern const char *__progname;

static const char *const status_names[LOAD_NSTATUS] = { "inserted",
    "duplicate", "pending", "rejected" };

const char *
load_status_name(enum load_status s)
{
	return (unsigned)s < LOAD_NSTATUS ? status_names[s] : "rejected";
}

static char *
xstrdup(const char *s)
{
	char *p;

	if (s == NULL)
		return NULL;
	if ((p = strdup(s)) == NULL)
		err(EX_OSERR, "strdup");
	return p;
}

struct loader *
loader_new(PGconn *conn, const struct loader_opts *o)
{
	struct loader *l;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		err(EX_OSERR, "calloc");
	l->conn = conn;
	l->o = *o;
	if (l->o.batch == 0)
		l->o.batch = 2000;
	if (l->o.pending_max_age == 0)
		l->o.pending_max_age = 86400;
	l->now = conf_now();
	return l;
}

static void
rec_free(struct load_rec *r)
{
	free(r->event_id);
	free(r->spool_file);
	free(r->file);
}

static void
batch_clear(struct load_batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		rec_free(&b->recs[i]);
	b->n = 0;
	b->copy.len = 0;
}

void
loader_free(struct loader *l)
{
	size_t i;
	int j;

	if (l == NULL)
		return;
	for (i = 0; i < l->nq; i++) {
		for (j = 0; j < 2; j++) {
			batch_clear(&l->q[i]->bat[j]);
			free(l->q[i]->bat[j].recs);
			buf_free(&l->q[i]->bat[j].copy);
		}
		free(l->q[i]->truncate);
		free(l->q[i]->copy);
		free(l->q[i]);
	}
	free(l->q);
	free(l);
}

void
loader_stats(const struct loader *l, struct loader_stats *st)
{
	*st = l->st;
}

/* The queue of kind k, made at its first event. */
static struct load_queue *
queue(struct loader *l, const struct load_kind *k)
{
	struct load_queue *q;
	size_t i;

	for (i = 0; i < l->nq; i++)
		if (l->q[i]->k == k)
			return l->q[i];
	if ((l->q = reallocarray(l->q, l->nq + 1, sizeof(*l->q))) == NULL ||
	    (q = calloc(1, sizeof(*q))) == NULL)
		err(EX_OSERR, "calloc");
	l->q[l->nq++] = q;
	q->k = k;
	q->bat[0].q = q->bat[1].q = q;
	q->fill = &q->bat[0];
	if (asprintf(&q->truncate, "BEGIN; TRUNCATE %s", k->table) == -1 ||
	    asprintf(&q->copy, "COPY %s (%s) FROM STDIN", k->table,
	    k->copy_cols) == -1)
		err(EX_OSERR, "asprintf");
	return q;
}

/* Count r's fate and tell fn. */
static void
tell(struct loader *l, const struct load_rec *r, enum load_status s,
    const char *reason, loader_fate_fn *fn, void *arg)
{
	struct load_fate f;

	switch (s) {
	case LOAD_INSERTED:
		l->st.inserted++;
		break;
	case LOAD_DUPLICATE:
		l->st.duplicate++;
		break;
	case LOAD_PENDING:
		l->st.pending++;
		break;
	default:
		l->st.rejected++;
		break;
	}
	if (fn == NULL)
		return;
	f.status = s;
	f.event_id = r->event_id;
	f.spool_file = r->spool_file;
	f.reason = reason;
	f.file = r->file ? r->file : "-";
	f.line = r->line;
	fn(arg, &f);
}

/* One COPY line for ev; NULL, or the name of the field that is wrong. */
static const char *
stage(const struct load_kind *k, struct buf *b, jv ev, size_t seq)
{
	char num[32];
	size_t i;

	snprintf(num, sizeof(num), "%zu", seq);
	buf_str(b, num);
	for (i = 0; i < k->ncols; i++) {
		buf_add(b, "\t", 1);
		if (k->cols[i].put(b, ev, k->cols[i].key) == -1)
			return k->cols[i].key;
	}
	buf_add(b, "\n", 1);
	return NULL;
}

/* Why ev has no kind or cannot be staged, or NULL; its kind in *kp. */
static const char *
check(jv ev, const struct load_kind **kp, char *why, size_t sz)
{
	const struct provider *p;
	const char *src;

	*kp = NULL;
	if ((src = json_str(ev, "source", NULL)) == NULL)
		return "missing source";
	if ((p = provider_find(src)) == NULL || (*kp = p->load) == NULL) {
		snprintf(why, sz, "source %.32s is not loaded by this version",
		    src);
		return why;
	}
	if (json_str(ev, "event_id", NULL) == NULL)
		return "missing event_id";
	if (json_str(ev, "event", NULL) == NULL)
		return "missing event";
	return (*kp)->validate(ev, why, sz);
}

static int	cycle(struct loader *, struct load_queue *, loader_fate_fn *,
		    void *);

int
loader_add(struct loader *l, jv ev, const char *file, unsigned long line,
    loader_fate_fn *fn, void *arg)
{
	char why[128], msg[160];
	const struct load_kind *k;
	const char *bad, *field;
	struct load_queue *q = NULL;
	struct load_batch *b = NULL;
	struct load_rec r;

	memset(&r, 0, sizeof(r));
	r.file = xstrdup(file);
	r.line = line;
	r.event_id = xstrdup(json_str(ev, "event_id", NULL));
	r.spool_file = xstrdup(json_str(ev, "spool_file", NULL));
	if ((bad = check(ev, &k, why, sizeof(why))) == NULL) {
		q = queue(l, k);
		b = q->fill;
		r.off = b->copy.len;
		if ((field = stage(k, &b->copy, ev, b->n)) != NULL) {
			b->copy.len = r.off;
			snprintf(msg, sizeof(msg), "bad value for %s", field);
			bad = msg;
		}
	}
	jv_free(ev);
	if (bad != NULL) {
		tell(l, &r, LOAD_REJECTED, bad, fn, arg);
		rec_free(&r);
		return EX_DATAERR;
	}
	r.len = b->copy.len - r.off;
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 1024;
		if ((b->recs = reallocarray(b->recs, b->cap,
		    sizeof(*b->recs))) == NULL)
			err(EX_OSERR, "reallocarray");
	}
	b->recs[b->n++] = r;
	if (b->n >= l->o.batch)
		return cycle(l, q, fn, arg);
	return 0;
}

static enum load_status
status_of(const char *s)
{
	int i;

	for (i = 0; i < LOAD_NSTATUS; i++)
		if (strcmp(s, status_names[i]) == 0)
			return (enum load_status)i;
	return LOAD_REJECTED;
}

/* Pending too long becomes rejected (SPEC 8), judged by the spool name. */
static const char *
age_out(const struct loader *l, const struct load_rec *r, const char *what,
    char *buf, size_t sz)
{
	long long t;

	if (r->spool_file == NULL || (t = spool_name_time(r->spool_file)) < 0 ||
	    l->now - t <= l->o.pending_max_age)
		return NULL;
	snprintf(buf, sz, "pending for more than %ld s: %s",
	    l->o.pending_max_age, what);
	return buf;
}

/* Tell the fates of b from its SQL's rows (seq, status, reason). */
static void
fates(struct loader *l, struct load_batch *b, PGresult *res,
    loader_fate_fn *fn, void *arg)
{
	char buf[96];
	const char *reason, *old;
	const struct load_rec *r;
	enum load_status s;
	size_t seq;
	int i;

	for (i = 0; i < PQntuples(res); i++) {
		seq = (size_t)strtoul(PQgetvalue(res, i, 0), NULL, 10);
		if (seq >= b->n)
			continue;
		r = &b->recs[seq];
		s = status_of(PQgetvalue(res, i, 1));
		reason = PQgetisnull(res, i, 2) ? NULL : PQgetvalue(res, i, 2);
		if (s == LOAD_PENDING && (old = age_out(l, r, b->q->k->lacks,
		    buf, sizeof(buf))) != NULL) {
			s = LOAD_REJECTED;
			reason = old;
		}
		tell(l, r, s, reason, fn, arg);
	}
}

/*
 * Stage recs[from, from+n) of b with COPY and send its kind's batch SQL
 * without waiting for it.  0, or an exit status after rolling back.
 */
static int
start(struct loader *l, struct load_batch *b, size_t from, size_t n)
{
	struct load_queue *q = b->q;
	const char *v[1];
	size_t beg = b->recs[from].off;
	size_t end = b->recs[from + n - 1].off + b->recs[from + n - 1].len;

	if (!q->staged) {
		if (db_run(l->conn, q->k->stage_sql, 0, NULL,
		    PGRES_COMMAND_OK) == -1)
			return db_status(l->conn);
		q->staged = 1;
	}
	v[0] = l->o.tenant ? l->o.tenant : "";
	if (db_run(l->conn, q->truncate, 0, NULL, PGRES_COMMAND_OK) == -1 ||
	    db_run(l->conn, "SELECT set_config('co.default_tenant', $1, true)",
	    1, v, PGRES_TUPLES_OK) == -1 ||
	    db_run(l->conn, q->copy, 0, NULL, PGRES_COPY_IN) == -1)
		return db_rollback(l->conn);
	if (db_copy_put(l->conn, b->copy.p + beg, end - beg) == -1) {
		db_copy_end(l->conn, "client error");
		return db_rollback(l->conn);
	}
	if (db_copy_end(l->conn, NULL) == -1)
		return db_rollback(l->conn);
	if (!PQsendQuery(l->conn, q->k->batch_sql)) {
		fprintf(stderr, "%s: %s", __progname, PQerrorMessage(l->conn));
		return db_rollback(l->conn);
	}
	return 0;
}

/*
 * Wait for the SQL sent by start() and commit.  0 and its last result
 * (the fates) in *res, or an exit status after rolling back.
 */
static int
finish(struct loader *l, PGresult **res)
{
	PGresult *r;
	int bad = 0;

	*res = NULL;
	while ((r = PQgetResult(l->conn)) != NULL) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK &&
		    PQresultStatus(r) != PGRES_TUPLES_OK && !bad) {
			bad = 1;
			snprintf(db_last_sqlstate, sizeof(db_last_sqlstate),
			    "%s", PQresultErrorField(r, PG_DIAG_SQLSTATE) ?
			    PQresultErrorField(r, PG_DIAG_SQLSTATE) : "");
			fprintf(stderr, "%s: %s", __progname,
			    PQresultErrorMessage(r));
		}
		PQclear(*res);
		*res = r;
	}
	if (bad || *res == NULL || PQresultStatus(*res) != PGRES_TUPLES_OK ||
	    db_run(l->conn, "COMMIT", 0, NULL, PGRES_COMMAND_OK) == -1) {
		if (!bad && *res == NULL)
			db_last_sqlstate[0] = '\0';
		PQclear(*res);
		*res = NULL;
		return db_rollback(l->conn);
	}
	return 0;
}

/*
 * The database refused a batch for its data (a bug or a shape we did not
 * foresee): load its records one by one so only the bad ones are rejected.
 */
static int
isolate(struct loader *l, struct load_batch *b, loader_fate_fn *fn, void *arg)
{
	char msg[96];
	PGresult *res;
	size_t i;
	int rc;

	warnx("batch refused (SQLSTATE %s); loading its %zu records one by one",
	    db_last_sqlstate, b->n);
	for (i = 0; i < b->n; i++) {
		if ((rc = start(l, b, i, 1)) == 0)
			rc = finish(l, &res);
		if (rc == EX_SOFTWARE && db_data_error(l->conn)) {
			snprintf(msg, sizeof(msg), "database refused the record "
			    "(SQLSTATE %s)", db_last_sqlstate);
			tell(l, &b->recs[i], LOAD_REJECTED, msg, fn, arg);
			continue;
		}
		if (rc != 0)
			return rc;
		fates(l, b, res, fn, arg);
		PQclear(res);
	}
	return 0;
}

/* Commit the batch in flight and report its fates. */
static int
land(struct loader *l, loader_fate_fn *fn, void *arg)
{
	struct load_batch *b = l->fly;
	PGresult *res;
	int rc;

	if (b == NULL)
		return 0;
	l->fly = NULL;
	if ((rc = finish(l, &res)) == 0) {
		fates(l, b, res, fn, arg);
		PQclear(res);
	} else if (rc == EX_SOFTWARE && db_data_error(l->conn))
		rc = isolate(l, b, fn, arg);
	batch_clear(b);
	return rc;
}

/* q's filling batch is full: land the one in flight, send this one. */
static int
cycle(struct loader *l, struct load_queue *q, loader_fate_fn *fn, void *arg)
{
	struct load_batch *b = q->fill;
	int rc;

	if ((rc = land(l, fn, arg)) != 0)
		return rc;
	if (b->n == 0)
		return 0;
	if ((rc = start(l, b, 0, b->n)) != 0) {
		if (rc == EX_SOFTWARE && db_data_error(l->conn))
			rc = isolate(l, b, fn, arg);
		batch_clear(b);
		return rc;
	}
	l->fly = b;
	q->fill = b == &q->bat[0] ? &q->bat[1] : &q->bat[0];
	return 0;
}

int
loader_flush(struct loader *l, loader_fate_fn *fn, void *arg)
{
	size_t i;
	int rc;

	for (i = 0; i < l->nq; i++)
		if ((rc = cycle(l, l->q[i], fn, arg)) != 0)
			return rc;
	return land(l, fn, arg);
}
