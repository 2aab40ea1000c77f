/* Reports (API-wave2 "Reports", DOMAIN-wave2 §17, docs/reports.md): freight P&L by shipper, by
 * lane and by dispatcher, lost loads by reason, hotel P&L by property and BPO agent performance,
 * for one venture and a range of days, computed at request time from the business tables.
 *
 * Layers: reports_store.c builds each report's one set-based statement (an index range of the
 * venture's rows in the range, grouped in SQL, the caller's scope in SQL) and renders its rows
 * and totals; reports_routes.c is HTTP only. Money is int64 cents; ratios are basis points and
 * per-unit figures cents, rounded half away from zero in C (kpi's and hotels' rules), null
 * without a denominator. */
#ifndef WH_REPORTS_REPORTS_H
#define WH_REPORTS_REPORTS_H

#include "auth/auth.h"
#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"

#include <jansson.h>
#include <stdint.h>

/* The reports, in route order. */
typedef enum {
    WH_REPORT_SHIPPERS,
    WH_REPORT_LANES,
    WH_REPORT_DISPATCHERS,
    WH_REPORT_LOST_REASONS,
    WH_REPORT_HOTELS,
    WH_REPORT_BPO_AGENTS,
    WH_REPORT_COUNT
} wh_report_kind;

/* One report request: the venture, the range [from, to] of inclusive days, and the optional
 * hotel_id (hotels) or campaign_id (BPO agents), 0 when absent. The strings are borrowed. */
typedef struct {
    int64_t venture_id, hotel_id, campaign_id;
    const char *from, *to;
} wh_report_query;

/* The statement of report k for q in p's scope, written into b (the plan tests read the same
 * text): only the filters q uses, so every report is an index range of the venture's rows. */
void wh_report_sql(wh_report_kind k, const wh_principal *p, const wh_report_query *q, wh_sqlb *b);

/* Runs report k and renders its rows as *items and their totals as *totals (new references,
 * owned by the caller on WH_OK). A sum past the int64 range is 500. */
WH_MUST_USE wh_err wh_report_run(wh_conn *c, wh_arena *a, wh_report_kind k, const wh_principal *p,
                                 const wh_report_query *q, json_t **items, json_t **totals,
                                 wh_error *e);

/* Is id a hotel (or campaign) of venture_id? For the 400 of a hotel_id or campaign_id of
 * another venture. */
WH_MUST_USE wh_err wh_report_hotel_of(wh_conn *c, wh_arena *a, int64_t venture_id, int64_t id,
                                      bool *found, wh_error *e);
WH_MUST_USE wh_err wh_report_campaign_of(wh_conn *c, wh_arena *a, int64_t venture_id, int64_t id,
                                         bool *found, wh_error *e);

struct wh_route;
/* GET /reports/freight/shippers, /lanes, /dispatchers, /lost-reasons, /reports/hotels,
 * /reports/bpo/agents. */
const struct wh_route *wh_reports_routes(size_t *n);

#endif
