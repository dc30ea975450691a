-- 006: campaign_calls, one row per call of a campaign, kept in step with
-- its call_logs row by co-load in the same transaction (the seed's
-- update_campaign_calls).  Adopted when the seed's application has one:
-- its columns stay, ours are added beside them (co_adopted records it).
--
-- A call belongs to a campaign when its room's metadata names one
-- (call_logs."campaignId").  Its row: the tenant, "campaignId",
-- "callLogId", "phoneNumber", status and outcome as the call's, the
-- call's times, and attempts, the number of this campaign's calls to that
-- number.  A row made beforehand for a number (no "callLogId" yet) is
-- taken by the campaign's first call to it.
--
-- Row-level security as in 002: ENABLE + FORCE, co_tenant and co_loader;
-- where 005_tenant_acl is applied, its pattern instead (co_tenant_table:
-- co_tenant() in the policy, co_reader), which is what runs once 005 is
-- merged below this migration.

INSERT INTO co_adopted (relname)
	SELECT 'campaign_calls' WHERE to_regclass('campaign_calls') IS NOT NULL;

CREATE TABLE IF NOT EXISTS campaign_calls (
	id		VARCHAR(36) PRIMARY KEY,
	"userId"	VARCHAR(36) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	"campaignId"	VARCHAR(255) NOT NULL,
	"callLogId"	VARCHAR(36) REFERENCES call_logs(id) ON DELETE SET NULL,
	"phoneNumber"	VARCHAR(20),
	status		VARCHAR(50) DEFAULT 'pending',
	outcome		VARCHAR(50),
	attempts	INTEGER DEFAULT 0 NOT NULL,
	"createdAt"	TIMESTAMP DEFAULT NOW() NOT NULL,
	"updatedAt"	TIMESTAMP DEFAULT NOW() NOT NULL
);

-- What an adopted table lacks is added, each column marked by its comment
-- so that 006 down drops exactly those.
DO $$
DECLARE
	c text[];
BEGIN
	FOREACH c SLICE 1 IN ARRAY ARRAY[
	    ['userId', 'VARCHAR(36) REFERENCES users(id) ON DELETE CASCADE'],
	    ['campaignId', 'VARCHAR(255)'],
	    ['callLogId', 'VARCHAR(36) REFERENCES call_logs(id) ON DELETE SET NULL'],
	    ['phoneNumber', 'VARCHAR(20)'],
	    ['status', 'VARCHAR(50)'],
	    ['outcome', 'VARCHAR(50)'],
	    ['attempts', 'INTEGER DEFAULT 0 NOT NULL'],
	    ['startedAt', 'TIMESTAMP'],
	    ['endedAt', 'TIMESTAMP'],
	    ['updatedAt', 'TIMESTAMP DEFAULT NOW() NOT NULL']] LOOP
		IF NOT EXISTS (SELECT FROM information_schema.columns
		    WHERE table_schema = current_schema()
		    AND table_name = 'campaign_calls'
		    AND column_name = c[1]) THEN
			EXECUTE format('ALTER TABLE campaign_calls ADD COLUMN '
			    '%I %s', c[1], c[2]);
			EXECUTE format('COMMENT ON COLUMN campaign_calls.%I IS '
			    '''added by call-outcomes 006''', c[1]);
		END IF;
	END LOOP;
END
$$;

CREATE UNIQUE INDEX "campaign_calls_callLogId_key" ON campaign_calls
	("callLogId");
CREATE INDEX "campaign_calls_userId_campaignId_phone_idx" ON campaign_calls
	("userId", "campaignId", "phoneNumber");

GRANT SELECT ON campaign_calls TO co_analyst;
GRANT SELECT, INSERT, UPDATE, DELETE ON campaign_calls TO co_loader;

ALTER TABLE campaign_calls ENABLE ROW LEVEL SECURITY;
ALTER TABLE campaign_calls FORCE ROW LEVEL SECURITY;
CREATE POLICY co_tenant ON campaign_calls
	USING ("userId" = nullif(current_setting('co.tenant', true), ''))
	WITH CHECK ("userId" = nullif(current_setting('co.tenant', true), ''));
CREATE POLICY co_loader ON campaign_calls TO co_loader
	USING (true) WITH CHECK (true);

DO $$
BEGIN
	IF to_regprocedure('co_tenant_table(regclass, name)') IS NOT NULL THEN
		CALL co_tenant_table('campaign_calls', 'userId');
	END IF;
END
$$;
