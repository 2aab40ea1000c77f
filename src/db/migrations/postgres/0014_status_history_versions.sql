-- The dashboard's freight figures read load_status_changes (0013), so its writes bump the
-- venture's data version like the other tables of migration 0012.
CREATE TRIGGER load_status_changes_version AFTER INSERT OR UPDATE OR DELETE ON load_status_changes
    FOR EACH ROW EXECUTE FUNCTION data_version_row();
