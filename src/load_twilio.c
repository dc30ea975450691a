/*
 * load_twilio.c - the Twilio load kind: normalized status callbacks
 * (share/twilio.jq) into the twilio_call_events audit and the calls row
 * of their CallSid, by the SQL of load_twilio_sql.h.  The CallSid is
 * "call_sid" (else "provider_call_sid"), the tenant "tenant" (else
 * "user_id").
 */
#include <string.h>

#include "copyrow.h"
#include "envelope.h"
#include "load.h"
#include "load_twilio_sql.h"

/* The first of keys a and b that ev has. */
static const char *
either(jv ev, const char *a, const char *b)
{
	jv v = json_get(ev, a);
	int absent = json_absent(v);

	jv_free(v);
	return absent ? b : a;
}

static int
put_call_sid(struct buf *b, jv ev, const char *k)
{
	return copy_text(b, ev, either(ev, k, "provider_call_sid"));
}

static int
put_tenant(struct buf *b, jv ev, const char *k)
{
	return copy_text(b, ev, either(ev, k, "user_id"));
}

/* A SIP response code: a number, or its decimal string (form data). */
static int
put_code(struct buf *b, jv ev, const char *k)
{
	const char *s;
	size_t n;

	if ((s = json_str(ev, k, &n)) == NULL)
		return copy_int(b, ev, k);
	if (n == 0 || n > 3 || strspn(s, "0123456789") != n)
		return -1;
	buf_copyfield(b, s, n);
	return 0;
}

/* The staged columns after seq, in LOAD_TW_COLS order. */
static const struct load_col cols[] = {
	{ "event_id", copy_text }, { "event", copy_text },
	{ "call_sid", put_call_sid }, { "tenant", put_tenant },
	{ "occurred_at", copy_time }, { "provider_status", copy_text },
	{ "answered_by", copy_text }, { "duration", copy_int },
	{ "sip_response_code", put_code }, { "direction", copy_text },
	{ "phone_number", copy_text }, { "from_number", copy_text },
	{ "to_number", copy_text }, { "outcome", copy_outcome },
	{ "outcome_rule", copy_text }, { "spool_file", copy_text },
	{ "raw", copy_json_needed },
};

static const char *
validate(jv ev, char *why, size_t sz)
{
	(void)why;
	(void)sz;
	if (json_str(ev, "call_sid", NULL) == NULL &&
	    json_str(ev, "provider_call_sid", NULL) == NULL)
		return "missing call_sid";
	return NULL;
}

const struct load_kind load_twilio = {
	.name = "twilio",
	.cols = cols,
	.ncols = sizeof(cols) / sizeof(cols[0]),
	.validate = validate,
	.table = "co_tw_stage",
	.stage_sql = LOAD_TW_SQL_STAGE,
	.copy_cols = LOAD_TW_COLS,
	.batch_sql = LOAD_TW_SQL_BATCH,
	.lacks = "no call or tenant",
};
