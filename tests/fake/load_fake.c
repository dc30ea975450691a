/*
 * load_fake.c - the fake provider's load kind: its events into the table
 * fake_events that tests/0670-fake-provider.t creates (the site's own
 * migration), idempotent on event_id; an event without a tenant (its
 * own, else co-load -u) is pending.
 */
#include <stddef.h>

#include "copyrow.h"
#include "load.h"

static const struct load_col cols[] = {
	{ "event_id", copy_text }, { "event", copy_text },
	{ "call_sid", copy_text }, { "user_id", copy_text },
	{ "provider_status", copy_text }, { "duration", copy_int },
	{ "outcome", copy_outcome }, { "outcome_rule", copy_text },
	{ "spool_file", copy_text }, { "raw", copy_json_needed },
};

static const char *
validate(jv ev, char *why, size_t sz)
{
	(void)why;
	(void)sz;
	return json_str(ev, "call_sid", NULL) == NULL ? "event names no call" :
	    NULL;
}

const struct load_kind load_fake = {
	.name = "fake",
	.cols = cols,
	.ncols = sizeof(cols) / sizeof(cols[0]),
	.validate = validate,
	.table = "fake_stage",
	.stage_sql = "CREATE TEMP TABLE IF NOT EXISTS fake_stage (seq int, "
	    "event_id text, event text, call_sid text, user_id text, "
	    "provider_status text, duration int, outcome text, "
	    "outcome_rule text, spool_file text, raw jsonb)",
	.copy_cols = "seq, event_id, event, call_sid, user_id, "
	    "provider_status, duration, outcome, outcome_rule, spool_file, raw",
	.batch_sql =
	    "WITH s AS (SELECT seq, event_id, event, call_sid, COALESCE("
	    "user_id, nullif(current_setting('co.default_tenant', true), "
	    "'')) AS tenant, provider_status, duration, outcome, "
	    "outcome_rule, spool_file, raw FROM fake_stage), "
	    "ins AS (INSERT INTO fake_events (event_id, tenant, event, "
	    "call_sid, status, duration, outcome, outcome_rule, spool_file, "
	    "raw) SELECT DISTINCT ON (event_id) event_id, tenant, event, "
	    "call_sid, provider_status, duration, outcome, outcome_rule, "
	    "spool_file, raw FROM s WHERE tenant IS NOT NULL ORDER BY "
	    "event_id, seq ON CONFLICT (event_id) DO NOTHING "
	    "RETURNING event_id) "
	    "SELECT s.seq, CASE WHEN s.tenant IS NULL THEN 'pending' "
	    "WHEN i.event_id IS NOT NULL AND s.seq = (SELECT min(seq) FROM s "
	    "s2 WHERE s2.event_id = s.event_id) THEN 'inserted' "
	    "ELSE 'duplicate' END, CASE WHEN s.tenant IS NULL THEN "
	    "'no tenant' END FROM s LEFT JOIN ins i USING (event_id) "
	    "ORDER BY s.seq",
	.lacks = "no tenant",
};
