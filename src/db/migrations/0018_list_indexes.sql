-- Issue 12: every cursor list is built from the filters present (db/sqlb.c), so each filter
-- that API.md names needs an index led by it and followed by the list's order, read backwards
-- from the cursor's position. These were missing (the others exist since their module's
-- migration; tests/unit/db/test_list_plans.c checks every list).
-- GET /users?role=&active= (newest first)
CREATE INDEX users_role ON users(role, id);
CREATE INDEX users_active ON users(active, id);
-- GET /outbox?status= (newest first; outbox_due serves the sender's order, not the list's)
CREATE INDEX outbox_status ON outbox(status, id);
-- GET /incentives/payouts?venture_id= (incentive_payouts_venture has status between)
CREATE INDEX incentive_payouts_venture_id ON incentive_payouts(venture_id, id);
-- GET /bpo/call-logs?connected=&deal_won= without a venture (the venture's own indexes lead
-- with venture_id)
CREATE INDEX bpo_call_logs_connected_at ON bpo_call_logs(connected, started_at, id);
CREATE INDEX bpo_call_logs_deal_won_at ON bpo_call_logs(deal_won, started_at, id);
