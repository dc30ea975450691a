/*
 * load_sql.h - the SQL of one loader batch, kept apart from the C that
 * feeds it.  Rule: every statement is set-based over the staged batch, and a
 * call's row is recomputed from all of its stored events, so the row is a
 * function of the set of its events whatever their order or repetition.
 * What another writer put in the row (the seed's code, the application, a
 * dialer) is kept where the events know nothing: an absent value never
 * overwrites a present one, metadata merges keys, 'ended' stays ended.
 * The seed's TIMESTAMP columns hold UTC (migration 001).
 */
#ifndef CO_LOAD_SQL_H
#define CO_LOAD_SQL_H

#define LOAD_COLS \
	"seq, event_id, event, user_id, room_sid, room_name, occurred_at, " \
	"participant_identity, participant_sid, participant_kind, " \
	"direction, phone_number, sip_call_id, started_at, ended_at, " \
	"duration, disconnect_reason, provider_status, outcome, " \
	"outcome_rule, recording_url, agent_config_id, campaign_id, " \
	"room_metadata, spool_file, raw"

#define LOAD_SQL_STAGE \
	"SET client_min_messages = warning; " \
	"CREATE TEMP TABLE IF NOT EXISTS co_stage (" \
	"seq integer, event_id text, event text, user_id text, " \
	"room_sid text, room_name text, occurred_at timestamptz, " \
	"participant_identity text, participant_sid text, " \
	"participant_kind text, direction text, phone_number text, " \
	"sip_call_id text, started_at timestamptz, ended_at timestamptz, " \
	"duration integer, disconnect_reason text, provider_status text, " \
	"outcome text, outcome_rule text, recording_url text, " \
	"agent_config_id text, campaign_id text, room_metadata jsonb, " \
	"spool_file text, raw jsonb, call_id text, tenant text, " \
	"first boolean, status text, reason text)"

/* Sort order of a call's events when choosing its outcome (SPEC 7). */
#define LOAD_RANK \
	"CASE e.\"outcomeRule\" WHEN 'busy' THEN 1 WHEN 'no_answer' THEN 2 " \
	"WHEN 'voicemail' THEN 3 WHEN 'failed' THEN 4 ELSE 5 END"

#define LOAD_LATEST_IF(col, cond) \
	"(array_agg(e." col " ORDER BY e.\"occurredAt\" DESC NULLS LAST, " \
	"e.\"eventId\") FILTER (WHERE e." col " IS NOT NULL" cond "))[1]"
#define LOAD_LATEST(col) LOAD_LATEST_IF(col, "")

/* The seed's call_logs."recordingUrl" is VARCHAR(512). */
#define LOAD_URL_FITS	" AND length(e.\"recordingUrl\") <= 512"

#define LOAD_SIP	"e.\"participantKind\" = 'SIP'"
#define LOAD_LEFT	"e.event IN ('participant_left', " \
	"'participant_connection_aborted')"
#define LOAD_ROOM_END	"e.event = 'room_finished'"

/*
 * The seed's rules (000, "Outcome Classification"), judged on a
 * participant_left of a room in which no participant is SIP.
 */
#define LOAD_SEED_RULE \
	"CASE WHEN strpos(lower(e.\"disconnectReason\"), 'busy') > 0 " \
	"THEN 'busy' WHEN strpos(lower(e.\"disconnectReason\"), " \
	"'no_answer') > 0 THEN 'no_answer' WHEN strpos(lower(" \
	"e.\"disconnectReason\"), 'failed') > 0 OR strpos(lower(" \
	"e.\"disconnectReason\"), 'error') > 0 THEN 'failed' " \
	"WHEN e.duration < 3 THEN 'failed' WHEN e.duration < 10 " \
	"THEN 'no_answer' WHEN e.duration >= 10 THEN 'completed' END"

/* The event names a tenant, and it is not c's. */
#define LOAD_TENANT_OK \
	"(coalesce(s.user_id, s.tenant) IS NULL OR " \
	"c.\"userId\" = coalesce(s.user_id, s.tenant))"

/*
 * Which call each staged event belongs to: by room sid; else a row of the
 * same name still without a sid (partial index) when no row has the sid;
 * else, for an event with no sid, the newest row of that name.  Only rows
 * of the event's own tenant, when it names one (metadata.userId).
 */
#define LOAD_RESOLVE \
	"UPDATE co_stage s SET call_id = c.id FROM call_logs c " \
	"WHERE s.call_id IS NULL AND c.\"livekitRoomSid\" = s.room_sid " \
	"AND " LOAD_TENANT_OK "; " \
	"UPDATE co_stage s SET call_id = c.id FROM call_logs c " \
	"WHERE s.call_id IS NULL AND s.room_sid IS NOT NULL " \
	"AND c.\"livekitRoomSid\" IS NULL " \
	"AND c.\"livekitRoomName\" = s.room_name AND " LOAD_TENANT_OK " " \
	"AND NOT EXISTS (SELECT 1 FROM call_logs o " \
	"WHERE o.\"livekitRoomSid\" = s.room_sid); " \
	"UPDATE co_stage s SET call_id = (SELECT c.id FROM call_logs c " \
	"WHERE c.\"livekitRoomName\" = s.room_name AND " LOAD_TENANT_OK " " \
	"ORDER BY c.\"createdAt\" DESC, c.id DESC LIMIT 1) " \
	"WHERE s.call_id IS NULL AND s.room_sid IS NULL " \
	"AND s.room_name IS NOT NULL; "

/* Columns co-load fills in livekit_call_events beyond the seed's. */
#define LOAD_EV_OURS \
	"\"occurredAt\", \"participantKind\", direction, \"phoneNumber\", " \
	"\"sipCallId\", \"startedAt\", \"endedAt\", duration, " \
	"\"disconnectReason\", \"providerStatus\", outcome, \"outcomeRule\", " \
	"\"recordingUrl\", \"agentConfigId\", \"campaignId\", " \
	"\"roomMetadata\", \"spoolFile\""

#define LOAD_SET_OURS(c) c " = EXCLUDED." c

/* Why an event is kept but a part of it not applied to its call, or NULL. */
#define LOAD_NOT_APPLIED \
	"CASE WHEN s.agent_config_id IS NOT NULL AND NOT EXISTS (SELECT 1 " \
	"FROM agent_configs a WHERE a.id = s.agent_config_id) " \
	"THEN 'agentConfigId ' || s.agent_config_id || ' is not in " \
	"agent_configs: not applied' WHEN length(s.recording_url) > 512 " \
	"THEN 'recording URL longer than call_logs.\"recordingUrl\" holds: " \
	"kept in this event only' END"

/* The calls this batch changed. */
#define LOAD_TOUCHED \
	"(SELECT call_id FROM co_stage WHERE status = 'inserted')"

/*
 * campaign_calls (migration 006) in step with the touched calls of a
 * campaign: one row a call, locked by (tenant, campaign, number) so that
 * concurrent loaders count attempts right; a row made beforehand for the
 * number is taken by its first call; attempts is how many calls the
 * campaign made to the number.
 */
#define LOAD_SQL_CAMPAIGN \
	"SELECT count(pg_advisory_xact_lock(hashtext('co-campaign:' || k))) " \
	"FROM (SELECT DISTINCT c.\"userId\" || '/' || c.\"campaignId\" || " \
	"'/' || coalesce(c.\"phoneNumber\", '') k FROM call_logs c " \
	"WHERE c.id IN " LOAD_TOUCHED " AND c.\"campaignId\" IS NOT NULL " \
	"ORDER BY 1) x; " \
	"UPDATE campaign_calls t SET \"callLogId\" = m.cid FROM (SELECT " \
	"DISTINCT ON (x.tid) x.tid, x.cid FROM (SELECT DISTINCT ON (c.id) " \
	"t.id tid, c.id cid FROM call_logs c JOIN campaign_calls t " \
	"ON t.\"callLogId\" IS NULL AND t.\"userId\" = c.\"userId\" " \
	"AND t.\"campaignId\" = c.\"campaignId\" " \
	"AND t.\"phoneNumber\" = c.\"phoneNumber\" WHERE c.id IN " \
	LOAD_TOUCHED " AND NOT EXISTS (SELECT 1 FROM campaign_calls y " \
	"WHERE y.\"callLogId\" = c.id) ORDER BY c.id, t.\"createdAt\", t.id) " \
	"x ORDER BY x.tid, x.cid) m WHERE t.id = m.tid; " \
	"INSERT INTO campaign_calls (id, \"userId\", \"campaignId\", " \
	"\"callLogId\", \"phoneNumber\", status, outcome, attempts, " \
	"\"startedAt\", \"endedAt\", \"createdAt\", \"updatedAt\") " \
	"SELECT gen_random_uuid()::text, c.\"userId\", c.\"campaignId\", " \
	"c.id, c.\"phoneNumber\", c.status, c.outcome, 1, c.\"startedAt\", " \
	"c.\"endedAt\", now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC' " \
	"FROM call_logs c WHERE c.id IN " LOAD_TOUCHED " " \
	"AND c.\"campaignId\" IS NOT NULL ORDER BY c.id " \
	"ON CONFLICT (\"callLogId\") DO UPDATE SET \"campaignId\" = " \
	"EXCLUDED.\"campaignId\", \"phoneNumber\" = coalesce(" \
	"EXCLUDED.\"phoneNumber\", campaign_calls.\"phoneNumber\"), " \
	"status = EXCLUDED.status, outcome = coalesce(EXCLUDED.outcome, " \
	"campaign_calls.outcome), \"startedAt\" = coalesce(" \
	"EXCLUDED.\"startedAt\", campaign_calls.\"startedAt\"), " \
	"\"endedAt\" = coalesce(EXCLUDED.\"endedAt\", " \
	"campaign_calls.\"endedAt\"), \"updatedAt\" = EXCLUDED.\"updatedAt\" " \
	"WHERE (campaign_calls.\"campaignId\", campaign_calls.\"phoneNumber\", " \
	"campaign_calls.status, campaign_calls.outcome, " \
	"campaign_calls.\"startedAt\", campaign_calls.\"endedAt\") " \
	"IS DISTINCT FROM (EXCLUDED.\"campaignId\", coalesce(" \
	"EXCLUDED.\"phoneNumber\", campaign_calls.\"phoneNumber\"), " \
	"EXCLUDED.status, coalesce(EXCLUDED.outcome, " \
	"campaign_calls.outcome), coalesce(EXCLUDED.\"startedAt\", " \
	"campaign_calls.\"startedAt\"), coalesce(EXCLUDED.\"endedAt\", " \
	"campaign_calls.\"endedAt\")); " \
	"UPDATE campaign_calls t SET attempts = n.k FROM (SELECT " \
	"a.\"userId\", a.\"campaignId\", a.\"phoneNumber\", " \
	"count(a.\"callLogId\")::integer k FROM campaign_calls a " \
	"WHERE (a.\"userId\", a.\"campaignId\", a.\"phoneNumber\") IN " \
	"(SELECT c.\"userId\", c.\"campaignId\", c.\"phoneNumber\" " \
	"FROM call_logs c WHERE c.id IN " LOAD_TOUCHED ") " \
	"GROUP BY 1, 2, 3) n WHERE t.\"userId\" = n.\"userId\" " \
	"AND t.\"campaignId\" = n.\"campaignId\" " \
	"AND t.\"phoneNumber\" = n.\"phoneNumber\" " \
	"AND t.attempts IS DISTINCT FROM n.k; "

#define LOAD_SQL_BATCH \
	/* Rooms known by name only have no unique key to meet on: lock \
	 * their names, in order, so no two loaders create one twice. */ \
	"SELECT pg_advisory_xact_lock(hashtext('co-room:' || k)) FROM " \
	"(SELECT DISTINCT room_name k FROM co_stage WHERE room_sid IS NULL " \
	"AND room_name IS NOT NULL ORDER BY 1) x; " \
	"ANALYZE co_stage; " \
	/* A name-only event of a room whose sid this batch knows, when \
	 * the tenants agree. */ \
	"UPDATE co_stage s SET room_sid = t.sid FROM (SELECT room_name, " \
	"min(room_sid) sid, max(user_id) u FROM co_stage " \
	"WHERE room_sid IS NOT NULL GROUP BY room_name " \
	"HAVING count(DISTINCT room_sid) = 1 " \
	"AND count(DISTINCT user_id) <= 1) t " \
	"WHERE s.room_sid IS NULL AND s.room_name = t.room_name " \
	"AND (s.user_id IS NULL OR t.u IS NULL OR s.user_id = t.u); " \
	LOAD_RESOLVE \
	/* The tenant of a call to create: the event's own, else the one \
	 * its room's other events name, else -u. */ \
	"UPDATE co_stage s SET tenant = coalesce(s.user_id, t.u, " \
	"nullif(current_setting('co.default_tenant', true), '')) FROM " \
	"(SELECT coalesce(room_sid, room_name) k, CASE WHEN " \
	"count(DISTINCT user_id) = 1 THEN min(user_id) END u " \
	"FROM co_stage GROUP BY 1) t WHERE s.call_id IS NULL " \
	"AND t.k = coalesce(s.room_sid, s.room_name); " \
	"INSERT INTO call_logs (id, \"userId\", \"livekitRoomName\", " \
	"\"livekitRoomSid\", status, \"createdAt\", \"updatedAt\") " \
	"SELECT gen_random_uuid()::text, tenant, room_name, room_sid, " \
	"'active', now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC' " \
	"FROM (SELECT DISTINCT ON (coalesce(room_sid, room_name), tenant) " \
	"tenant, room_name, room_sid FROM co_stage " \
	"WHERE call_id IS NULL AND room_name IS NOT NULL AND tenant IN " \
	"(SELECT id FROM users) ORDER BY coalesce(room_sid, room_name), " \
	"tenant, seq) n ON CONFLICT DO NOTHING; " \
	LOAD_RESOLVE \
	/* Still no call, and the sid is another tenant's call's. */ \
	"UPDATE co_stage s SET reason = 'room ' || s.room_sid || ' is a " \
	"call of another tenant than this event''s (' || s.user_id || ')' " \
	"FROM call_logs c WHERE s.call_id IS NULL " \
	"AND c.\"livekitRoomSid\" = s.room_sid " \
	"AND c.\"userId\" IS DISTINCT FROM s.user_id; " \
	"UPDATE call_logs c SET \"livekitRoomSid\" = s.sid FROM (SELECT " \
	"call_id, min(room_sid) sid FROM co_stage WHERE call_id IS NOT NULL " \
	"GROUP BY call_id HAVING count(DISTINCT room_sid) = 1) s " \
	"WHERE c.id = s.call_id AND c.\"livekitRoomSid\" IS NULL " \
	"AND NOT EXISTS (SELECT 1 FROM call_logs o " \
	"WHERE o.\"livekitRoomSid\" = s.sid); " \
	/* Lock the batch's calls in id order: a concurrent batch of the \
	 * same calls waits here, and its later statements then see these \
	 * events, so no recompute misses another's events. */ \
	"SELECT count(*) FROM (SELECT id FROM call_logs WHERE id IN " \
	"(SELECT call_id FROM co_stage) ORDER BY id FOR UPDATE) l; " \
	"UPDATE co_stage s SET first = true FROM (SELECT DISTINCT ON " \
	"(event_id) seq FROM co_stage ORDER BY event_id, seq) f " \
	"WHERE s.seq = f.seq; " \
	"ANALYZE co_stage; " \
	/* An event another writer stored first (the seed's insert-first \
	 * "eventId") gets its normalized fields here; one co-load stored \
	 * is a duplicate. */ \
	"INSERT INTO livekit_call_events (id, \"callLogId\", \"userId\", " \
	"\"eventId\", event, \"roomName\", \"roomSid\", " \
	"\"participantIdentity\", \"participantSid\", timestamp, " \
	"\"rawPayload\", processed, \"errorMessage\", \"createdAt\", " \
	"\"processedAt\", " LOAD_EV_OURS ") " \
	"SELECT gen_random_uuid()::text, s.call_id, c.\"userId\", " \
	"s.event_id, s.event, coalesce(s.room_name, c.\"livekitRoomName\"), " \
	"s.room_sid, s.participant_identity, s.participant_sid, " \
	"floor(extract(epoch FROM coalesce(s.occurred_at, now())))::bigint, " \
	"s.raw, CASE WHEN " LOAD_NOT_APPLIED " IS NULL THEN 1 ELSE 0 END, " \
	LOAD_NOT_APPLIED ", now() AT TIME ZONE 'UTC', " \
	"now() AT TIME ZONE 'UTC', " \
	"s.occurred_at, s.participant_kind, s.direction, s.phone_number, " \
	"s.sip_call_id, s.started_at, s.ended_at, s.duration, " \
	"s.disconnect_reason, s.provider_status, s.outcome, s.outcome_rule, " \
	"s.recording_url, s.agent_config_id, s.campaign_id, s.room_metadata, " \
	"s.spool_file FROM co_stage s JOIN call_logs c " \
	"ON c.id = s.call_id WHERE s.first ORDER BY s.seq " \
	"ON CONFLICT (\"eventId\") DO UPDATE SET \"callLogId\" = " \
	"coalesce(livekit_call_events.\"callLogId\", EXCLUDED.\"callLogId\"), " \
	LOAD_SET_OURS("\"occurredAt\"") ", " \
	LOAD_SET_OURS("\"participantKind\"") ", " \
	LOAD_SET_OURS("direction") ", " LOAD_SET_OURS("\"phoneNumber\"") ", " \
	LOAD_SET_OURS("\"sipCallId\"") ", " LOAD_SET_OURS("\"startedAt\"") \
	", " LOAD_SET_OURS("\"endedAt\"") ", " LOAD_SET_OURS("duration") ", " \
	LOAD_SET_OURS("\"disconnectReason\"") ", " \
	LOAD_SET_OURS("\"providerStatus\"") ", " LOAD_SET_OURS("outcome") \
	", " LOAD_SET_OURS("\"outcomeRule\"") ", " \
	LOAD_SET_OURS("\"recordingUrl\"") ", " \
	LOAD_SET_OURS("\"agentConfigId\"") ", " \
	LOAD_SET_OURS("\"campaignId\"") ", " \
	LOAD_SET_OURS("\"roomMetadata\"") ", " \
	LOAD_SET_OURS("\"spoolFile\"") " " \
	"WHERE livekit_call_events.\"occurredAt\" IS NULL " \
	"AND EXCLUDED.\"occurredAt\" IS NOT NULL; " \
	/* Inserted (or completed) by this transaction, not found there. */ \
	"UPDATE co_stage s SET status = 'inserted' FROM livekit_call_events e " \
	"WHERE s.first AND e.\"eventId\" = s.event_id " \
	"AND e.xmin = pg_current_xact_id()::xid; " \
	"UPDATE co_stage SET status = CASE WHEN call_id IS NULL " \
	"THEN 'pending' ELSE 'duplicate' END WHERE status IS NULL; " \
	/* Recompute each touched call from the set of all its events, \
	 * then keep what the row already had where they know nothing. */ \
	"WITH t AS (SELECT DISTINCT call_id id FROM co_stage " \
	"WHERE status = 'inserted'), " \
	"md AS (SELECT e.\"callLogId\" id, jsonb_object_agg(k.key, k.value " \
	"ORDER BY e.\"occurredAt\" NULLS FIRST, e.\"eventId\") metadata " \
	"FROM livekit_call_events e, jsonb_each(CASE WHEN " \
	"jsonb_typeof(e.\"roomMetadata\") = 'object' THEN " \
	"e.\"roomMetadata\" END) k WHERE e.\"callLogId\" IN (SELECT id " \
	"FROM t) GROUP BY 1), " \
	"g AS (SELECT e.\"callLogId\" id, " \
	"coalesce(bool_or(" LOAD_SIP "), false) sip, " \
	LOAD_LATEST("\"agentConfigId\"") " agent_config0, " \
	LOAD_LATEST("\"campaignId\"") " campaign_id, " \
	"CASE WHEN bool_or(e.direction = 'inbound') THEN 'inbound' " \
	"WHEN bool_or(e.direction = 'outbound') THEN 'outbound' END " \
	"direction, coalesce(max(e.\"phoneNumber\") FILTER (WHERE " \
	LOAD_SIP "), max(e.\"phoneNumber\")) phone_number, " \
	"max(e.\"sipCallId\") sip_call_id, " \
	"max(e.duration) FILTER (WHERE " LOAD_SIP ") dur_sip, " \
	"max(e.duration) FILTER (WHERE " LOAD_LEFT ") dur_left, " \
	"max(e.duration) FILTER (WHERE " LOAD_ROOM_END ") dur_room, " \
	"max(e.duration) dur_any, " \
	"coalesce(min(e.\"startedAt\") FILTER (WHERE " LOAD_SIP "), " \
	"min(e.\"startedAt\")) started_at, " \
	"max(e.\"endedAt\") FILTER (WHERE " LOAD_SIP ") end_sip, " \
	"max(e.\"endedAt\") FILTER (WHERE " LOAD_LEFT ") end_left, " \
	"max(e.\"endedAt\") FILTER (WHERE " LOAD_ROOM_END ") end_room, " \
	"(array_agg(e.outcome ORDER BY " LOAD_RANK ", " \
	"(" LOAD_SIP ") DESC NULLS LAST, e.duration DESC " \
	"NULLS LAST, e.\"occurredAt\" DESC NULLS LAST, e.\"eventId\") " \
	"FILTER (WHERE e.outcome IS NOT NULL))[1] outcome_call, " \
	"(array_agg(" LOAD_SEED_RULE " ORDER BY e.\"occurredAt\" DESC " \
	"NULLS LAST, e.\"eventId\") FILTER (WHERE " LOAD_LEFT " AND " \
	LOAD_SEED_RULE " IS NOT NULL))[1] outcome_room, " \
	"coalesce(bool_or(" LOAD_ROOM_END " OR (" LOAD_SIP " AND " \
	LOAD_LEFT ")), false) ended_call, " \
	"coalesce(bool_or(" LOAD_LEFT "), false) ended_room, " \
	LOAD_LATEST_IF("\"recordingUrl\"", LOAD_URL_FITS) " recording_url, " \
	"(array_agg(jsonb_strip_nulls(jsonb_build_object(" \
	"'disconnect_reason', e.\"disconnectReason\", 'participant_sid', " \
	"e.\"participantSid\")) ORDER BY (" LOAD_SIP ") DESC NULLS LAST, " \
	"e.\"occurredAt\" DESC NULLS LAST, e.\"eventId\") " \
	"FILTER (WHERE " LOAD_LEFT "))[1] md_left " \
	"FROM livekit_call_events e WHERE e.\"callLogId\" IN (SELECT id " \
	"FROM t) GROUP BY e.\"callLogId\"), " \
	/* The events' answer: a room with a SIP participant by our \
	 * rules, one without by the seed's on its participant_left. */ \
	"n AS (SELECT g.id, CASE WHEN EXISTS (SELECT 1 FROM agent_configs a " \
	"WHERE a.id = g.agent_config0) THEN g.agent_config0 END " \
	"agent_config_id, g.campaign_id, g.direction, g.phone_number, " \
	"g.sip_call_id, coalesce(g.dur_sip, CASE WHEN NOT g.sip THEN " \
	"g.dur_left END, g.dur_room, g.dur_any) duration, g.started_at, " \
	"coalesce(g.end_sip, CASE WHEN NOT g.sip THEN g.end_left END, " \
	"g.end_room) ended_at, CASE WHEN g.sip THEN g.outcome_call " \
	"ELSE coalesce(g.outcome_room, g.outcome_call) END outcome, " \
	"g.ended_call OR (NOT g.sip AND g.ended_room) ended, " \
	"g.recording_url, coalesce(md.metadata, '{}') || " \
	"coalesce(g.md_left, '{}') metadata FROM g LEFT JOIN md " \
	"ON md.id = g.id), " \
	"v AS (SELECT c.id, coalesce(n.agent_config_id, c.\"agentConfigId\") " \
	"agent_config_id, coalesce(n.campaign_id, c.\"campaignId\") " \
	"campaign_id, coalesce(n.direction, c.direction) direction, " \
	"coalesce(n.phone_number, c.\"phoneNumber\") phone_number, " \
	"coalesce(n.sip_call_id, c.\"sipCallId\") sip_call_id, " \
	"coalesce(n.duration, c.duration) duration, " \
	"coalesce(n.started_at AT TIME ZONE 'UTC', c.\"startedAt\") " \
	"started_at, coalesce(n.ended_at AT TIME ZONE 'UTC', " \
	"c.\"endedAt\") ended_at, CASE WHEN n.ended THEN 'ended' " \
	"ELSE coalesce(c.status, 'active') END status, " \
	"coalesce(n.outcome, c.outcome) outcome, " \
	"coalesce(n.recording_url, c.\"recordingUrl\") recording_url, " \
	"CASE WHEN c.metadata IS NULL AND n.metadata = '{}' THEN NULL " \
	"WHEN c.metadata IS NULL THEN n.metadata " \
	"WHEN jsonb_typeof(c.metadata) = 'object' THEN c.metadata || " \
	"n.metadata ELSE c.metadata END metadata " \
	"FROM n JOIN call_logs c ON c.id = n.id) " \
	"UPDATE call_logs c SET \"agentConfigId\" = v.agent_config_id, " \
	"\"campaignId\" = v.campaign_id, direction = v.direction, " \
	"\"phoneNumber\" = v.phone_number, \"sipCallId\" = v.sip_call_id, " \
	"duration = v.duration, \"startedAt\" = v.started_at, " \
	"\"endedAt\" = v.ended_at, status = v.status, outcome = v.outcome, " \
	"\"recordingUrl\" = v.recording_url, metadata = v.metadata, " \
	"\"updatedAt\" = now() AT TIME ZONE 'UTC' FROM v " \
	"WHERE c.id = v.id AND (c.\"agentConfigId\", c.\"campaignId\", " \
	"c.direction, c.\"phoneNumber\", c.\"sipCallId\", c.duration, " \
	"c.\"startedAt\", c.\"endedAt\", c.status, c.outcome, " \
	"c.\"recordingUrl\", c.metadata) IS DISTINCT FROM (v.agent_config_id, " \
	"v.campaign_id, v.direction, v.phone_number, v.sip_call_id, " \
	"v.duration, v.started_at, v.ended_at, v.status, v.outcome, " \
	"v.recording_url, v.metadata); " \
	LOAD_SQL_CAMPAIGN \
	"SELECT seq, status, CASE WHEN status <> 'pending' THEN NULL " \
	"WHEN reason IS NOT NULL THEN reason " \
	"WHEN tenant IS NULL THEN 'no call for this room yet, and no tenant " \
	"to create one' ELSE 'unknown tenant ' || tenant END FROM co_stage " \
	"ORDER BY seq"

#endif
