-- The issue 12 data set on SQLite, set-based: the same rows as bench/gen1m-postgres.sql (read
-- its comments; keep the two in step), in SQLite's dialect. bench/gen1m runs it in one
-- transaction with the temp table bench_param (n, now_ms, span, email) filled in, and the
-- process's TZ set to the business time zone, so 'localtime' gives the business day. A
-- statement that starts with SELECT is a check: bench/gen1m fails unless it returns 0. Unlike
-- PostgreSQL, the indexes and the data-version triggers stay in place: setting them aside and
-- building the indexes again took as much CPU time here.

-- 1 .. the largest venture's count, for the set-based inserts below
CREATE TEMP TABLE bench_seq (j INTEGER PRIMARY KEY);
INSERT INTO bench_seq (j)
WITH RECURSIVE s(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM s, bench_param p
                        WHERE j < (p.n * 278112 + 500000) / 1000000 + 20)
SELECT j FROM s;

INSERT INTO ventures (name, code, type, active, created_at, updated_at)
SELECT 'Bench Freight ' || printf('%02d', k.j), 'BF' || printf('%02d', k.j),
       CASE WHEN k.j % 4 = 0 THEN 'TRANSPORT' ELSE 'LOGISTICS' END, 1,
       p.now_ms - p.span - 86400000, p.now_ms - p.span - 86400000
FROM bench_param p, bench_seq k WHERE k.j <= 20 ORDER BY k.j;

CREATE TEMP TABLE bench_v AS
WITH w AS (SELECT j AS k, 232792560 / j AS wt FROM bench_seq WHERE j BETWEEN 2 AND 20),
c AS (SELECT 1 AS k, (p.n * 278112 + 500000) / 1000000 AS cnt FROM bench_param p
      UNION ALL
      SELECT w.k, (p.n - (p.n * 278112 + 500000) / 1000000) * w.wt / (SELECT sum(wt) FROM w)
      FROM w, bench_param p)
SELECT c.k AS k, v.id AS venture_id, v.code AS code,
       c.cnt + CASE WHEN c.k = 2 THEN p.n - (SELECT sum(cnt) FROM c) ELSE 0 END AS cnt
FROM c JOIN ventures v ON v.code = 'BF' || printf('%02d', c.k), bench_param p;

INSERT INTO offices (venture_id, name, city, country, created_at, updated_at)
SELECT v.venture_id, o.name, o.name, 'US', p.now_ms - p.span - 86400000, p.now_ms - p.span - 86400000
FROM bench_v v, bench_param p, (SELECT 1 AS i, 'Chicago' AS name UNION ALL SELECT 2, 'Dallas') o
ORDER BY v.k, o.i;

INSERT INTO shippers (venture_id, name, code, contact_name, active, created_at, updated_at)
SELECT v.venture_id, 'Bench Shipper ' || v.code || '-' || s.j, 'SHP' || s.j, 'Contact ' || s.j, 1,
       p.now_ms - p.span - 86400000, p.now_ms - p.span - 86400000
FROM bench_v v, bench_param p, bench_seq s WHERE s.j <= 8 ORDER BY v.k, s.j;

INSERT INTO carriers (name, legal_name, dot_number, city, state, power_units, drivers,
                      fmcsa_status, fmcsa_authorized, fmcsa_checked_at, blocked, created_at,
                      updated_at)
SELECT 'Bench Carrier ' || printf('%03d', c.j), 'BENCH CARRIER ' || printf('%03d', c.j) || ' LLC',
       CAST(8100000 + c.j AS TEXT), 'Joliet', 'IL', 5 + c.j % 40, 6 + c.j % 45, 'ACTIVE', 1,
       p.now_ms, 0, p.now_ms - p.span - 86400000, p.now_ms - p.span - 86400000
FROM bench_param p, bench_seq c WHERE c.j <= 200 ORDER BY c.j;

INSERT INTO users (email, full_name, role, active, created_at, updated_at)
SELECT 'bench.dispatcher' || d.j || '@bench.test', 'Bench Dispatcher ' || d.j, 'DISPATCHER', 1,
       p.now_ms - p.span - 86400000, p.now_ms - p.span - 86400000
FROM bench_param p, bench_seq d WHERE d.j <= 3 ORDER BY d.j;

INSERT INTO venture_users (user_id, venture_id, created_at)
SELECT u.id, v.id, p.now_ms FROM bench_param p JOIN users u ON u.email = p.email, ventures v
WHERE TRUE ON CONFLICT DO NOTHING;
INSERT INTO venture_users (user_id, venture_id, created_at)
SELECT u.id, v.venture_id, p.now_ms FROM bench_param p, bench_v v, users u
WHERE u.email LIKE 'bench.dispatcher%@bench.test';

CREATE TEMP TABLE bench_ref AS
SELECT v.k AS k, v.venture_id AS venture_id, v.code AS code, v.cnt AS cnt,
       (SELECT min(id) FROM offices o WHERE o.venture_id = v.venture_id) AS office0,
       (SELECT min(id) FROM shippers s WHERE s.venture_id = v.venture_id) AS shipper0,
       (SELECT min(id) FROM carriers WHERE dot_number = '8100001') AS carrier0,
       (SELECT min(id) FROM users WHERE email = 'bench.dispatcher1@bench.test') AS user0
FROM bench_v v;

CREATE TEMP TABLE bench_lane (i INTEGER PRIMARY KEY, pc, ps, dc, ds, eq, miles);
INSERT INTO bench_lane VALUES
    (0, 'Chicago', 'IL', 'Dallas', 'TX', 'DRY_VAN', 925),
    (1, 'Chicago', 'IL', 'Atlanta', 'GA', 'DRY_VAN', 717),
    (2, 'Dallas', 'TX', 'Phoenix', 'AZ', 'REEFER', 1065),
    (3, 'Joliet', 'IL', 'Columbus', 'OH', 'DRY_VAN', 360),
    (4, 'Houston', 'TX', 'Memphis', 'TN', 'FLATBED', 585),
    (5, 'Gary', 'IN', 'Detroit', 'MI', 'FLATBED', 265),
    (6, 'Dallas', 'TX', 'Denver', 'CO', 'REEFER', 795),
    (7, 'Peoria', 'IL', 'Kansas City', 'MO', 'DRY_VAN', 390);

CREATE TEMP TABLE bench_path (final, step, from_status, to_status, PRIMARY KEY (final, step));
INSERT INTO bench_path VALUES
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

-- the ids before the bulk rows: the new ones are the rowid ranges above them
CREATE TEMP TABLE bench_mark AS
SELECT (SELECT coalesce(max(id), 0) FROM loads) AS loads0,
       (SELECT coalesce(max(id), 0) FROM load_status_changes) AS changes0;

INSERT INTO loads (venture_id, office_id, reference, shipper_id, carrier_id, created_by,
                   pickup_city, pickup_state, pickup_date, drop_city, drop_state, drop_date,
                   equipment, weight_lbs, miles, bill_cents, cost_cents, status, billing_date,
                   lost_reason, created_day, created_at, updated_at)
SELECT g.venture_id, g.office0 + (g.h / 19) % 2, g.code || '-' || printf('%06d', g.j),
       g.shipper0 + (g.h / 23) % 8,
       CASE WHEN g.st IN ('COVERED', 'IN_TRANSIT', 'DELIVERED') THEN g.carrier0 + (g.h / 100) % 200 END,
       g.user0 + (g.h / 17) % 3, l.pc, l.ps, g.pickup, l.dc, l.ds,
       date(g.pickup, '+' || (1 + l.miles / 600) || ' days'), l.eq, 18000 + (g.h / 13) % 27 * 1000,
       l.miles, l.miles * (220 + (g.h / 10007) % 130),
       l.miles * (220 + (g.h / 10007) % 130) * (78 + (g.h / 7) % 15) / 100, g.st,
       CASE WHEN g.st = 'DELIVERED'
            THEN strftime('%Y-%m-%d', (g.created_at + 4 * g.gap) / 1000, 'unixepoch', 'localtime') END,
       CASE WHEN g.st = 'LOST' THEN CASE (g.h / 31) % 3 WHEN 0 THEN 'Rate too high for the shipper'
                                    WHEN 1 THEN 'Shipper cancelled' ELSE 'No capacity on the lane' END END,
       g.created_day, g.created_at,
       g.created_at + g.gap * CASE g.st WHEN 'DELIVERED' THEN 4 WHEN 'IN_TRANSIT' THEN 3
           WHEN 'LOST' THEN 3 WHEN 'FELL_OFF' THEN 3 WHEN 'COVERED' THEN 2 WHEN 'AT_RISK' THEN 2
           WHEN 'OPEN' THEN 0 ELSE 1 END
FROM (
    SELECT a.*, date(a.created_day, '+' || (1 + (a.h / 29) % 3) || ' days') AS pickup,
           CASE WHEN a.age > 30 * 86400000 THEN
                    CASE WHEN a.r < 72 THEN 'DELIVERED' WHEN a.r < 86 THEN 'LOST'
                         WHEN a.r < 90 THEN 'FELL_OFF' ELSE 'DORMANT' END
                WHEN a.age > 2 * 86400000 THEN
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
               min(72000000, (p.now_ms - b.created_at) / 5) AS gap,
               strftime('%Y-%m-%d', b.created_at / 1000, 'unixepoch', 'localtime') AS created_day
        FROM bench_param p, (
            SELECT f.*, s.j AS j,
                   p.now_ms - p.span + ((s.j - 1) * 21 + f.k) * p.span / (21 * f.cnt) AS created_at,
                   ((f.k * 1000003 + s.j) * 2654435761) % 4294967296 AS h
            FROM bench_ref f, bench_param p, bench_seq s WHERE s.j <= f.cnt
        ) b
    ) a
) g
JOIN bench_lane l ON l.i = (g.h / 1009) % 8
ORDER BY g.created_at, g.k;

INSERT INTO load_status_changes (load_id, venture_id, from_status, to_status, at, day)
SELECT s.id, s.venture_id, s.from_status, s.to_status, s.at,
       strftime('%Y-%m-%d', s.at / 1000, 'unixepoch', 'localtime')
FROM (
    SELECT l.id AS id, l.venture_id AS venture_id, b.step AS step, b.from_status AS from_status,
           b.to_status AS to_status,
           l.created_at + b.step * min(72000000, (q.now_ms - l.created_at) / 5) AS at
    FROM bench_param q, bench_mark m, loads l JOIN bench_path b ON b.final = l.status
    WHERE l.id > m.loads0
) s
ORDER BY s.id, s.step;


INSERT INTO kpi_freight_daily (venture_id, day, loads_inbound, loads_quoted, loads_covered,
                               loads_lost, loads_delivered, revenue_cents, cost_cents,
                               profit_cents, active_shippers, active_carriers, updated_at)
SELECT x.venture_id, x.day, sum(x.inb), sum(x.q), sum(x.cov), sum(x.lost), sum(x.del),
       sum(x.rev), sum(x.cost), sum(x.rev) - sum(x.cost), count(DISTINCT x.shipper),
       count(DISTINCT x.carrier), max(p.now_ms)
FROM bench_param p, (
    SELECT l.venture_id AS venture_id, l.created_day AS day, 1 AS inb, 0 AS q, 0 AS cov,
           0 AS lost, 0 AS del, 0 AS rev, 0 AS cost, l.shipper_id AS shipper, NULL AS carrier
    FROM loads l, bench_mark m WHERE l.id > m.loads0
    UNION ALL
    SELECT h.venture_id, h.day, 0,
           CASE WHEN h.to_status = 'QUOTED' OR (h.to_status = 'COVERED' AND h.from_status = 'WORKING')
                THEN 1 ELSE 0 END,
           CASE WHEN h.to_status = 'COVERED' THEN 1 ELSE 0 END,
           CASE WHEN h.to_status = 'LOST' THEN 1 ELSE 0 END, 0, 0, 0, NULL, NULL
    FROM load_status_changes h, bench_mark m
    WHERE h.id > m.changes0 AND h.to_status IN ('QUOTED', 'COVERED', 'LOST')
    UNION ALL
    SELECT l.venture_id, l.billing_date, 0, 0, 0, 0, 1, l.bill_cents, l.cost_cents, NULL, l.carrier_id
    FROM loads l, bench_mark m WHERE l.id > m.loads0 AND l.status = 'DELIVERED'
) x
GROUP BY x.venture_id, x.day;

-- checks (each must return 0): references and the domain's own, nothing in the future
SELECT count(*) FROM bench_mark m, loads l
WHERE l.id > m.loads0
  AND (l.venture_id NOT IN (SELECT venture_id FROM bench_v)
       OR NOT EXISTS (SELECT 1 FROM offices o WHERE o.id = l.office_id AND o.venture_id = l.venture_id)
       OR NOT EXISTS (SELECT 1 FROM shippers s WHERE s.id = l.shipper_id AND s.venture_id = l.venture_id)
       OR NOT EXISTS (SELECT 1 FROM users u WHERE u.id = l.created_by)
       OR (l.carrier_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM carriers c WHERE c.id = l.carrier_id)));
SELECT count(*) FROM bench_mark m, load_status_changes h
WHERE h.id > m.changes0
  AND NOT EXISTS (SELECT 1 FROM loads l WHERE l.id = h.load_id AND l.venture_id = h.venture_id);
SELECT count(*) FROM bench_param p, bench_mark m, loads l
WHERE l.id > m.loads0
  AND (l.updated_at > p.now_ms
       OR l.billing_date > strftime('%Y-%m-%d', p.now_ms / 1000, 'unixepoch', 'localtime'));
