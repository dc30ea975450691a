-- 009: tell listeners when a call's outcome is decided or changes.
--
-- Every row of call_logs (LiveKit) or calls (ElevenLabs) that is inserted
-- with an outcome or already over (status neither in_progress nor the
-- seed's active), or whose outcome or status changes,
-- raises NOTIFY co_calls with the payload {"tenant": ..., "id": ...} in
-- the writer's own transaction, so PostgreSQL delivers it when that
-- transaction commits and never when it rolls back; the loaders need no
-- change.  co-serve's /api/calls/stream (and whatever else LISTENs) then
-- reads the call through row-level security like any other query.
-- The payload names only the tenant and the call's id: any login of the
-- database may LISTEN, so nothing else of the call is in it.

CREATE FUNCTION co_notify_call() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_TABLE_NAME = 'call_logs' THEN
		PERFORM pg_notify('co_calls', json_build_object('tenant',
		    NEW."userId", 'id', NEW.id::text)::text);
	ELSE
		PERFORM pg_notify('co_calls', json_build_object('tenant',
		    NEW.user_id, 'id', NEW.id::text)::text);
	END IF;
	RETURN NULL;
END
$$;

CREATE TRIGGER co_notify_insert AFTER INSERT ON call_logs FOR EACH ROW
	WHEN (NEW.outcome IS NOT NULL OR NEW.status NOT IN ('in_progress', 'active'))
	EXECUTE FUNCTION co_notify_call();
CREATE TRIGGER co_notify_update AFTER UPDATE OF outcome, status
	ON call_logs FOR EACH ROW
	WHEN (OLD.outcome IS DISTINCT FROM NEW.outcome OR
	    OLD.status IS DISTINCT FROM NEW.status)
	EXECUTE FUNCTION co_notify_call();

CREATE TRIGGER co_notify_insert AFTER INSERT ON calls FOR EACH ROW
	WHEN (NEW.outcome IS NOT NULL OR NEW.status NOT IN ('in_progress', 'active'))
	EXECUTE FUNCTION co_notify_call();
CREATE TRIGGER co_notify_update AFTER UPDATE OF outcome, status
	ON calls FOR EACH ROW
	WHEN (OLD.outcome IS DISTINCT FROM NEW.outcome OR
	    OLD.status IS DISTINCT FROM NEW.status)
	EXECUTE FUNCTION co_notify_call();
