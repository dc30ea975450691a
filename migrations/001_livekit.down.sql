-- 001 down: drops the LiveKit tables and every row in them.
DROP TABLE livekit_call_events;
DROP TABLE call_logs;
DROP TABLE agent_configs;
DROP TABLE users;
