-- 001 down: drops the tables 001 created, with every row in them; of the
-- tables it adopted (co_adopted), drops only what it added: columns,
-- indexes.  direction and "startedAt" get NOT NULL back when no row lacks
-- them; otherwise (rows co-load made from events) a warning says so and
-- they stay nullable: making up values, or deleting those rows, is not a
-- rollback's to do.

DROP INDEX IF EXISTS "livekit_call_events_event_idx",
	"livekit_call_events_callLogId_idx", "call_logs_agentConfigId_idx",
	"call_logs_livekitRoomName_idx", "call_logs_livekitRoomName_nosid_idx";

DO $$
DECLARE
	t text;
	c text;
BEGIN
	IF NOT EXISTS (SELECT FROM co_adopted WHERE relname = 'livekit_call_events')
	THEN
		DROP TABLE livekit_call_events;
	ELSE
		FOREACH c IN ARRAY ARRAY['occurredAt', 'participantKind',
		    'direction', 'phoneNumber', 'sipCallId', 'startedAt',
		    'endedAt', 'duration', 'disconnectReason', 'providerStatus',
		    'outcome', 'outcomeRule', 'recordingUrl', 'agentConfigId',
		    'campaignId', 'roomMetadata', 'spoolFile'] LOOP
			EXECUTE format('ALTER TABLE livekit_call_events '
			    'DROP COLUMN IF EXISTS %I', c);
		END LOOP;
	END IF;
	IF NOT EXISTS (SELECT FROM co_adopted WHERE relname = 'call_logs') THEN
		DROP TABLE call_logs;
	ELSE
		ALTER TABLE call_logs DROP COLUMN IF EXISTS "campaignId";
		FOREACH c IN ARRAY ARRAY['direction', 'startedAt'] LOOP
			EXECUTE format('SELECT 1 FROM call_logs WHERE %I IS NULL '
			    'LIMIT 1', c) INTO t;
			IF t IS NULL THEN
				EXECUTE format('ALTER TABLE call_logs ALTER '
				    'COLUMN %I SET NOT NULL', c);
			ELSE
				RAISE WARNING 'call_logs.% stays nullable: rows '
				    'without it exist', c;
			END IF;
		END LOOP;
	END IF;
	FOREACH t IN ARRAY ARRAY['agent_configs', 'users'] LOOP
		IF NOT EXISTS (SELECT FROM co_adopted WHERE relname = t) THEN
			EXECUTE format('DROP TABLE %I', t);
		END IF;
	END LOOP;
END
$$;

DROP TABLE co_adopted;
