-- The dashboard's freight figures read load_status_changes (0013), so its writes bump the
-- venture's data version like the other tables of migration 0012.
CREATE TRIGGER load_status_changes_version_insert AFTER INSERT ON load_status_changes BEGIN
    INSERT INTO data_versions (venture_id, version) VALUES (NEW.venture_id, 1)
        ON CONFLICT (venture_id) DO UPDATE SET version = data_versions.version + 1;
END;
CREATE TRIGGER load_status_changes_version_update AFTER UPDATE ON load_status_changes BEGIN
    INSERT INTO data_versions (venture_id, version) VALUES (NEW.venture_id, 1)
        ON CONFLICT (venture_id) DO UPDATE SET version = data_versions.version + 1;
    INSERT INTO data_versions (venture_id, version) SELECT OLD.venture_id, 1
        WHERE OLD.venture_id <> NEW.venture_id
        ON CONFLICT (venture_id) DO UPDATE SET version = data_versions.version + 1;
END;
CREATE TRIGGER load_status_changes_version_delete AFTER DELETE ON load_status_changes BEGIN
    INSERT INTO data_versions (venture_id, version) VALUES (OLD.venture_id, 1)
        ON CONFLICT (venture_id) DO UPDATE SET version = data_versions.version + 1;
END;
