-- 001: the Call Outcomes Module's tables for LiveKit calls, adopted when
-- they exist, created in the seed's exact shape when they do not (seed 000,
-- "Database Schema"; tests/fixtures/seed-schema.sql), so an empty database
-- and a seed database end with the same tables.
--
-- Rule: every seed column keeps its name, type, default and meaning.  What
-- call-outcomes needs beyond them is added beside them (ADD COLUMN IF NOT
-- EXISTS, indexes IF NOT EXISTS), never renamed over them.  The one change
-- to a seed column: call_logs.direction and "startedAt" lose NOT NULL, as a
-- row made from LiveKit's events may not know them yet (an egress event, a
-- room whose participant has not joined); a NULL there means "not known",
-- never a guess.  co-migrate(1) says why.
--
-- Times in the seed's TIMESTAMP columns are UTC (what the seed's Python
-- wrote); co-load writes them in UTC and co-query reads them as UTC.
-- The columns call-outcomes adds are timestamptz.
--
-- co_adopted records which of the four tables existed before this
-- migration; 001 down drops only the others, and from the adopted ones
-- only what 001 added.

CREATE TABLE co_adopted (
	relname		text PRIMARY KEY,
	"adoptedAt"	timestamptz NOT NULL DEFAULT now()
);
INSERT INTO co_adopted (relname)
	SELECT t FROM unnest(ARRAY['users', 'agent_configs', 'call_logs',
	    'livekit_call_events']) t
	WHERE to_regclass(quote_ident(t)) IS NOT NULL;

-- The tenant registry and the agents; the seed's application owns them
-- and 000 does not write them: these are their least shape.
CREATE TABLE IF NOT EXISTS users (
	id		VARCHAR(36) PRIMARY KEY,
	name		VARCHAR(255),
	"createdAt"	TIMESTAMP DEFAULT NOW() NOT NULL
);

CREATE TABLE IF NOT EXISTS agent_configs (
	id		VARCHAR(36) PRIMARY KEY,
	"userId"	VARCHAR(36) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	name		VARCHAR(255),
	"createdAt"	TIMESTAMP DEFAULT NOW() NOT NULL
);

-- Seed 000, verbatim.
CREATE TABLE IF NOT EXISTS call_logs (
    id VARCHAR(36) PRIMARY KEY,
    "userId" VARCHAR(36) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    "agentConfigId" VARCHAR(36) REFERENCES agent_configs(id) ON DELETE SET NULL,
    "livekitRoomName" VARCHAR(255) NOT NULL,
    "livekitRoomSid" VARCHAR(100) UNIQUE,
    direction VARCHAR(20) NOT NULL,  -- 'inbound' or 'outbound'
    "phoneNumber" VARCHAR(20),
    "sipCallId" VARCHAR(255),
    duration INTEGER,  -- seconds
    "startedAt" TIMESTAMP NOT NULL,
    "endedAt" TIMESTAMP,
    status VARCHAR(50) DEFAULT 'active',  -- 'active' or 'ended'
    outcome VARCHAR(50),  -- 'completed', 'no_answer', 'busy', 'failed', 'voicemail'
    "recordingUrl" VARCHAR(512),
    metadata JSONB,
    cost VARCHAR(20),
    "createdAt" TIMESTAMP DEFAULT NOW() NOT NULL,
    "updatedAt" TIMESTAMP DEFAULT NOW() NOT NULL
);

CREATE INDEX IF NOT EXISTS idx_call_logs_userId ON call_logs("userId");
CREATE INDEX IF NOT EXISTS idx_call_logs_livekitRoomSid ON call_logs("livekitRoomSid");
CREATE INDEX IF NOT EXISTS idx_call_logs_user_outcome ON call_logs("userId", outcome);
CREATE INDEX IF NOT EXISTS idx_call_logs_user_started ON call_logs("userId", "startedAt");

CREATE TABLE IF NOT EXISTS livekit_call_events (
    id VARCHAR(36) PRIMARY KEY,
    "userId" VARCHAR(36) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    "callLogId" VARCHAR(36) REFERENCES call_logs(id) ON DELETE CASCADE,
    "eventId" VARCHAR(100) NOT NULL UNIQUE,  -- ← Idempotency key
    event VARCHAR(50) NOT NULL,
    "roomName" VARCHAR(255) NOT NULL,
    "roomSid" VARCHAR(100),
    "participantIdentity" VARCHAR(255),
    "participantSid" VARCHAR(100),
    timestamp BIGINT NOT NULL,
    "rawPayload" JSONB NOT NULL,
    processed INTEGER DEFAULT 1,
    "errorMessage" TEXT,
    "createdAt" TIMESTAMP DEFAULT NOW() NOT NULL,
    "processedAt" TIMESTAMP DEFAULT NOW() NOT NULL
);

CREATE UNIQUE INDEX IF NOT EXISTS idx_livekit_events_eventId ON livekit_call_events("eventId");
CREATE INDEX IF NOT EXISTS idx_livekit_events_callLogId ON livekit_call_events("callLogId");
CREATE INDEX IF NOT EXISTS idx_livekit_events_roomName ON livekit_call_events("roomName");

-- What call-outcomes adds.
ALTER TABLE call_logs ALTER COLUMN direction DROP NOT NULL;
ALTER TABLE call_logs ALTER COLUMN "startedAt" DROP NOT NULL;
ALTER TABLE call_logs ADD COLUMN IF NOT EXISTS "campaignId" text;

-- Rows created from events that named their room but not its sid.
CREATE INDEX "call_logs_livekitRoomName_nosid_idx" ON call_logs ("livekitRoomName")
	WHERE "livekitRoomSid" IS NULL;
CREATE INDEX "call_logs_livekitRoomName_idx" ON call_logs ("livekitRoomName");
CREATE INDEX "call_logs_agentConfigId_idx" ON call_logs ("agentConfigId");

-- Each event's normalized fields (co-transform, co-classify), so a call's
-- row is recomputed from the set of its events in SQL.  A row the seed's
-- code wrote has them NULL ("occurredAt" IS NULL marks it); co-load fills
-- them when it meets the same event.
ALTER TABLE livekit_call_events
	ADD COLUMN IF NOT EXISTS "occurredAt" timestamptz,
	ADD COLUMN IF NOT EXISTS "participantKind" text,
	ADD COLUMN IF NOT EXISTS direction text,
	ADD COLUMN IF NOT EXISTS "phoneNumber" text,
	ADD COLUMN IF NOT EXISTS "sipCallId" text,
	ADD COLUMN IF NOT EXISTS "startedAt" timestamptz,
	ADD COLUMN IF NOT EXISTS "endedAt" timestamptz,
	ADD COLUMN IF NOT EXISTS duration integer,
	ADD COLUMN IF NOT EXISTS "disconnectReason" text,
	ADD COLUMN IF NOT EXISTS "providerStatus" text,
	ADD COLUMN IF NOT EXISTS outcome text,
	ADD COLUMN IF NOT EXISTS "outcomeRule" text,
	ADD COLUMN IF NOT EXISTS "recordingUrl" text,
	ADD COLUMN IF NOT EXISTS "agentConfigId" text,
	ADD COLUMN IF NOT EXISTS "campaignId" text,
	ADD COLUMN IF NOT EXISTS "roomMetadata" jsonb,
	ADD COLUMN IF NOT EXISTS "spoolFile" text;

CREATE INDEX "livekit_call_events_callLogId_idx"
	ON livekit_call_events ("callLogId", "occurredAt");
CREATE INDEX "livekit_call_events_event_idx"
	ON livekit_call_events (event);
