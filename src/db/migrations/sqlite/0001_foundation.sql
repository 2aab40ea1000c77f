-- Foundation: settings, identity, organisation, audit log, idempotency records.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    full_name     TEXT NOT NULL,
    role          TEXT NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1,
    password_hash TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expires ON sessions(expires_at);

CREATE TABLE ventures (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    code       TEXT NOT NULL UNIQUE,
    type       TEXT NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX ventures_name ON ventures(name, id);

CREATE TABLE offices (
    id         INTEGER PRIMARY KEY,
    venture_id INTEGER NOT NULL REFERENCES ventures(id),
    name       TEXT NOT NULL,
    city       TEXT,
    country    TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX offices_venture_name ON offices(venture_id, name, id);

CREATE TABLE venture_users (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    venture_id INTEGER NOT NULL REFERENCES ventures(id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, venture_id)
);
CREATE INDEX venture_users_venture ON venture_users(venture_id, user_id);

CREATE TABLE office_users (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    office_id  INTEGER NOT NULL REFERENCES offices(id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, office_id)
);
CREATE INDEX office_users_office ON office_users(office_id, user_id);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor_id    INTEGER,
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   INTEGER,
    venture_id  INTEGER,
    before_json TEXT,
    after_json  TEXT,
    request_id  TEXT
);
CREATE INDEX audit_log_venture ON audit_log(venture_id, id);
CREATE INDEX audit_log_actor ON audit_log(actor_id, id);
CREATE INDEX audit_log_action ON audit_log(action, id);

CREATE TABLE idempotency_keys (
    user_id       INTEGER NOT NULL,
    key           TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    status        INTEGER,
    response_body TEXT,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_expires ON idempotency_keys(expires_at);
