-- Venture data versions are also kept in each serving process's memory (docs/cache.md), so a
-- cached dashboard hit reads none from the database. Every bump now tells every listening
-- instance at commit: pg_notify on wh_inval with "dv:<venture id>" (delivered only if the
-- transaction commits; one per venture and transaction, the server folds duplicates), and
-- marks the transaction (wh.dv_bumped, transaction-local) so the writer's COMMIT, which reads
-- the mark in the same round trip, waits for the other instances to apply the notes before it
-- answers (the barrier of docs/architecture.md, Database layer).
-- SQLite needs nothing: its one serving process hears every bump of its own connections at
-- commit, and reads the WAL-index header to hear other processes' commits (docs/cache.md).
-- @postgres
CREATE OR REPLACE FUNCTION data_version_bump(v BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO data_versions (venture_id, version) VALUES (v, 1)
        ON CONFLICT (venture_id) DO UPDATE SET version = data_versions.version + 1;
    PERFORM pg_notify('wh_inval', 'dv:' || v);
    PERFORM set_config('wh.dv_bumped', 'on', true);
END;
$$;
-- @end
-- @sqlite
SELECT 1;
-- @end
