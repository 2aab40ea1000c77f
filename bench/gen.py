#!/usr/bin/env python3
"""Adds generated ventures with offices to a Wheelhouse SQLite database, and makes the demo
FINANCE user a member of all of them, so scoped lists have real work to do."""
import sqlite3
import sys
import time

db, n = sys.argv[1], int(sys.argv[2])
con = sqlite3.connect(db)
now = int(time.time() * 1000)
types = ["LOGISTICS", "TRANSPORT", "HOSPITALITY", "BPO", "SAAS", "HOLDINGS"]
fin = con.execute("SELECT id FROM users WHERE email = 'finance@demo.wheelhouse.test'").fetchone()[0]
for i in range(n):
    cur = con.execute(
        "INSERT OR IGNORE INTO ventures (name, code, type, active, created_at, updated_at)"
        " VALUES (?, ?, ?, 1, ?, ?)", (f"Venture {i:05d}", f"GEN{i:05d}", types[i % 6], now, now))
    vid = cur.lastrowid
    con.execute("INSERT INTO offices (venture_id, name, created_at, updated_at) VALUES (?, ?, ?, ?)",
                (vid, f"Office {i}", now, now))
    con.execute("INSERT OR IGNORE INTO venture_users (user_id, venture_id, created_at) VALUES (?, ?, ?)",
                (fin, vid, now))
con.commit()

# Freight history for the dashboard: 30,000 loads of the demo venture FRT over the last 40 days
# (a third delivered and billed), and its KPI rows built from them as kpi_aggregation would.
frt = con.execute("SELECT id FROM ventures WHERE code = 'FRT'").fetchone()[0]
rep = con.execute("SELECT id FROM users WHERE email = 'employee@demo.wheelhouse.test'").fetchone()[0]
day_ms = 86400 * 1000
statuses = ["OPEN", "WORKING", "QUOTED", "COVERED", "DELIVERED", "DELIVERED", "LOST"]
rows = []
for i in range(30000):
    age = i % 40
    at = now - age * day_ms - (i % 3600) * 1000
    day = time.strftime("%Y-%m-%d", time.localtime(at / 1000))
    st = statuses[i % len(statuses)]
    billed = day if st == "DELIVERED" else None
    rows.append((frt, rep, "Chicago", "IL", "Dallas", "TX", 100000 + i % 5000, 80000 + i % 4000,
                 st, billed, day, at, at))
con.executemany(
    "INSERT INTO loads (venture_id, created_by, pickup_city, pickup_state, drop_city, drop_state,"
    " bill_cents, cost_cents, status, billing_date, created_day, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
con.execute(
    "INSERT INTO load_status_changes (load_id, venture_id, from_status, to_status, at, day)"
    " SELECT id, venture_id, NULL, status, created_at, created_day FROM loads WHERE venture_id = ?",
    (frt,))
con.execute(
    "INSERT INTO kpi_freight_daily (venture_id, day, loads_inbound, loads_delivered, revenue_cents,"
    " cost_cents, profit_cents, updated_at) SELECT venture_id, created_day, COUNT(*),"
    " SUM(status = 'DELIVERED'), SUM(CASE WHEN status = 'DELIVERED' THEN bill_cents ELSE 0 END),"
    " SUM(CASE WHEN status = 'DELIVERED' THEN cost_cents ELSE 0 END),"
    " SUM(CASE WHEN status = 'DELIVERED' THEN bill_cents - cost_cents ELSE 0 END), ?"
    " FROM loads WHERE venture_id = ? GROUP BY venture_id, created_day"
    " ON CONFLICT (venture_id, day) DO NOTHING", (now, frt))
con.commit()
print(frt)
