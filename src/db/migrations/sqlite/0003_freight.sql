-- Freight: shippers (per venture) and loads. Money is int64 cents, instants int64 ms, days
-- YYYY-MM-DD text. created_day is the business day of created_at, stored so the from/to
-- filters of GET /loads are an index range.
CREATE TABLE shippers (
    id           INTEGER PRIMARY KEY,
    venture_id   INTEGER NOT NULL REFERENCES ventures(id),
    name         TEXT NOT NULL,
    code         TEXT NOT NULL,
    contact_name TEXT,
    email        TEXT,
    phone        TEXT,
    active       INTEGER NOT NULL DEFAULT 1,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (venture_id, code)
);
CREATE INDEX shippers_venture ON shippers(venture_id, id);

CREATE TABLE loads (
    id           INTEGER PRIMARY KEY,
    venture_id   INTEGER NOT NULL REFERENCES ventures(id),
    office_id    INTEGER REFERENCES offices(id),
    reference    TEXT,
    shipper_id   INTEGER REFERENCES shippers(id),
    carrier_id   INTEGER REFERENCES carriers(id),
    created_by   INTEGER NOT NULL REFERENCES users(id),
    pickup_city  TEXT NOT NULL,
    pickup_state TEXT NOT NULL,
    pickup_date  TEXT,
    drop_city    TEXT NOT NULL,
    drop_state   TEXT NOT NULL,
    drop_date    TEXT,
    equipment    TEXT,
    weight_lbs   INTEGER,
    miles        INTEGER,
    bill_cents   INTEGER,
    cost_cents   INTEGER,
    status       TEXT NOT NULL DEFAULT 'OPEN',
    billing_date TEXT,
    lost_reason  TEXT,
    created_day  TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
-- The list order is (created_at, id) descending; each filter has its own index.
CREATE INDEX loads_created ON loads(created_at, id);
CREATE INDEX loads_venture ON loads(venture_id, created_at, id);
CREATE INDEX loads_office ON loads(office_id, created_at, id);
CREATE INDEX loads_status ON loads(status, created_at, id);
CREATE INDEX loads_shipper ON loads(shipper_id, created_at, id);
CREATE INDEX loads_carrier ON loads(carrier_id, created_at, id);
CREATE INDEX loads_created_by ON loads(created_by, created_at, id);
CREATE INDEX loads_created_day ON loads(created_day, created_at, id);
-- Delivered loads by billing day (incentive metrics and freight KPIs).
CREATE INDEX loads_billing ON loads(venture_id, billing_date);
