-- The issue 12 data set on PostgreSQL, set-based (bench/gen1m runs it; see there for the
-- parameters): :n loads in 20 freight ventures (Zipf-skewed: the biggest holds 27.8112% of
-- them, 278,112 of a million), spread over the :days days before :now_ms, each with the status
-- history of its way to its current status and the daily KPI rows kpi_aggregation would have
-- written for them. bench/gen1m-sqlite.sql is the same data on SQLite; keep the two in step.
-- Rows are what the server writes (loads_store.c, loads_rules.c' status machine, seed_freight.c's
-- paths and odds): money in cents, instants in ms, days in the business time zone :tz.
\set ON_ERROR_STOP on
\timing on
SET DateStyle = ISO;
SET work_mem = '256MB';
-- the planner's guesses for the temp tables are far off, and JIT then compiles for seconds
SET jit = off;
BEGIN;
-- Per-row triggers (data versions, foreign-key checks) would cost minutes here: they are off for
-- this transaction; the references are checked set-based before it commits, and the data
-- versions of the new ventures are bumped once.
SET LOCAL session_replication_role = replica;

CREATE TEMP TABLE bench_param ON COMMIT DROP AS
SELECT CAST(:n AS BIGINT) AS n, CAST(:now_ms AS BIGINT) AS now_ms,
       CAST(:days AS BIGINT) * 86400000 AS span, CAST(:'tz' AS TEXT) AS tz,
       CAST(:'email' AS TEXT) AS email;

-- 20 freight ventures BF01..BF20, two offices and eight shippers each, 200 assignable carriers
-- and three dispatchers (the loads' creators, members of every bench venture).
INSERT INTO ventures (name, code, type, active, created_at, updated_at)
SELECT 'Bench Freight ' || lpad(k::text, 2, '0'), 'BF' || lpad(k::text, 2, '0'),
       CASE WHEN k % 4 = 0 THEN 'TRANSPORT' ELSE 'LOGISTICS' END, TRUE,
       p.now_ms - p.span - 86400000, p.now_ms - p.span - 86400000
FROM bench_param p, generate_series(1, 20) k ORDER BY k;

-- k, venture, its share of the loads: k = 1 holds 27.8112% (278,112 of a million), k = 2..20
-- share the rest by 1/k (232792560 is the least common multiple of 1..20, so the weights are
-- exact integers), the remainder of the integer division goes to k = 2.
CREATE TEMP TABLE bench_v ON COMMIT DROP AS
WITH w AS (SELECT k, 232792560 / k AS wt FROM generate_series(2, 20) k),
c AS (SELECT 1 AS k, (p.n * 278112 + 500000) / 1000000 AS cnt FROM bench_param p
      UNION ALL
      SELECT w.k, (p.n - (p.n * 278112 + 500000) / 1000000) * w.wt / (SELECT sum(wt) FROM w)
      FROM w, bench_param p)
SELECT c.k, v.id AS venture_id, v.code,
       CAST(c.cnt + CASE WHEN c.k = 2 THEN p.n - (SELECT sum(cnt) FROM c) ELSE 0 END AS BIGINT) AS cnt
FROM c JOIN ventures v ON v.code = 'BF' || lpad(c.k::text, 2, '0'), bench_param p;

INSERT INTO offices (venture_id, name, city, country, created_at, updated_at)
SELECT v.venture_id, o.name, o.name, 'US', p.now_ms - p.span - 86400000, p.now_ms - p.span - 86400000
FROM bench_v v, bench_param p, (VALUES (1, 'Chicago'), (2, 'Dallas')) o(i, name)
ORDER BY v.k, o.i;

INSERT INTO shippers (venture_id, name, code, contact_name, active, created_at, updated_at)
SELECT v.venture_id, 'Bench Shipper ' || v.code || '-' || s, 'SHP' || s, 'Contact ' || s, TRUE,
       p.now_ms - p.span - 86400000, p.now_ms - p.span - 86400000
FROM bench_v v, bench_param p, generate_series(1, 8) s ORDER BY v.k, s;

INSERT INTO carriers (name, legal_name, dot_number, city, state, power_units, drivers,
                      fmcsa_status, fmcsa_authorized, fmcsa_checked_at, blocked, created_at,
                      updated_at)
SELECT 'Bench Carrier ' || lpad(c::text, 3, '0'), 'BENCH CARRIER ' || lpad(c::text, 3, '0') || ' LLC',
       (8100000 + c)::text, 'Joliet', 'IL', 5 + c % 40, 6 + c % 45, 'ACTIVE', TRUE, p.now_ms,
       FALSE, p.now_ms - p.span - 86400000, p.now_ms - p.span - 86400000
FROM bench_param p, generate_series(1, 200) c ORDER BY c;

INSERT INTO users (email, full_name, role, active, created_at, updated_at)
SELECT 'bench.dispatcher' || d || '@bench.test', 'Bench Dispatcher ' || d, 'DISPATCHER', TRUE,
       p.now_ms - p.span - 86400000, p.now_ms - p.span - 86400000
FROM bench_param p, generate_series(1, 3) d ORDER BY d;

-- the reader is a member of every venture (the demo ones too); the dispatchers of the bench ones
INSERT INTO venture_users (user_id, venture_id, created_at)
SELECT u.id, v.id, p.now_ms FROM bench_param p JOIN users u ON u.email = p.email, ventures v
ON CONFLICT DO NOTHING;
INSERT INTO venture_users (user_id, venture_id, created_at)
SELECT u.id, v.venture_id, p.now_ms FROM bench_param p, bench_v v, users u
WHERE u.email LIKE 'bench.dispatcher%@bench.test';

-- the first id of each venture's offices and shippers (each inserted as one ordered block),
-- of the carriers and of the dispatchers
CREATE TEMP TABLE bench_ref ON COMMIT DROP AS
SELECT v.k, v.venture_id, v.code, v.cnt,
       (SELECT min(id) FROM offices o WHERE o.venture_id = v.venture_id) AS office0,
       (SELECT min(id) FROM shippers s WHERE s.venture_id = v.venture_id) AS shipper0,
       (SELECT min(id) FROM carriers WHERE dot_number = '8100001') AS carrier0,
       (SELECT min(id) FROM users WHERE email = 'bench.dispatcher1@bench.test') AS user0
FROM bench_v v;

CREATE TEMP TABLE bench_lane (i, pc, ps, dc, ds, eq, miles) ON COMMIT DROP AS VALUES
    (0, 'Chicago', 'IL', 'Dallas', 'TX', 'DRY_VAN', 925),
    (1, 'Chicago', 'IL', 'Atlanta', 'GA', 'DRY_VAN', 717),
    (2, 'Dallas', 'TX', 'Phoenix', 'AZ', 'REEFER', 1065),
    (3, 'Joliet', 'IL', 'Columbus', 'OH', 'DRY_VAN', 360),
    (4, 'Houston', 'TX', 'Memphis', 'TN', 'FLATBED', 585),
    (5, 'Gary', 'IN', 'Detroit', 'MI', 'FLATBED', 265),
    (6, 'Dallas', 'TX', 'Denver', 'CO', 'REEFER', 795),
    (7, 'Peoria', 'IL', 'Kansas City', 'MO', 'DRY_VAN', 390);

-- Each final status's way from creation (seed_freight.c's paths), one row per status change;
-- every step is an edge of the status machine. len: the number of moves after creation.
CREATE TEMP TABLE bench_path (final, step, from_status, to_status) ON COMMIT DROP AS VALUES
    ('DELIVERED', 1, 'OPEN', 'WORKING'), ('DELIVERED', 2, 'WORKING', 'COVERED'),
    ('DELIVERED', 3, 'COVERED', 'IN_TRANSIT'), ('DELIVERED', 4, 'IN_TRANSIT', 'DELIVERED'),
    ('IN_TRANSIT', 1, 'OPEN', 'WORKING'), ('IN_TRANSIT', 2, 'WORKING', 'COVERED'),
    ('IN_TRANSIT', 3, 'COVERED', 'IN_TRANSIT'),
    ('COVERED', 1, 'OPEN', 'QUOTED'), ('COVERED', 2, 'QUOTED', 'COVERED'),
    ('LOST', 1, 'OPEN', 'WORKING'), ('LOST', 2, 'WORKING', 'QUOTED'), ('LOST', 3, 'QUOTED', 'LOST'),
    ('AT_RISK', 1, 'OPEN', 'WORKING'), ('AT_RISK', 2, 'WORKING', 'AT_RISK'),
    ('FELL_OFF', 1, 'OPEN', 'WORKING'), ('FELL_OFF', 2, 'WORKING', 'COVERED'),
    ('FELL_OFF', 3, 'COVERED', 'FELL_OFF'),
    ('DORMANT', 1, 'OPEN', 'DORMANT'), ('QUOTED', 1, 'OPEN', 'QUOTED'),
    ('WORKING', 1, 'OPEN', 'WORKING');
INSERT INTO bench_path SELECT DISTINCT final, 0, NULL, 'OPEN' FROM bench_path;
INSERT INTO bench_path VALUES ('OPEN', 0, NULL, 'OPEN');
ANALYZE bench_param, bench_v, bench_ref, bench_lane, bench_path;

-- Building the indexes of loads and load_status_changes once, after the rows are in, is
-- faster than updating them row by row: their definitions are kept, they are dropped here and
-- made again below, as the migrations wrote them (their primary keys stay).
SET LOCAL maintenance_work_mem = '256MB';
CREATE TEMP TABLE bench_idx ON COMMIT DROP AS
SELECT indexname, indexdef FROM pg_indexes
WHERE schemaname = current_schema() AND tablename IN ('loads', 'load_status_changes')
  AND indexname NOT IN (SELECT conname FROM pg_constraint);
DO $$
DECLARE r RECORD;
BEGIN
    FOR r IN SELECT indexname FROM bench_idx LOOP
        EXECUTE format('DROP INDEX %I', r.indexname);
    END LOOP;
END $$;

-- The loads. Venture k's j-th load is created at ((j - 1) * 21 + k) / (21 * cnt) of the span, so
-- the ventures interleave evenly in time, and the ids ascend with created_at as the server's
-- would. h is a per-load hash that picks the fields; the final status follows seed_freight.c's
-- odds by age (over 30 days, 2 to 30, under 2). The status moves are gap apart (20 h, or a fifth
-- of the load's age when it is younger than 100 h), so the last one is never in the future.
INSERT INTO loads (venture_id, office_id, reference, shipper_id, carrier_id, created_by,
                   pickup_city, pickup_state, pickup_date, drop_city, drop_state, drop_date,
                   equipment, weight_lbs, miles, bill_cents, cost_cents, status, billing_date,
                   lost_reason, created_day, created_at, updated_at)
SELECT g.venture_id, g.office0 + (g.h / 19) % 2, g.code || '-' || lpad(g.j::text, 6, '0'),
       g.shipper0 + (g.h / 23) % 8,
       CASE WHEN g.st IN ('COVERED', 'IN_TRANSIT', 'DELIVERED') THEN g.carrier0 + (g.h / 100) % 200 END,
       g.user0 + (g.h / 17) % 3, l.pc, l.ps, g.pickup::text, l.dc, l.ds,
       (g.pickup + 1 + l.miles / 600)::text, l.eq, 18000 + (g.h / 13) % 27 * 1000, l.miles,
       l.miles * (220 + (g.h / 10007) % 130),
       l.miles * (220 + (g.h / 10007) % 130) * (78 + (g.h / 7) % 15) / 100, g.st,
       CASE WHEN g.st = 'DELIVERED'
            THEN ((to_timestamp((g.created_at + 4 * g.gap) / 1000) AT TIME ZONE g.tz)::date)::text END,
       CASE WHEN g.st = 'LOST' THEN (ARRAY['Rate too high for the shipper', 'Shipper cancelled',
                                           'No capacity on the lane'])[1 + (g.h / 31) % 3] END,
       g.created_day::text, g.created_at,
       g.created_at + g.gap * CASE g.st WHEN 'DELIVERED' THEN 4 WHEN 'IN_TRANSIT' THEN 3
           WHEN 'LOST' THEN 3 WHEN 'FELL_OFF' THEN 3 WHEN 'COVERED' THEN 2 WHEN 'AT_RISK' THEN 2
           WHEN 'OPEN' THEN 0 ELSE 1 END
FROM (
    SELECT a.*, a.created_day + CAST(1 + (a.h / 29) % 3 AS INT) AS pickup,
           CASE WHEN a.age > 30 * 86400000::bigint THEN
                    CASE WHEN a.r < 72 THEN 'DELIVERED' WHEN a.r < 86 THEN 'LOST'
                         WHEN a.r < 90 THEN 'FELL_OFF' ELSE 'DORMANT' END
                WHEN a.age > 2 * 86400000::bigint THEN
                    CASE WHEN a.r < 45 THEN 'DELIVERED' WHEN a.r < 60 THEN 'IN_TRANSIT'
                         WHEN a.r < 70 THEN 'COVERED' WHEN a.r < 80 THEN 'LOST'
                         WHEN a.r < 85 THEN 'AT_RISK' WHEN a.r < 90 THEN 'FELL_OFF'
                         WHEN a.r < 95 THEN 'DORMANT' ELSE 'QUOTED' END
                ELSE CASE WHEN a.r < 10 THEN 'IN_TRANSIT' WHEN a.r < 25 THEN 'COVERED'
                          WHEN a.r < 30 THEN 'LOST' WHEN a.r < 40 THEN 'AT_RISK'
                          WHEN a.r < 45 THEN 'FELL_OFF' WHEN a.r < 60 THEN 'QUOTED'
                          WHEN a.r < 80 THEN 'WORKING' ELSE 'OPEN' END
           END AS st
    FROM (
        SELECT b.*, p.now_ms - b.created_at AS age, b.h % 100 AS r,
               least(72000000, (p.now_ms - b.created_at) / 5) AS gap, p.tz,
               (to_timestamp(b.created_at / 1000) AT TIME ZONE p.tz)::date AS created_day
        FROM bench_param p, (
            SELECT f.*, j,
                   p.now_ms - p.span + ((j - 1) * 21 + f.k) * p.span / (21 * f.cnt) AS created_at,
                   ((f.k * 1000003 + j) * 2654435761) % 4294967296 AS h
            FROM bench_ref f, bench_param p, generate_series(1, f.cnt) j
        ) b
    ) a
) g
JOIN bench_lane l ON l.i = (g.h / 1009) % 8
ORDER BY g.created_at, g.k;

-- Their status history: one row per status each load entered, its creation first.
INSERT INTO load_status_changes (load_id, venture_id, from_status, to_status, at, day)
SELECT s.id, s.venture_id, s.from_status, s.to_status, s.at,
       ((to_timestamp(s.at / 1000) AT TIME ZONE p.tz)::date)::text
FROM bench_param p, (
    SELECT l.id, l.venture_id, b.step, b.from_status, b.to_status,
           l.created_at + b.step * least(72000000, (q.now_ms - l.created_at) / 5) AS at
    FROM bench_param q, bench_v v JOIN loads l ON l.venture_id = v.venture_id
    JOIN bench_path b ON b.final = l.status
) s
ORDER BY s.id, s.step;

DO $$
DECLARE r RECORD;
BEGIN
    FOR r IN SELECT indexdef FROM bench_idx LOOP
        EXECUTE r.indexdef;
    END LOOP;
END $$;

-- The KPI rows kpi_aggregation writes (kpi_store.c FREIGHT_SOURCE) for every day of the span:
-- loads created that day (inbound, active shippers); first moves into QUOTED-or-later and into
-- COVERED-or-later that day (on these paths: any move into QUOTED, a move into COVERED from
-- WORKING; any move into COVERED); moves into LOST; loads delivered with that billing day.
INSERT INTO kpi_freight_daily (venture_id, day, loads_inbound, loads_quoted, loads_covered,
                               loads_lost, loads_delivered, revenue_cents, cost_cents,
                               profit_cents, active_shippers, active_carriers, updated_at)
SELECT x.venture_id, x.day, sum(x.inb), sum(x.q), sum(x.cov), sum(x.lost), sum(x.del),
       sum(x.rev), sum(x.cost), sum(x.rev) - sum(x.cost), count(DISTINCT x.shipper),
       count(DISTINCT x.carrier), max(p.now_ms)
FROM bench_param p, (
    SELECT l.venture_id, l.created_day AS day, 1 AS inb, 0 AS q, 0 AS cov, 0 AS lost, 0 AS del,
           0::bigint AS rev, 0::bigint AS cost, l.shipper_id AS shipper, NULL::bigint AS carrier
    FROM loads l JOIN bench_v v ON v.venture_id = l.venture_id
    UNION ALL
    SELECT h.venture_id, h.day, 0,
           CASE WHEN h.to_status = 'QUOTED' OR (h.to_status = 'COVERED' AND h.from_status = 'WORKING')
                THEN 1 ELSE 0 END,
           CASE WHEN h.to_status = 'COVERED' THEN 1 ELSE 0 END,
           CASE WHEN h.to_status = 'LOST' THEN 1 ELSE 0 END, 0, 0, 0, NULL, NULL
    FROM load_status_changes h JOIN bench_v v ON v.venture_id = h.venture_id
    WHERE h.to_status IN ('QUOTED', 'COVERED', 'LOST')
    UNION ALL
    SELECT l.venture_id, l.billing_date, 0, 0, 0, 0, 1, l.bill_cents, l.cost_cents, NULL, l.carrier_id
    FROM loads l JOIN bench_v v ON v.venture_id = l.venture_id WHERE l.status = 'DELIVERED'
) x
GROUP BY x.venture_id, x.day;

INSERT INTO data_versions (venture_id, version) SELECT venture_id, 1 FROM bench_v
ON CONFLICT (venture_id) DO UPDATE SET version = data_versions.version + 1;

-- The references the skipped foreign-key triggers would have checked, and the domain's own
-- (an office and a shipper of the load's venture): any miss rolls everything back.
DO $$
DECLARE bad BIGINT;
BEGIN
    SELECT count(*) INTO bad FROM loads l JOIN bench_v v ON v.venture_id = l.venture_id
    WHERE NOT EXISTS (SELECT 1 FROM offices o WHERE o.id = l.office_id AND o.venture_id = l.venture_id)
       OR NOT EXISTS (SELECT 1 FROM shippers s WHERE s.id = l.shipper_id AND s.venture_id = l.venture_id)
       OR NOT EXISTS (SELECT 1 FROM users u WHERE u.id = l.created_by)
       OR (l.carrier_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM carriers c WHERE c.id = l.carrier_id));
    IF bad > 0 THEN RAISE EXCEPTION 'bench: % loads with a wrong reference', bad; END IF;
    SELECT count(*) INTO bad FROM load_status_changes h JOIN bench_v v ON v.venture_id = h.venture_id
    WHERE NOT EXISTS (SELECT 1 FROM loads l WHERE l.id = h.load_id AND l.venture_id = h.venture_id);
    IF bad > 0 THEN RAISE EXCEPTION 'bench: % status changes of no load', bad; END IF;
    SELECT count(*) INTO bad FROM bench_param p, bench_v v JOIN loads l ON l.venture_id = v.venture_id
    WHERE l.updated_at > p.now_ms
       OR l.billing_date > ((to_timestamp(p.now_ms / 1000) AT TIME ZONE p.tz)::date)::text;
    IF bad > 0 THEN RAISE EXCEPTION 'bench: % loads changed in the future', bad; END IF;
END $$;
COMMIT;

VACUUM (ANALYZE) loads, load_status_changes, kpi_freight_daily;
ANALYZE;
