-- 010 undone.
DROP INDEX calls_user_id_start_idx;
