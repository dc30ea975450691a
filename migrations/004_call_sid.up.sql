-- 004: the call_sid refactor.  A call's row is created before the call is
-- placed (co-dial), so it has our own call_sid, EL_{driver_id}_{timestamp},
-- and no conversation_id until ElevenLabs returns one; webhooks find their
-- row by the call_sid echoed in their dynamic variables.  Legacy rows get
-- a call_sid from co-backfill (calls_call_sid_missing_idx finds them).
--
-- elevenlabs_webhook_events is the audit of every webhook loaded, one row
-- per "<type>:<conversation_id>" (ElevenLabs sends no event id), with the
-- event's normalized fields, so a call's row is recomputed from the set of
-- its events whatever their order.
--
-- When 004 was rolled back earlier, the rows the rollback set aside
-- (calls_without_conversation, calls_call_sid_archive) come back here.

ALTER TABLE calls ADD COLUMN call_sid text;
ALTER TABLE calls ALTER COLUMN conversation_id DROP NOT NULL;
CREATE UNIQUE INDEX idx_calls_call_sid ON calls (call_sid);
CREATE INDEX idx_calls_driver_id_created_at ON calls (driver_id,
	created_at DESC);
CREATE INDEX calls_call_sid_missing_idx ON calls (id) WHERE call_sid IS NULL;

DO $$
BEGIN
	IF to_regclass('calls_without_conversation') IS NOT NULL THEN
		INSERT INTO calls (id, user_id, driver_id, agent_id, to_number,
		    conversation_id, status, outcome, failure_reason, duration,
		    cost, provider_call_sid, direction, analysis, started_at,
		    ended_at, created_at, updated_at, call_sid)
		SELECT id, user_id, driver_id, agent_id, to_number,
		    conversation_id, status, outcome, failure_reason, duration,
		    cost, provider_call_sid, direction, analysis, started_at,
		    ended_at, created_at, updated_at, call_sid
		FROM calls_without_conversation;
		DROP TABLE calls_without_conversation;
	END IF;
	IF to_regclass('calls_call_sid_archive') IS NOT NULL THEN
		UPDATE calls SET call_sid = a.call_sid
		FROM calls_call_sid_archive a WHERE calls.id = a.id;
		DROP TABLE calls_call_sid_archive;
	END IF;
END
$$;

CREATE TABLE elevenlabs_webhook_events (
	event_id	text PRIMARY KEY,
	type		text NOT NULL,
	conversation_id	text NOT NULL,
	call_sid	text,
	call_id		bigint NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
	user_id		text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	occurred_at	timestamptz,
	agent_id	text,
	direction	text,
	phone_number	text,
	provider_call_sid text,
	started_at	timestamptz,
	ended_at	timestamptz,
	duration	integer,
	cost		numeric,
	analysis	jsonb,
	failure_reason	text,
	provider_status	text,
	termination_reason text,
	outcome		text,
	outcome_rule	text,
	raw		jsonb NOT NULL,
	spool_file	text,
	created_at	timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX elevenlabs_webhook_events_call_id_idx
	ON elevenlabs_webhook_events (call_id);

GRANT SELECT ON elevenlabs_webhook_events TO co_analyst;
GRANT SELECT, INSERT, UPDATE, DELETE ON elevenlabs_webhook_events
	TO co_loader;

ALTER TABLE elevenlabs_webhook_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE elevenlabs_webhook_events FORCE ROW LEVEL SECURITY;
CREATE POLICY co_tenant ON elevenlabs_webhook_events
	USING (user_id = nullif(current_setting('co.tenant', true), ''))
	WITH CHECK (user_id = nullif(current_setting('co.tenant', true), ''));
CREATE POLICY co_loader ON elevenlabs_webhook_events TO co_loader
	USING (true) WITH CHECK (true);
