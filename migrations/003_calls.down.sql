-- 003 down: drops calls and call_transcriptions and every row in them,
-- with the rows a rollback of 004 set aside.
DROP TABLE IF EXISTS calls_without_conversation, calls_call_sid_archive;
DROP TABLE call_transcriptions;
DROP TABLE calls;
