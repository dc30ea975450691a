-- 006 down: drops campaign_calls with its rows, unless it was adopted:
-- then only what 006 added (its columns, indexes, policies, grants).

DROP POLICY IF EXISTS co_reader ON campaign_calls;
DROP POLICY co_loader ON campaign_calls;
DROP POLICY co_tenant ON campaign_calls;
ALTER TABLE campaign_calls NO FORCE ROW LEVEL SECURITY;
ALTER TABLE campaign_calls DISABLE ROW LEVEL SECURITY;
REVOKE ALL ON campaign_calls FROM co_analyst, co_loader;
DO $$
BEGIN
	IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'co_reader') THEN
		REVOKE ALL ON campaign_calls FROM co_reader;
	END IF;
END
$$;
DROP INDEX "campaign_calls_userId_campaignId_phone_idx",
	"campaign_calls_callLogId_key";

DO $$
DECLARE
	c name;
BEGIN
	IF EXISTS (SELECT FROM co_adopted WHERE relname = 'campaign_calls') THEN
		FOR c IN SELECT a.attname FROM pg_attribute a
		    WHERE a.attrelid = 'campaign_calls'::regclass
		    AND a.attnum > 0 AND NOT a.attisdropped
		    AND col_description(a.attrelid, a.attnum) =
		    'added by call-outcomes 006' LOOP
			EXECUTE format('ALTER TABLE campaign_calls DROP COLUMN %I',
			    c);
		END LOOP;
		DELETE FROM co_adopted WHERE relname = 'campaign_calls';
	ELSE
		DROP TABLE campaign_calls;
	END IF;
END
$$;
