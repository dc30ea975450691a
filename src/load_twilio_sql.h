/*
 * load_twilio_sql.h - the SQL of one Twilio loader batch (load_twilio.c).
 * Rule: every statement is set-based over the staged batch; a callback
 * goes to the calls row whose provider_call_sid is its CallSid (an
 * ElevenLabs call placed through Twilio first), else to a row made for it
 * when its tenant is known; the row's status, outcome, duration and end
 * are recomputed from the set of its Twilio callbacks, and left to
 * ElevenLabs' webhooks where those decide them (load_el_sql.h), so the row
 * does not depend on the order in which the events of either arrive.
 */
#ifndef CO_LOAD_TWILIO_SQL_H
#define CO_LOAD_TWILIO_SQL_H

/* The first key of the CallSid locks: "cotw". */
#define LOAD_TW_LOCK_CLASS "1668248695"

#define LOAD_TW_COLS \
	"seq, event_id, event, call_sid, user_id, occurred_at, " \
	"provider_status, answered_by, duration, sip_response_code, " \
	"direction, phone_number, from_number, to_number, outcome, " \
	"outcome_rule, spool_file, raw"

#define LOAD_TW_SQL_STAGE \
	"SET client_min_messages = warning; " \
	"CREATE TEMP TABLE IF NOT EXISTS co_tw_stage (" \
	"seq integer, event_id text, event text, call_sid text, " \
	"user_id text, occurred_at timestamptz, provider_status text, " \
	"answered_by text, duration integer, sip_response_code integer, " \
	"direction text, phone_number text, from_number text, " \
	"to_number text, outcome text, outcome_rule text, spool_file text, " \
	"raw jsonb, tenant text, call_id bigint, first boolean, " \
	"status text, reason text)"

/* Twilio's CallStatus values that end a call. */
#define LOAD_TW_FINAL \
	"('completed', 'busy', 'no-answer', 'failed', 'canceled')"

/*
 * The call of each staged event: the row with its CallSid, an ElevenLabs
 * call's (it has a call_sid or a conversation_id) before one made for
 * Twilio, of the event's own tenant when it names one (-u only makes
 * rows, it does not choose among them).
 */
#define LOAD_TW_RESOLVE \
	"UPDATE co_tw_stage s SET call_id = c.id FROM (SELECT DISTINCT ON " \
	"(provider_call_sid) id, provider_call_sid, user_id FROM calls " \
	"WHERE provider_call_sid IN (SELECT call_sid FROM co_tw_stage) " \
	"ORDER BY provider_call_sid, (call_sid IS NULL AND " \
	"conversation_id IS NULL), id) c WHERE s.call_id IS NULL " \
	"AND c.provider_call_sid = s.call_sid " \
	"AND coalesce(s.user_id, c.user_id) = c.user_id; "

#define LOAD_TW_SQL_BATCH \
	/* One CallSid's events are loaded by one transaction at a time, \
	 * so no two loaders make a row for it twice: a lock per bucket \
	 * of CallSids, taken in order. */ \
	"SELECT pg_advisory_xact_lock(" LOAD_TW_LOCK_CLASS ", k) FROM " \
	"(SELECT DISTINCT hashtext(call_sid) & 255 k FROM co_tw_stage " \
	"ORDER BY 1) x; " \
	"ANALYZE co_tw_stage; " \
	/* The tenant: the event's own, else the one the CallSid's other \
	 * events in this batch name, else -u. */ \
	"UPDATE co_tw_stage s SET tenant = coalesce(s.user_id, t.u, " \
	"nullif(current_setting('co.default_tenant', true), '')) FROM " \
	"(SELECT call_sid, CASE WHEN count(DISTINCT user_id) = 1 " \
	"THEN min(user_id) END u FROM co_tw_stage GROUP BY 1) t " \
	"WHERE t.call_sid = s.call_sid; " \
	LOAD_TW_RESOLVE \
	/* No row has the CallSid: one of its own, for a known tenant. */ \
	"INSERT INTO calls (user_id, provider_call_sid, to_number, " \
	"direction, status) SELECT DISTINCT ON (s.call_sid) s.tenant, " \
	"s.call_sid, s.phone_number, CASE WHEN s.direction IN ('inbound', " \
	"'outbound') THEN s.direction END, 'in_progress' FROM co_tw_stage s " \
	"WHERE s.call_id IS NULL AND s.tenant IN (SELECT id FROM users) " \
	"AND NOT EXISTS (SELECT 1 FROM calls c " \
	"WHERE c.provider_call_sid = s.call_sid) ORDER BY s.call_sid, s.seq; " \
	LOAD_TW_RESOLVE \
	"UPDATE co_tw_stage s SET reason = 'CallSid ' || s.call_sid || ' is " \
	"a call of another tenant than this event''s (' || " \
	"coalesce(s.user_id, s.tenant) || ')' " \
	"FROM calls c WHERE s.call_id IS NULL " \
	"AND c.provider_call_sid = s.call_sid; " \
	/* Their rows, locked in id order as the other loaders do. */ \
	"SELECT 1 FROM calls WHERE id IN (SELECT call_id FROM co_tw_stage) " \
	"ORDER BY id FOR UPDATE; " \
	"UPDATE co_tw_stage s SET first = true FROM (SELECT DISTINCT ON " \
	"(event_id) seq FROM co_tw_stage WHERE call_id IS NOT NULL " \
	"ORDER BY event_id, seq) f WHERE s.seq = f.seq; " \
	"INSERT INTO twilio_call_events (event_id, call_sid, call_id, " \
	"user_id, event, provider_status, answered_by, duration, " \
	"sip_response_code, direction, phone_number, from_number, " \
	"to_number, occurred_at, outcome, outcome_rule, raw, spool_file) " \
	"SELECT s.event_id, s.call_sid, c.id, c.user_id, s.event, " \
	"s.provider_status, s.answered_by, s.duration, s.sip_response_code, " \
	"s.direction, s.phone_number, s.from_number, s.to_number, " \
	"s.occurred_at, s.outcome, s.outcome_rule, s.raw, s.spool_file " \
	"FROM co_tw_stage s JOIN calls c ON c.id = s.call_id WHERE s.first " \
	"ORDER BY s.seq ON CONFLICT (event_id) DO NOTHING; " \
	"UPDATE co_tw_stage s SET status = 'inserted' " \
	"FROM twilio_call_events e WHERE s.first " \
	"AND e.event_id = s.event_id AND e.xmin = pg_current_xact_id()::xid; " \
	/* Recompute each touched call from the set of its callbacks: the \
	 * outcome of the one that ended it (else the latest with one), \
	 * status completed or failed once one ended it.  Where an \
	 * ElevenLabs transcription or initiation failure decided the call, \
	 * its status and outcome stay; where ElevenLabs gave a duration or \
	 * an end, that stays. */ \
	"UPDATE calls c SET status = n.status, outcome = n.outcome, " \
	"duration = n.duration, ended_at = n.ended_at, updated_at = now() " \
	"FROM (SELECT c.id, CASE WHEN x.decided OR g.final IS NULL " \
	"THEN c.status WHEN g.final = 'completed' THEN 'completed' " \
	"ELSE 'failed' END status, CASE WHEN x.decided THEN c.outcome " \
	"ELSE coalesce(g.outcome, c.outcome) END outcome, " \
	"CASE WHEN x.el_duration THEN c.duration " \
	"ELSE coalesce(g.duration, c.duration) END duration, " \
	"CASE WHEN x.el_ended THEN c.ended_at " \
	"ELSE coalesce(g.ended_at, c.ended_at) END ended_at " \
	"FROM calls c JOIN (SELECT e.call_id, " \
	"(array_agg(e.provider_status ORDER BY e.occurred_at DESC NULLS LAST, " \
	"e.event_id) FILTER (WHERE e.provider_status IN " LOAD_TW_FINAL \
	"))[1] final, " \
	"(array_agg(e.outcome ORDER BY e.provider_status IN " LOAD_TW_FINAL \
	" DESC, e.occurred_at DESC NULLS LAST, e.event_id) " \
	"FILTER (WHERE e.outcome IS NOT NULL))[1] outcome, " \
	"max(e.duration) duration, " \
	"max(e.occurred_at) FILTER (WHERE e.provider_status IN " \
	LOAD_TW_FINAL ") ended_at " \
	"FROM twilio_call_events e WHERE e.call_id IN (SELECT call_id " \
	"FROM co_tw_stage WHERE status = 'inserted') GROUP BY e.call_id) g " \
	"ON g.call_id = c.id, LATERAL (SELECT " \
	"coalesce(bool_or(w.type IN ('post_call_transcription', " \
	"'call_initiation_failure')), false) decided, " \
	"coalesce(bool_or(w.duration IS NOT NULL), false) el_duration, " \
	"coalesce(bool_or(w.ended_at IS NOT NULL), false) el_ended " \
	"FROM elevenlabs_webhook_events w WHERE w.call_id = c.id) x) n " \
	"WHERE c.id = n.id AND (c.status, c.outcome, c.duration, c.ended_at) " \
	"IS DISTINCT FROM (n.status, n.outcome, n.duration, n.ended_at); " \
	"UPDATE co_tw_stage SET status = CASE WHEN call_id IS NULL " \
	"THEN 'pending' ELSE 'duplicate' END, reason = CASE " \
	"WHEN call_id IS NOT NULL THEN NULL WHEN reason IS NOT NULL " \
	"THEN reason WHEN tenant IS NULL THEN 'no call for CallSid ' || " \
	"call_sid || ' yet, and no tenant to create one' " \
	"ELSE 'unknown tenant ' || tenant END WHERE status IS NULL; " \
	"SELECT seq, status, reason FROM co_tw_stage ORDER BY seq"

#endif
