-- 010: an index on ElevenLabs' calls in the order co-query calls and
-- co-serve list them beside call_logs (002's "call_logs_userId_start_idx"):
-- the tenant, the call's start (started_at, else created_at, as a CASE:
-- row security wants leakproof quals), then the id as text, the order
-- both providers' ids share in one list.  Its INCLUDE columns let stats
-- read the tenant's entries alone.
CREATE INDEX calls_user_id_start_idx ON calls (user_id,
	(CASE WHEN started_at IS NULL THEN created_at ELSE started_at END) DESC,
	(id::text) DESC)
	INCLUDE (started_at, created_at, outcome, duration, direction, status,
	    agent_id);
