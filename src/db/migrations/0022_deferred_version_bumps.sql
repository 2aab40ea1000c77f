-- Data-version bumps at commit on PostgreSQL (templates/data_version_deferred.sql): the venture's
-- data_versions row was locked from a transaction's first write to a dashboard table until its
-- end, so two writers of one venture (two agents logging calls) ran one after the other.
-- @expand data_version_deferred loads hotel_daily bpo_call_logs kpi_freight_daily kpi_hotel_daily kpi_bpo_daily load_status_changes

-- @postgres
DROP TRIGGER ventures_version ON ventures;
CREATE CONSTRAINT TRIGGER ventures_version AFTER UPDATE ON ventures
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_venture();
-- @end
-- @sqlite
SELECT 1;
-- @end
