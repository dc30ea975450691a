/*
 * load_livekit.c - the LiveKit load kind: normalized room and participant
 * webhook events (share/livekit.jq) into livekit_call_events and the
 * seed's call_logs, by the SQL of load_sql.h.
 */
#include <stdio.h>

#include "copyrow.h"
#include "envelope.h"
#include "load.h"
#include "load_sql.h"

/* The stage's columns after seq, in LOAD_COLS order, each with its check. */
static const struct load_col cols[] = {
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

static const char *
validate(jv ev, char *why, size_t sz)
{
	const char *v;
	size_t i;

	if (json_str(ev, "room_name", NULL) == NULL &&
	    json_str(ev, "room_sid", NULL) == NULL)
		return "event names no room";
	if (!copy_one_of(ev, "outcome", copy_outcomes))
		return "unknown outcome";
	for (i = 0; i < sizeof(widths) / sizeof(widths[0]); i++)
		if ((v = json_str(ev, widths[i].key, NULL)) != NULL &&
		    copy_u8len(v) > widths[i].max) {
			snprintf(why, sz, "%s longer than %zu characters",
			    widths[i].key, widths[i].max);
			return why;
		}
	return NULL;
}

const struct load_kind load_livekit = {
	.name = "livekit",
	.cols = cols,
	.ncols = sizeof(cols) / sizeof(cols[0]),
	.validate = validate,
	.table = "co_stage",
	.stage_sql = LOAD_SQL_STAGE,
	.copy_cols = LOAD_COLS,
	.batch_sql = LOAD_SQL_BATCH,
	.lacks = "no call or tenant",
};
