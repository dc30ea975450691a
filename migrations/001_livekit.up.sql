-- 001: the Call Outcomes Module's tables for LiveKit calls, with the seed's
-- names and camelCase columns, plus the minimal tables their keys need.
-- livekit_call_events also keeps each event's normalized fields, so a
-- call's row can be recomputed from the set of its events in SQL.

CREATE TABLE users (
	id		text PRIMARY KEY,
	name		text,
	"createdAt"	timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE agent_configs (
	id		text PRIMARY KEY,
	"userId"	text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name		text,
	"createdAt"	timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE call_logs (
	id		uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"userId"	text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	"agentConfigId"	text REFERENCES agent_configs (id) ON DELETE SET NULL,
	"campaignId"	text,
	"livekitRoomName" text NOT NULL,
	"livekitRoomSid" text,
	direction	text CHECK (direction IN ('inbound', 'outbound')),
	"phoneNumber"	text,
	"sipCallId"	text,
	duration	integer CHECK (duration >= 0),
	"startedAt"	timestamptz,
	"endedAt"	timestamptz,
	status		text NOT NULL DEFAULT 'in_progress'
			CHECK (status IN ('in_progress', 'completed', 'failed')),
	outcome		text CHECK (outcome IN ('completed', 'no_answer', 'busy',
			    'failed', 'voicemail')),
	"recordingUrl"	text,
	metadata	jsonb,
	cost		numeric(12, 6),
	"createdAt"	timestamptz NOT NULL DEFAULT now(),
	"updatedAt"	timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX "call_logs_livekitRoomSid_key" ON call_logs ("livekitRoomSid");
CREATE INDEX "call_logs_livekitRoomName_idx" ON call_logs ("livekitRoomName");
-- Rows created from events that named their room but not its sid.
CREATE INDEX "call_logs_livekitRoomName_nosid_idx" ON call_logs ("livekitRoomName")
	WHERE "livekitRoomSid" IS NULL;
CREATE INDEX "call_logs_userId_startedAt_idx" ON call_logs ("userId", "startedAt" DESC);
CREATE INDEX "call_logs_userId_outcome_idx" ON call_logs ("userId", outcome);
CREATE INDEX "call_logs_agentConfigId_idx" ON call_logs ("agentConfigId");

CREATE TABLE livekit_call_events (
	id		uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"callLogId"	uuid NOT NULL REFERENCES call_logs (id) ON DELETE CASCADE,
	"userId"	text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	"eventId"	text NOT NULL,
	"eventType"	text NOT NULL,
	"occurredAt"	timestamptz,
	"roomSid"	text,
	"roomName"	text,
	"participantIdentity" text,
	"participantSid" text,
	"participantKind" text,
	direction	text,
	"phoneNumber"	text,
	"sipCallId"	text,
	"startedAt"	timestamptz,
	"endedAt"	timestamptz,
	duration	integer,
	"disconnectReason" text,
	"providerStatus" text,
	outcome		text,
	"outcomeRule"	text,
	"recordingUrl"	text,
	"agentConfigId"	text,
	"campaignId"	text,
	"roomMetadata"	jsonb,
	"spoolFile"	text,
	"rawPayload"	jsonb NOT NULL,
	"createdAt"	timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT "livekit_call_events_eventId_key" UNIQUE ("eventId")
);

CREATE INDEX "livekit_call_events_callLogId_idx"
	ON livekit_call_events ("callLogId", "occurredAt");
CREATE INDEX "livekit_call_events_eventType_idx"
	ON livekit_call_events ("eventType");
