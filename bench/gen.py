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
