-- 004 down: back to the pre-refactor calls table.  conversation_id cannot
-- be NOT NULL again while rows lack it, so those rows (calls created before
-- their call was placed, whose conversation never started or whose webhook
-- never came) move whole, call_sid included, to calls_without_conversation,
-- and the call_sid of every other row is kept in calls_call_sid_archive
-- (id, call_sid).  Nothing but the webhook audit is lost: 004 up puts both
-- back.  The archives carry the tenant and the same row-level security;
-- co_loader may read and delete them, co_analyst may not read them.

CREATE TABLE IF NOT EXISTS calls_without_conversation (LIKE calls);
INSERT INTO calls_without_conversation
	SELECT * FROM calls WHERE conversation_id IS NULL;
DELETE FROM calls WHERE conversation_id IS NULL;

CREATE TABLE IF NOT EXISTS calls_call_sid_archive (
	id		bigint PRIMARY KEY,
	user_id		text NOT NULL,
	call_sid	text NOT NULL
);
INSERT INTO calls_call_sid_archive (id, user_id, call_sid)
	SELECT id, user_id, call_sid FROM calls WHERE call_sid IS NOT NULL;

DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['calls_without_conversation',
	    'calls_call_sid_archive'] LOOP
		EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
		EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
		EXECUTE format('DROP POLICY IF EXISTS co_tenant ON %I', t);
		EXECUTE format('DROP POLICY IF EXISTS co_loader ON %I', t);
		EXECUTE format('CREATE POLICY co_tenant ON %I USING (user_id = '
		    'nullif(current_setting(''co.tenant'', true), '''')) '
		    'WITH CHECK (user_id = '
		    'nullif(current_setting(''co.tenant'', true), ''''))', t);
		EXECUTE format('CREATE POLICY co_loader ON %I TO co_loader '
		    'USING (true) WITH CHECK (true)', t);
		EXECUTE format('GRANT SELECT, DELETE ON %I TO co_loader', t);
	END LOOP;
END
$$;

DROP TABLE elevenlabs_webhook_events;
DROP INDEX calls_call_sid_missing_idx;
DROP INDEX idx_calls_driver_id_created_at;
DROP INDEX idx_calls_call_sid;
ALTER TABLE calls DROP COLUMN call_sid;
ALTER TABLE calls ALTER COLUMN conversation_id SET NOT NULL;
