/* KPIs (DOMAIN.md §8, API.md "KPIs"): the daily KPI rows of freight ventures, hotels and BPO
 * campaigns, their aggregation job, the KPI routes and the dashboard; also the incentive_daily
 * job, which drives the incentive engine's daily commit.
 *
 * Layers: kpi_store.c is SQL only (set-based INSERT ... SELECT ... GROUP BY upserts);
 * kpi_rules.c is pure (summaries and flags); kpi_routes.c is HTTP only; kpi_jobs.c holds the
 * jobs. Money is int64 cents, ratios basis points or absent (never floats). */
#ifndef WH_KPI_KPI_H
#define WH_KPI_KPI_H

#include "auth/auth.h"
#include "jobs/jobs.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Longest range of a KPI read, days. */
#define WH_KPI_RANGE_DAYS_MAX 366
/* Default range when from is absent: the 30 days ending on to (or today). */
#define WH_KPI_RANGE_DAYS_DEFAULT 30
/* Flags of a range summary (DOMAIN.md §8): coverage below 70%, margin below 10%. */
#define WH_KPI_LOW_COVERAGE_BP 7000
#define WH_KPI_LOW_MARGIN_BP   1000
/* Largest manual count and amount. */
#define WH_KPI_MANUAL_MAX 100000000000LL
/* Most KPI rows one range read returns (366 days of a few hundred hotels or campaigns). */
#define WH_KPI_READ_ROWS_MAX 100000

/* The freight figures of one (venture, day), manual columns already applied. */
typedef struct {
    int64_t venture_id;
    const char *date;
    int64_t inbound, quoted, covered, lost, delivered, revenue, cost, profit, shippers, carriers;
} wh_kpi_freight;

typedef struct {
    int64_t hotel_id, venture_id;
    const char *date;
    int64_t rooms_sold, rooms_available, room_revenue, other_revenue, refund, lost_dues;
} wh_kpi_hotel;

typedef struct {
    int64_t campaign_id, venture_id;
    const char *date;
    int64_t dials, connects, deals, talk_seconds, revenue;
} wh_kpi_bpo;

/* The SaaS figures of one (venture, day) (DOMAIN-wave2 §12); the ratios, ARR and net new MRR
 * are derived when rendered. */
typedef struct {
    int64_t venture_id;
    const char *date;
    int64_t mrr, new_mrr, expansion, reactivation, contraction, churned;
    int64_t active, new_customers, reactivated, churned_customers, nrr_base, nrr_retained;
} wh_kpi_saas;

/* The kinds of KPI rows; WH_KPI_NONE: a venture type without KPI rows (no rows, summary {}). */
typedef enum { WH_KPI_FREIGHT, WH_KPI_HOTEL, WH_KPI_BPO, WH_KPI_SAAS, WH_KPI_NONE } wh_kpi_kind;

/* KPI rows of one kind: rows is an array of n wh_kpi_freight, wh_kpi_hotel or wh_kpi_bpo. */
typedef struct {
    wh_kpi_kind kind;
    size_t n;
    const void *rows;
} wh_kpi_days;

/* A read's filter: ids 0 = any; from/to inclusive days. */
typedef struct {
    int64_t venture_id, hotel_id, campaign_id;
    const char *from, *to;
} wh_kpi_filter;

/* Manual freight columns: has_x false leaves NULL (the computed figure is used). */
enum {
    WH_KPI_MANUAL_INBOUND,
    WH_KPI_MANUAL_QUOTED,
    WH_KPI_MANUAL_COVERED,
    WH_KPI_MANUAL_LOST,
    WH_KPI_MANUAL_REVENUE,
    WH_KPI_MANUAL_COST,
    WH_KPI_MANUAL_COUNT
};
extern const char *const wh_kpi_manual_names[]; /* JSON field names, NULL-terminated */
typedef struct {
    bool has[WH_KPI_MANUAL_COUNT];
    int64_t v[WH_KPI_MANUAL_COUNT];
} wh_kpi_manual;

/* ---- rules (kpi_rules.c: pure) ---- */
/* num / den in basis points rounded half away from zero; *has false when den is 0. Exact for
 * every int64 num and den (no overflow); saturated at +-INT64_MAX bp when |num / den| passes
 * 9.2 * 10^14. */
int64_t wh_kpi_ratio_bp(int64_t num, int64_t den, bool *has);
/* The range summaries: sums, ratios (null without a denominator) and flags. New reference, or
 * NULL when a sum (or a hotel total) would pass the int64 range. */
json_t *wh_kpi_freight_summary(const wh_kpi_freight *f, size_t n);
json_t *wh_kpi_hotel_summary(const wh_kpi_hotel *h, size_t n);
json_t *wh_kpi_bpo_summary(const wh_kpi_bpo *b, size_t n);
/* The SaaS summary of rows ordered by (date, venture): flows and customer counts summed over
 * all rows, stocks over the rows of the latest date, starts over those of the earliest. */
json_t *wh_kpi_saas_summary(const wh_kpi_saas *s, size_t n);
/* The day one calendar year before day (29 February -> 28 February) into out (cap >= 11);
 * false when day is not a calendar day. */
bool wh_kpi_year_before(const char *day, char *out, size_t cap);
/* The rows of d as the "days" array of API.md, and their summary (as the typed summaries; {}
 * for WH_KPI_NONE). New references. */
json_t *wh_kpi_days_json(const wh_kpi_days *d);
json_t *wh_kpi_days_summary(const wh_kpi_days *d);
json_t *wh_kpi_manual_json(const wh_kpi_manual *m);

/* ---- aggregation (kpi_store.c) ---- */
typedef struct {
    int64_t freight, hotels, bpo, saas; /* KPI rows of the day after the rebuild */
    int64_t saas_days;                  /* days of SaaS rows rebuilt (stale days and the day) */
} wh_kpi_counts;

/* Rebuilds the KPI rows of day (venture_id 0: every venture) inside the caller's transaction:
 * freight per (venture, day) from the loads and their status history (load_status_changes),
 * hotels per (hotel, day) from hotel_daily, BPO per (campaign, day) from the call logs.
 * Set-based upserts; manual freight columns are never touched. */
WH_MUST_USE wh_err wh_kpi_aggregate(wh_conn *c, wh_arena *a, const char *day, int64_t venture_id,
                                    int64_t now_ms, wh_kpi_counts *out, wh_error *e);

/* Rebuilds the SaaS rows of every active SAAS venture (venture_id 0) or of the one given for
 * every day from the earliest stale mark (never later than day) through day, zero rows
 * included, then clears the stale marks <= day (DOMAIN-wave2 §12). In the caller's
 * transaction; wh_kpi_aggregate calls it. */
WH_MUST_USE wh_err wh_kpi_saas_rebuild(wh_conn *c, wh_arena *a, const char *day, int64_t venture_id,
                                       int64_t now_ms, wh_kpi_counts *out, wh_error *e);

/* KPI rows of kind in p's scope (in SQL) and f (hotel_id for hotels, campaign_id for BPO), by
 * (date, id) ascending, at most WH_KPI_READ_ROWS_MAX. */
WH_MUST_USE wh_err wh_kpi_list(wh_conn *c, wh_arena *a, const wh_principal *p, wh_kpi_kind kind,
                               const wh_kpi_filter *f, wh_kpi_days *out, wh_error *e);
/* One venture's revenue sources over a range (DOMAIN-wave2 §13), from its KPI rows only. */
typedef struct {
    int64_t venture_id;
    const char *name, *code, *type;
    int64_t freight_revenue, freight_cost, hotel_revenue, hotel_cost, bpo_revenue, saas_mrr_sum;
} wh_kpi_overview_row;

/* The active ventures in p's scope by (name, id) with the sums of their KPI rows dated from
 * through to. */
WH_MUST_USE wh_err wh_kpi_overview(wh_conn *c, wh_arena *a, const wh_principal *p, const char *from,
                                   const char *to, wh_kpi_overview_row **out, size_t *n,
                                   wh_error *e);
/* The revenue, cost and whether cost is tracked of row by its venture's type (§13); the SaaS
 * revenue is Σ mrr x 12 / 365 rounded half away from zero once. false when a figure passes the
 * int64 range. */
bool wh_kpi_overview_money(const wh_kpi_overview_row *row, int64_t *revenue, int64_t *cost,
                           bool *cost_tracked);

/* The manual columns of (venture, day); *found false when no row exists. */
WH_MUST_USE wh_err wh_kpi_manual_get(wh_conn *c, wh_arena *a, int64_t venture_id, const char *day,
                                     wh_kpi_manual *out, bool *found, wh_error *e);
/* Sets the manual columns of (venture, day), creating the row (computed columns 0) if needed. */
WH_MUST_USE wh_err wh_kpi_manual_put(wh_conn *c, wh_arena *a, int64_t venture_id, const char *day,
                                     const wh_kpi_manual *m, int64_t now_ms, wh_error *e);

/* Today's figures of one venture computed live from the business tables (the same sums as the
 * aggregation, without manual columns): one row of kind (none for WH_KPI_NONE). */
WH_MUST_USE wh_err wh_kpi_live(wh_conn *c, wh_arena *a, wh_kpi_kind kind, int64_t venture_id,
                               const char *day, wh_kpi_days *out, wh_error *e);

/* ---- jobs (kpi_jobs.c) ---- */
/* incentive_daily: wh_incentives_commit of every venture with an active plan on ctx->date, each
 * in its own fenced transaction. Stats {ventures, ventures_failed, users, total_cents}. */
wh_job_outcome wh_kpi_job_incentive_daily(wh_job_ctx *ctx, wh_error *e);
/* kpi_aggregation: wh_kpi_aggregate of ctx->date in one fenced transaction. Stats
 * {freight_rows, hotel_rows, bpo_rows, dry_run}; a dry run rolls the rebuild back. */
wh_job_outcome wh_kpi_job_aggregation(wh_job_ctx *ctx, wh_error *e);

struct wh_route;
/* GET /kpi/freight, /kpi/hotels, /kpi/bpo, /kpi/saas; PUT /kpi/freight/{venture_id}/{date};
 * GET /dashboard; GET /overview. */
const struct wh_route *wh_kpi_routes(size_t *n);

#endif
