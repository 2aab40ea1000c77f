-- Incentives (DOMAIN.md §7): plans, rules, the committed daily rows with their per-rule parts,
-- and payouts. Money is int64 cents, days TEXT YYYY-MM-DD, instants int64 ms.
CREATE TABLE incentive_plans (
    id             INTEGER PRIMARY KEY,
    venture_id     INTEGER NOT NULL REFERENCES ventures(id),
    name           TEXT NOT NULL,
    active         INTEGER NOT NULL DEFAULT 1,
    effective_from TEXT NOT NULL,
    effective_to   TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    CHECK (effective_to IS NULL OR effective_to >= effective_from)
);
-- the plan list by venture, newest first
CREATE INDEX incentive_plans_venture ON incentive_plans(venture_id, id);

-- tiers: JSON text [{"from": n, "rate_cents": n}] of a TIERED_SLAB rule, else NULL
CREATE TABLE incentive_rules (
    id          INTEGER PRIMARY KEY,
    plan_id     INTEGER NOT NULL REFERENCES incentive_plans(id),
    venture_id  INTEGER NOT NULL REFERENCES ventures(id),
    role        TEXT,
    metric      TEXT NOT NULL,
    calc_type   TEXT NOT NULL,
    enabled     INTEGER NOT NULL DEFAULT 1,
    rate_bp     INTEGER,
    rate_cents  INTEGER,
    threshold   INTEGER,
    bonus_cents INTEGER,
    tiers       TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX incentive_rules_plan ON incentive_rules(plan_id, id);

-- one row per (user, venture, day); breakdown: JSON text of the parts below
CREATE TABLE incentive_daily (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    venture_id   INTEGER NOT NULL REFERENCES ventures(id),
    day          TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    breakdown    TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    UNIQUE (user_id, venture_id, day)
);
-- the slice (venture, day) and the list filters, newest first by (day, id)
CREATE INDEX incentive_daily_venture_day ON incentive_daily(venture_id, day, id);
CREATE INDEX incentive_daily_day ON incentive_daily(day, id);
CREATE INDEX incentive_daily_user ON incentive_daily(user_id, day, id);

-- the per-rule parts of the daily rows, summed by payouts (no foreign key to the rule: a
-- deleted rule keeps its history)
CREATE TABLE incentive_daily_parts (
    daily_id     INTEGER NOT NULL REFERENCES incentive_daily(id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL,
    venture_id   INTEGER NOT NULL,
    day          TEXT NOT NULL,
    rule_id      INTEGER NOT NULL,
    plan_id      INTEGER NOT NULL,
    amount_cents INTEGER NOT NULL,
    PRIMARY KEY (daily_id, rule_id)
);
CREATE INDEX incentive_daily_parts_slice ON incentive_daily_parts(venture_id, day, user_id);

CREATE TABLE incentive_payouts (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    venture_id   INTEGER NOT NULL REFERENCES ventures(id),
    period_start TEXT NOT NULL,
    period_end   TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    status       TEXT NOT NULL DEFAULT 'CALCULATED',
    breakdown    TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (user_id, venture_id, period_start, period_end),
    CHECK (period_end >= period_start)
);
-- overlap checks per venture, and the list filters (venture, status), newest first
CREATE INDEX incentive_payouts_period ON incentive_payouts(venture_id, period_start, period_end);
CREATE INDEX incentive_payouts_venture ON incentive_payouts(venture_id, status, id);
CREATE INDEX incentive_payouts_status ON incentive_payouts(status, id);
