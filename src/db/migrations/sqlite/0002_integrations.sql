-- Integrations: the shared carrier directory, the outbox, e-mailed login codes.
CREATE TABLE carriers (
    id               INTEGER PRIMARY KEY,
    name             TEXT NOT NULL,
    legal_name       TEXT NOT NULL,
    dba_name         TEXT,
    dot_number       TEXT NOT NULL UNIQUE,
    mc_number        TEXT UNIQUE,
    phone            TEXT,
    email            TEXT,
    city             TEXT,
    state            TEXT,
    power_units      INTEGER,
    drivers          INTEGER,
    safety_rating    TEXT,
    fmcsa_status     TEXT NOT NULL DEFAULT 'UNKNOWN',
    fmcsa_authorized INTEGER NOT NULL DEFAULT 0,
    fmcsa_checked_at INTEGER,
    fmcsa_error      TEXT,
    fmcsa_error_at   INTEGER,
    blocked          INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX carriers_name ON carriers(name, id);
CREATE INDEX carriers_status ON carriers(fmcsa_status, name, id);
CREATE INDEX carriers_checked ON carriers(fmcsa_checked_at);

CREATE TABLE outbox (
    id                  INTEGER PRIMARY KEY,
    channel             TEXT NOT NULL,
    recipient           TEXT NOT NULL,
    subject             TEXT,
    body                TEXT NOT NULL,
    status              TEXT NOT NULL DEFAULT 'PENDING',
    attempts            INTEGER NOT NULL DEFAULT 0,
    next_attempt_at     INTEGER NOT NULL,
    lease_owner         TEXT,
    lease_until         INTEGER NOT NULL DEFAULT 0,
    last_error          TEXT,
    provider_message_id TEXT,
    created_at          INTEGER NOT NULL,
    sent_at             INTEGER
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at, id);

CREATE TABLE login_codes (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE INDEX login_codes_user ON login_codes(user_id, id);
CREATE INDEX login_codes_expires ON login_codes(expires_at);
