-- 005: the tenant boundary, kept by the database against the people who
-- connect to it.  Up to 004, co.tenant only chose the tenant: any session
-- could name any tenant.  From here, which tenants a role may read is data
-- that role cannot change, and co.tenant only narrows within it.
--
-- tenant_members (login, tenant): the role named login may read the tenant
-- named tenant; tenant '*' means every tenant (a server such as co-serve
-- that connects with one login and takes the tenant from a signed token
-- needs '*').  Rows name roles as current_user shows them (the login, or
-- the role a session SET ROLE to); membership of a group role does not
-- pass a row on.  Only the table's owner (the migrating role) and
-- superusers write it; every role reads its own rows, and only those
-- (row security, not forced: the owner sees all).  An administrator grants:
--   INSERT INTO tenant_members (login, tenant) VALUES ('alice', 'acme');
--
-- co_tenant(): the tenant named by co.tenant when current_user may read it,
-- else NULL (unset, empty, or not a member: no row is visible).  It is
-- SECURITY INVOKER on purpose: inside a SECURITY DEFINER function
-- current_user is the function's owner, so it could not tell who asks;
-- the invoker reads tenant_members through the table's own row security,
-- which shows it its own rows only.  search_path is pinned and the table
-- named with its schema, so that no temporary table or function shadows
-- them.  It is STABLE: the policies compare it in an initplan,
-- "(SELECT co_tenant())", so it runs once per statement, not once per row,
-- and the tenant column's comparison with it is an index condition.
--
-- Every tenant table (co_tenant_table() below) then has row security
-- enabled and forced and three policies:
--   co_tenant  every role: rows whose tenant = co_tenant(), read and write;
--   co_loader  members of co_loader: every row, read and write;
--   co_reader  members of co_reader: every row, SELECT only (dashboards).
-- and the grants: SELECT to co_analyst and co_reader, SELECT, INSERT,
-- UPDATE, DELETE to co_loader.
--
-- co_reader is a NOLOGIN group role, created here when missing (which
-- needs CREATEROLE; otherwise the migration stops and says what to run).

DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'co_reader') THEN
		BEGIN
			CREATE ROLE co_reader NOLOGIN;
		EXCEPTION WHEN insufficient_privilege THEN
			RAISE EXCEPTION 'role co_reader does not exist and % '
			    'may not create it', current_user
			    USING HINT = 'as a superuser or a CREATEROLE role: '
			    'CREATE ROLE co_reader NOLOGIN; then co-migrate up '
			    'again';
		END;
	END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO co_reader;

CREATE TABLE tenant_members (
	login		name NOT NULL,
	tenant		text NOT NULL CHECK (tenant <> ''),
	"createdAt"	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (login, tenant)
);
REVOKE ALL ON tenant_members FROM PUBLIC;
GRANT SELECT ON tenant_members TO PUBLIC;
ALTER TABLE tenant_members ENABLE ROW LEVEL SECURITY;
CREATE POLICY co_self ON tenant_members FOR SELECT
	USING (login = current_user);

CREATE FUNCTION co_tenant() RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT s.t FROM (SELECT nullif(current_setting('co.tenant', true), '')
	    AS t) s
	WHERE EXISTS (SELECT FROM public.tenant_members m
	    WHERE m.login = current_user AND m.tenant IN (s.t, '*'))
$$;
REVOKE ALL ON FUNCTION co_tenant() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION co_tenant() TO PUBLIC;

-- The pattern for a tenant table, for this migration and later ones:
-- CALL co_tenant_table('name', 'tenant column').  The caller must own
-- the table.  Sequences are granted by the table's own migration.
CREATE PROCEDURE co_tenant_table(tbl regclass, col name)
	LANGUAGE plpgsql
	SET search_path = public, pg_temp
AS $$
BEGIN
	EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
	EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl);
	EXECUTE format('DROP POLICY IF EXISTS co_tenant ON %s', tbl);
	EXECUTE format('DROP POLICY IF EXISTS co_loader ON %s', tbl);
	EXECUTE format('DROP POLICY IF EXISTS co_reader ON %s', tbl);
	EXECUTE format('CREATE POLICY co_tenant ON %s '
	    'USING (%I = (SELECT co_tenant())) '
	    'WITH CHECK (%I = (SELECT co_tenant()))', tbl, col, col);
	EXECUTE format('CREATE POLICY co_loader ON %s TO co_loader '
	    'USING (true) WITH CHECK (true)', tbl);
	EXECUTE format('CREATE POLICY co_reader ON %s FOR SELECT '
	    'TO co_reader USING (true)', tbl);
	EXECUTE format('GRANT SELECT ON %s TO co_analyst, co_reader', tbl);
	EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s '
	    'TO co_loader', tbl);
END
$$;
REVOKE ALL ON PROCEDURE co_tenant_table(regclass, name) FROM PUBLIC;

CALL co_tenant_table('users', 'id');
CALL co_tenant_table('agent_configs', 'userId');
CALL co_tenant_table('call_logs', 'userId');
CALL co_tenant_table('livekit_call_events', 'userId');
CALL co_tenant_table('calls', 'user_id');
CALL co_tenant_table('call_transcriptions', 'user_id');
CALL co_tenant_table('elevenlabs_webhook_events', 'user_id');
