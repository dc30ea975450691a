-- 002: tenant isolation by row-level security, the roles that go with it,
-- and the indexes co-query's lists and statistics read.
--
-- Roles (cluster-wide, NOLOGIN group roles; created here only when missing,
-- which needs CREATEROLE; a site may create them beforehand instead):
--   co_analyst  SELECT on the tenant tables; sees the rows of the tenant
--               named by the setting co.tenant, and nothing when it is unset.
--   co_loader   SELECT, INSERT, UPDATE, DELETE on them, across tenants
--               (co-load, co-drain).
-- A site grants them to its login roles:
--   CREATE ROLE alice LOGIN IN ROLE co_analyst;
--   CREATE ROLE drain LOGIN IN ROLE co_loader;
-- Membership must be inherited (the default INHERIT); BYPASSRLS is not
-- used because role attributes do not pass through membership.
--
-- Every tenant table gets ENABLE and FORCE ROW LEVEL SECURITY and two
-- policies: co_tenant, for every role, keyed to co.tenant; co_loader, for
-- members of co_loader, all rows.  FORCE makes the tables' owner obey the
-- policies like anyone else: owning the tables grants no cross-tenant view
-- by itself.  So co-load keeps working when run as the owner, the migrating
-- role (the owner) is made a member of co_loader here when it is not a
-- superuser (superusers and BYPASSRLS roles ignore row security anyway).
-- A table added later (the ElevenLabs calls of 003) follows the same
-- pattern: ENABLE + FORCE, the two policies, the two GRANTs.
--
-- co.tenant is set per transaction: SELECT set_config('co.tenant', $1, true).
-- An empty value counts as unset: after a transaction that set it locally,
-- PostgreSQL leaves the placeholder as '' for the rest of the session.

DO $$
BEGIN
	BEGIN
		IF NOT EXISTS (SELECT FROM pg_roles
		    WHERE rolname = 'co_analyst') THEN
			CREATE ROLE co_analyst NOLOGIN;
		END IF;
		IF NOT EXISTS (SELECT FROM pg_roles
		    WHERE rolname = 'co_loader') THEN
			CREATE ROLE co_loader NOLOGIN;
		END IF;
	EXCEPTION WHEN insufficient_privilege THEN
		RAISE EXCEPTION 'roles co_analyst and co_loader are missing '
		    'and % may not create them', current_user
		    USING HINT = format('as a superuser or a CREATEROLE role: '
		    'CREATE ROLE co_analyst NOLOGIN; CREATE ROLE co_loader '
		    'NOLOGIN; GRANT co_loader TO %I; then co-migrate up again',
		    current_user);
	END;
	IF NOT pg_has_role(current_user, 'co_loader', 'USAGE') THEN
		BEGIN
			GRANT co_loader TO CURRENT_USER;
		EXCEPTION WHEN insufficient_privilege THEN
			RAISE WARNING 'could not grant co_loader to %: co-load '
			    'run as this role will see no rows; grant it by hand',
			    current_user;
		END;
	END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO co_analyst, co_loader;
GRANT SELECT ON users, agent_configs, call_logs, livekit_call_events
	TO co_analyst;
GRANT SELECT, INSERT, UPDATE, DELETE
	ON users, agent_configs, call_logs, livekit_call_events TO co_loader;

-- users: the tenant registry; a tenant sees its own row.
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY co_tenant ON users
	USING (id = nullif(current_setting('co.tenant', true), ''))
	WITH CHECK (id = nullif(current_setting('co.tenant', true), ''));
CREATE POLICY co_loader ON users TO co_loader USING (true) WITH CHECK (true);

ALTER TABLE agent_configs ENABLE ROW LEVEL SECURITY;
ALTER TABLE agent_configs FORCE ROW LEVEL SECURITY;
CREATE POLICY co_tenant ON agent_configs
	USING ("userId" = nullif(current_setting('co.tenant', true), ''))
	WITH CHECK ("userId" = nullif(current_setting('co.tenant', true), ''));
CREATE POLICY co_loader ON agent_configs TO co_loader
	USING (true) WITH CHECK (true);

ALTER TABLE call_logs ENABLE ROW LEVEL SECURITY;
ALTER TABLE call_logs FORCE ROW LEVEL SECURITY;
CREATE POLICY co_tenant ON call_logs
	USING ("userId" = nullif(current_setting('co.tenant', true), ''))
	WITH CHECK ("userId" = nullif(current_setting('co.tenant', true), ''));
CREATE POLICY co_loader ON call_logs TO co_loader
	USING (true) WITH CHECK (true);

ALTER TABLE livekit_call_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE livekit_call_events FORCE ROW LEVEL SECURITY;
CREATE POLICY co_tenant ON livekit_call_events
	USING ("userId" = nullif(current_setting('co.tenant', true), ''))
	WITH CHECK ("userId" = nullif(current_setting('co.tenant', true), ''));
CREATE POLICY co_loader ON livekit_call_events TO co_loader
	USING (true) WITH CHECK (true);

-- A call's place in time is its start, or its row's creation while no
-- participant has joined yet; lists are ordered by (that, id) descending,
-- the keyset co-query's cursors name.  It is written as a CASE, not as
-- coalesce(): under row-level security the planner makes an index condition
-- only of leakproof expressions, and it takes a COALESCE for a leaky one.
-- The first index also carries what the statistics read, so they are an
-- index-only scan over one tenant's entries, whatever the table's size
-- ("startedAt" and "createdAt" are included because the planner wants the
-- expression's columns too).
CREATE INDEX "call_logs_userId_start_idx" ON call_logs ("userId",
	(CASE WHEN "startedAt" IS NULL THEN "createdAt" ELSE "startedAt" END)
	DESC, id DESC)
	INCLUDE ("startedAt", "createdAt", outcome, duration, direction,
	    status, "campaignId", "agentConfigId");
CREATE INDEX "call_logs_userId_outcome_start_idx" ON call_logs ("userId",
	outcome,
	(CASE WHEN "startedAt" IS NULL THEN "createdAt" ELSE "startedAt" END)
	DESC, id DESC);
CREATE INDEX "call_logs_userId_campaignId_start_idx" ON call_logs ("userId",
	"campaignId",
	(CASE WHEN "startedAt" IS NULL THEN "createdAt" ELSE "startedAt" END)
	DESC, id DESC);
CREATE INDEX "call_logs_userId_phoneNumber_start_idx" ON call_logs ("userId",
	"phoneNumber",
	(CASE WHEN "startedAt" IS NULL THEN "createdAt" ELSE "startedAt" END)
	DESC, id DESC);
