-- 003: the ElevenLabs seed's tables as they were before the call_sid
-- refactor (004): calls, keyed by the conversation_id ElevenLabs returns,
-- and call_transcriptions, one row per turn of a conversation.  Columns
-- keep the seed's snake_case names; user_id is the tenant.
--
-- Row-level security as in 002: ENABLE + FORCE, the policies co_tenant
-- (rows of the tenant named by co.tenant) and co_loader (all rows, for
-- members of co_loader), SELECT for co_analyst, read-write for co_loader.

CREATE TABLE calls (
	id		bigserial PRIMARY KEY,
	user_id		text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	driver_id	text,
	agent_id	text,
	to_number	text,
	conversation_id	text NOT NULL,
	status		text NOT NULL DEFAULT 'in_progress'
			CHECK (status IN ('in_progress', 'completed', 'failed')),
	outcome		text CHECK (outcome IN ('completed', 'no_answer', 'busy',
			    'failed', 'voicemail')),
	failure_reason	text,
	duration	integer CHECK (duration >= 0),
	cost		numeric,
	provider_call_sid text,
	direction	text CHECK (direction IN ('inbound', 'outbound')),
	analysis	jsonb,
	started_at	timestamptz,
	ended_at	timestamptz,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT calls_conversation_id_key UNIQUE (conversation_id)
);

CREATE INDEX calls_user_id_created_at_idx ON calls (user_id, created_at DESC);

CREATE TABLE call_transcriptions (
	id		bigserial PRIMARY KEY,
	conversation_id	text NOT NULL REFERENCES calls (conversation_id)
			ON UPDATE CASCADE ON DELETE CASCADE,
	user_id		text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	sequence_number	integer NOT NULL CHECK (sequence_number >= 0),
	role		text,
	message		text,
	time_in_call_secs integer,
	created_at	timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT call_transcriptions_conversation_id_sequence_number_key
	    UNIQUE (conversation_id, sequence_number)
);

GRANT SELECT ON calls, call_transcriptions TO co_analyst;
GRANT SELECT, INSERT, UPDATE, DELETE ON calls, call_transcriptions
	TO co_loader;
GRANT USAGE, SELECT ON SEQUENCE calls_id_seq, call_transcriptions_id_seq
	TO co_loader;

ALTER TABLE calls ENABLE ROW LEVEL SECURITY;
ALTER TABLE calls FORCE ROW LEVEL SECURITY;
CREATE POLICY co_tenant ON calls
	USING (user_id = nullif(current_setting('co.tenant', true), ''))
	WITH CHECK (user_id = nullif(current_setting('co.tenant', true), ''));
CREATE POLICY co_loader ON calls TO co_loader USING (true) WITH CHECK (true);

ALTER TABLE call_transcriptions ENABLE ROW LEVEL SECURITY;
ALTER TABLE call_transcriptions FORCE ROW LEVEL SECURITY;
CREATE POLICY co_tenant ON call_transcriptions
	USING (user_id = nullif(current_setting('co.tenant', true), ''))
	WITH CHECK (user_id = nullif(current_setting('co.tenant', true), ''));
CREATE POLICY co_loader ON call_transcriptions TO co_loader
	USING (true) WITH CHECK (true);
