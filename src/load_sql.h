/*
 * load_sql.h - the SQL of one loader batch, kept apart from the C that
 * feeds it.  Rule: every statement is set-based over the staged batch, and a
 * call's row is recomputed from all of its stored events, so the row is a
 * function of the set of its events whatever their order or repetition.
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
	"spool_file text, raw jsonb, call_id uuid, tenant text, " \
	"first boolean, status text)"

/* Sort order of a call's events when choosing its outcome (SPEC 7). */
#define LOAD_RANK \
	"CASE e.\"outcomeRule\" WHEN 'busy' THEN 1 WHEN 'no_answer' THEN 2 " \
	"WHEN 'voicemail' THEN 3 WHEN 'failed' THEN 4 ELSE 5 END"

#define LOAD_LATEST(col) \
	"(array_agg(e." col " ORDER BY e.\"occurredAt\" DESC NULLS LAST, " \
	"e.\"eventId\") FILTER (WHERE e." col " IS NOT NULL))[1]"

/*
 * Which call each staged event belongs to: by room sid; else a row of the
 * same name still without a sid (partial index); else, for an event with no
 * sid, the newest row of that name.
 */
#define LOAD_RESOLVE \
	"UPDATE co_stage s SET call_id = c.id FROM call_logs c " \
	"WHERE s.call_id IS NULL AND c.\"livekitRoomSid\" = s.room_sid; " \
	"UPDATE co_stage s SET call_id = c.id FROM call_logs c " \
	"WHERE s.call_id IS NULL AND s.room_sid IS NOT NULL " \
	"AND c.\"livekitRoomSid\" IS NULL " \
	"AND c.\"livekitRoomName\" = s.room_name; " \
	"UPDATE co_stage s SET call_id = (SELECT c.id FROM call_logs c " \
	"WHERE c.\"livekitRoomName\" = s.room_name ORDER BY c.\"createdAt\" " \
	"DESC, c.id DESC LIMIT 1) WHERE s.call_id IS NULL " \
	"AND s.room_sid IS NULL AND s.room_name IS NOT NULL; "

#define LOAD_SQL_BATCH \
	/* Rooms known by name only have no unique key to meet on: lock \
	 * their names, in order, so no two loaders create one twice. */ \
	"SELECT pg_advisory_xact_lock(hashtext('co-room:' || k)) FROM " \
	"(SELECT DISTINCT room_name k FROM co_stage WHERE room_sid IS NULL " \
	"AND room_name IS NOT NULL ORDER BY 1) x; " \
	"ANALYZE co_stage; " \
	/* A name-only event of a room whose sid this batch knows. */ \
	"UPDATE co_stage s SET room_sid = t.sid FROM (SELECT room_name, " \
	"min(room_sid) sid FROM co_stage WHERE room_sid IS NOT NULL " \
	"GROUP BY room_name HAVING count(DISTINCT room_sid) = 1) t " \
	"WHERE s.room_sid IS NULL AND s.room_name = t.room_name; " \
	LOAD_RESOLVE \
	"UPDATE co_stage s SET tenant = coalesce(t.u, " \
	"nullif(current_setting('co.default_tenant', true), '')) FROM " \
	"(SELECT coalesce(room_sid, room_name) k, max(user_id) u " \
	"FROM co_stage GROUP BY 1) t WHERE s.call_id IS NULL " \
	"AND t.k = coalesce(s.room_sid, s.room_name); " \
	"INSERT INTO call_logs (\"userId\", \"livekitRoomName\", " \
	"\"livekitRoomSid\") SELECT DISTINCT ON (coalesce(room_sid, " \
	"room_name)) tenant, room_name, room_sid FROM co_stage " \
	"WHERE call_id IS NULL AND room_name IS NOT NULL AND tenant IN " \
	"(SELECT id FROM users) ORDER BY coalesce(room_sid, room_name), seq " \
	"ON CONFLICT DO NOTHING; " \
	LOAD_RESOLVE \
	"UPDATE call_logs c SET \"livekitRoomSid\" = s.sid FROM (SELECT " \
	"call_id, min(room_sid) sid FROM co_stage WHERE call_id IS NOT NULL " \
	"GROUP BY call_id HAVING count(DISTINCT room_sid) = 1) s " \
	"WHERE c.id = s.call_id AND c.\"livekitRoomSid\" IS NULL; " \
	/* Lock the batch's calls in id order: a concurrent batch of the \
	 * same calls waits here, and its later statements then see these \
	 * events, so no recompute misses another's events. */ \
	"SELECT count(*) FROM (SELECT id FROM call_logs WHERE id IN " \
	"(SELECT call_id FROM co_stage) ORDER BY id FOR UPDATE) l; " \
	"UPDATE co_stage s SET first = true FROM (SELECT DISTINCT ON " \
	"(event_id) seq FROM co_stage ORDER BY event_id, seq) f " \
	"WHERE s.seq = f.seq; " \
	"ANALYZE co_stage; " \
	"INSERT INTO livekit_call_events (\"callLogId\", " \
	"\"userId\", \"eventId\", \"eventType\", \"occurredAt\", \"roomSid\", " \
	"\"roomName\", \"participantIdentity\", \"participantSid\", " \
	"\"participantKind\", direction, \"phoneNumber\", \"sipCallId\", " \
	"\"startedAt\", \"endedAt\", duration, \"disconnectReason\", " \
	"\"providerStatus\", outcome, \"outcomeRule\", \"recordingUrl\", " \
	"\"agentConfigId\", \"campaignId\", \"roomMetadata\", \"spoolFile\", " \
	"\"rawPayload\") SELECT s.call_id, c.\"userId\", s.event_id, s.event, " \
	"s.occurred_at, s.room_sid, s.room_name, s.participant_identity, " \
	"s.participant_sid, s.participant_kind, s.direction, s.phone_number, " \
	"s.sip_call_id, s.started_at, s.ended_at, s.duration, " \
	"s.disconnect_reason, s.provider_status, s.outcome, s.outcome_rule, " \
	"s.recording_url, s.agent_config_id, s.campaign_id, s.room_metadata, " \
	"s.spool_file, s.raw FROM co_stage s JOIN call_logs c " \
	"ON c.id = s.call_id WHERE s.first ORDER BY s.seq " \
	"ON CONFLICT (\"eventId\") DO NOTHING; " \
	/* Inserted by this transaction, not found there already. */ \
	"UPDATE co_stage s SET status = 'inserted' FROM livekit_call_events e " \
	"WHERE s.first AND e.\"eventId\" = s.event_id " \
	"AND e.xmin = pg_current_xact_id()::xid; " \
	"UPDATE co_stage SET status = CASE WHEN call_id IS NULL " \
	"THEN 'pending' ELSE 'duplicate' END WHERE status IS NULL; " \
	/* Recompute each touched call from the set of all its events. */ \
	"UPDATE call_logs c SET \"agentConfigId\" = n.agent_config_id, " \
	"\"campaignId\" = n.campaign_id, direction = n.direction, " \
	"\"phoneNumber\" = n.phone_number, \"sipCallId\" = n.sip_call_id, " \
	"duration = n.duration, \"startedAt\" = n.started_at, " \
	"\"endedAt\" = n.ended_at, status = n.status, outcome = n.outcome, " \
	"\"recordingUrl\" = n.recording_url, metadata = n.metadata, " \
	"\"updatedAt\" = now() FROM (SELECT g.*, CASE WHEN EXISTS (SELECT 1 " \
	"FROM agent_configs a WHERE a.id = g.agent_config0) " \
	"THEN g.agent_config0 END agent_config_id, CASE WHEN NOT g.ended " \
	"THEN 'in_progress' WHEN g.outcome = 'failed' THEN 'failed' " \
	"ELSE 'completed' END status FROM (SELECT e.\"callLogId\" id, " \
	LOAD_LATEST("\"agentConfigId\"") " agent_config0, " \
	LOAD_LATEST("\"campaignId\"") " campaign_id, " \
	"CASE WHEN bool_or(e.direction = 'inbound') THEN 'inbound' " \
	"WHEN bool_or(e.direction = 'outbound') THEN 'outbound' END " \
	"direction, coalesce(max(e.\"phoneNumber\") FILTER (WHERE " \
	"e.\"participantKind\" = 'SIP'), max(e.\"phoneNumber\")) " \
	"phone_number, max(e.\"sipCallId\") sip_call_id, " \
	"coalesce(max(e.duration) FILTER (WHERE e.\"participantKind\" = " \
	"'SIP'), max(e.duration) FILTER (WHERE e.\"eventType\" = " \
	"'room_finished'), max(e.duration)) duration, " \
	"coalesce(min(e.\"startedAt\") FILTER (WHERE e.\"participantKind\" " \
	"= 'SIP'), min(e.\"startedAt\")) started_at, " \
	"coalesce(max(e.\"endedAt\") FILTER (WHERE e.\"participantKind\" = " \
	"'SIP'), max(e.\"endedAt\") FILTER (WHERE e.\"eventType\" = " \
	"'room_finished')) ended_at, " \
	"(array_agg(e.outcome ORDER BY " LOAD_RANK ", " \
	"(e.\"participantKind\" = 'SIP') DESC NULLS LAST, e.duration DESC " \
	"NULLS LAST, e.\"occurredAt\" DESC NULLS LAST, e.\"eventId\") " \
	"FILTER (WHERE e.outcome IS NOT NULL))[1] outcome, " \
	"bool_or(e.\"eventType\" = 'room_finished' OR " \
	"(e.\"participantKind\" = 'SIP' AND e.\"eventType\" IN " \
	"('participant_left', 'participant_connection_aborted'))) ended, " \
	LOAD_LATEST("\"recordingUrl\"") " recording_url, " \
	LOAD_LATEST("\"roomMetadata\"") " metadata " \
	"FROM livekit_call_events e WHERE e.\"callLogId\" IN (SELECT call_id " \
	"FROM co_stage WHERE status = 'inserted') GROUP BY e.\"callLogId\") g" \
	") n WHERE c.id = n.id AND (c.\"agentConfigId\", c.\"campaignId\", " \
	"c.direction, c.\"phoneNumber\", c.\"sipCallId\", c.duration, " \
	"c.\"startedAt\", c.\"endedAt\", c.status, c.outcome, " \
	"c.\"recordingUrl\", c.metadata) IS DISTINCT FROM (n.agent_config_id, " \
	"n.campaign_id, n.direction, n.phone_number, n.sip_call_id, " \
	"n.duration, n.started_at, n.ended_at, n.status, n.outcome, " \
	"n.recording_url, n.metadata); " \
	"SELECT seq, status, CASE WHEN status <> 'pending' THEN NULL " \
	"WHEN tenant IS NULL THEN 'no call for this room yet, and no tenant " \
	"to create one' ELSE 'unknown tenant ' || tenant END FROM co_stage " \
	"ORDER BY seq"

#endif
