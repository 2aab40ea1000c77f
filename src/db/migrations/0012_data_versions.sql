-- Per-venture data versions behind the dashboard cache (docs/cache.md). Every write to a table a
-- cached dashboard reads bumps its venture's version in the same transaction, through the
-- triggers below, so a cache key that carries the version can never serve figures older than
-- the last committed write. A table that a cached route starts reading needs the same triggers.
CREATE TABLE data_versions (
    venture_id BIGINT PRIMARY KEY,
    version    BIGINT NOT NULL
);

-- @postgres
CREATE FUNCTION data_version_bump(v BIGINT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO data_versions (venture_id, version) VALUES (v, 1)
        ON CONFLICT (venture_id) DO UPDATE SET version = data_versions.version + 1;
$$;

-- for tables with a venture_id column; a row moved to another venture changes the old one too
CREATE FUNCTION data_version_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        PERFORM data_version_bump(NEW.venture_id);
    END IF;
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.venture_id <> NEW.venture_id) THEN
        PERFORM data_version_bump(OLD.venture_id);
    END IF;
    RETURN NULL;
END;
$$;

-- a venture's own fields (its type picks the dashboard's figures)
CREATE FUNCTION data_version_venture() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM data_version_bump(NEW.id);
    RETURN NULL;
END;
$$;

-- @end
-- @expand data_version loads hotel_daily bpo_call_logs kpi_freight_daily kpi_hotel_daily kpi_bpo_daily

-- @postgres
CREATE TRIGGER ventures_version AFTER UPDATE ON ventures
    FOR EACH ROW EXECUTE FUNCTION data_version_venture();
-- @end
-- @sqlite
-- a venture's own fields (its type picks the dashboard's figures)
CREATE TRIGGER ventures_version_update AFTER UPDATE ON ventures BEGIN
    INSERT INTO data_versions (venture_id, version) VALUES (NEW.id, 1)
        ON CONFLICT (venture_id) DO UPDATE SET version = data_versions.version + 1;
END;
-- @end
