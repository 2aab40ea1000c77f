-- The PostgreSQL data-version trigger of one table made a deferred constraint trigger (migration
-- 0022, docs/cache.md): the bump of the venture's version row runs when the writer's commit
-- begins (db/postgres.c runs SET CONSTRAINTS ALL IMMEDIATE in the commit's round trip), so the
-- row lock it takes is held for that one round trip instead of from the first write of the
-- transaction to its end; concurrent writers of one venture no longer queue behind each other's
-- whole transactions. SQLite has one writer at a time: nothing to change there.
-- @sqlite
-- {table}: SQLite has one writer at a time; its triggers stay as they are
-- @end
-- @postgres
DROP TRIGGER {table}_version ON {table};
CREATE CONSTRAINT TRIGGER {table}_version AFTER INSERT OR UPDATE OR DELETE ON {table}
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_row();
-- @end
