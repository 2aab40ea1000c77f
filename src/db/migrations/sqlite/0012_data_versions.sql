-- Per-venture data versions behind the dashboard cache (docs/cache.md). Every write to a table a
-- cached dashboard reads bumps its venture's version in the same transaction, through the
-- triggers below, so a cache key that carries the version can never serve figures older than
-- the last committed write. A table that a cached route starts reading needs the same triggers.
CREATE TABLE data_versions (
    venture_id INTEGER PRIMARY KEY,
    version    INTEGER NOT NULL
);

CREATE TRIGGER loads_version_insert AFTER INSERT ON loads BEGIN
    INSERT INTO data_versions (venture_id, version) VALUES (NEW.venture_id, 1)
        ON CONFLICT (venture_id) DO UPDATE SET version = data_versions.version + 1;
END;
CREATE TRIGGER loads_version_update AFTER UPDATE ON loads BEGIN
    INSERT INTO data_versions (venture_id, version) VALUES (NEW.venture_id, 1)
        ON CONFLICT (venture_id) DO UPDATE SET version = data_versions.version + 1;
    -- a row moved to another venture changes the old one too
    INSERT INTO data_versions (venture_id, version) SELECT OLD.venture_id, 1
        WHERE OLD.venture_id <> NEW.venture_id
        ON CONFLICT (venture_id) DO UPDATE SET version = data_versions.version + 1;
END;
CREATE TRIGGER loads_version_delete AFTER DELETE ON loads BEGIN
    INSERT INTO data_versions (venture_id, version) VALUES (OLD.venture_id, 1)
        ON CONFLICT (venture_id) DO UPDATE SET version = data_versions.version + 1;
END;

CREATE TRIGGER hotel_daily_version_insert AFTER INSERT ON hotel_daily BEGIN
    INSERT INTO data_versions (venture_id, version) VALUES (NEW.venture_id, 1)
        ON CONFLICT (venture_id) DO UPDATE SET version = data_versions.version + 1;
END;
CREATE TRIGGER hotel_daily_version_update AFTER UPDATE ON hotel_daily BEGIN
    INSERT INTO data_versions (venture_id, version) VALUES (NEW.venture_id, 1)
        ON CONFLICT (venture_id) DO UPDATE SET version = data_versions.version + 1;
    -- a row moved to another venture changes the old one too
    INSERT INTO data_versions (venture_id, version) SELECT OLD.venture_id, 1
        WHERE OLD.venture_id <> NEW.venture_id
        ON CONFLICT (venture_id) DO UPDATE SET version = data_versions.version + 1;
END;
CREATE TRIGGER hotel_daily_version_delete AFTER DELETE ON hotel_daily BEGIN
    INSERT INTO data_versions (venture_id, version) VALUES (OLD.venture_id, 1)
        ON CONFLICT (venture_id) DO UPDATE SET version = data_versions.version + 1;
END;

CREATE TRIGGER bpo_call_logs_version_insert AFTER INSERT ON bpo_call_logs BEGIN
    INSERT INTO data_versions (venture_id, version) VALUES (NEW.venture_id, 1)
        ON CONFLICT (venture_id) DO UPDATE SET version = data_versions.version + 1;
END;
CREATE TRIGGER bpo_call_logs_version_update AFTER UPDATE ON bpo_call_logs BEGIN
    INSERT INTO data_versions (venture_id, version) VALUES (NEW.venture_id, 1)
        ON CONFLICT (venture_id) DO UPDATE SET version = data_versions.version + 1;
    -- a row moved to another venture changes the old one too
    INSERT INTO data_versions (venture_id, version) SELECT OLD.venture_id, 1
        WHERE OLD.venture_id <> NEW.venture_id
        ON CONFLICT (venture_id) DO UPDATE SET version = data_versions.version + 1;
END;
CREATE TRIGGER bpo_call_logs_version_delete AFTER DELETE ON bpo_call_logs BEGIN
    INSERT INTO data_versions (venture_id, version) VALUES (OLD.venture_id, 1)
        ON CONFLICT (venture_id) DO UPDATE SET version = data_versions.version + 1;
END;

CREATE TRIGGER kpi_freight_daily_version_insert AFTER INSERT ON kpi_freight_daily BEGIN
    INSERT INTO data_versions (venture_id, version) VALUES (NEW.venture_id, 1)
        ON CONFLICT (venture_id) DO UPDATE SET version = data_versions.version + 1;
END;
CREATE TRIGGER kpi_freight_daily_version_update AFTER UPDATE ON kpi_freight_daily BEGIN
    INSERT INTO data_versions (venture_id, version) VALUES (NEW.venture_id, 1)
        ON CONFLICT (venture_id) DO UPDATE SET version = data_versions.version + 1;
    -- a row moved to another venture changes the old one too
    INSERT INTO data_versions (venture_id, version) SELECT OLD.venture_id, 1
        WHERE OLD.venture_id <> NEW.venture_id
        ON CONFLICT (venture_id) DO UPDATE SET version = data_versions.version + 1;
END;
CREATE TRIGGER kpi_freight_daily_version_delete AFTER DELETE ON kpi_freight_daily BEGIN
    INSERT INTO data_versions (venture_id, version) VALUES (OLD.venture_id, 1)
        ON CONFLICT (venture_id) DO UPDATE SET version = data_versions.version + 1;
END;

CREATE TRIGGER kpi_hotel_daily_version_insert AFTER INSERT ON kpi_hotel_daily BEGIN
    INSERT INTO data_versions (venture_id, version) VALUES (NEW.venture_id, 1)
        ON CONFLICT (venture_id) DO UPDATE SET version = data_versions.version + 1;
END;
CREATE TRIGGER kpi_hotel_daily_version_update AFTER UPDATE ON kpi_hotel_daily BEGIN
    INSERT INTO data_versions (venture_id, version) VALUES (NEW.venture_id, 1)
        ON CONFLICT (venture_id) DO UPDATE SET version = data_versions.version + 1;
    -- a row moved to another venture changes the old one too
    INSERT INTO data_versions (venture_id, version) SELECT OLD.venture_id, 1
        WHERE OLD.venture_id <> NEW.venture_id
        ON CONFLICT (venture_id) DO UPDATE SET version = data_versions.version + 1;
END;
CREATE TRIGGER kpi_hotel_daily_version_delete AFTER DELETE ON kpi_hotel_daily BEGIN
    INSERT INTO data_versions (venture_id, version) VALUES (OLD.venture_id, 1)
        ON CONFLICT (venture_id) DO UPDATE SET version = data_versions.version + 1;
END;

CREATE TRIGGER kpi_bpo_daily_version_insert AFTER INSERT ON kpi_bpo_daily BEGIN
    INSERT INTO data_versions (venture_id, version) VALUES (NEW.venture_id, 1)
        ON CONFLICT (venture_id) DO UPDATE SET version = data_versions.version + 1;
END;
CREATE TRIGGER kpi_bpo_daily_version_update AFTER UPDATE ON kpi_bpo_daily BEGIN
    INSERT INTO data_versions (venture_id, version) VALUES (NEW.venture_id, 1)
        ON CONFLICT (venture_id) DO UPDATE SET version = data_versions.version + 1;
    -- a row moved to another venture changes the old one too
    INSERT INTO data_versions (venture_id, version) SELECT OLD.venture_id, 1
        WHERE OLD.venture_id <> NEW.venture_id
        ON CONFLICT (venture_id) DO UPDATE SET version = data_versions.version + 1;
END;
CREATE TRIGGER kpi_bpo_daily_version_delete AFTER DELETE ON kpi_bpo_daily BEGIN
    INSERT INTO data_versions (venture_id, version) VALUES (OLD.venture_id, 1)
        ON CONFLICT (venture_id) DO UPDATE SET version = data_versions.version + 1;
END;

-- a venture's own fields (its type picks the dashboard's figures)
CREATE TRIGGER ventures_version_update AFTER UPDATE ON ventures BEGIN
    INSERT INTO data_versions (venture_id, version) VALUES (NEW.id, 1)
        ON CONFLICT (venture_id) DO UPDATE SET version = data_versions.version + 1;
END;
