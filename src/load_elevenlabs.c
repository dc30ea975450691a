/*
 * load_elevenlabs.c - the ElevenLabs load kind: normalized post-call
 * webhook events (share/elevenlabs.jq) into calls, call_transcriptions and
 * the elevenlabs_webhook_events audit, by the SQL of load_el_sql.h: a
 * call's row is found by call_sid, else conversation_id; the audit row is
 * idempotent on <type>:<conversation_id>; transcription turns are
 * inserted once.
 */
#include "copyrow.h"
#include "envelope.h"
#include "load.h"
#include "load_el_sql.h"

static int	 put_transcript(struct buf *, jv, const char *);
static int	 put_direction(struct buf *, jv, const char *);

/* The staged columns after seq, in LOAD_EL_COLS order. */
static const struct load_col cols[] = {
	{ "event_id", copy_text }, { "event", copy_text },
	{ "conversation_id", copy_text }, { "call_sid", copy_text },
	{ "occurred_at", copy_time }, { "agent_id", copy_text },
	{ "direction", put_direction }, { "phone_number", copy_text },
	{ "provider_call_sid", copy_text }, { "started_at", copy_time },
	{ "ended_at", copy_time }, { "duration", copy_int },
	{ "cost", copy_num }, { "failure_reason", copy_text },
	{ "provider_status", copy_text }, { "termination_reason", copy_text },
	{ "outcome", copy_outcome }, { "outcome_rule", copy_text },
	{ "analysis", copy_json }, { "transcript", put_transcript },
	{ "spool_file", copy_text }, { "raw", copy_json_needed }
};

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
put_direction(struct buf *b, jv ev, const char *k)
{
	static const char *const ok[] = { "inbound", "outbound", NULL };

	return copy_one_of(ev, k, ok) ? copy_text(b, ev, k) : -1;
}

/* What makes ev unusable before its values are looked at, or NULL. */
static const char *
validate(jv ev, char *why, size_t sz)
{
	(void)why;
	(void)sz;
	if (json_str(ev, "conversation_id", NULL) == NULL)
		return "missing conversation_id";
	return NULL;
}

const struct load_kind load_elevenlabs = {
	.name = "elevenlabs",
	.cols = cols,
	.ncols = sizeof(cols) / sizeof(cols[0]),
	.validate = validate,
	.table = "co_el_stage",
	.stage_sql = LOAD_EL_SQL_STAGE,
	.copy_cols = LOAD_EL_COLS,
	.batch_sql = LOAD_EL_SQL_BATCH,
	.lacks = "no call",
};
