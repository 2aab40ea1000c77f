-- GET /audit-log?entity=&entity_id=: one record's entries, newest first (a load's page shows
-- its own history without reading the venture's whole log).
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id, id);
