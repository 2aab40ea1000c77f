/* The report routes (API-wave2 "Reports"): HTTP only. Each reads venture_id (required), the
 * range and its one optional filter, checks them in the order of DOMAIN-wave2 §22 (input 400,
 * then scope 403, then the venture's type and the filter's venture 400), runs the report and
 * answers {venture_id, from, to, items, totals} through wh_resp_rows (CSV of the items when
 * asked for, WH_ROUTE_CSV). */
#include "reports/reports.h"
#include "http/http.h"
#include "kpi/kpi.h"
#include "ventures/ventures.h"

#include <string.h>

/* Each route's report: its pattern, the venture types it is about (NULL-terminated) and the
 * phrase of its 400. */
typedef struct {
    const char *pattern;
    wh_report_kind kind;
    const char *types[3];
    const char *must_be;
    const char *const *fields; /* the row shape's order: the CSV header, even of no rows */
} report_route;

// clang-format off
static const char *const shipper_fields[] = {"shipper_id", "shipper_code", "shipper_name", "loads",
    "revenue_cents", "cost_cents", "margin_cents", "margin_bp", NULL};
static const char *const lane_fields[] = {"origin_state", "destination_state", "loads",
    "revenue_cents", "cost_cents", "margin_cents", "margin_bp", "miles", "revenue_per_mile_cents",
    NULL};
static const char *const dispatcher_fields[] = {"dispatcher_id", "dispatcher_name", "loads",
    "revenue_cents", "cost_cents", "margin_cents", "margin_bp", NULL};
static const char *const lost_fields[] = {"lost_reason_code", "loads", "lost_revenue_cents", NULL};
static const char *const hotel_fields[] = {"hotel_id", "hotel_code", "hotel_name", "days",
    "rooms_sold", "rooms_available", "occupancy_bp", "adr_cents", "revpar_cents",
    "room_revenue_cents", "other_revenue_cents", "total_revenue_cents", "refund_cents",
    "lost_dues_cents", "losses_cents", "net_revenue_cents", "high_loss_days", NULL};
static const char *const agent_fields[] = {"agent_id", "user_id", "full_name", "calls", "dials",
    "connects", "appointments", "deals", "talk_seconds", "revenue_cents", "connect_rate_bp",
    "conversion_bp", NULL};

#define FREIGHT_TYPES {"LOGISTICS", "TRANSPORT", NULL}, "must be a LOGISTICS or TRANSPORT venture"

static const report_route reports[] = {
    {"/api/v1/reports/freight/shippers", WH_REPORT_SHIPPERS, FREIGHT_TYPES, shipper_fields},
    {"/api/v1/reports/freight/lanes", WH_REPORT_LANES, FREIGHT_TYPES, lane_fields},
    {"/api/v1/reports/freight/dispatchers", WH_REPORT_DISPATCHERS, FREIGHT_TYPES, dispatcher_fields},
    {"/api/v1/reports/freight/lost-reasons", WH_REPORT_LOST_REASONS, FREIGHT_TYPES, lost_fields},
    {"/api/v1/reports/hotels", WH_REPORT_HOTELS, {"HOSPITALITY", NULL, NULL},
     "must be a HOSPITALITY venture", hotel_fields},
    {"/api/v1/reports/bpo/agents", WH_REPORT_BPO_AGENTS, {"BPO", NULL, NULL},
     "must be a BPO venture", agent_fields},
};
// clang-format on

/* The query of a report: venture_id required, hotel_id / campaign_id only where the report
 * takes it (elsewhere ignored, like any unknown parameter), the range. */
static wh_err read_query(wh_req *r, const report_route *rr, wh_report_query *q, wh_error *e)
{
    bool present = false, ignored;
    memset(q, 0, sizeof *q);
    wh_err rc = wh_req_query_id(r, "venture_id", &q->venture_id, &present, e);
    if (rc == WH_OK && !present)
        rc = wh_error_field(e, "venture_id", "is required");
    if (rc == WH_OK && rr->kind == WH_REPORT_HOTELS)
        rc = wh_req_query_id(r, "hotel_id", &q->hotel_id, &ignored, e);
    if (rc == WH_OK && rr->kind == WH_REPORT_BPO_AGENTS)
        rc = wh_req_query_id(r, "campaign_id", &q->campaign_id, &ignored, e);
    if (rc == WH_OK)
        rc = wh_req_query_range(r, WH_KPI_RANGE_DAYS_MAX, WH_KPI_RANGE_DAYS_DEFAULT, &q->from,
                                &q->to, e);
    return rc;
}

/* The venture in scope (403) and of the report's type (400), and the filter of that venture
 * (400 on its field). */
static wh_err check_query(wh_req *r, wh_conn *c, const report_route *rr, const wh_report_query *q,
                          wh_error *e)
{
    wh_venture v;
    bool ok = false;
    wh_err rc = wh_req_scope_venture(r, q->venture_id, e);
    if (rc == WH_OK)
        rc = wh_venture_get(c, &r->arena, &r->user, q->venture_id, &v, e);
    if (rc != WH_OK)
        return rc;
    for (const char *const *t = rr->types; *t && !ok; t++)
        ok = strcmp(v.type, *t) == 0;
    if (!ok)
        return wh_error_field(e, "venture_id", "%s", rr->must_be);
    if (q->hotel_id)
        rc = wh_report_hotel_of(c, &r->arena, q->venture_id, q->hotel_id, &ok, e);
    else if (q->campaign_id)
        rc = wh_report_campaign_of(c, &r->arena, q->venture_id, q->campaign_id, &ok, e);
    if (rc == WH_OK && !ok)
        rc =
            wh_error_field(e, q->hotel_id ? "hotel_id" : "campaign_id",
                           "must be one of the venture's %s", q->hotel_id ? "hotels" : "campaigns");
    return rc;
}

/* GET of any report: the route's pattern names it. */
static wh_err report_get(wh_req *r, wh_error *e)
{
    const report_route *rr = NULL;
    for (size_t i = 0; i < sizeof reports / sizeof reports[0] && !rr; i++)
        if (strcmp(r->route->pattern, reports[i].pattern) == 0)
            rr = &reports[i];
    if (!rr)
        return wh_fail(e, WH_ERR_INTERNAL, "No report is served at this path.");
    wh_report_query q;
    wh_conn *c = NULL;
    json_t *items = NULL, *totals = NULL;
    wh_err rc = read_query(r, rr, &q, e);
    if (rc == WH_OK)
        rc = wh_req_db(r, &c, e);
    if (rc == WH_OK)
        rc = check_query(r, c, rr, &q, e);
    if (rc == WH_OK)
        rc = wh_report_run(c, &r->arena, rr->kind, &r->user, &q, &items, &totals, e);
    if (rc != WH_OK)
        return rc;
    json_t *body = json_pack("{s:I, s:s, s:s, s:o, s:o}", "venture_id", (json_int_t)q.venture_id,
                             "from", q.from, "to", q.to, "items", items, "totals", totals);
    return wh_resp_rows_with(r, body, "items", rr->fields, e);
}

// clang-format off
static const wh_route routes[] = {
    {"GET", "/api/v1/reports/freight/shippers", report_get, WH_PERM_REPORTS_READ, WH_RATE_READ,
     WH_ROUTE_CSV, NULL},
    {"GET", "/api/v1/reports/freight/lanes", report_get, WH_PERM_REPORTS_READ, WH_RATE_READ,
     WH_ROUTE_CSV, NULL},
    {"GET", "/api/v1/reports/freight/dispatchers", report_get, WH_PERM_REPORTS_READ,
     WH_RATE_READ, WH_ROUTE_CSV, NULL},
    {"GET", "/api/v1/reports/freight/lost-reasons", report_get, WH_PERM_REPORTS_READ, WH_RATE_READ,
     WH_ROUTE_CSV, NULL},
    {"GET", "/api/v1/reports/hotels", report_get, WH_PERM_REPORTS_READ, WH_RATE_READ,
     WH_ROUTE_CSV, NULL},
    {"GET", "/api/v1/reports/bpo/agents", report_get, WH_PERM_REPORTS_READ, WH_RATE_READ,
     WH_ROUTE_CSV, NULL},
};
// clang-format on

const wh_route *wh_reports_routes(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}
