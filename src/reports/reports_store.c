/* The reports' SQL and rows (DOMAIN-wave2 §17). Each report is one set-based statement: the
 * venture's rows of the range are read as an index range (docs/reports.md names the index of
 * each), grouped and summed in SQL, in the caller's scope (WH_SQLB_SCOPE); only the optional
 * filter a request uses is in the text. Ratios and per-unit figures are derived here from the
 * sums, rows and totals alike, by the shared rounding rules (wh_kpi_ratio_bp,
 * wh_hotel_div_round). Invariant: a row's statement columns are its identity columns, then its
 * summed figures, in the order of the kind's descriptor below. */
#include "reports/reports.h"
#include "hotels/hotels.h"
#include "kpi/kpi.h"

#include <assert.h>
#include <string.h>

#define STR(x)  #x
#define XSTR(x) STR(x)

/* ------------------------------------------------------------------ statements */

/* The freight P&L: DELIVERED loads billed in the range (the loads of the revenue KPI), grouped
 * in the subquery; head opens it, tail groups, joins the names and orders. */
static void freight_sql(const wh_principal *p, const wh_report_query *q, wh_sqlb *b,
                        const char *head, const char *tail)
{
    wh_sqlb_init(b, head);
    wh_sqlb_and(b, "venture_id = ?", WH_PI(q->venture_id));
    wh_sqlb_and(b, "status = 'DELIVERED'");
    wh_sqlb_and(b, "billing_date >= ?", WH_PT(q->from));
    wh_sqlb_and(b, "billing_date <= ?", WH_PT(q->to));
    WH_SQLB_SCOPE(b, p, "loads.venture_id");
    wh_sqlb_text(b, tail);
}

// clang-format off
#define PL_SUMS                                                                                    \
    "COUNT(*) AS n, SUM(COALESCE(bill_cents, 0)) AS revenue, SUM(COALESCE(cost_cents, 0)) AS cost"

static void lost_sql(const wh_principal *p, const wh_report_query *q, wh_sqlb *b)
{
    wh_sqlb_init(b,
        "SELECT COALESCE(l.lost_reason_code, 'OTHER') AS code, COUNT(*) AS n,"
        " SUM(COALESCE(l.bill_cents, 0)) AS lost"
        " FROM load_status_changes c JOIN loads l ON l.id = c.load_id");
    wh_sqlb_and(b, "c.venture_id = ?", WH_PI(q->venture_id));
    wh_sqlb_and(b, "c.to_status = 'LOST'");
    wh_sqlb_and(b, "c.day >= ?", WH_PT(q->from));
    wh_sqlb_and(b, "c.day <= ?", WH_PT(q->to));
    WH_SQLB_SCOPE(b, p, "c.venture_id");
    wh_sqlb_text(b, " GROUP BY COALESCE(l.lost_reason_code, 'OTHER') ORDER BY n DESC, code");
}

/* High loss of an entry (DOMAIN.md §4, wh_hotel_daily_derive): lost dues > 0 and at least
 * WH_HOTELS_HIGH_LOSS_CENTS or at least WH_HOTELS_HIGH_LOSS_BP of the room revenue. */
#define HIGH_LOSS                                                                                  \
    "lost_dues_cents > 0 AND (lost_dues_cents >= " XSTR(WH_HOTELS_HIGH_LOSS_CENTS)                 \
    " OR lost_dues_cents * 10000 >= room_revenue_cents * " XSTR(WH_HOTELS_HIGH_LOSS_BP) ")"

static void hotels_sql(const wh_principal *p, const wh_report_query *q, wh_sqlb *b)
{
    wh_sqlb_init(b,
        "SELECT h.id, h.code, h.name, COALESCE(g.days, 0), COALESCE(g.sold, 0),"
        " COALESCE(g.avail, 0), COALESCE(g.room, 0), COALESCE(g.other, 0),"
        " COALESCE(g.refund, 0), COALESCE(g.lost, 0), COALESCE(g.high, 0)"
        " FROM hotels h LEFT JOIN (SELECT hotel_id, COUNT(*) AS days, SUM(rooms_sold) AS sold,"
        " SUM(rooms_available) AS avail, SUM(room_revenue_cents) AS room,"
        " SUM(other_revenue_cents) AS other, SUM(refund_cents) AS refund,"
        " SUM(lost_dues_cents) AS lost, SUM(CASE WHEN " HIGH_LOSS " THEN 1 ELSE 0 END) AS high"
        " FROM hotel_daily");
    if (q->hotel_id)
        wh_sqlb_and(b, "hotel_id = ?", WH_PI(q->hotel_id));
    else
        wh_sqlb_and(b, "venture_id = ?", WH_PI(q->venture_id));
    wh_sqlb_and(b, "date >= ?", WH_PT(q->from));
    wh_sqlb_and(b, "date <= ?", WH_PT(q->to));
    wh_sqlb_text(b, " GROUP BY hotel_id) g ON g.hotel_id = h.id");
    wh_sqlb_and(b, "h.venture_id = ?", WH_PI(q->venture_id));
    WH_SQLB_SCOPE(b, p, "h.venture_id");
    if (q->hotel_id)
        wh_sqlb_and(b, "h.id = ?", WH_PI(q->hotel_id));
    else
        wh_sqlb_and(b, "h.status = 'ACTIVE' OR g.hotel_id IS NOT NULL");
    wh_sqlb_text(b, " ORDER BY COALESCE(g.room, 0) + COALESCE(g.other, 0) DESC, h.id");
}

static void agents_sql(const wh_principal *p, const wh_report_query *q, wh_sqlb *b)
{
    wh_sqlb_init(b,
        "SELECT a.id, a.user_id, u.full_name, COALESCE(g.calls, 0), COALESCE(g.dials, 0),"
        " COALESCE(g.connects, 0), COALESCE(g.appts, 0), COALESCE(g.deals, 0),"
        " COALESCE(g.talk, 0), COALESCE(g.revenue, 0)"
        " FROM bpo_agents a JOIN users u ON u.id = a.user_id"
        " LEFT JOIN (SELECT agent_id, COUNT(*) AS calls, SUM(dial_count) AS dials,"
        " SUM(CASE WHEN connected THEN 1 ELSE 0 END) AS connects,"
        " SUM(CASE WHEN appointment_set THEN 1 ELSE 0 END) AS appts,"
        " SUM(CASE WHEN deal_won THEN 1 ELSE 0 END) AS deals,"
        " SUM(talk_seconds) AS talk, SUM(revenue_cents) AS revenue FROM bpo_call_logs");
    if (q->campaign_id)
        wh_sqlb_and(b, "campaign_id = ?", WH_PI(q->campaign_id));
    else
        wh_sqlb_and(b, "venture_id = ?", WH_PI(q->venture_id));
    wh_sqlb_and(b, "started_day >= ?", WH_PT(q->from));
    wh_sqlb_and(b, "started_day <= ?", WH_PT(q->to));
    wh_sqlb_text(b, " GROUP BY agent_id) g ON g.agent_id = a.id");
    wh_sqlb_and(b, "a.venture_id = ?", WH_PI(q->venture_id));
    WH_SQLB_SCOPE(b, p, "a.venture_id");
    if (q->campaign_id)
        wh_sqlb_and(b, "g.agent_id IS NOT NULL OR (a.active AND a.campaign_id = ?)",
                    WH_PI(q->campaign_id));
    else
        wh_sqlb_and(b, "g.agent_id IS NOT NULL OR a.active");
    wh_sqlb_text(b, " ORDER BY COALESCE(g.deals, 0) DESC, COALESCE(g.revenue, 0) DESC, a.id");
}

void wh_report_sql(wh_report_kind k, const wh_principal *p, const wh_report_query *q, wh_sqlb *b)
{
    switch (k) {
    case WH_REPORT_SHIPPERS:
        freight_sql(p, q, b,
            "SELECT g.shipper_id, s.code, s.name, g.n, g.revenue, g.cost"
            " FROM (SELECT shipper_id, " PL_SUMS " FROM loads",
            " GROUP BY shipper_id) g LEFT JOIN shippers s ON s.id = g.shipper_id"
            " ORDER BY g.revenue DESC, g.shipper_id IS NULL, g.shipper_id");
        return;
    case WH_REPORT_LANES:
        freight_sql(p, q, b,
            "SELECT g.pickup_state, g.drop_state, g.n, g.revenue, g.cost, g.miles"
            " FROM (SELECT pickup_state, drop_state, " PL_SUMS ","
            " SUM(COALESCE(miles, 0)) AS miles FROM loads",
            " GROUP BY pickup_state, drop_state) g"
            " ORDER BY g.revenue DESC, g.pickup_state, g.drop_state");
        return;
    case WH_REPORT_DISPATCHERS:
        freight_sql(p, q, b,
            "SELECT g.dispatcher_id, u.full_name, g.n, g.revenue, g.cost"
            " FROM (SELECT dispatcher_id, " PL_SUMS " FROM loads",
            " GROUP BY dispatcher_id) g LEFT JOIN users u ON u.id = g.dispatcher_id"
            " ORDER BY g.revenue DESC, g.dispatcher_id IS NULL, g.dispatcher_id");
        return;
    case WH_REPORT_LOST_REASONS:
        lost_sql(p, q, b);
        return;
    case WH_REPORT_HOTELS:
        hotels_sql(p, q, b);
        return;
    case WH_REPORT_BPO_AGENTS:
    case WH_REPORT_COUNT:
        agents_sql(p, q, b);
        return;
    }
}
// clang-format on

/* ------------------------------------------------------------------ rows */

#define FIGS_MAX 8

/* A ratio in basis points, or null without a denominator (new reference). */
static json_t *bp(int64_t num, int64_t den)
{
    bool has;
    int64_t v = wh_kpi_ratio_bp(num, den, &has);
    return has ? json_integer(v) : json_null();
}

/* A per-unit figure in whole cents, or null without a denominator (new reference). */
static json_t *per(int64_t num, int64_t den)
{
    return den ? json_integer(wh_hotel_div_round(num, den)) : json_null();
}

static void put(json_t *o, const char *k, int64_t v)
{
    json_object_set_new(o, k, json_integer(v));
}

/* The figure fields of a row or of the totals from its sums f; false when a derived sum passes
 * the int64 range. */
typedef bool (*figures_fn)(json_t *o, const int64_t *f);

/* loads, revenue, cost [, miles] */
static bool pl_figures(json_t *o, const int64_t *f, bool lanes)
{
    put(o, "loads", f[0]);
    put(o, "revenue_cents", f[1]);
    put(o, "cost_cents", f[2]);
    put(o, "margin_cents", f[1] - f[2]); /* both in [0, INT64_MAX] */
    json_object_set_new(o, "margin_bp", bp(f[1] - f[2], f[1]));
    if (lanes) {
        put(o, "miles", f[3]);
        json_object_set_new(o, "revenue_per_mile_cents", per(f[1], f[3]));
    }
    return true;
}

static bool freight_figures(json_t *o, const int64_t *f)
{
    return pl_figures(o, f, false);
}

static bool lane_figures(json_t *o, const int64_t *f)
{
    return pl_figures(o, f, true);
}

static bool lost_figures(json_t *o, const int64_t *f)
{
    put(o, "loads", f[0]);
    put(o, "lost_revenue_cents", f[1]);
    return true;
}

/* days, sold, available, room, other, refund, lost dues, high-loss days */
static bool hotel_figures(json_t *o, const int64_t *f)
{
    int64_t total, losses, net;
    if (__builtin_add_overflow(f[3], f[4], &total) || __builtin_add_overflow(f[5], f[6], &losses) ||
        __builtin_sub_overflow(total, losses, &net))
        return false;
    put(o, "days", f[0]);
    put(o, "rooms_sold", f[1]);
    put(o, "rooms_available", f[2]);
    json_object_set_new(o, "occupancy_bp", bp(f[1], f[2]));
    json_object_set_new(o, "adr_cents", per(f[3], f[1]));
    json_object_set_new(o, "revpar_cents", per(f[3], f[2]));
    put(o, "room_revenue_cents", f[3]);
    put(o, "other_revenue_cents", f[4]);
    put(o, "total_revenue_cents", total);
    put(o, "refund_cents", f[5]);
    put(o, "lost_dues_cents", f[6]);
    put(o, "losses_cents", losses);
    put(o, "net_revenue_cents", net);
    put(o, "high_loss_days", f[7]);
    return true;
}

/* calls, dials, connects, appointments, deals, talk seconds, revenue */
static bool agent_figures(json_t *o, const int64_t *f)
{
    static const char *const names[] = {"calls", "dials",        "connects",     "appointments",
                                        "deals", "talk_seconds", "revenue_cents"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        put(o, names[i], f[i]);
    json_object_set_new(o, "connect_rate_bp", bp(f[2], f[1]));
    json_object_set_new(o, "conversion_bp", bp(f[4], f[2]));
    return true;
}

/* A report's row: its identity columns (types 'i' id or 't' text, either may be null), then
 * nfigs summed figures. */
typedef struct {
    const char *types;
    const char *names[3];
    int nfigs;
    figures_fn figures;
} report_shape;

static const report_shape shapes[WH_REPORT_COUNT] = {
    [WH_REPORT_SHIPPERS] = {"itt",
                            {"shipper_id", "shipper_code", "shipper_name"},
                            3,
                            freight_figures},
    [WH_REPORT_LANES] = {"tt", {"origin_state", "destination_state"}, 4, lane_figures},
    [WH_REPORT_DISPATCHERS] = {"it", {"dispatcher_id", "dispatcher_name"}, 3, freight_figures},
    [WH_REPORT_LOST_REASONS] = {"t", {"lost_reason_code"}, 2, lost_figures},
    [WH_REPORT_HOTELS] = {"itt", {"hotel_id", "hotel_code", "hotel_name"}, 8, hotel_figures},
    [WH_REPORT_BPO_AGENTS] = {"iit", {"agent_id", "user_id", "full_name"}, 7, agent_figures},
};

static wh_err too_large(wh_error *e)
{
    return wh_fail(e, WH_ERR_INTERNAL, "A report sum exceeds 64-bit integers.");
}

/* Row i of rows as an item into items, its figures added to totals. */
static wh_err render_row(const report_shape *s, const wh_rows *rows, size_t i, json_t *items,
                         int64_t *totals, wh_error *e)
{
    size_t nid = strlen(s->types);
    int64_t f[FIGS_MAX];
    json_t *o = json_object();
    for (size_t c = 0; c < nid; c++) {
        json_t *v = wh_rows_null(rows, i, c) ? json_null()
                    : s->types[c] == 'i'     ? json_integer(wh_rows_int(rows, i, c))
                                             : json_string(wh_rows_text(rows, i, c));
        json_object_set_new(o, s->names[c], v ? v : json_null());
    }
    for (int k = 0; k < s->nfigs; k++) {
        f[k] = wh_rows_int(rows, i, nid + (size_t)k);
        if (__builtin_add_overflow(totals[k], f[k], &totals[k])) {
            json_decref(o);
            return too_large(e);
        }
    }
    if (!s->figures(o, f)) {
        json_decref(o);
        return too_large(e);
    }
    json_array_append_new(items, o);
    return WH_OK;
}

wh_err wh_report_run(wh_conn *c, wh_arena *a, wh_report_kind k, const wh_principal *p,
                     const wh_report_query *q, json_t **items, json_t **totals, wh_error *e)
{
    assert(k < WH_REPORT_COUNT);
    const report_shape *s = &shapes[k];
    int64_t sums[FIGS_MAX] = {0};
    wh_rows *rows = NULL;
    wh_sqlb b;
    wh_report_sql(k, p, q, &b);
    wh_err rc = wh_sqlb_query(c, a, &b, &rows, e);
    if (rc != WH_OK)
        return rc;
    json_t *list = json_array(), *t = json_object();
    for (size_t i = 0; i < wh_rows_count(rows) && rc == WH_OK; i++)
        rc = render_row(s, rows, i, list, sums, e);
    if (rc == WH_OK && !s->figures(t, sums))
        rc = too_large(e);
    if (rc != WH_OK) {
        json_decref(list);
        json_decref(t);
        return rc;
    }
    *items = list;
    *totals = t;
    return WH_OK;
}

/* Is there a row of table with this id in venture_id? */
static wh_err of_venture(wh_conn *c, wh_arena *a, const char *sql, int64_t venture_id, int64_t id,
                         bool *found, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a, sql, WH_ARGS(WH_PI(id), WH_PI(venture_id)), &r, e);
    *found = rc == WH_OK && wh_rows_count(r) == 1;
    return rc;
}

wh_err wh_report_hotel_of(wh_conn *c, wh_arena *a, int64_t venture_id, int64_t id, bool *found,
                          wh_error *e)
{
    return of_venture(c, a, "SELECT 1 FROM hotels WHERE id = $1 AND venture_id = $2", venture_id,
                      id, found, e);
}

wh_err wh_report_campaign_of(wh_conn *c, wh_arena *a, int64_t venture_id, int64_t id, bool *found,
                             wh_error *e)
{
    return of_venture(c, a, "SELECT 1 FROM bpo_campaigns WHERE id = $1 AND venture_id = $2",
                      venture_id, id, found, e);
}
