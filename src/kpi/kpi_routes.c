/* The KPI routes (API.md "KPIs and dashboards"): HTTP only; SQL lives in kpi_store.c and the
 * arithmetic in kpi_rules.c. */
#include "kpi/kpi.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/json.h"
#include "holdings/holdings.h"
#include "http/http.h"
#include "ventures/ventures.h"

#include <string.h>

/* from/to (API-wave2 "Ranges"): to defaults to today, from to the 30 days ending on to; at most
 * 366 days. */
static wh_err read_range(wh_req *r, wh_kpi_filter *f, wh_error *e)
{
    return wh_req_query_range(r, WH_KPI_RANGE_DAYS_MAX, WH_KPI_RANGE_DAYS_DEFAULT, &f->from, &f->to,
                              e);
}

/* The filter of a KPI read with the scope check of its ids (403 outside scope). */
static wh_err read_filter(wh_req *r, wh_conn **c, wh_kpi_filter *f, wh_error *e)
{
    bool present = false;
    memset(f, 0, sizeof *f);
    wh_err rc = wh_req_query_id(r, "venture_id", &f->venture_id, &present, e);
    if (rc == WH_OK)
        rc = wh_req_query_id(r, "hotel_id", &f->hotel_id, &present, e);
    if (rc == WH_OK)
        rc = wh_req_query_id(r, "campaign_id", &f->campaign_id, &present, e);
    if (rc == WH_OK)
        rc = read_range(r, f, e);
    if (rc == WH_OK)
        rc = wh_req_db(r, c, e);
    if (rc == WH_OK && f->venture_id)
        rc = wh_scope_check_venture(*c, &r->arena, &r->user, f->venture_id, e);
    return rc;
}

/* A summary the rules could not make (NULL: a sum passes the int64 range) as an error. */
static wh_err summary_check(const json_t *summary, wh_error *e)
{
    if (summary)
        return WH_OK;
    return wh_fail(e, WH_ERR_INTERNAL, "A KPI sum over this range exceeds 64-bit integers.");
}

/* The fields of a day of each KPI read and of an overview venture, in the shapes' order: the
 * header of their CSV export, also when the range holds no rows (docs/export.md). */
static const char *const freight_fields[] = {"venture_id",      "date",
                                             "loads_inbound",   "loads_quoted",
                                             "loads_covered",   "loads_delivered",
                                             "loads_lost",      "revenue_cents",
                                             "cost_cents",      "profit_cents",
                                             "margin_bp",       "active_shippers",
                                             "active_carriers", NULL};
static const char *const hotel_fields[] = {"hotel_id",
                                           "venture_id",
                                           "date",
                                           "rooms_sold",
                                           "rooms_available",
                                           "room_revenue_cents",
                                           "other_revenue_cents",
                                           "refund_cents",
                                           "total_revenue_cents",
                                           "occupancy_bp",
                                           "adr_cents",
                                           NULL};
static const char *const bpo_fields[] = {
    "campaign_id", "venture_id",   "date",          "dials",           "connects",
    "deals",       "talk_seconds", "revenue_cents", "connect_rate_bp", "conversion_bp",
    NULL};
static const char *const saas_fields[] = {"venture_id",
                                          "date",
                                          "mrr_cents",
                                          "arr_cents",
                                          "new_mrr_cents",
                                          "expansion_mrr_cents",
                                          "reactivation_mrr_cents",
                                          "contraction_mrr_cents",
                                          "churned_mrr_cents",
                                          "net_new_mrr_cents",
                                          "active_customers",
                                          "new_customers",
                                          "reactivated_customers",
                                          "churned_customers",
                                          "logo_churn_bp",
                                          "nrr_base_mrr_cents",
                                          "nrr_retained_mrr_cents",
                                          "nrr_bp",
                                          NULL};
static const char *const overview_fields[] = {
    "venture_id",   "name",      "code",         "type",       "revenue_cents",     "cost_cents",
    "margin_cents", "margin_bp", "cost_tracked", "cash_cents", "asset_value_cents", NULL};
static const char *const *const day_fields[] = {[WH_KPI_FREIGHT] = freight_fields,
                                                [WH_KPI_HOTEL] = hotel_fields,
                                                [WH_KPI_BPO] = bpo_fields,
                                                [WH_KPI_SAAS] = saas_fields};

static wh_err answer(wh_req *r, wh_kpi_kind kind, json_t *days, json_t *summary, wh_error *e)
{
    wh_err rc = summary_check(summary, e);
    if (rc != WH_OK) {
        json_decref(days);
        return rc;
    }
    return wh_resp_rows_with(r, json_pack("{s:o, s:o}", "days", days, "summary", summary), "days",
                             day_fields[kind], e);
}

/* GET /kpi/freight, /kpi/hotels and /kpi/bpo: the days of one kind and their summary. */
static wh_err kpi_get(wh_req *r, wh_kpi_kind kind, wh_error *e)
{
    wh_conn *c = NULL;
    wh_kpi_filter f;
    wh_kpi_days d;
    wh_err rc = read_filter(r, &c, &f, e);
    if (rc == WH_OK)
        rc = wh_kpi_list(c, &r->arena, &r->user, kind, &f, &d, e);
    if (rc != WH_OK)
        return rc;
    return answer(r, kind, wh_kpi_days_json(&d), wh_kpi_days_summary(&d), e);
}

static wh_err freight_get(wh_req *r, wh_error *e)
{
    return kpi_get(r, WH_KPI_FREIGHT, e);
}

static wh_err hotels_get(wh_req *r, wh_error *e)
{
    return kpi_get(r, WH_KPI_HOTEL, e);
}

static wh_err bpo_get(wh_req *r, wh_error *e)
{
    return kpi_get(r, WH_KPI_BPO, e);
}

static wh_err saas_get(wh_req *r, wh_error *e)
{
    return kpi_get(r, WH_KPI_SAAS, e);
}

/* The body of PUT /kpi/freight: each manual column a non-negative integer or null (null or
 * absent: not entered, the computed figure is used). */
static wh_err read_manual(wh_req *r, wh_kpi_manual *m, wh_error *e)
{
    json_t *body = NULL;
    wh_jin j;
    memset(m, 0, sizeof *m);
    wh_err rc = wh_req_json(r, &body, e);
    if (rc != WH_OK)
        return rc;
    wh_jin_init(&j, body, e);
    wh_jin_allow(&j, wh_kpi_manual_names);
    for (int i = 0; i < WH_KPI_MANUAL_COUNT; i++) {
        const char *k = wh_kpi_manual_names[i];
        if (!wh_jin_has(&j, k) || wh_jin_is_null(&j, k))
            continue;
        m->has[i] = true;
        m->v[i] = wh_jin_int(&j, k, false, 0, WH_KPI_MANUAL_MAX, 0);
    }
    return wh_jin_done(&j);
}

/* The manual columns of (venture_id, day) as the answer and the audit's after. */
static json_t *manual_body(const wh_kpi_manual *m, int64_t venture_id, const char *day)
{
    json_t *o = wh_kpi_manual_json(m);
    json_object_set_new(o, "venture_id", json_integer((json_int_t)venture_id));
    json_object_set_new(o, "date", json_string(day));
    return o;
}

static wh_err freight_put(wh_req *r, wh_error *e)
{
    wh_conn *c = NULL;
    int64_t venture_id = 0;
    int y, mo, d;
    wh_venture v;
    wh_kpi_manual m = {0}, before = {0};
    bool found = false;
    const char *day = r->params[1];
    wh_err rc = wh_req_path_id(r, 0, &venture_id, e);
    if (rc == WH_OK && !wh_clock_parse_date(day, &y, &mo, &d))
        rc = wh_error_field(e, "date", "must be a calendar day YYYY-MM-DD");
    if (rc == WH_OK)
        rc = wh_req_begin(r, &c, e);
    if (rc == WH_OK)
        rc = wh_venture_get(c, &r->arena, &r->user, venture_id, &v, e);
    if (rc == WH_OK)
        rc = read_manual(r, &m, e);
    if (rc == WH_OK)
        rc = wh_kpi_manual_get(c, &r->arena, venture_id, day, &before, &found, e);
    if (rc == WH_OK)
        rc = wh_kpi_manual_put(c, &r->arena, venture_id, day, &m, r->now_ms, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(r, c, found ? 200 : 201,
                           &(wh_change){"kpi_freight.manual", "venture", venture_id, venture_id,
                                        found ? manual_body(&before, venture_id, day) : NULL,
                                        manual_body(&m, venture_id, day)},
                           e);
}

/* ---------------------------------------------------------------- dashboard */

static wh_kpi_kind kind_of(const char *type)
{
    if (strcmp(type, "LOGISTICS") == 0 || strcmp(type, "TRANSPORT") == 0)
        return WH_KPI_FREIGHT;
    if (strcmp(type, "HOSPITALITY") == 0)
        return WH_KPI_HOTEL;
    if (strcmp(type, "BPO") == 0)
        return WH_KPI_BPO;
    if (strcmp(type, "SAAS") == 0)
        return WH_KPI_SAAS;
    return WH_KPI_NONE;
}

/* The summary of d as *out; a sum past the int64 range is an error (summary_check). */
static wh_err summarise(const wh_kpi_days *d, json_t **out, wh_error *e)
{
    *out = wh_kpi_days_summary(d);
    return summary_check(*out, e);
}

/* The summary of the KPI rows of venture_id from the day `back` days before today to
 * yesterday. */
static wh_err period(wh_req *r, const wh_principal *p, wh_conn *c, wh_kpi_kind k,
                     int64_t venture_id, const char *today, int back, json_t **out, wh_error *e)
{
    char from[16], to[16];
    wh_kpi_filter f = {.venture_id = venture_id, .from = from, .to = to};
    wh_kpi_days d;
    *out = NULL;
    if (!wh_clock_day_add(today, -back, from, sizeof from) ||
        !wh_clock_day_add(today, -1, to, sizeof to))
        return wh_fail(e, WH_ERR_INTERNAL, "day arithmetic failed");
    wh_err rc = wh_kpi_list(c, &r->arena, p, k, &f, &d, e);
    return rc == WH_OK ? summarise(&d, out, e) : rc;
}

typedef struct {
    int64_t venture_id;
    const char *today;
    bool holdings; /* the caller holds holdings.read */
} dash_args;

/* The HOLDINGS figures as of today, today - 7 and today - 30 (DOMAIN-wave2 §13). */
static wh_err holdings_figures(wh_req *r, wh_conn *c, const dash_args *d, json_t **now, json_t **d7,
                               json_t **d30, wh_error *e)
{
    char day7[16], day30[16];
    if (!wh_clock_day_add(d->today, -7, day7, sizeof day7) ||
        !wh_clock_day_add(d->today, -30, day30, sizeof day30))
        return wh_fail(e, WH_ERR_INTERNAL, "day arithmetic failed");
    wh_err rc = wh_hold_figures_json(c, &r->arena, d->venture_id, d->today, now, e);
    if (rc == WH_OK)
        rc = wh_hold_figures_json(c, &r->arena, d->venture_id, day7, d7, e);
    if (rc == WH_OK)
        rc = wh_hold_figures_json(c, &r->arena, d->venture_id, day30, d30, e);
    return rc;
}

/* The dashboard body: the venture's live figures of today and its last 7 and 30 days. */
static wh_err dashboard_render(wh_req *r, void *p, json_t **out, wh_error *e)
{
    const dash_args *d = p;
    wh_conn *c = NULL;
    wh_venture v;
    json_t *now = NULL, *d7 = NULL, *d30 = NULL;
    wh_kpi_days live;
    /* the caller's scope was checked before the lookup; the body is computed for the venture
     * alone, so it is the same for every caller who may see it (a membership revoked while
     * rendering cannot leave an emptied body in the shared entry) */
    wh_principal venture_only = r->user;
    venture_only.all_ventures = true;
    wh_err rc = wh_req_db(r, &c, e);
    if (rc == WH_OK)
        rc = wh_venture_get(c, &r->arena, &venture_only, d->venture_id, &v, e);
    if (rc != WH_OK)
        return rc;
    wh_kpi_kind k = kind_of(v.type);
    /* a HOLDINGS venture's dashboard also needs holdings.read: the key tells callers with and
     * without it apart, so this refusal (never cached) is the only answer the latter get */
    if (strcmp(v.type, "HOLDINGS") == 0 && !d->holdings)
        return wh_fail(e, WH_ERR_FORBIDDEN, "The holdings dashboard needs holdings.read.");
    if (strcmp(v.type, "HOLDINGS") == 0) {
        rc = holdings_figures(r, c, d, &now, &d7, &d30, e);
    } else {
        rc = wh_kpi_live(c, &r->arena, k, d->venture_id, d->today, &live, e);
        if (rc == WH_OK) /* today's figures, computed live from the business tables */
            rc = summarise(&live, &now, e);
        if (rc == WH_OK)
            rc = period(r, &venture_only, c, k, d->venture_id, d->today, 7, &d7, e);
        if (rc == WH_OK)
            rc = period(r, &venture_only, c, k, d->venture_id, d->today, 30, &d30, e);
    }
    if (rc != WH_OK) {
        json_decref(now);
        json_decref(d7);
        return rc;
    }
    *out =
        json_pack("{s:I, s:s, s:s, s:o, s:o, s:o}", "venture_id", (json_int_t)d->venture_id, "type",
                  v.type, "date", d->today, "today", now, "last_7_days", d7, "last_30_days", d30);
    return WH_OK;
}

/* GET /dashboard, cached: the scope is checked on every request (from the process's scope
 * answers when they hold it); the body depends only on the venture (computed in SQL for that one
 * venture), its data version (added to the key by wh_resp_cached) and the business day. */
static wh_err dashboard(wh_req *r, wh_error *e)
{
    bool present = false;
    char today[16];
    dash_args d = {.today = today};
    wh_err rc = wh_req_query_id(r, "venture_id", &d.venture_id, &present, e);
    if (rc == WH_OK && !present)
        rc = wh_error_field(e, "venture_id", "is required");
    if (rc == WH_OK)
        rc = wh_req_scope_venture(r, d.venture_id, e);
    if (rc != WH_OK)
        return rc;
    wh_clock_day_of(r->now_ms, today, sizeof today);
    d.holdings = wh_rbac_allows(r->user.role, WH_PERM_HOLDINGS_READ);
    const char *id = wh_arena_i64(&r->arena, d.venture_id);
    const char *vary =
        wh_arena_cat(&r->arena, "venture_id=", id, "&day=", today, "|scope=venture:", id,
                     "|holdings=", d.holdings ? "1" : "0", (char *)NULL);
    return wh_resp_cached(r, d.venture_id, vary, dashboard_render, &d, e);
}

/* ---------------------------------------------------------------- overview */

/* The overview row of one venture (its money, cash and asset value as of to), added to the
 * totals t (revenue, cost, cash, assets). */
static wh_err overview_row(wh_req *r, wh_conn *c, const wh_kpi_overview_row *row, const char *to,
                           int64_t t[4], json_t **out, wh_error *e)
{
    int64_t revenue, cost;
    bool tracked, has;
    wh_hold_figures f;
    wh_err rc = wh_hold_figures_of(c, &r->arena, row->venture_id, to, &f, e);
    if (rc != WH_OK)
        return rc;
    if (!wh_kpi_overview_money(row, &revenue, &cost, &tracked))
        return wh_fail(e, WH_ERR_INTERNAL, "An overview sum exceeds 64-bit integers.");
    int64_t bp = wh_kpi_ratio_bp(revenue - cost, revenue, &has);
    t[0] += revenue;
    t[1] += cost;
    t[2] += f.cash_cents;
    t[3] += f.asset_value_cents;
    *out =
        json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:I, s:o, s:b, s:I, s:I}", "venture_id",
                  (json_int_t)row->venture_id, "name", row->name, "code", row->code, "type",
                  row->type, "revenue_cents", (json_int_t)revenue, "cost_cents", (json_int_t)cost,
                  "margin_cents", (json_int_t)(revenue - cost), "margin_bp",
                  has ? json_integer(bp) : json_null(), "cost_tracked", tracked, "cash_cents",
                  (json_int_t)f.cash_cents, "asset_value_cents", (json_int_t)f.asset_value_cents);
    return WH_OK;
}

/* GET /overview?from&to: every active venture in scope with its revenue, cost and margin from
 * its KPI rows in the range, its cash and asset value as of to, and the totals. */
static wh_err overview(wh_req *r, wh_error *e)
{
    wh_kpi_filter f = {0};
    wh_conn *c = NULL;
    wh_kpi_overview_row *rows = NULL;
    size_t n = 0;
    int64_t t[4] = {0};
    bool has;
    wh_err rc = read_range(r, &f, e);
    if (rc == WH_OK)
        rc = wh_req_db(r, &c, e);
    if (rc == WH_OK)
        rc = wh_kpi_overview(c, &r->arena, &r->user, f.from, f.to, &rows, &n, e);
    if (rc != WH_OK)
        return rc;
    json_t *ventures = wh_req_keep(r, json_array());
    for (size_t i = 0; i < n; i++) {
        json_t *one = NULL;
        rc = overview_row(r, c, &rows[i], f.to, t, &one, e);
        if (rc != WH_OK)
            return rc;
        json_array_append_new(ventures, one);
    }
    int64_t bp = wh_kpi_ratio_bp(t[0] - t[1], t[0], &has);
    json_t *totals =
        json_pack("{s:I, s:I, s:I, s:o, s:I, s:I}", "revenue_cents", (json_int_t)t[0], "cost_cents",
                  (json_int_t)t[1], "margin_cents", (json_int_t)(t[0] - t[1]), "margin_bp",
                  has ? json_integer(bp) : json_null(), "cash_cents", (json_int_t)t[2],
                  "asset_value_cents", (json_int_t)t[3]);
    return wh_resp_rows_with(r,
                             json_pack("{s:s, s:s, s:O, s:o}", "from", f.from, "to", f.to,
                                       "ventures", ventures, "totals", totals),
                             "ventures", overview_fields, e);
}

static const wh_route routes[] = {
    {"GET", "/api/v1/kpi/freight", freight_get, WH_PERM_KPI_READ, WH_RATE_READ, WH_ROUTE_CSV, NULL},
    {"GET", "/api/v1/kpi/hotels", hotels_get, WH_PERM_KPI_READ, WH_RATE_READ, WH_ROUTE_CSV, NULL},
    {"GET", "/api/v1/kpi/bpo", bpo_get, WH_PERM_KPI_READ, WH_RATE_READ, WH_ROUTE_CSV, NULL},
    {"GET", "/api/v1/kpi/saas", saas_get, WH_PERM_KPI_READ, WH_RATE_READ, WH_ROUTE_CSV, NULL},
    {"PUT", "/api/v1/kpi/freight/{venture_id}/{date}", freight_put, WH_PERM_KPI_WRITE,
     WH_RATE_WRITE, 0, NULL},
    {"GET", "/api/v1/dashboard", dashboard, WH_PERM_KPI_READ, WH_RATE_READ, WH_ROUTE_CACHED, NULL},
    {"GET", "/api/v1/overview", overview, WH_PERM_OVERVIEW_READ, WH_RATE_READ, WH_ROUTE_CSV, NULL},
};

const wh_route *wh_kpi_routes(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}
