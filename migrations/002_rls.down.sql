-- 002 down: row-level security, its grants and the list indexes go; the
-- roles co_analyst and co_loader stay, with their members, because roles
-- belong to the whole cluster and other databases may use them.  Once no
-- database grants them anything, DROP ROLE co_analyst, co_loader removes
-- them.  The migrating role keeps its membership in co_loader likewise.
DROP INDEX "call_logs_userId_phoneNumber_start_idx";
DROP INDEX "call_logs_userId_campaignId_start_idx";
DROP INDEX "call_logs_userId_outcome_start_idx";
DROP INDEX "call_logs_userId_start_idx";

DROP POLICY co_loader ON livekit_call_events;
DROP POLICY co_tenant ON livekit_call_events;
ALTER TABLE livekit_call_events NO FORCE ROW LEVEL SECURITY;
ALTER TABLE livekit_call_events DISABLE ROW LEVEL SECURITY;

DROP POLICY co_loader ON call_logs;
DROP POLICY co_tenant ON call_logs;
ALTER TABLE call_logs NO FORCE ROW LEVEL SECURITY;
ALTER TABLE call_logs DISABLE ROW LEVEL SECURITY;

DROP POLICY co_loader ON agent_configs;
DROP POLICY co_tenant ON agent_configs;
ALTER TABLE agent_configs NO FORCE ROW LEVEL SECURITY;
ALTER TABLE agent_configs DISABLE ROW LEVEL SECURITY;

DROP POLICY co_loader ON users;
DROP POLICY co_tenant ON users;
ALTER TABLE users NO FORCE ROW LEVEL SECURITY;
ALTER TABLE users DISABLE ROW LEVEL SECURITY;

REVOKE ALL ON users, agent_configs, call_logs, livekit_call_events
	FROM co_analyst, co_loader;
REVOKE USAGE ON SCHEMA public FROM co_analyst, co_loader;
