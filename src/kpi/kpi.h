/* KPIs (DOMAIN.md §8, API.md "KPIs"): the daily KPI rows of freight ventures, hotels and BPO
 * campaigns, their aggregation job, the KPI routes and the dashboard; also the incentive_daily
 * job, which drives the incentive engine's daily commit.
 *
 * Layers: kpi_store.c is SQL only (set-based INSERT ... SELECT ... GROUP BY upserts);
 * kpi_rules.c is pure (summaries and flags); kpi_routes.c is HTTP only; kpi_jobs.c holds the
 * jobs. Money is int64 cents, ratios basis points or absent (never floats). */
#ifndef WH_KPI_KPI_H
#define WH_KPI_KPI_H

#include "jobs/jobs.h"

/* ---- jobs (kpi_jobs.c) ---- */
/* incentive_daily: wh_incentives_commit of every venture with an active plan on ctx->date, each
 * in its own fenced transaction. Stats {ventures, ventures_failed, users, total_cents}. */
wh_job_outcome wh_job_incentive_daily(wh_job_ctx *ctx, wh_error *e);

#endif
