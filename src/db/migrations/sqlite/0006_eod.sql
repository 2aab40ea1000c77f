-- End-of-day reports: one per (user, venture, business day). hours_worked is kept in integer
-- hundredths of an hour (NULL when not given).
CREATE TABLE eod_reports (
    id               INTEGER PRIMARY KEY,
    user_id          INTEGER NOT NULL REFERENCES users(id),
    venture_id       INTEGER NOT NULL REFERENCES ventures(id),
    report_date      TEXT NOT NULL,
    summary          TEXT NOT NULL,
    accomplishments  TEXT,
    blockers         TEXT,
    tomorrow_plan    TEXT,
    hours_hundredths INTEGER CHECK (hours_hundredths BETWEEN 0 AND 2400),
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    UNIQUE (user_id, venture_id, report_date)
);
-- the list: all rows in scope, by venture, by user, each newest first by (date, id)
CREATE INDEX eod_reports_date ON eod_reports(report_date, id);
CREATE INDEX eod_reports_venture ON eod_reports(venture_id, report_date, id);
CREATE INDEX eod_reports_user ON eod_reports(user_id, report_date, id);
