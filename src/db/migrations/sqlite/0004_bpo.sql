-- BPO: campaigns, agents (a user in a BPO venture) and their call logs.
CREATE TABLE bpo_campaigns (
    id          INTEGER PRIMARY KEY,
    venture_id  INTEGER NOT NULL REFERENCES ventures(id),
    office_id   INTEGER REFERENCES offices(id),
    name        TEXT NOT NULL,
    client_name TEXT,
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (id, venture_id)
);
CREATE INDEX bpo_campaigns_venture ON bpo_campaigns(venture_id, id);
CREATE INDEX bpo_campaigns_office ON bpo_campaigns(office_id);

-- An agent never changes user or venture, so call logs may copy both.
CREATE TABLE bpo_agents (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    venture_id  INTEGER NOT NULL REFERENCES ventures(id),
    campaign_id INTEGER,
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (user_id, venture_id),
    UNIQUE (id, venture_id, user_id),
    FOREIGN KEY (campaign_id, venture_id) REFERENCES bpo_campaigns(id, venture_id)
);
CREATE INDEX bpo_agents_venture ON bpo_agents(venture_id, id);
CREATE INDEX bpo_agents_campaign ON bpo_agents(campaign_id);

-- user_id is the agent's user (copied, for "own calls" and per-user metrics); started_day is
-- the business day of started_at; talk_seconds is (ended_at - started_at) / 1000, 0 while open.
CREATE TABLE bpo_call_logs (
    id              INTEGER PRIMARY KEY,
    agent_id        INTEGER NOT NULL,
    user_id         INTEGER NOT NULL REFERENCES users(id),
    venture_id      INTEGER NOT NULL REFERENCES ventures(id),
    campaign_id     INTEGER,
    started_at      INTEGER NOT NULL,
    started_day     TEXT NOT NULL,
    ended_at        INTEGER,
    talk_seconds    INTEGER NOT NULL DEFAULT 0,
    dial_count      INTEGER NOT NULL DEFAULT 1,
    connected       INTEGER NOT NULL DEFAULT 0,
    appointment_set INTEGER NOT NULL DEFAULT 0,
    deal_won        INTEGER NOT NULL DEFAULT 0,
    revenue_cents   INTEGER NOT NULL DEFAULT 0,
    notes           TEXT,
    created_by      INTEGER NOT NULL REFERENCES users(id),
    created_at      INTEGER NOT NULL,
    CHECK (ended_at IS NULL OR ended_at >= started_at),
    CHECK (dial_count >= 1),
    CHECK (revenue_cents >= 0),
    CHECK (talk_seconds >= 0),
    FOREIGN KEY (agent_id, venture_id, user_id) REFERENCES bpo_agents(id, venture_id, user_id),
    FOREIGN KEY (campaign_id, venture_id) REFERENCES bpo_campaigns(id, venture_id)
);
CREATE INDEX bpo_call_logs_started ON bpo_call_logs(started_at, id);
CREATE INDEX bpo_call_logs_venture ON bpo_call_logs(venture_id, started_at, id);
CREATE INDEX bpo_call_logs_agent ON bpo_call_logs(agent_id, started_at, id);
CREATE INDEX bpo_call_logs_campaign ON bpo_call_logs(campaign_id, started_at, id);
CREATE INDEX bpo_call_logs_user ON bpo_call_logs(user_id, started_at, id);
CREATE INDEX bpo_call_logs_day ON bpo_call_logs(started_day, started_at, id);
CREATE INDEX bpo_call_logs_venture_day ON bpo_call_logs(venture_id, started_day, user_id);
CREATE INDEX bpo_call_logs_connected ON bpo_call_logs(venture_id, connected, started_at, id);
CREATE INDEX bpo_call_logs_deal_won ON bpo_call_logs(venture_id, deal_won, started_at, id);
