-- Load status history: one row per change of a load's status, written in the transaction of
-- the change (creation is from NULL to OPEN; a same -> same request writes nothing). The
-- freight KPIs read from it the day a load first reached QUOTED or COVERED (DOMAIN.md §8). at
-- is the instant in ms, day its business day in WH_TIMEZONE (like loads.created_day).
CREATE TABLE load_status_changes (
    id          INTEGER PRIMARY KEY,
    load_id     INTEGER NOT NULL REFERENCES loads(id),
    venture_id  INTEGER NOT NULL REFERENCES ventures(id),
    from_status TEXT,
    to_status   TEXT NOT NULL,
    at          INTEGER NOT NULL,
    day         TEXT NOT NULL
);
-- The KPI query reads one day's changes, of one venture or of all (so day leads: the query's
-- optional venture filter cannot use an index led by venture_id), and each such load's
-- earlier changes in order.
CREATE INDEX load_status_changes_day ON load_status_changes(day, venture_id);
CREATE INDEX load_status_changes_load ON load_status_changes(load_id, at);

-- Loads older than this table have no history: each gets one row from NULL to its current
-- status at its creation, so their KPI figures stay what the cohort reading gave.
INSERT INTO load_status_changes (load_id, venture_id, from_status, to_status, at, day)
SELECT id, venture_id, NULL, status, created_at, created_day FROM loads ORDER BY id;
