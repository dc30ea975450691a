/*
 * load_el.c - the ElevenLabs half of the loader: batches of normalized
 * post-call webhook events (share/elevenlabs.jq) into calls,
 * call_transcriptions and the elevenlabs_webhook_events audit, staged with
 * COPY and loaded by the set-based script of load_el_sql.h, one
 * transaction per batch.
 * Rule: as in load.c, nothing the database could refuse reaches it
 * unchecked, and if it refuses anyway the batch is loaded record by record
 * so that only the bad ones are rejected.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "db.h"
#include "diag.h"
#include "envelope.h"
#include "copyrow.h"
#include "load_el.h"
#include "load_el_sql.h"

struct load_el {
	PGconn	*conn;
	long	 pending_max_age;
	struct loader_stats *st;
	struct load_batch b;
	time_t	 now;
	int	 staged;
};

/* A field's COPY writer: 0, or -1 when the value is wrong. */
typedef int	 put_fn(struct buf *, jv, const char *);

static int	 put_transcript(struct buf *, jv, const char *);
static int	 put_direction(struct buf *, jv, const char *);
static int	 put_outcome(struct buf *, jv, const char *);

/* The staged columns after seq, in LOAD_EL_COLS order. */
static const struct {
	const char *key;
	put_fn	*put;
} cols[] = {
	{ "event_id", copy_text }, { "event", copy_text },
	{ "conversation_id", copy_text }, { "call_sid", copy_text },
	{ "occurred_at", copy_time }, { "agent_id", copy_text },
	{ "direction", put_direction }, { "phone_number", copy_text },
	{ "provider_call_sid", copy_text }, { "started_at", copy_time },
	{ "ended_at", copy_time }, { "duration", copy_int },
	{ "cost", copy_num }, { "failure_reason", copy_text },
	{ "provider_status", copy_text }, { "termination_reason", copy_text },
	{ "outcome", put_outcome }, { "outcome_rule", copy_text },
	{ "analysis", copy_json }, { "transcript", put_transcript },
	{ "spool_file", copy_text }, { "raw", copy_json_needed }
};

struct load_el *
load_el_new(PGconn *c, const struct loader_opts *o, struct loader_stats *st)
{
	struct load_el *e;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		err(EX_OSERR, "calloc");
	e->conn = c;
	e->pending_max_age = o->pending_max_age ? o->pending_max_age : 86400;
	e->st = st;
	e->now = conf_now();
	return e;
}

void
load_el_free(struct load_el *e)
{
	if (e == NULL)
		return;
	load_batch_free(&e->b);
	free(e);
}

size_t
load_el_queued(const struct load_el *e)
{
	return e->b.n;
}


/* One turn: {role, message, time_in_call_secs}, each null or typed. */
static int
turn_ok(jv t)
{
	jv v;
	double d;
	int ok;

	if (jv_get_kind(t) != JV_KIND_OBJECT)
		return 0;
	v = json_get(t, "role");
	ok = json_absent(v) || jv_get_kind(v) == JV_KIND_STRING;
	jv_free(v);
	v = json_get(t, "message");
	ok = ok && (json_absent(v) || jv_get_kind(v) == JV_KIND_STRING);
	jv_free(v);
	v = json_get(t, "time_in_call_secs");
	ok = ok && (json_absent(v) || copy_whole(v, &d));
	jv_free(v);
	return ok;
}

static int
put_transcript(struct buf *b, jv ev, const char *k)
{
	jv v, t;
	int i, n, ok;

	v = json_get(ev, k);
	if (json_absent(v)) {
		jv_free(v);
		buf_copyfield(b, NULL, 0);
		return 0;
	}
	if (jv_get_kind(v) != JV_KIND_ARRAY) {
		jv_free(v);
		return -1;
	}
	n = jv_array_length(jv_copy(v));
	for (i = 0; i < n; i++) {
		t = jv_array_get(jv_copy(v), i);
		ok = turn_ok(t);

		jv_free(t);
		if (!ok) {
			jv_free(v);
			return -1;
		}
	}
	return copy_jv(b, v);
}

static int
one_of(jv ev, const char *k, const char *const *ok)
{
	const char *s;

	if ((s = json_str(ev, k, NULL)) == NULL)
		return 1;
	for (; *ok != NULL; ok++)
		if (strcmp(s, *ok) == 0)
			return 1;
	return 0;
}

static int
put_direction(struct buf *b, jv ev, const char *k)
{
	static const char *const ok[] = { "inbound", "outbound", NULL };

	return one_of(ev, k, ok) ? copy_text(b, ev, k) : -1;
}

static int
put_outcome(struct buf *b, jv ev, const char *k)
{
	static const char *const ok[] = { "completed", "no_answer", "busy",
	    "failed", "voicemail", NULL };

	return one_of(ev, k, ok) ? copy_text(b, ev, k) : -1;
}

/* One COPY line for ev; NULL, or the name of the field that is wrong. */
static const char *
stage(struct buf *b, jv ev, size_t seq)
{
	char num[32];
	size_t i;

	snprintf(num, sizeof(num), "%zu", seq);
	buf_str(b, num);
	for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
		buf_add(b, "\t", 1);
		if (cols[i].put(b, ev, cols[i].key) == -1)
			return cols[i].key;
	}
	buf_add(b, "\n", 1);
	return NULL;
}

/* What makes ev unusable before its values are looked at, or NULL. */
static const char *
validate(jv ev)
{
	if (json_str(ev, "event_id", NULL) == NULL)
		return "missing event_id";
	if (json_str(ev, "event", NULL) == NULL)
		return "missing event";
	if (json_str(ev, "conversation_id", NULL) == NULL)
		return "missing conversation_id";
	return NULL;
}

int
load_el_add(struct load_el *e, jv ev, const char *file, unsigned long line,
    loader_fate_fn *fn, void *arg)
{
	char msg[80];
	const char *bad, *field;
	struct load_rec r;

	load_rec_init(&r, ev, file, line, e->b.copy.len);
	if ((bad = validate(ev)) == NULL &&
	    (field = stage(&e->b.copy, ev, e->b.n)) != NULL) {
		snprintf(msg, sizeof(msg), "bad value for %s", field);
		bad = msg;
	}
	jv_free(ev);
	if (bad != NULL) {
		e->b.copy.len = r.off;
		load_rec_fate(e->st, &r, "rejected", bad, fn, arg);
		load_rec_free(&r);
		return EX_DATAERR;
	}
	r.len = e->b.copy.len - r.off;
	load_batch_add(&e->b, &r);
	return 0;
}

/*
 * Load recs[from, from+n) in one transaction: 0 with the fates in *res,
 * or an exit status after rolling back (nothing of it was loaded).
 */
static int
run(struct load_el *e, size_t from, size_t n, PGresult **res)
{
	size_t beg = e->b.recs[from].off;
	size_t end = e->b.recs[from + n - 1].off + e->b.recs[from + n - 1].len;

	*res = NULL;
	if (!e->staged) {
		if (db_run(e->conn, LOAD_EL_SQL_STAGE, 0, NULL,
		    PGRES_COMMAND_OK) == -1)
			return db_status(e->conn);
		e->staged = 1;
	}
	if (db_run(e->conn, "BEGIN; TRUNCATE co_el_stage", 0, NULL,
	    PGRES_COMMAND_OK) == -1 ||
	    db_run(e->conn, "COPY co_el_stage (" LOAD_EL_COLS ") FROM STDIN", 0,
	    NULL, PGRES_COPY_IN) == -1)
		return db_rollback(e->conn);
	if (db_copy_put(e->conn, e->b.copy.p + beg, end - beg) == -1) {
		db_copy_end(e->conn, "client error");
		return db_rollback(e->conn);
	}
	if (db_copy_end(e->conn, NULL) == -1 ||
	    (*res = db_exec(e->conn, LOAD_EL_SQL_BATCH, 0, NULL,
	    PGRES_TUPLES_OK)) == NULL)
		return db_rollback(e->conn);
	if (db_run(e->conn, "COMMIT", 0, NULL, PGRES_COMMAND_OK) == -1) {
		PQclear(*res);
		*res = NULL;
		return db_rollback(e->conn);
	}
	return 0;
}

static void
fates(struct load_el *e, PGresult *res, loader_fate_fn *fn, void *arg)
{
	load_fates(e->st, e->b.recs, res, e->now, e->pending_max_age, "no call",
	    fn, arg);
}

/*
 * The database refused the batch for its data (a bug, or a shape not
 * foreseen): load its records one by one so only the bad ones are rejected.
 */
static int
isolate(struct load_el *e, loader_fate_fn *fn, void *arg)
{
	char msg[96];
	PGresult *res;
	size_t i;
	int rc;

	warnx("batch refused (SQLSTATE %s); loading its %zu records one by one",
	    db_last_sqlstate, e->b.n);
	for (i = 0; i < e->b.n; i++) {
		if ((rc = run(e, i, 1, &res)) == EX_SOFTWARE &&
		    db_data_error(e->conn)) {
			snprintf(msg, sizeof(msg), "database refused the record "
			    "(SQLSTATE %s)", db_last_sqlstate);
			load_rec_fate(e->st, &e->b.recs[i], "rejected", msg,
			    fn, arg);
			continue;
		}
		if (rc != 0)
			return rc;
		fates(e, res, fn, arg);
		PQclear(res);
	}
	return 0;
}

int
load_el_flush(struct load_el *e, loader_fate_fn *fn, void *arg)
{
	PGresult *res;
	int rc;

	if (e->b.n == 0)
		return 0;
	if ((rc = run(e, 0, e->b.n, &res)) == 0) {
		fates(e, res, fn, arg);
		PQclear(res);
	} else if (rc == EX_SOFTWARE && db_data_error(e->conn))
		rc = isolate(e, fn, arg);
	load_batch_clear(&e->b);
	return rc;
}
