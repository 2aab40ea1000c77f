-- Indexes of the reports (DOMAIN-wave2 §17, docs/reports.md): each report reads one venture's
-- rows of a range of days as an index range.
-- Freight P&L (shippers, lanes, dispatchers) reads loads_billing (venture_id, billing_date)
-- of migration 0003; hotels hotel_daily (hotel_id, date) and hotel_daily_venture_date of 0005;
-- BPO agents bpo_call_logs_venture_day (venture_id, started_day, user_id) of 0004.

-- Lost loads by reason: a venture's moves to LOST by their business day.
CREATE INDEX load_status_changes_lost ON load_status_changes(venture_id, to_status, day, load_id);
-- BPO agents of one campaign: its call logs by business day.
CREATE INDEX bpo_call_logs_campaign_day ON bpo_call_logs(campaign_id, started_day);
