/* The daily jobs of DOMAIN.md §9 that this module owns: incentive_daily (07:00, yesterday)
 * commits every venture's incentive slice; kpi_aggregation (07:30, yesterday) rebuilds the KPI
 * daily rows. Each final write runs in a transaction that begins with wh_jobs_fence_check, so a
 * run whose lease was taken over writes nothing. */
#include "kpi/kpi.h"
#include "incentives/incentives.h"
#include "core/log.h"

#include <stdio.h>
#include <string.h>

/* One venture's slice: fence check, commit, in one transaction. */
static wh_err incentive_one(wh_job_ctx *ctx, int64_t venture_id, const char *request_id,
                            wh_inc_commit_result *res, wh_error *e)
{
    wh_err rc = wh_db_begin(ctx->conn, e);
    if (rc == WH_OK)
        rc = wh_jobs_fence_check(ctx->conn, ctx->arena, ctx->job, ctx->fencing_token, e);
    if (rc == WH_OK)
        rc = wh_incentives_commit_in_tx(ctx->conn, ctx->arena, venture_id, ctx->date, 0, request_id,
                                        ctx->now_ms, res, e);
    if (rc == WH_OK)
        rc = wh_db_commit(ctx->conn, e);
    if (rc != WH_OK)
        wh_db_rollback(ctx->conn);
    return rc;
}

/* A dry run: the preview of the slice, nothing written. */
static wh_err incentive_dry(wh_job_ctx *ctx, int64_t venture_id, wh_inc_commit_result *res,
                            wh_error *e)
{
    wh_inc_item *items = NULL;
    size_t n = 0;
    memset(res, 0, sizeof *res);
    wh_err rc = wh_incentives_preview(ctx->conn, ctx->arena, venture_id, ctx->date, &items, &n, e);
    for (size_t i = 0; rc == WH_OK && i < n; i++)
        res->total_cents += items[i].amount_cents;
    res->users = (int64_t)n;
    return rc;
}

wh_job_outcome wh_kpi_job_incentive_daily(wh_job_ctx *ctx, wh_error *e)
{
    int64_t *ids = NULL;
    size_t n = 0, failed = 0, skipped = 0;
    int64_t users = 0, total = 0;
    char first[WH_JOBS_ERROR_CHARS / 2] = "";
    const char *request_id = wh_arena_printf(ctx->arena, "job-run-%lld", (long long)ctx->run_id);
    if (wh_incentives_plan_ventures(ctx->conn, ctx->arena, ctx->date, ctx->venture_id, &ids, &n,
                                    e) != WH_OK)
        return WH_JOB_FAILED;
    for (size_t i = 0; i < n && !wh_jobs_stopping(ctx->jobs); i++) {
        wh_inc_commit_result res = {0};
        wh_error one = {0};
        wh_err rc = ctx->dry_run ? incentive_dry(ctx, ids[i], &res, &one)
                                 : incentive_one(ctx, ids[i], request_id, &res, &one);
        if (rc != WH_OK && res.period_locked) { /* a frozen day: not a failure */
            skipped++;
            wh_log(WH_LOG_WARN, "incentive_daily: venture %lld skipped: %s", (long long)ids[i],
                   one.detail);
            continue;
        }
        if (rc != WH_OK) {
            if (failed++ == 0)
                snprintf(first, sizeof first, "venture %lld: %s", (long long)ids[i], one.detail);
            continue;
        }
        users += res.users;
        total += res.total_cents;
    }
    json_object_set_new(ctx->stats, "ventures", json_integer((json_int_t)(n - failed - skipped)));
    json_object_set_new(ctx->stats, "ventures_failed", json_integer((json_int_t)failed));
    json_object_set_new(ctx->stats, "ventures_skipped", json_integer((json_int_t)skipped));
    json_object_set_new(ctx->stats, "users", json_integer(users));
    json_object_set_new(ctx->stats, "total_cents", json_integer(total));
    json_object_set_new(ctx->stats, "dry_run", json_boolean(ctx->dry_run));
    if (failed == 0)
        return WH_JOB_SUCCEEDED;
    (void)wh_fail(e, WH_ERR_INTERNAL, "%zu of %zu ventures failed; first: %s", failed, n, first);
    return failed == n ? WH_JOB_FAILED : WH_JOB_PARTIAL;
}

wh_job_outcome wh_kpi_job_aggregation(wh_job_ctx *ctx, wh_error *e)
{
    wh_kpi_counts n = {0};
    wh_err rc = wh_db_begin(ctx->conn, e);
    if (rc == WH_OK && !ctx->dry_run)
        rc = wh_jobs_fence_check(ctx->conn, ctx->arena, ctx->job, ctx->fencing_token, e);
    if (rc == WH_OK)
        rc =
            wh_kpi_aggregate(ctx->conn, ctx->arena, ctx->date, ctx->venture_id, ctx->now_ms, &n, e);
    if (rc == WH_OK && !ctx->dry_run)
        rc = wh_db_commit(ctx->conn, e);
    if (rc != WH_OK || ctx->dry_run)
        wh_db_rollback(ctx->conn);
    if (rc != WH_OK)
        return WH_JOB_FAILED;
    json_object_set_new(ctx->stats, "freight_rows", json_integer(n.freight));
    json_object_set_new(ctx->stats, "hotel_rows", json_integer(n.hotels));
    json_object_set_new(ctx->stats, "bpo_rows", json_integer(n.bpo));
    json_object_set_new(ctx->stats, "saas_rows", json_integer(n.saas));
    json_object_set_new(ctx->stats, "saas_days", json_integer(n.saas_days));
    json_object_set_new(ctx->stats, "dry_run", json_boolean(ctx->dry_run));
    return WH_JOB_SUCCEEDED;
}
