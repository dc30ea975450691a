/*
 * load.c - batches of normalized events into PostgreSQL: validate in C,
 * stage with COPY, then one set-based script (load_sql.h), one transaction
 * per batch.  Rule: nothing the database could refuse reaches it unchecked,
 * and if it refuses anyway the batch is split so good records still load.
 */
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "db.h"
#include "diag.h"
#include "envelope.h"
#include "copyrow.h"
#include "load.h"
#include "load_el.h"
#include "load_sql.h"
#include "spool.h"

/*
 * Two batches: one being filled while the other's SQL runs on the server,
 * so the client's parsing and the server's work overlap.
 */
struct loader {
	PGconn	*conn;
	struct loader_opts o;
	struct load_batch bat[2];
	struct load_batch *fill;		/* taking records */
	struct load_batch *fly;		/* sent, not yet committed, or NULL */
	struct loader_stats st;
	struct load_el *el;		/* the ElevenLabs half */
	time_t	 now;
	int	 staged;
};

extern const char *__progname;

static int cycle(struct loader *, loader_fate_fn *, void *);


struct loader *
loader_new(PGconn *conn, const struct loader_opts *o)
{
	struct loader *l;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		err(EX_OSERR, "calloc");
	l->conn = conn;
	l->o = *o;
	l->fill = &l->bat[0];
	if (l->o.batch == 0)
		l->o.batch = 2000;
	if (l->o.pending_max_age == 0)
		l->o.pending_max_age = 86400;
	l->now = conf_now();
	l->el = load_el_new(conn, &l->o, &l->st);
	return l;
}

void
load_rec_free(struct load_rec *r)
{
	free(r->event_id);
	free(r->spool_file);
	free(r->file);
}

void
load_batch_clear(struct load_batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		load_rec_free(&b->recs[i]);
	b->n = 0;
	b->copy.len = 0;
}

void
load_batch_free(struct load_batch *b)
{
	load_batch_clear(b);
	free(b->recs);
	buf_free(&b->copy);
}

void
loader_free(struct loader *l)
{
	int i;

	if (l == NULL)
		return;
	for (i = 0; i < 2; i++)
		load_batch_free(&l->bat[i]);
	load_el_free(l->el);
	free(l);
}

void
loader_stats(const struct loader *l, struct loader_stats *st)
{
	*st = l->st;
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

void
load_rec_init(struct load_rec *r, jv ev, const char *file,
    unsigned long line, size_t off)
{
	memset(r, 0, sizeof(*r));
	r->file = xstrdup(file);
	r->line = line;
	r->event_id = xstrdup(json_str(ev, "event_id", NULL));
	r->spool_file = xstrdup(json_str(ev, "spool_file", NULL));
	r->off = off;
}

void
load_batch_add(struct load_batch *b, const struct load_rec *r)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 1024;
		if ((b->recs = reallocarray(b->recs, b->cap,
		    sizeof(*b->recs))) == NULL)
			err(EX_OSERR, "reallocarray");
	}
	b->recs[b->n++] = *r;
}

void
load_rec_fate(struct loader_stats *st, const struct load_rec *r,
    const char *status, const char *reason, loader_fate_fn *fn, void *arg)
{
	jv f;

	if (strcmp(status, "inserted") == 0)
		st->inserted++;
	else if (strcmp(status, "duplicate") == 0)
		st->duplicate++;
	else if (strcmp(status, "pending") == 0)
		st->pending++;
	else
		st->rejected++;
	if (fn == NULL)
		return;
	f = jv_object();
	f = jv_object_set(f, jv_string("event_id"), r->event_id ?
	    jv_string(r->event_id) : jv_null());
	f = jv_object_set(f, jv_string("spool_file"), r->spool_file ?
	    jv_string(r->spool_file) : jv_null());
	f = jv_object_set(f, jv_string("status"), jv_string(status));
	f = jv_object_set(f, jv_string("reason"), reason ? jv_string(reason) :
	    jv_null());
	f = jv_object_set(f, jv_string("file"), jv_string(r->file ? r->file :
	    "-"));
	f = jv_object_set(f, jv_string("line"), jv_number((double)r->line));
	fn(arg, f);
}

static void
report(struct loader *l, const struct load_rec *r, const char *status,
    const char *reason, loader_fate_fn *fn, void *arg)
{
	load_rec_fate(&l->st, r, status, reason, fn, arg);
}


/* The stage's columns after seq, in LOAD_COLS order, each with its check. */
static const struct {
	const char *key;
	int	(*put)(struct buf *, jv, const char *);
} cols[] = {
	{ "event_id", copy_text }, { "event", copy_text },
	{ "user_id", copy_text }, { "room_sid", copy_text },
	{ "room_name", copy_text }, { "occurred_at", copy_time },
	{ "participant_identity", copy_text },
	{ "participant_sid", copy_text }, { "participant_kind", copy_text },
	{ "direction", copy_text }, { "phone_number", copy_text },
	{ "sip_call_id", copy_text }, { "started_at", copy_time },
	{ "ended_at", copy_time }, { "duration", copy_int },
	{ "disconnect_reason", copy_text }, { "provider_status", copy_text },
	{ "outcome", copy_text }, { "outcome_rule", copy_text },
	{ "recording_url", copy_text }, { "agent_config_id", copy_text },
	{ "campaign_id", copy_text }, { "room_metadata", copy_json },
	{ "spool_file", copy_text }, { "raw", copy_json_needed },
};

static const char *
check_outcome(jv ev)
{
	static const char *const ok[] = { "completed", "no_answer", "busy",
	    "failed", "voicemail", NULL };
	const char *o;
	int i;

	if ((o = json_str(ev, "outcome", NULL)) == NULL)
		return NULL;
	for (i = 0; ok[i] != NULL; i++)
		if (strcmp(o, ok[i]) == 0)
			return NULL;
	return "outcome";
}

/* One COPY line for ev; NULL, or the name of the field that is wrong. */
static const char *
stage(struct load_batch *b, jv ev, size_t seq)
{
	char num[32];
	size_t i;

	snprintf(num, sizeof(num), "%zu", seq);
	buf_str(&b->copy, num);
	for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
		buf_add(&b->copy, "\t", 1);
		if (cols[i].put(&b->copy, ev, cols[i].key) == -1)
			return cols[i].key;
	}
	buf_add(&b->copy, "\n", 1);
	return NULL;
}

/* The seed's VARCHAR columns (migration 001) these fields go to. */
static const struct {
	const char *key;
	size_t	 max;
} widths[] = {
	{ "event_id", 100 }, { "event", 50 }, { "room_name", 255 },
	{ "room_sid", 100 }, { "participant_identity", 255 },
	{ "participant_sid", 100 }, { "sip_call_id", 255 },
	{ "phone_number", 20 },
};

/* Characters of a UTF-8 string (VARCHAR counts characters, not bytes). */
static size_t
u8len(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* Why ev cannot be loaded, or NULL.  why is a buffer for the message. */
static const char *
validate(jv ev, char *why, size_t sz)
{
	const char *src, *v;
	size_t i;

	if ((src = json_str(ev, "source", NULL)) == NULL)
		return "missing source";
	if (strcmp(src, "livekit") != 0) {
		snprintf(why, sz, "source %.32s is not loaded by this version",
		    src);
		return why;
	}
	if (json_str(ev, "event_id", NULL) == NULL)
		return "missing event_id";
	if (json_str(ev, "event", NULL) == NULL)
		return "missing event";
	if (json_str(ev, "room_name", NULL) == NULL &&
	    json_str(ev, "room_sid", NULL) == NULL)
		return "event names no room";
	if (check_outcome(ev) != NULL)
		return "unknown outcome";
	for (i = 0; i < sizeof(widths) / sizeof(widths[0]); i++)
		if ((v = json_str(ev, widths[i].key, NULL)) != NULL &&
		    u8len(v) > widths[i].max) {
			snprintf(why, sz, "%s longer than %zu characters",
			    widths[i].key, widths[i].max);
			return why;
		}
	return NULL;
}

int
loader_add(struct loader *l, jv ev, const char *file, unsigned long line,
    loader_fate_fn *fn, void *arg)
{
	char why[128], msg[160];
	const char *bad, *field, *src;
	struct load_batch *b = l->fill;
	struct load_rec r;
	int rc;

	if ((src = json_str(ev, "source", NULL)) != NULL &&
	    strcmp(src, "elevenlabs") == 0) {
		if ((rc = load_el_add(l->el, ev, file, line, fn, arg)) != 0 &&
		    rc != EX_DATAERR)
			return rc;
		if (load_el_queued(l->el) >= l->o.batch)
			return loader_flush(l, fn, arg);
		return rc;
	}
	load_rec_init(&r, ev, file, line, b->copy.len);
	if ((bad = validate(ev, why, sizeof(why))) == NULL &&
	    (field = stage(b, ev, b->n)) != NULL) {
		snprintf(msg, sizeof(msg), "bad value for %s", field);
		bad = msg;
	}
	jv_free(ev);
	if (bad != NULL) {
		b->copy.len = r.off;
		report(l, &r, "rejected", bad, fn, arg);
		load_rec_free(&r);
		return EX_DATAERR;
	}
	r.len = b->copy.len - r.off;
	load_batch_add(b, &r);
	if (b->n >= l->o.batch)
		return cycle(l, fn, arg);
	return 0;
}

/* Pending too long becomes rejected (SPEC 8), judged by the spool name. */
static const char *
age_out(const struct load_rec *r, time_t now, long max_age, const char *what,
    char *buf, size_t sz)
{
	long long t;

	if (r->spool_file == NULL || (t = spool_name_time(r->spool_file)) < 0 ||
	    now - t <= max_age)
		return NULL;
	snprintf(buf, sz, "pending for more than %ld s: %s", max_age, what);
	return buf;
}

void
load_fates(struct loader_stats *st, const struct load_rec *recs,
    PGresult *res, time_t now, long max_age, const char *what,
    loader_fate_fn *fn, void *arg)
{
	char buf[96];
	const char *status, *reason, *old;
	const struct load_rec *r;
	int i;

	for (i = 0; i < PQntuples(res); i++) {
		r = &recs[(size_t)atoi(PQgetvalue(res, i, 0))];
		status = PQgetvalue(res, i, 1);
		reason = PQgetisnull(res, i, 2) ? NULL : PQgetvalue(res, i, 2);
		if (strcmp(status, "pending") == 0 && (old = age_out(r, now,
		    max_age, what, buf, sizeof(buf))) != NULL) {
			status = "rejected";
			reason = old;
		}
		load_rec_fate(st, r, status, reason, fn, arg);
	}
}

static void
fates(struct loader *l, struct load_batch *b, PGresult *res, loader_fate_fn *fn,
    void *arg)
{
	load_fates(&l->st, b->recs, res, l->now, l->o.pending_max_age,
	    "no call or tenant", fn, arg);
}

/*
 * Stage recs[from, from+n) of b with COPY and send the batch's script
 * without waiting for it.  0, or an exit status after rolling back.
 */
static int
start(struct loader *l, struct load_batch *b, size_t from, size_t n)
{
	const char *v[1];
	size_t beg = b->recs[from].off;
	size_t end = b->recs[from + n - 1].off + b->recs[from + n - 1].len;

	if (!l->staged) {
		if (db_run(l->conn, LOAD_SQL_STAGE, 0, NULL,
		    PGRES_COMMAND_OK) == -1)
			return db_status(l->conn);
		l->staged = 1;
	}
	v[0] = l->o.tenant ? l->o.tenant : "";
	if (db_run(l->conn, "BEGIN; TRUNCATE co_stage", 0, NULL,
	    PGRES_COMMAND_OK) == -1 ||
	    db_run(l->conn, "SELECT set_config('co.default_tenant', $1, true)",
	    1, v, PGRES_TUPLES_OK) == -1 ||
	    db_run(l->conn, "COPY co_stage (" LOAD_COLS ") FROM STDIN", 0, NULL,
	    PGRES_COPY_IN) == -1)
		return db_rollback(l->conn);
	if (db_copy_put(l->conn, b->copy.p + beg, end - beg) == -1) {
		db_copy_end(l->conn, "client error");
		return db_rollback(l->conn);
	}
	if (db_copy_end(l->conn, NULL) == -1)
		return db_rollback(l->conn);
	if (!PQsendQuery(l->conn, LOAD_SQL_BATCH)) {
		fprintf(stderr, "%s: %s", __progname, PQerrorMessage(l->conn));
		return db_rollback(l->conn);
	}
	return 0;
}

/*
 * Wait for the script sent by start() and commit.  0 and its last result
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
			report(l, &b->recs[i], "rejected", msg, fn, arg);
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
	load_batch_clear(b);
	return rc;
}

/* The filling batch is full: land the one in flight, send this one. */
static int
cycle(struct loader *l, loader_fate_fn *fn, void *arg)
{
	struct load_batch *b = l->fill;
	int rc;

	if ((rc = land(l, fn, arg)) != 0)
		return rc;
	if (b->n == 0)
		return 0;
	if ((rc = start(l, b, 0, b->n)) != 0) {
		if (rc == EX_SOFTWARE && db_data_error(l->conn))
			rc = isolate(l, b, fn, arg);
		load_batch_clear(b);
		return rc;
	}
	l->fly = b;
	l->fill = b == &l->bat[0] ? &l->bat[1] : &l->bat[0];
	return 0;
}

int
loader_flush(struct loader *l, loader_fate_fn *fn, void *arg)
{
	int rc;

	if ((rc = cycle(l, fn, arg)) != 0 || (rc = land(l, fn, arg)) != 0)
		return rc;
	return load_el_flush(l->el, fn, arg);
}
