/*
 * load_el_sql.h - the SQL of one ElevenLabs loader batch (load_elevenlabs.c).
 * Rule: every statement is set-based over the staged batch, and a call's
 * row is recomputed from the set of its webhook events (with the row's own
 * values as the last fallback), so the row does not depend on the order in
 * which its events arrive or on how often each came.
 */
#ifndef CO_LOAD_EL_SQL_H
#define CO_LOAD_EL_SQL_H

/* The first key of the conversation locks: "coel". */
#define LOAD_EL_LOCK_CLASS "1668244844"

#define LOAD_EL_COLS \
	"seq, event_id, event, conversation_id, call_sid, occurred_at, " \
	"agent_id, direction, phone_number, provider_call_sid, started_at, " \
	"ended_at, duration, cost, failure_reason, provider_status, " \
	"termination_reason, outcome, outcome_rule, analysis, transcript, " \
	"spool_file, raw"

#define LOAD_EL_SQL_STAGE \
	"SET client_min_messages = warning; " \
	"CREATE TEMP TABLE IF NOT EXISTS co_el_stage (" \
	"seq integer, event_id text, event text, conversation_id text, " \
	"call_sid text, occurred_at timestamptz, agent_id text, " \
	"direction text, phone_number text, provider_call_sid text, " \
	"started_at timestamptz, ended_at timestamptz, duration integer, " \
	"cost numeric, failure_reason text, provider_status text, " \
	"termination_reason text, outcome text, outcome_rule text, " \
	"analysis jsonb, transcript jsonb, spool_file text, raw jsonb, " \
	"call_id bigint, first boolean, status text, reason text)"

/*
 * The value of a column among a call's events: a transcription's first,
 * then an initiation failure's, then the audio's, then any other type's.
 */
#define LOAD_EL_PICK(col) \
	"(array_agg(e." col " ORDER BY CASE e.type " \
	"WHEN 'post_call_transcription' THEN 1 " \
	"WHEN 'call_initiation_failure' THEN 2 " \
	"WHEN 'post_call_audio' THEN 3 ELSE 4 END, e.event_id) " \
	"FILTER (WHERE e." col " IS NOT NULL))[1]"

/* Rejects an event; s is the stage row, the condition follows. */
#define LOAD_EL_REJECT(why) \
	"UPDATE co_el_stage s SET status = 'rejected', reason = " why " "

#define LOAD_EL_SQL_BATCH \
	/* One conversation's events are loaded by one transaction at a \
	 * time: a lock per bucket of conversations (256 of them, so that a \
	 * batch of thousands does not fill the server's lock table), taken \
	 * in one global order, so no deadlock.  The two-key form keeps \
	 * them apart from load_sql.h's one-key room locks. */ \
	"SELECT pg_advisory_xact_lock(" LOAD_EL_LOCK_CLASS ", k) FROM " \
	"(SELECT DISTINCT hashtext(conversation_id) & 255 k " \
	"FROM co_el_stage ORDER BY 1) x; " \
	"ANALYZE co_el_stage; " \
	/* The call: by our call_sid, else by ElevenLabs' conversation_id. */ \
	"UPDATE co_el_stage s SET call_id = c.id FROM calls c " \
	"WHERE c.call_sid = s.call_sid; " \
	"UPDATE co_el_stage s SET call_id = c.id FROM calls c " \
	"WHERE s.call_id IS NULL AND c.conversation_id = s.conversation_id; " \
	/* An event of a conversation whose call another event of this \
	 * batch found by its call_sid: that call, as if loaded after it. */ \
	"UPDATE co_el_stage s SET call_id = t.id FROM (SELECT " \
	"conversation_id, min(call_id) id FROM co_el_stage " \
	"WHERE call_id IS NOT NULL GROUP BY 1 " \
	"HAVING count(DISTINCT call_id) = 1) t " \
	"WHERE s.call_id IS NULL AND s.conversation_id = t.conversation_id; " \
	/* Their rows, locked in id order against co-dial and co-backfill; \
	 * what follows reads them as they are once locked. */ \
	"SELECT 1 FROM calls WHERE id IN (SELECT call_id FROM co_el_stage) " \
	"ORDER BY id FOR UPDATE; " \
	LOAD_EL_REJECT("'call_sid ' || s.call_sid || ' belongs to " \
	"conversation ' || c.conversation_id") "FROM calls c " \
	"WHERE c.id = s.call_id AND c.conversation_id <> s.conversation_id; " \
	LOAD_EL_REJECT("'conversation ' || s.conversation_id || ' belongs " \
	"to call_sid ' || c.call_sid") "FROM calls c WHERE s.status IS NULL " \
	"AND c.id = s.call_id AND c.call_sid <> s.call_sid; " \
	LOAD_EL_REJECT("'conversation ' || s.conversation_id || ' belongs " \
	"to another call (id ' || o.id || ')'") "FROM calls c, calls o " \
	"WHERE s.status IS NULL AND c.id = s.call_id " \
	"AND c.conversation_id IS NULL " \
	"AND o.conversation_id = s.conversation_id AND o.id <> c.id; " \
	/* Two conversations for one call still without one, or one \
	 * conversation for two such calls, in this batch: the first wins. */ \
	LOAD_EL_REJECT("'call ' || s.call_id || ' already has another " \
	"conversation in this batch'") "FROM calls c WHERE s.status IS NULL " \
	"AND c.id = s.call_id AND c.conversation_id IS NULL AND EXISTS (" \
	"SELECT 1 FROM co_el_stage t WHERE t.status IS NULL AND t.seq < s.seq " \
	"AND t.call_id = s.call_id " \
	"AND t.conversation_id <> s.conversation_id); " \
	LOAD_EL_REJECT("'conversation ' || s.conversation_id || ' already " \
	"goes to another call in this batch'") "FROM calls c " \
	"WHERE s.status IS NULL AND c.id = s.call_id " \
	"AND c.conversation_id IS NULL AND EXISTS (SELECT 1 FROM co_el_stage t " \
	"WHERE t.status IS NULL AND t.seq < s.seq " \
	"AND t.conversation_id = s.conversation_id " \
	"AND t.call_id <> s.call_id); " \
	/* A call created before it was placed learns its conversation. */ \
	"UPDATE calls c SET conversation_id = s.conversation_id, " \
	"updated_at = now() FROM (SELECT DISTINCT ON (call_id) call_id, " \
	"conversation_id FROM co_el_stage WHERE status IS NULL " \
	"AND call_id IS NOT NULL ORDER BY call_id, seq) s " \
	"WHERE c.id = s.call_id AND c.conversation_id IS NULL; " \
	"UPDATE co_el_stage s SET first = true FROM (SELECT DISTINCT ON " \
	"(event_id) seq FROM co_el_stage WHERE status IS NULL " \
	"AND call_id IS NOT NULL ORDER BY event_id, seq) f " \
	"WHERE s.seq = f.seq; " \
	"INSERT INTO elevenlabs_webhook_events (event_id, type, " \
	"conversation_id, call_sid, call_id, user_id, occurred_at, agent_id, " \
	"direction, phone_number, provider_call_sid, started_at, ended_at, " \
	"duration, cost, analysis, failure_reason, provider_status, " \
	"termination_reason, outcome, outcome_rule, raw, spool_file) " \
	"SELECT s.event_id, s.event, s.conversation_id, s.call_sid, c.id, " \
	"c.user_id, s.occurred_at, s.agent_id, s.direction, s.phone_number, " \
	"s.provider_call_sid, s.started_at, s.ended_at, s.duration, s.cost, " \
	"s.analysis, s.failure_reason, s.provider_status, " \
	"s.termination_reason, s.outcome, s.outcome_rule, s.raw, " \
	"s.spool_file FROM co_el_stage s JOIN calls c ON c.id = s.call_id " \
	"WHERE s.first ORDER BY s.seq ON CONFLICT (event_id) DO NOTHING; " \
	/* Inserted by this transaction, not found there already. */ \
	"UPDATE co_el_stage s SET status = 'inserted' " \
	"FROM elevenlabs_webhook_events e WHERE s.first " \
	"AND e.event_id = s.event_id AND e.xmin = pg_current_xact_id()::xid; " \
	/* The turns of a transcription inserted here, numbered by their \
	 * place in the transcript: a second delivery adds none. */ \
	"INSERT INTO call_transcriptions (conversation_id, user_id, " \
	"sequence_number, role, message, time_in_call_secs) " \
	"SELECT s.conversation_id, c.user_id, (t.n - 1)::integer, " \
	"t.e->>'role', t.e->>'message', (t.e->>'time_in_call_secs')::integer " \
	"FROM co_el_stage s JOIN calls c ON c.id = s.call_id, " \
	"jsonb_array_elements(s.transcript) WITH ORDINALITY t(e, n) " \
	"WHERE s.status = 'inserted' AND jsonb_typeof(s.transcript) = 'array' " \
	"ORDER BY s.conversation_id, t.n " \
	"ON CONFLICT (conversation_id, sequence_number) DO NOTHING; " \
	/* Recompute each touched call from the set of all its events: a \
	 * transcription means the call took place (completed, its outcome \
	 * the transcription's), else an initiation failure means it failed; \
	 * the audio alone changes no status.  Other columns take the first \
	 * value the events give (LOAD_EL_PICK), else keep the row's. */ \
	"UPDATE calls c SET status = n.status, outcome = n.outcome, " \
	"failure_reason = n.failure_reason, duration = n.duration, " \
	"cost = n.cost, started_at = n.started_at, ended_at = n.ended_at, " \
	"provider_call_sid = n.provider_call_sid, direction = n.direction, " \
	"analysis = n.analysis, agent_id = n.agent_id, " \
	"to_number = n.to_number, updated_at = now() FROM (SELECT c.id, " \
	"CASE WHEN g.has_t THEN 'completed' WHEN g.has_f THEN 'failed' " \
	"ELSE c.status END status, CASE WHEN g.has_t THEN g.t_outcome " \
	"WHEN g.has_f THEN coalesce(g.f_outcome, 'failed') " \
	"ELSE c.outcome END outcome, CASE WHEN g.has_t THEN NULL " \
	"WHEN g.has_f THEN coalesce(g.f_reason, c.failure_reason) " \
	"ELSE c.failure_reason END failure_reason, " \
	"coalesce(g.duration, c.duration) duration, " \
	"coalesce(g.cost, c.cost) cost, " \
	"coalesce(g.started_at, c.started_at) started_at, " \
	"coalesce(g.ended_at, c.ended_at) ended_at, " \
	"coalesce(g.provider_call_sid, c.provider_call_sid) " \
	"provider_call_sid, coalesce(g.direction, c.direction) direction, " \
	"coalesce(g.analysis, c.analysis) analysis, " \
	"coalesce(g.agent_id, c.agent_id) agent_id, " \
	"coalesce(g.phone_number, c.to_number) to_number " \
	"FROM calls c JOIN (SELECT e.call_id, " \
	"bool_or(e.type = 'post_call_transcription') has_t, " \
	"bool_or(e.type = 'call_initiation_failure') has_f, " \
	"(array_agg(e.outcome ORDER BY e.event_id) FILTER (WHERE e.type = " \
	"'post_call_transcription'))[1] t_outcome, " \
	"(array_agg(e.outcome ORDER BY e.event_id) FILTER (WHERE e.type = " \
	"'call_initiation_failure'))[1] f_outcome, " \
	"(array_agg(e.failure_reason ORDER BY e.event_id) FILTER (WHERE " \
	"e.type = 'call_initiation_failure'))[1] f_reason, " \
	LOAD_EL_PICK("duration") " duration, " \
	LOAD_EL_PICK("cost") " cost, " \
	LOAD_EL_PICK("started_at") " started_at, " \
	LOAD_EL_PICK("ended_at") " ended_at, " \
	LOAD_EL_PICK("provider_call_sid") " provider_call_sid, " \
	LOAD_EL_PICK("direction") " direction, " \
	LOAD_EL_PICK("analysis") " analysis, " \
	LOAD_EL_PICK("agent_id") " agent_id, " \
	LOAD_EL_PICK("phone_number") " phone_number " \
	"FROM elevenlabs_webhook_events e WHERE e.call_id IN (SELECT call_id " \
	"FROM co_el_stage WHERE status = 'inserted') GROUP BY e.call_id) g " \
	"ON g.call_id = c.id) n WHERE c.id = n.id AND (c.status, c.outcome, " \
	"c.failure_reason, c.duration, c.cost, c.started_at, c.ended_at, " \
	"c.provider_call_sid, c.direction, c.analysis, c.agent_id, " \
	"c.to_number) IS DISTINCT FROM (n.status, n.outcome, " \
	"n.failure_reason, n.duration, n.cost, n.started_at, n.ended_at, " \
	"n.provider_call_sid, n.direction, n.analysis, n.agent_id, " \
	"n.to_number); " \
	"UPDATE co_el_stage SET status = CASE WHEN call_id IS NULL " \
	"THEN 'pending' ELSE 'duplicate' END, reason = CASE " \
	"WHEN call_id IS NOT NULL THEN NULL WHEN call_sid IS NOT NULL " \
	"THEN 'no call for call_sid ' || call_sid || ' yet' " \
	"ELSE 'no call for conversation_id ' || conversation_id || ' yet' END " \
	"WHERE status IS NULL; " \
	"SELECT seq, status, reason FROM co_el_stage ORDER BY seq"

#endif
