/* KPI SQL: the set-based rebuild of one day's KPI rows (DOMAIN.md §8). Every statement is one
 * INSERT ... SELECT ... GROUP BY ... ON CONFLICT DO UPDATE (or a set-based UPDATE / DELETE of
 * the rows whose source vanished); nothing loops over source rows. */
#include "kpi/kpi.h"

#include "core/clock.h"

#include <stdio.h>
#include <string.h>

// clang-format off
/* Statuses at or past QUOTED, and at or past COVERED, on the way to delivery. */
#define QUOTED_OR_LATER  "('QUOTED','COVERED','IN_TRANSIT','DELIVERED')"
#define COVERED_OR_LATER "('COVERED','IN_TRANSIT','DELIVERED')"

/* The status changes of day $1 (venture $2, 0: all) into a status of `set` that are their
 * load's first change into `set`: none of the load's changes before it (by (at, id)) went into
 * `set`. So a load counts once, on the day it first got there, whatever it did later (a load
 * re-covered after FELL_OFF is not covered again). */
#define FIRST_CHANGE_INTO(set)                                                                     \
    " FROM load_status_changes h WHERE h.day = $1 AND ($2 = 0 OR h.venture_id = $2) AND"           \
    " h.to_status IN " set " AND NOT EXISTS (SELECT 1 FROM load_status_changes p WHERE"            \
    " p.load_id = h.load_id AND p.to_status IN " set " AND (p.at, p.id) < (h.at, h.id))"
#define FIRST_QUOTED  FIRST_CHANGE_INTO(QUOTED_OR_LATER)
#define FIRST_COVERED FIRST_CHANGE_INTO(COVERED_OR_LATER)

/* The freight sources of day $1 (venture $2, 0: all), one row per counted fact: loads created
 * that day (inbound, shippers), first changes into QUOTED-or-later and into COVERED-or-later
 * that day, changes into LOST that day (LOST is terminal: one per load), and loads delivered
 * with that billing day (revenue, cost, carriers). The status counts read the status history
 * (load_status_changes), so a day's figures do not move when its loads progress later. */
#define FREIGHT_SOURCE                                                                             \
    " SELECT l.venture_id AS venture_id, 1 AS inb, 0 AS q, 0 AS cov, 0 AS lost, 0 AS del,"         \
    " CAST(0 AS BIGINT) AS rev, CAST(0 AS BIGINT) AS cost, l.shipper_id AS shipper,"               \
    " CAST(NULL AS BIGINT) AS carrier FROM loads l WHERE l.created_day = $1 AND ($2 = 0 OR"        \
    " l.venture_id = $2)"                                                                          \
    " UNION ALL SELECT h.venture_id, 0, 1, 0, 0, 0, 0, 0, CAST(NULL AS BIGINT),"                   \
    " CAST(NULL AS BIGINT)" FIRST_QUOTED                                                           \
    " UNION ALL SELECT h.venture_id, 0, 0, 1, 0, 0, 0, 0, CAST(NULL AS BIGINT),"                   \
    " CAST(NULL AS BIGINT)" FIRST_COVERED                                                          \
    " UNION ALL SELECT h.venture_id, 0, 0, 0, 1, 0, 0, 0, CAST(NULL AS BIGINT),"                   \
    " CAST(NULL AS BIGINT) FROM load_status_changes h WHERE h.day = $1 AND ($2 = 0 OR"             \
    " h.venture_id = $2) AND h.to_status = 'LOST'"                                                 \
    " UNION ALL SELECT l.venture_id, 0, 0, 0, 0, 1, COALESCE(l.bill_cents, 0),"                    \
    " COALESCE(l.cost_cents, 0), CAST(NULL AS BIGINT), l.carrier_id FROM loads l WHERE"            \
    " l.status = 'DELIVERED' AND l.billing_date = $1 AND ($2 = 0 OR l.venture_id = $2)"

/* Freight: zero the computed columns of the day (manual_* stay), then upsert the aggregates. */
static const char FREIGHT_ZERO[] =
    "UPDATE kpi_freight_daily SET loads_inbound = 0, loads_quoted = 0, loads_covered = 0,"
    " loads_lost = 0, loads_delivered = 0, revenue_cents = 0, cost_cents = 0, profit_cents = 0,"
    " active_shippers = 0, active_carriers = 0, updated_at = $3 WHERE day = $1 AND ($2 = 0 OR"
    " venture_id = $2)";

static const char FREIGHT_UPSERT[] =
    "INSERT INTO kpi_freight_daily (venture_id, day, loads_inbound, loads_quoted, loads_covered,"
    " loads_lost, loads_delivered, revenue_cents, cost_cents, profit_cents, active_shippers,"
    " active_carriers, updated_at)"
    " SELECT x.venture_id, $1, SUM(x.inb), SUM(x.q), SUM(x.cov), SUM(x.lost), SUM(x.del),"
    " SUM(x.rev), SUM(x.cost), SUM(x.rev) - SUM(x.cost), COUNT(DISTINCT x.shipper),"
    " COUNT(DISTINCT x.carrier), $3 FROM (" FREIGHT_SOURCE " ) x GROUP BY x.venture_id"
    " ON CONFLICT (venture_id, day) DO UPDATE SET loads_inbound = excluded.loads_inbound,"
    " loads_quoted = excluded.loads_quoted, loads_covered = excluded.loads_covered,"
    " loads_lost = excluded.loads_lost, loads_delivered = excluded.loads_delivered,"
    " revenue_cents = excluded.revenue_cents, cost_cents = excluded.cost_cents,"
    " profit_cents = excluded.profit_cents, active_shippers = excluded.active_shippers,"
    " active_carriers = excluded.active_carriers, updated_at = excluded.updated_at";

static const char HOTEL_UPSERT[] =
    "INSERT INTO kpi_hotel_daily (hotel_id, venture_id, day, rooms_sold, rooms_available,"
    " room_revenue_cents, other_revenue_cents, refund_cents, lost_dues_cents, updated_at)"
    " SELECT h.hotel_id, h.venture_id, $1, SUM(h.rooms_sold), SUM(h.rooms_available),"
    " SUM(h.room_revenue_cents), SUM(h.other_revenue_cents), SUM(h.refund_cents),"
    " SUM(h.lost_dues_cents), $3"
    " FROM hotel_daily h WHERE h.date = $1 AND ($2 = 0 OR h.venture_id = $2)"
    " GROUP BY h.hotel_id, h.venture_id"
    " ON CONFLICT (hotel_id, day) DO UPDATE SET venture_id = excluded.venture_id,"
    " rooms_sold = excluded.rooms_sold, rooms_available = excluded.rooms_available,"
    " room_revenue_cents = excluded.room_revenue_cents,"
    " other_revenue_cents = excluded.other_revenue_cents, refund_cents = excluded.refund_cents,"
    " lost_dues_cents = excluded.lost_dues_cents, updated_at = excluded.updated_at";

static const char HOTEL_STALE[] =
    "DELETE FROM kpi_hotel_daily WHERE day = $1 AND ($2 = 0 OR venture_id = $2) AND $3 >= 0 AND"
    " NOT EXISTS (SELECT 1 FROM hotel_daily h WHERE h.hotel_id = kpi_hotel_daily.hotel_id AND"
    " h.date = $1)";

static const char BPO_UPSERT[] =
    "INSERT INTO kpi_bpo_daily (campaign_id, venture_id, day, dials, connects, deals,"
    " talk_seconds, revenue_cents, updated_at)"
    " SELECT b.campaign_id, b.venture_id, $1, SUM(b.dial_count),"
    " SUM(CASE WHEN b.connected THEN 1 ELSE 0 END), SUM(CASE WHEN b.deal_won THEN 1 ELSE 0 END),"
    " SUM(b.talk_seconds), SUM(b.revenue_cents), $3 FROM bpo_call_logs b"
    " WHERE b.started_day = $1 AND b.campaign_id IS NOT NULL AND ($2 = 0 OR b.venture_id = $2)"
    " GROUP BY b.campaign_id, b.venture_id"
    " ON CONFLICT (campaign_id, day) DO UPDATE SET venture_id = excluded.venture_id,"
    " dials = excluded.dials, connects = excluded.connects, deals = excluded.deals,"
    " talk_seconds = excluded.talk_seconds, revenue_cents = excluded.revenue_cents,"
    " updated_at = excluded.updated_at";

/* The SaaS figures of day $1 (prior year day $3) of every active SAAS venture ($2 = 0) or of
 * venture $2, zero rows included (DOMAIN-wave2 §12), all from the subscription events: a
 * customer's MRR at the end of a day is the sum of its deltas dated that day or earlier. */
#define SAAS_SOURCE                                                                                \
    " SELECT v.id AS venture_id, $1 AS day, COALESCE(m.mrr, 0) AS mrr,"                            \
    " COALESCE(d.new_mrr, 0) AS new_mrr, COALESCE(d.exp_mrr, 0) AS exp_mrr,"                       \
    " COALESCE(d.react_mrr, 0) AS react_mrr, COALESCE(d.contr_mrr, 0) AS contr_mrr,"               \
    " COALESCE(d.churn_mrr, 0) AS churn_mrr, COALESCE(m.active, 0) AS active,"                     \
    " COALESCE(d.new_c, 0) AS new_c, COALESCE(d.react_c, 0) AS react_c,"                           \
    " COALESCE(d.churn_c, 0) AS churn_c, COALESCE(m.base, 0) AS base, COALESCE(m.kept, 0) AS kept" \
    " FROM ventures v LEFT JOIN (SELECT c.venture_id, SUM(c.now_mrr) AS mrr,"                      \
    " SUM(CASE WHEN c.now_mrr > 0 THEN 1 ELSE 0 END) AS active,"                                   \
    " SUM(CASE WHEN c.then_mrr > 0 THEN c.then_mrr ELSE 0 END) AS base,"                           \
    " SUM(CASE WHEN c.then_mrr > 0 THEN c.now_mrr ELSE 0 END) AS kept"                             \
    " FROM (SELECT e.venture_id, e.customer_id, SUM(e.mrr_delta_cents) AS now_mrr,"                \
    " SUM(CASE WHEN e.effective_on <= $3 THEN e.mrr_delta_cents ELSE 0 END) AS then_mrr"           \
    " FROM saas_events e WHERE e.effective_on <= $1 AND ($2 = 0 OR e.venture_id = $2)"             \
    " GROUP BY e.venture_id, e.customer_id) c GROUP BY c.venture_id) m ON m.venture_id = v.id"     \
    " LEFT JOIN (SELECT e.venture_id,"                                                             \
    " SUM(CASE WHEN e.type = 'NEW' THEN e.mrr_delta_cents ELSE 0 END) AS new_mrr,"                 \
    " SUM(CASE WHEN e.type = 'EXPANSION' THEN e.mrr_delta_cents ELSE 0 END) AS exp_mrr,"           \
    " SUM(CASE WHEN e.type = 'REACTIVATION' THEN e.mrr_delta_cents ELSE 0 END) AS react_mrr,"      \
    " SUM(CASE WHEN e.type = 'CONTRACTION' THEN -e.mrr_delta_cents ELSE 0 END) AS contr_mrr,"      \
    " SUM(CASE WHEN e.type = 'CHURN' THEN -e.mrr_delta_cents ELSE 0 END) AS churn_mrr,"            \
    " SUM(CASE WHEN e.type = 'NEW' THEN 1 ELSE 0 END) AS new_c,"                                   \
    " SUM(CASE WHEN e.type = 'REACTIVATION' THEN 1 ELSE 0 END) AS react_c,"                        \
    " SUM(CASE WHEN e.type = 'CHURN' THEN 1 ELSE 0 END) AS churn_c"                                \
    " FROM saas_events e WHERE e.effective_on = $1 AND ($2 = 0 OR e.venture_id = $2)"              \
    " GROUP BY e.venture_id) d ON d.venture_id = v.id"                                             \
    " WHERE v.type = 'SAAS' AND v.active AND ($2 = 0 OR v.id = $2)"

static const char SAAS_UPSERT[] =
    "INSERT INTO kpi_saas_daily (venture_id, day, mrr_cents, new_mrr_cents, expansion_mrr_cents,"
    " reactivation_mrr_cents, contraction_mrr_cents, churned_mrr_cents, active_customers,"
    " new_customers, reactivated_customers, churned_customers, nrr_base_mrr_cents,"
    " nrr_retained_mrr_cents, updated_at) SELECT x.venture_id, x.day, x.mrr, x.new_mrr,"
    " x.exp_mrr, x.react_mrr, x.contr_mrr, x.churn_mrr, x.active, x.new_c, x.react_c, x.churn_c,"
    " x.base, x.kept, $4 FROM (" SAAS_SOURCE ") x WHERE 1 = 1" /* WHERE: SQLite's upsert */
    " ON CONFLICT (venture_id, day) DO UPDATE SET mrr_cents = excluded.mrr_cents,"
    " new_mrr_cents = excluded.new_mrr_cents, expansion_mrr_cents = excluded.expansion_mrr_cents,"
    " reactivation_mrr_cents = excluded.reactivation_mrr_cents,"
    " contraction_mrr_cents = excluded.contraction_mrr_cents,"
    " churned_mrr_cents = excluded.churned_mrr_cents,"
    " active_customers = excluded.active_customers, new_customers = excluded.new_customers,"
    " reactivated_customers = excluded.reactivated_customers,"
    " churned_customers = excluded.churned_customers,"
    " nrr_base_mrr_cents = excluded.nrr_base_mrr_cents,"
    " nrr_retained_mrr_cents = excluded.nrr_retained_mrr_cents, updated_at = excluded.updated_at";

/* The SAAS ventures a rebuild of day $1 covers: active, of venture $2 unless it is 0. */
#define SAAS_VENTURES                                                                              \
    " venture_id IN (SELECT v.id FROM ventures v WHERE v.type = 'SAAS' AND v.active AND"           \
    " ($2 = 0 OR v.id = $2))"

static const char SAAS_STALE_MIN[] =
    "SELECT MIN(day) FROM saas_kpi_stale WHERE day <= $1 AND" SAAS_VENTURES;

static const char SAAS_STALE_CLEAR[] =
    "DELETE FROM saas_kpi_stale WHERE day <= $1 AND" SAAS_VENTURES;

static const char BPO_STALE[] =
    "DELETE FROM kpi_bpo_daily WHERE day = $1 AND ($2 = 0 OR venture_id = $2) AND $3 >= 0 AND"
    " NOT EXISTS (SELECT 1 FROM bpo_call_logs b WHERE b.campaign_id = kpi_bpo_daily.campaign_id"
    " AND b.started_day = $1)";
// clang-format on

static wh_err run(wh_conn *c, wh_arena *a, const char *sql, const char *day, int64_t venture_id,
                  int64_t now_ms, wh_error *e)
{
    return wh_db_query(c, a, sql, WH_ARGS(WH_PT(day), WH_PI(venture_id), WH_PI(now_ms)), NULL, e);
}

static int64_t count_of(wh_conn *c, wh_arena *a, const char *table, const char *day,
                        int64_t venture_id, wh_error *e)
{
    wh_rows *r = NULL;
    const char *sql = wh_arena_printf(
        a, "SELECT COUNT(*) FROM %s WHERE day = $1 AND ($2 = 0 OR venture_id = $2)", table);
    if (wh_db_query(c, a, sql, WH_ARGS(WH_PT(day), WH_PI(venture_id)), &r, e) != WH_OK)
        return -1;
    return wh_rows_int(r, 0, 0);
}

wh_err wh_kpi_aggregate(wh_conn *c, wh_arena *a, const char *day, int64_t venture_id,
                        int64_t now_ms, wh_kpi_counts *out, wh_error *e)
{
    static const char *const steps[] = {FREIGHT_ZERO, FREIGHT_UPSERT, HOTEL_UPSERT,
                                        HOTEL_STALE,  BPO_UPSERT,     BPO_STALE};
    wh_err rc = WH_OK;
    for (size_t i = 0; rc == WH_OK && i < sizeof steps / sizeof steps[0]; i++)
        rc = run(c, a, steps[i], day, venture_id, now_ms, e);
    if (rc != WH_OK)
        return rc;
    out->freight = count_of(c, a, "kpi_freight_daily", day, venture_id, e);
    out->hotels = count_of(c, a, "kpi_hotel_daily", day, venture_id, e);
    out->bpo = count_of(c, a, "kpi_bpo_daily", day, venture_id, e);
    if (out->freight < 0 || out->hotels < 0 || out->bpo < 0)
        return WH_ERR_DB;
    return wh_kpi_saas_rebuild(c, a, day, venture_id, now_ms, out, e);
}

/* The SaaS rows of one day. */
static wh_err saas_day(wh_conn *c, wh_arena *a, const char *day, int64_t venture_id, int64_t now_ms,
                       wh_error *e)
{
    char prior[16];
    if (!wh_kpi_year_before(day, prior, sizeof prior))
        return wh_fail(e, WH_ERR_INTERNAL, "bad KPI day %s", day);
    return wh_db_query(c, a, SAAS_UPSERT,
                       WH_ARGS(WH_PT(day), WH_PI(venture_id), WH_PT(prior), WH_PI(now_ms)), NULL,
                       e);
}

wh_err wh_kpi_saas_rebuild(wh_conn *c, wh_arena *a, const char *day, int64_t venture_id,
                           int64_t now_ms, wh_kpi_counts *out, wh_error *e)
{
    wh_rows *r = NULL;
    char d[16];
    wh_err rc = wh_db_query(c, a, SAAS_STALE_MIN, WH_ARGS(WH_PT(day), WH_PI(venture_id)), &r, e);
    if (rc != WH_OK)
        return rc;
    const char *from = wh_rows_null(r, 0, 0) ? day : wh_rows_text(r, 0, 0);
    snprintf(d, sizeof d, "%s", from);
    out->saas_days = 0;
    while (rc == WH_OK && strcmp(d, day) <= 0) {
        rc = saas_day(c, a, d, venture_id, now_ms, e);
        out->saas_days++;
        if (rc == WH_OK && !wh_clock_day_add(d, 1, d, sizeof d))
            rc = wh_fail(e, WH_ERR_INTERNAL, "day arithmetic failed");
    }
    if (rc == WH_OK)
        rc = wh_db_query(c, a, SAAS_STALE_CLEAR, WH_ARGS(WH_PT(day), WH_PI(venture_id)), NULL, e);
    if (rc != WH_OK)
        return rc;
    out->saas = count_of(c, a, "kpi_saas_daily", day, venture_id, e);
    return out->saas < 0 ? WH_ERR_DB : WH_OK;
}

/* ------------------------------------------------------------------ reads */

/* The range reads: the KPI rows of one kind in the caller's scope ($1 all ventures, $2 user)
 * and filter ($3 venture, 0: any; days $4..$5; $7 the hotel or campaign, 0: any), by (day, id),
 * at most $6. The manual freight columns win over the computed ones. */
// clang-format off
#define M(col) "COALESCE(k.manual_" col ", k." col ")"
static const char FREIGHT_LIST[] =
    "SELECT k.venture_id, k.day, " M("loads_inbound") ", " M("loads_quoted") ","
    " " M("loads_covered") ", " M("loads_lost") ", k.loads_delivered, " M("revenue_cents") ","
    " " M("cost_cents") ", k.active_shippers, k.active_carriers"
    " FROM kpi_freight_daily k"
    " WHERE " WH_SCOPE_SQL("k.venture_id", "$1", "$2") " AND ($3 = 0 OR k.venture_id = $3)"
    " AND k.day >= $4 AND k.day <= $5 ORDER BY k.day, k.id LIMIT $6";
#undef M

static const char HOTEL_LIST[] =
    "SELECT k.hotel_id, k.venture_id, k.day, k.rooms_sold, k.rooms_available,"
    " k.room_revenue_cents, k.other_revenue_cents, k.refund_cents, k.lost_dues_cents"
    " FROM kpi_hotel_daily k"
    " WHERE " WH_SCOPE_SQL("k.venture_id", "$1", "$2") " AND ($3 = 0 OR k.venture_id = $3)"
    " AND ($7 = 0 OR k.hotel_id = $7) AND k.day >= $4 AND k.day <= $5"
    " ORDER BY k.day, k.id LIMIT $6";

static const char BPO_LIST[] =
    "SELECT k.campaign_id, k.venture_id, k.day, k.dials, k.connects, k.deals,"
    " k.talk_seconds, k.revenue_cents"
    " FROM kpi_bpo_daily k"
    " WHERE " WH_SCOPE_SQL("k.venture_id", "$1", "$2") " AND ($3 = 0 OR k.venture_id = $3)"
    " AND ($7 = 0 OR k.campaign_id = $7) AND k.day >= $4 AND k.day <= $5"
    " ORDER BY k.day, k.id LIMIT $6";

static const char SAAS_LIST[] =
    "SELECT k.venture_id, k.day, k.mrr_cents, k.new_mrr_cents, k.expansion_mrr_cents,"
    " k.reactivation_mrr_cents, k.contraction_mrr_cents, k.churned_mrr_cents,"
    " k.active_customers, k.new_customers, k.reactivated_customers, k.churned_customers,"
    " k.nrr_base_mrr_cents, k.nrr_retained_mrr_cents"
    " FROM kpi_saas_daily k"
    " WHERE " WH_SCOPE_SQL("k.venture_id", "$1", "$2") " AND ($3 = 0 OR k.venture_id = $3)"
    " AND k.day >= $4 AND k.day <= $5 ORDER BY k.day, k.venture_id LIMIT $6";

/* Today's figures of venture $2 on day $1 computed live from the business tables (the same
 * sums as the aggregation, without manual columns), in the columns of the kind's range read. */
static const char FREIGHT_LIVE[] =
    "SELECT $2, $1, COALESCE(SUM(x.inb), 0), COALESCE(SUM(x.q), 0), COALESCE(SUM(x.cov), 0),"
    " COALESCE(SUM(x.lost), 0), COALESCE(SUM(x.del), 0), COALESCE(SUM(x.rev), 0),"
    " COALESCE(SUM(x.cost), 0), COUNT(DISTINCT x.shipper), COUNT(DISTINCT x.carrier)"
    " FROM (" FREIGHT_SOURCE ") x";

static const char HOTEL_LIVE[] =
    "SELECT 0, $2, $1, COALESCE(SUM(h.rooms_sold), 0), COALESCE(SUM(h.rooms_available), 0),"
    " COALESCE(SUM(h.room_revenue_cents), 0), COALESCE(SUM(h.other_revenue_cents), 0),"
    " COALESCE(SUM(h.refund_cents), 0), COALESCE(SUM(h.lost_dues_cents), 0)"
    " FROM hotel_daily h WHERE h.venture_id = $2 AND h.date = $1";

static const char BPO_LIVE[] =
    "SELECT 0, $2, $1, COALESCE(SUM(b.dial_count), 0),"
    " COALESCE(SUM(CASE WHEN b.connected THEN 1 ELSE 0 END), 0),"
    " COALESCE(SUM(CASE WHEN b.deal_won THEN 1 ELSE 0 END), 0),"
    " COALESCE(SUM(b.talk_seconds), 0), COALESCE(SUM(b.revenue_cents), 0)"
    " FROM bpo_call_logs b WHERE b.venture_id = $2 AND b.started_day = $1"
    " AND b.campaign_id IS NOT NULL";

/* $3: the day a year before $1 (NRR). */
static const char SAAS_LIVE[] = "SELECT x.venture_id, x.day, x.mrr, x.new_mrr, x.exp_mrr,"
    " x.react_mrr, x.contr_mrr, x.churn_mrr, x.active, x.new_c, x.react_c, x.churn_c, x.base,"
    " x.kept FROM (" SAAS_SOURCE ") x";
// clang-format on

static void freight_row(const wh_rows *r, size_t i, void *out)
{
    wh_kpi_freight *k = out;
    WH_ROWS_READ(r, i, WH_CELL(&k->venture_id), WH_CELL(&k->date), WH_CELL(&k->inbound),
                 WH_CELL(&k->quoted), WH_CELL(&k->covered), WH_CELL(&k->lost),
                 WH_CELL(&k->delivered), WH_CELL(&k->revenue), WH_CELL(&k->cost),
                 WH_CELL(&k->shippers), WH_CELL(&k->carriers));
    k->profit = k->revenue - k->cost;
}

static void hotel_row(const wh_rows *r, size_t i, void *out)
{
    wh_kpi_hotel *k = out;
    WH_ROWS_READ(r, i, WH_CELL(&k->hotel_id), WH_CELL(&k->venture_id), WH_CELL(&k->date),
                 WH_CELL(&k->rooms_sold), WH_CELL(&k->rooms_available), WH_CELL(&k->room_revenue),
                 WH_CELL(&k->other_revenue), WH_CELL(&k->refund), WH_CELL(&k->lost_dues));
}

static void bpo_row(const wh_rows *r, size_t i, void *out)
{
    wh_kpi_bpo *k = out;
    WH_ROWS_READ(r, i, WH_CELL(&k->campaign_id), WH_CELL(&k->venture_id), WH_CELL(&k->date),
                 WH_CELL(&k->dials), WH_CELL(&k->connects), WH_CELL(&k->deals),
                 WH_CELL(&k->talk_seconds), WH_CELL(&k->revenue));
}

static void saas_row(const wh_rows *r, size_t i, void *out)
{
    wh_kpi_saas *k = out;
    k->venture_id = wh_rows_int(r, i, 0);
    k->date = wh_rows_text(r, i, 1);
    k->mrr = wh_rows_int(r, i, 2);
    k->new_mrr = wh_rows_int(r, i, 3);
    k->expansion = wh_rows_int(r, i, 4);
    k->reactivation = wh_rows_int(r, i, 5);
    k->contraction = wh_rows_int(r, i, 6);
    k->churned = wh_rows_int(r, i, 7);
    k->active = wh_rows_int(r, i, 8);
    k->new_customers = wh_rows_int(r, i, 9);
    k->reactivated = wh_rows_int(r, i, 10);
    k->churned_customers = wh_rows_int(r, i, 11);
    k->nrr_base = wh_rows_int(r, i, 12);
    k->nrr_retained = wh_rows_int(r, i, 13);
}

/* Each kind's statements, the size of its row struct and how one row reads into it. */
static const struct {
    const char *list, *live;
    size_t size;
    void (*row)(const wh_rows *r, size_t i, void *out);
} kinds[] = {
    [WH_KPI_FREIGHT] = {FREIGHT_LIST, FREIGHT_LIVE, sizeof(wh_kpi_freight), freight_row},
    [WH_KPI_HOTEL] = {HOTEL_LIST, HOTEL_LIVE, sizeof(wh_kpi_hotel), hotel_row},
    [WH_KPI_BPO] = {BPO_LIST, BPO_LIVE, sizeof(wh_kpi_bpo), bpo_row},
    [WH_KPI_SAAS] = {SAAS_LIST, SAAS_LIVE, sizeof(wh_kpi_saas), saas_row},
};

/* The rows of rc's result r read into out as rows of kind (none for WH_KPI_NONE). */
static wh_err days_of(wh_err rc, wh_arena *a, wh_kpi_kind kind, const wh_rows *r, wh_kpi_days *out)
{
    out->kind = kind;
    out->n = rc == WH_OK && kind != WH_KPI_NONE ? wh_rows_count(r) : 0;
    out->rows = NULL;
    if (kind == WH_KPI_NONE)
        return rc;
    char *rows = wh_arena_alloc(a, kinds[kind].size * (out->n + 1));
    for (size_t i = 0; i < out->n; i++)
        kinds[kind].row(r, i, rows + i * kinds[kind].size);
    out->rows = rows;
    return rc;
}

wh_err wh_kpi_list(wh_conn *c, wh_arena *a, const wh_principal *p, wh_kpi_kind kind,
                   const wh_kpi_filter *f, wh_kpi_days *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_param args[] = {WH_PB(p->all_ventures),
                       WH_PI(p->id),
                       WH_PI(f->venture_id),
                       WH_PT(f->from),
                       WH_PT(f->to),
                       WH_PI(WH_KPI_READ_ROWS_MAX),
                       WH_PI(kind == WH_KPI_HOTEL ? f->hotel_id : f->campaign_id)};
    /* the freight and SaaS reads have no $7 */
    int n = kind == WH_KPI_FREIGHT || kind == WH_KPI_SAAS ? 6 : 7;
    wh_err rc = WH_OK;
    if (kind != WH_KPI_NONE)
        rc = wh_db_query(c, a, kinds[kind].list, args, n, &r, e);
    return days_of(rc, a, kind, r, out);
}

wh_err wh_kpi_live(wh_conn *c, wh_arena *a, wh_kpi_kind kind, int64_t venture_id, const char *day,
                   wh_kpi_days *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = WH_OK;
    char prior[16] = "";
    wh_param args[] = {WH_PT(day), WH_PI(venture_id), WH_PT(prior)};
    if (kind == WH_KPI_SAAS && !wh_kpi_year_before(day, prior, sizeof prior))
        return wh_fail(e, WH_ERR_INTERNAL, "bad KPI day %s", day);
    if (kind != WH_KPI_NONE) /* only the SaaS statement reads $3 */
        rc = wh_db_query(c, a, kinds[kind].live, args, kind == WH_KPI_SAAS ? 3 : 2, &r, e);
    return days_of(rc, a, kind, r, out);
}

/* ----------------------------------------------------------------- manual */

wh_err wh_kpi_manual_get(wh_conn *c, wh_arena *a, int64_t venture_id, const char *day,
                         wh_kpi_manual *out, bool *found, wh_error *e)
{
    wh_rows *r = NULL;
    memset(out, 0, sizeof *out);
    wh_err rc = wh_db_query(
        c, a,
        "SELECT manual_loads_inbound, manual_loads_quoted, manual_loads_covered,"
        " manual_loads_lost, manual_revenue_cents, manual_cost_cents FROM kpi_freight_daily"
        " WHERE venture_id = $1 AND day = $2",
        WH_ARGS(WH_PI(venture_id), WH_PT(day)), &r, e);
    if (rc != WH_OK)
        return rc;
    *found = wh_rows_count(r) > 0;
    for (size_t i = 0; *found && i < WH_KPI_MANUAL_COUNT; i++) {
        out->has[i] = !wh_rows_null(r, 0, i);
        out->v[i] = wh_rows_int(r, 0, i);
    }
    return WH_OK;
}

/* A manual value as a parameter: NULL when absent. */
static wh_param manual_param(const wh_kpi_manual *m, int i)
{
    if (m->has[i])
        return WH_PI(m->v[i]);
    return WH_PN;
}

wh_err wh_kpi_manual_put(wh_conn *c, wh_arena *a, int64_t venture_id, const char *day,
                         const wh_kpi_manual *m, int64_t now_ms, wh_error *e)
{
    return wh_db_query(
        c, a,
        "INSERT INTO kpi_freight_daily (venture_id, day, manual_loads_inbound,"
        " manual_loads_quoted, manual_loads_covered, manual_loads_lost, manual_revenue_cents,"
        " manual_cost_cents, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        " ON CONFLICT (venture_id, day) DO UPDATE SET"
        " manual_loads_inbound = excluded.manual_loads_inbound,"
        " manual_loads_quoted = excluded.manual_loads_quoted,"
        " manual_loads_covered = excluded.manual_loads_covered,"
        " manual_loads_lost = excluded.manual_loads_lost,"
        " manual_revenue_cents = excluded.manual_revenue_cents,"
        " manual_cost_cents = excluded.manual_cost_cents, updated_at = excluded.updated_at",
        WH_ARGS(WH_PI(venture_id), WH_PT(day), manual_param(m, 0), manual_param(m, 1),
                manual_param(m, 2), manual_param(m, 3), manual_param(m, 4), manual_param(m, 5),
                WH_PI(now_ms)),
        NULL, e);
}

/* --------------------------------------------------------------- overview */

// clang-format off
#define RANGE_SUM(expr, table)                                                                     \
    " (SELECT COALESCE(SUM(" expr "), 0) FROM " table " k WHERE k.venture_id = v.id"               \
    " AND k.day >= $3 AND k.day <= $4)"
static const char OVERVIEW[] =
    "SELECT v.id, v.name, v.code, v.type,"
    RANGE_SUM("COALESCE(k.manual_revenue_cents, k.revenue_cents)", "kpi_freight_daily") ","
    RANGE_SUM("COALESCE(k.manual_cost_cents, k.cost_cents)", "kpi_freight_daily") ","
    RANGE_SUM("k.room_revenue_cents + k.other_revenue_cents", "kpi_hotel_daily") ","
    RANGE_SUM("k.refund_cents + k.lost_dues_cents", "kpi_hotel_daily") ","
    RANGE_SUM("k.revenue_cents", "kpi_bpo_daily") ","
    RANGE_SUM("k.mrr_cents", "kpi_saas_daily")
    " FROM ventures v WHERE v.active AND " WH_SCOPE_SQL("v.id", "$1", "$2")
    " ORDER BY v.name, v.id LIMIT $5";
#undef RANGE_SUM
// clang-format on

wh_err wh_kpi_overview(wh_conn *c, wh_arena *a, const wh_principal *p, const char *from,
                       const char *to, wh_kpi_overview_row **out, size_t *n, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a, OVERVIEW,
                            WH_ARGS(WH_PB(p->all_ventures), WH_PI(p->id), WH_PT(from), WH_PT(to),
                                    WH_PI(WH_KPI_READ_ROWS_MAX)),
                            &r, e);
    *n = rc == WH_OK ? wh_rows_count(r) : 0;
    *out = wh_arena_alloc(a, sizeof **out * (*n + 1));
    for (size_t i = 0; i < *n; i++) {
        wh_kpi_overview_row *o = &(*out)[i];
        o->venture_id = wh_rows_int(r, i, 0);
        o->name = wh_rows_text(r, i, 1);
        o->code = wh_rows_text(r, i, 2);
        o->type = wh_rows_text(r, i, 3);
        o->freight_revenue = wh_rows_int(r, i, 4);
        o->freight_cost = wh_rows_int(r, i, 5);
        o->hotel_revenue = wh_rows_int(r, i, 6);
        o->hotel_cost = wh_rows_int(r, i, 7);
        o->bpo_revenue = wh_rows_int(r, i, 8);
        o->saas_mrr_sum = wh_rows_int(r, i, 9);
    }
    return rc;
}
