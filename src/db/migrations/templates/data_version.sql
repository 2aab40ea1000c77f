-- The data-version triggers of one table with a venture_id column (docs/cache.md), expanded
-- by `-- @expand data_version TABLE...` in migrations 0012 and 0014: every insert, update and
-- delete of a row bumps its venture's version in the writing transaction, and an update that
-- moves a row to another venture bumps the old one too. PostgreSQL runs the function
-- data_version_row() of migration 0012; SQLite has no trigger functions, so it gets three
-- triggers. Like a migration, this text is never edited once released (a database migrated
-- before keeps the old triggers): a new shape is a new template.
-- @sqlite
CREATE TRIGGER {table}_version_insert AFTER INSERT ON {table} BEGIN
    INSERT INTO data_versions (venture_id, version) VALUES (NEW.venture_id, 1)
        ON CONFLICT (venture_id) DO UPDATE SET version = data_versions.version + 1;
END;
CREATE TRIGGER {table}_version_update AFTER UPDATE ON {table} BEGIN
    INSERT INTO data_versions (venture_id, version) VALUES (NEW.venture_id, 1)
        ON CONFLICT (venture_id) DO UPDATE SET version = data_versions.version + 1;
    -- a row moved to another venture changes the old one too
    INSERT INTO data_versions (venture_id, version) SELECT OLD.venture_id, 1
        WHERE OLD.venture_id <> NEW.venture_id
        ON CONFLICT (venture_id) DO UPDATE SET version = data_versions.version + 1;
END;
CREATE TRIGGER {table}_version_delete AFTER DELETE ON {table} BEGIN
    INSERT INTO data_versions (venture_id, version) VALUES (OLD.venture_id, 1)
        ON CONFLICT (venture_id) DO UPDATE SET version = data_versions.version + 1;
END;
-- @end
-- @postgres
CREATE TRIGGER {table}_version AFTER INSERT OR UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION data_version_row();
-- @end
