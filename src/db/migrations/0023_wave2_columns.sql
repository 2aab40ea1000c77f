-- Wave-2 columns of wave-1 tables (DOMAIN-wave2 §2, §4, §8, §14).

-- A load's dispatcher (an eligible user of its venture) and the code of its loss (RATE,
-- CAPACITY, SHIPPER_CANCELLED, SERVICE, COMPETITOR, OTHER; NULL unless LOST). Loads lost
-- before this wave are OTHER.
ALTER TABLE loads ADD COLUMN dispatcher_id BIGINT REFERENCES users(id);
ALTER TABLE loads ADD COLUMN lost_reason_code TEXT;
UPDATE loads SET lost_reason_code = 'OTHER' WHERE status = 'LOST';
-- GET /loads?dispatcher_id= in list order
CREATE INDEX loads_dispatcher ON loads(dispatcher_id, created_at, id);

-- Where a carrier came from (FMCSA lookup, MANUAL entry or import) and what FMCSA said of it
-- (VERIFIED, PENDING, NOT_FOUND). Every carrier before this wave came from a lookup.
ALTER TABLE carriers ADD COLUMN source TEXT NOT NULL DEFAULT 'FMCSA';
ALTER TABLE carriers ADD COLUMN verification TEXT NOT NULL DEFAULT 'VERIFIED';
-- GET /carriers?verification= in list order; fmcsa_sync's PENDING carriers
CREATE INDEX carriers_verification ON carriers(verification, name, id);

-- The day a chargeback was opened (the 7-day task rule counts from it). Disputes before this
-- wave get the UTC day of their creation (the migration does not know WH_TIMEZONE).
ALTER TABLE hotel_disputes ADD COLUMN opened_on TEXT;
-- @postgres
UPDATE hotel_disputes
   SET opened_on = to_char(to_timestamp(created_at / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD');
-- @end
-- @sqlite
UPDATE hotel_disputes SET opened_on = date(created_at / 1000, 'unixepoch');
-- @end
CREATE INDEX hotel_disputes_opened ON hotel_disputes(status, opened_on);

-- Hotel KPI rows carry the day's lost dues (DOMAIN-wave2 §8).
ALTER TABLE kpi_hotel_daily ADD COLUMN lost_dues_cents BIGINT NOT NULL DEFAULT 0;
