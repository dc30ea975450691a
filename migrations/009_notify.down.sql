-- 009 undone: no more NOTIFY co_calls.
DROP TRIGGER co_notify_update ON calls;
DROP TRIGGER co_notify_insert ON calls;
DROP TRIGGER co_notify_update ON call_logs;
DROP TRIGGER co_notify_insert ON call_logs;
DROP FUNCTION co_notify_call();
