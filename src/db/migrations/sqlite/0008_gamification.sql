-- Gamification (DOMAIN.md §6): per-venture configuration (a venture without a row is enabled
-- with the default points), point overrides, the events (unique per venture and idempotency
-- key, so a retried or concurrent trigger awards once) and the balances per (user, venture),
-- updated in the transaction that inserts the event.
CREATE TABLE gamification_configs (
    venture_id INTEGER PRIMARY KEY REFERENCES ventures(id),
    enabled    INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE gamification_points (
    venture_id INTEGER NOT NULL REFERENCES ventures(id),
    event_type TEXT NOT NULL,
    points     INTEGER NOT NULL CHECK (points >= 0),
    PRIMARY KEY (venture_id, event_type)
);
CREATE TABLE gamification_events (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users(id),
    venture_id      INTEGER NOT NULL REFERENCES ventures(id),
    office_id       INTEGER REFERENCES offices(id),
    event_type      TEXT NOT NULL,
    points          INTEGER NOT NULL,
    idempotency_key TEXT NOT NULL,
    event_day       TEXT NOT NULL,
    awarded_by      INTEGER REFERENCES users(id),
    created_at      INTEGER NOT NULL,
    UNIQUE (venture_id, idempotency_key)
);
-- the list: all rows in scope, by venture, by user, newest first by (created_at, id)
CREATE INDEX gamification_events_created ON gamification_events(created_at, id);
CREATE INDEX gamification_events_venture ON gamification_events(venture_id, created_at, id);
CREATE INDEX gamification_events_user ON gamification_events(user_id, created_at, id);
-- the leaderboard: a venture's events by day, optionally one office
CREATE INDEX gamification_events_board ON gamification_events(venture_id, event_day, user_id);
CREATE INDEX gamification_events_office ON gamification_events(venture_id, office_id, event_day);
CREATE TABLE gamification_balances (
    user_id    INTEGER NOT NULL REFERENCES users(id),
    venture_id INTEGER NOT NULL REFERENCES ventures(id),
    points     INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, venture_id)
);
