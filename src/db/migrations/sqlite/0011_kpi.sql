-- KPI daily rows (DOMAIN.md §8), rebuilt by the kpi_aggregation job. Computed columns are
-- replaced by each run; the manual_* columns are written only by PUT /kpi/freight and override
-- the computed figure on read (NULL: not entered), so a run never zeroes them.
CREATE TABLE kpi_freight_daily (
    id                     INTEGER PRIMARY KEY,
    venture_id             INTEGER NOT NULL REFERENCES ventures(id),
    day                    TEXT NOT NULL,
    loads_inbound          INTEGER NOT NULL DEFAULT 0,
    loads_quoted           INTEGER NOT NULL DEFAULT 0,
    loads_covered          INTEGER NOT NULL DEFAULT 0,
    loads_lost             INTEGER NOT NULL DEFAULT 0,
    loads_delivered        INTEGER NOT NULL DEFAULT 0,
    revenue_cents          INTEGER NOT NULL DEFAULT 0,
    cost_cents             INTEGER NOT NULL DEFAULT 0,
    profit_cents           INTEGER NOT NULL DEFAULT 0,
    active_shippers        INTEGER NOT NULL DEFAULT 0,
    active_carriers        INTEGER NOT NULL DEFAULT 0,
    manual_loads_inbound   INTEGER,
    manual_loads_quoted    INTEGER,
    manual_loads_covered   INTEGER,
    manual_loads_lost      INTEGER,
    manual_revenue_cents   INTEGER,
    manual_cost_cents      INTEGER,
    updated_at             INTEGER NOT NULL,
    UNIQUE (venture_id, day)
);
CREATE INDEX kpi_freight_daily_day ON kpi_freight_daily(day, venture_id);

CREATE TABLE kpi_hotel_daily (
    id                  INTEGER PRIMARY KEY,
    hotel_id            INTEGER NOT NULL REFERENCES hotels(id),
    venture_id          INTEGER NOT NULL REFERENCES ventures(id),
    day                 TEXT NOT NULL,
    rooms_sold          INTEGER NOT NULL,
    rooms_available     INTEGER NOT NULL,
    room_revenue_cents  INTEGER NOT NULL,
    other_revenue_cents INTEGER NOT NULL,
    refund_cents        INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    UNIQUE (hotel_id, day)
);
CREATE INDEX kpi_hotel_daily_venture ON kpi_hotel_daily(venture_id, day);
CREATE INDEX kpi_hotel_daily_day ON kpi_hotel_daily(day, hotel_id);

CREATE TABLE kpi_bpo_daily (
    id            INTEGER PRIMARY KEY,
    campaign_id   INTEGER NOT NULL REFERENCES bpo_campaigns(id),
    venture_id    INTEGER NOT NULL REFERENCES ventures(id),
    day           TEXT NOT NULL,
    dials         INTEGER NOT NULL,
    connects      INTEGER NOT NULL,
    deals         INTEGER NOT NULL,
    talk_seconds  INTEGER NOT NULL,
    revenue_cents INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    UNIQUE (campaign_id, day)
);
CREATE INDEX kpi_bpo_daily_venture ON kpi_bpo_daily(venture_id, day);
CREATE INDEX kpi_bpo_daily_day ON kpi_bpo_daily(day, campaign_id);
