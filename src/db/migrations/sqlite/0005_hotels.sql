-- Hospitality: hotels, daily entries, reviews, disputes. Every row carries its venture.
CREATE TABLE hotels (
    id         INTEGER PRIMARY KEY,
    venture_id INTEGER NOT NULL REFERENCES ventures(id),
    name       TEXT NOT NULL,
    code       TEXT NOT NULL,
    rooms      INTEGER NOT NULL CHECK (rooms > 0),
    city       TEXT,
    state      TEXT,
    status     TEXT NOT NULL DEFAULT 'ACTIVE',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
-- codes are unique whatever their case
CREATE UNIQUE INDEX hotels_code ON hotels(lower(code));
CREATE INDEX hotels_venture ON hotels(venture_id, id);

CREATE TABLE hotel_daily (
    id                  INTEGER PRIMARY KEY,
    hotel_id            INTEGER NOT NULL REFERENCES hotels(id),
    venture_id          INTEGER NOT NULL REFERENCES ventures(id),
    date                TEXT NOT NULL,
    rooms_sold          INTEGER NOT NULL CHECK (rooms_sold >= 0),
    rooms_available     INTEGER NOT NULL CHECK (rooms_available > 0),
    room_revenue_cents  INTEGER NOT NULL CHECK (room_revenue_cents >= 0),
    other_revenue_cents INTEGER NOT NULL DEFAULT 0 CHECK (other_revenue_cents >= 0),
    cash_cents          INTEGER NOT NULL DEFAULT 0 CHECK (cash_cents >= 0),
    credit_cents        INTEGER NOT NULL DEFAULT 0 CHECK (credit_cents >= 0),
    online_cents        INTEGER NOT NULL DEFAULT 0 CHECK (online_cents >= 0),
    refund_cents        INTEGER NOT NULL DEFAULT 0 CHECK (refund_cents >= 0),
    lost_dues_cents     INTEGER NOT NULL DEFAULT 0 CHECK (lost_dues_cents >= 0),
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    UNIQUE (hotel_id, date),
    CHECK (rooms_sold <= rooms_available)
);
-- the venture/day reads of the hotel KPIs (DOMAIN.md §8)
CREATE INDEX hotel_daily_venture_date ON hotel_daily(venture_id, date);

CREATE TABLE hotel_reviews (
    id            INTEGER PRIMARY KEY,
    hotel_id      INTEGER NOT NULL REFERENCES hotels(id),
    venture_id    INTEGER NOT NULL REFERENCES ventures(id),
    source        TEXT NOT NULL,
    rating        INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    text          TEXT,
    review_date   TEXT NOT NULL,
    response_text TEXT,
    responded_by  INTEGER REFERENCES users(id),
    responded_at  INTEGER,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX hotel_reviews_hotel_date ON hotel_reviews(hotel_id, review_date, id);
-- the hotel_reviews_responded incentive metric (DOMAIN.md §7)
CREATE INDEX hotel_reviews_responder ON hotel_reviews(responded_by, responded_at);

CREATE TABLE hotel_disputes (
    id              INTEGER PRIMARY KEY,
    hotel_id        INTEGER NOT NULL REFERENCES hotels(id),
    venture_id      INTEGER NOT NULL REFERENCES ventures(id),
    type            TEXT NOT NULL,
    channel         TEXT,
    amount_cents    INTEGER NOT NULL CHECK (amount_cents >= 0),
    status          TEXT NOT NULL DEFAULT 'OPEN',
    owner_id        INTEGER REFERENCES users(id),
    resolution_note TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX hotel_disputes_hotel ON hotel_disputes(hotel_id, id);
-- a user's disputes, and the owner foreign key
CREATE INDEX hotel_disputes_owner ON hotel_disputes(owner_id);
