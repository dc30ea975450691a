-- 005 down: back to 002's policies, keyed to co.tenant alone (any session
-- may again name any tenant).  tenant_members and its rows, co_tenant()
-- and co_tenant_table() go; the role co_reader stays, with its members,
-- like 002's roles (DROP ROLE co_reader once no database grants it
-- anything).
DO $$
DECLARE
	t text[];
BEGIN
	FOREACH t SLICE 1 IN ARRAY ARRAY[['users', 'id'],
	    ['agent_configs', 'userId'], ['call_logs', 'userId'],
	    ['livekit_call_events', 'userId'], ['calls', 'user_id'],
	    ['call_transcriptions', 'user_id'],
	    ['elevenlabs_webhook_events', 'user_id']] LOOP
		EXECUTE format('DROP POLICY co_reader ON %I', t[1]);
		EXECUTE format('DROP POLICY co_tenant ON %I', t[1]);
		EXECUTE format('CREATE POLICY co_tenant ON %I '
		    'USING (%I = nullif(current_setting(''co.tenant'', true), '''')) '
		    'WITH CHECK (%I = nullif(current_setting(''co.tenant'', true), ''''))',
		    t[1], t[2], t[2]);
		EXECUTE format('REVOKE ALL ON %I FROM co_reader', t[1]);
	END LOOP;
END
$$;
REVOKE USAGE ON SCHEMA public FROM co_reader;

DROP PROCEDURE co_tenant_table(regclass, name);
DROP FUNCTION co_tenant();
DROP TABLE tenant_members;
