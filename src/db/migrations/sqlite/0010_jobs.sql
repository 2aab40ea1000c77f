-- Scheduled jobs (DOMAIN.md §9): one lease per job name, and the run log.
-- A lease row is never deleted: the fencing token grows with every acquisition, so a release
-- only sets expires_at to 0. last_slot is the scheduled instant of the newest scheduled
-- acquisition, so two instances firing for one slot run it once.
CREATE TABLE job_leases (
    name          TEXT PRIMARY KEY,
    holder        TEXT NOT NULL,
    fencing_token INTEGER NOT NULL,
    acquired_at   INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    last_slot     INTEGER NOT NULL DEFAULT 0
);
-- One row per attempt. fencing_token is NULL for SKIPPED_LOCKED; venture_id is 0 when the run
-- is not for one venture; requested_by is 0 for the scheduler and the command line.
CREATE TABLE job_runs (
    id            INTEGER PRIMARY KEY,
    job           TEXT NOT NULL,
    run_date      TEXT NOT NULL,
    venture_id    INTEGER NOT NULL DEFAULT 0,
    dry_run       INTEGER NOT NULL DEFAULT 0,
    requested_by  INTEGER NOT NULL DEFAULT 0,
    instance      TEXT NOT NULL,
    fencing_token INTEGER,
    status        TEXT NOT NULL,
    started_at    INTEGER NOT NULL,
    finished_at   INTEGER,
    stats         TEXT,
    error         TEXT
);
-- the run list, newest first: all, by job, by status, by both; abandoned RUNNING rows by job
CREATE INDEX job_runs_job ON job_runs(job, id);
CREATE INDEX job_runs_status ON job_runs(status, id);
CREATE INDEX job_runs_job_status ON job_runs(job, status, id);
