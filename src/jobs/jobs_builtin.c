/* The built-in jobs: cleanup (expired sessions, login codes and idempotency records) and
 * fmcsa_sync (look up every PENDING carrier, then re-check the carriers whose FMCSA data is older
 * than WH_FMCSA_STALE_S).
 *
 * Both write only inside transactions that begin with wh_jobs_fence_check, so a run whose lease
 * was taken over writes nothing more. A dry run reads and reports, and writes nothing; the dry
 * run of fmcsa_sync does not call FMCSA either (a call costs quota and moves the breaker). */
#include "jobs/jobs_int.h"
#include "app.h"
#include "audit/audit.h"
#include "core/log.h"
#include "freight/freight.h"

#include <string.h>

wh_job_outcome wh_job_cleanup(wh_job_ctx *ctx, wh_error *e)
{
    wh_jobs_cleanup_counts n = {0};
    wh_err rc = ctx->dry_run ? WH_OK : wh_db_begin(ctx->conn, e);
    if (rc == WH_OK && !ctx->dry_run)
        rc = wh_jobs_fence_check(ctx->conn, ctx->arena, ctx->job, ctx->fencing_token, e);
    if (rc == WH_OK)
        rc = wh_jobs_store_cleanup(ctx->conn, ctx->arena, ctx->now_ms, ctx->dry_run, &n, e);
    if (rc == WH_OK && !ctx->dry_run)
        rc = wh_db_commit(ctx->conn, e);
    if (rc != WH_OK) {
        wh_db_rollback(ctx->conn);
        return WH_JOB_FAILED;
    }
    json_object_set_new(ctx->stats, "sessions_deleted", json_integer(n.sessions));
    json_object_set_new(ctx->stats, "login_codes_deleted", json_integer(n.login_codes));
    json_object_set_new(ctx->stats, "idempotency_keys_deleted", json_integer(n.idempotency_keys));
    json_object_set_new(ctx->stats, "dry_run", json_boolean(ctx->dry_run));
    return WH_JOB_SUCCEEDED;
}

/* ---- fmcsa_sync ---- */

typedef struct {
    int64_t checked, updated, failed;
    int64_t pending, verified, not_found; /* PENDING carriers due; now VERIFIED; now NOT_FOUND */
    char last_error[256];
} sync_tally;

/* Writes one carrier's outcome like POST /carriers/{id}/fmcsa-refresh (wh_carrier_store_lookup);
 * audited as the system. */
static wh_err store_one(wh_job_ctx *ctx, wh_arena *a, const wh_carrier *before,
                        const wh_fmcsa_carrier *f, bool found, const char *error, wh_carrier *out,
                        wh_error *e)
{
    wh_carrier after = {0};
    wh_err rc = wh_db_begin(ctx->conn, e);
    if (rc == WH_OK)
        rc = wh_jobs_fence_check(ctx->conn, a, ctx->job, ctx->fencing_token, e);
    if (rc == WH_OK)
        rc = wh_carrier_store_lookup(ctx->conn, a, before, error, found, f, ctx->now_ms, &after, e);
    if (rc == WH_OK) {
        json_t *b = wh_carrier_json(before), *af = wh_carrier_json(&after);
        wh_audit_entry en = {.action = "carrier.fmcsa_sync",
                             .entity = "carrier",
                             .entity_id = before->id,
                             .before = b,
                             .after = af,
                             .request_id =
                                 wh_arena_printf(a, "job-run-%lld", (long long)ctx->run_id),
                             .at_ms = ctx->now_ms};
        rc = wh_audit_record(ctx->conn, a, &en, e);
        json_decref(b);
        json_decref(af);
    }
    if (rc == WH_OK)
        rc = wh_db_commit(ctx->conn, e);
    if (rc != WH_OK)
        wh_db_rollback(ctx->conn);
    *out = after;
    return rc;
}

/* Looks one carrier up (no transaction open meanwhile) and stores the outcome. Only a failure
 * to write is returned; a failed lookup is counted. */
static wh_err sync_one(wh_job_ctx *ctx, int64_t id, sync_tally *t, wh_error *e)
{
    wh_arena a;
    wh_carrier before, after;
    wh_fmcsa_carrier f;
    wh_error lookup;
    bool found = false;
    const char *error = NULL;
    wh_arena_init(&a);
    wh_error_init(&lookup);
    wh_err rc = wh_carrier_get(ctx->conn, &a, id, &before, e);
    if (rc != WH_OK)
        goto out;
    if (wh_fmcsa_lookup(ctx->app->integrations, &a, false, before.dot_number, &f, &found,
                        &lookup) != WH_OK)
        error = wh_arena_strdup(&a, lookup.detail);
    rc = store_one(ctx, &a, &before, &f, found, error, &after, e);
    if (rc != WH_OK)
        goto out;
    t->checked++;
    if (wh_carrier_lookup_failed(&before, error, found)) {
        t->failed++;
        snprintf(t->last_error, sizeof t->last_error, "carrier %lld: %s", (long long)id,
                 after.fmcsa_error);
    } else {
        t->updated++;
        bool was_verified = strcmp(before.verification, "VERIFIED") == 0;
        t->verified += !was_verified && strcmp(after.verification, "VERIFIED") == 0;
        t->not_found += strcmp(after.verification, "NOT_FOUND") == 0;
    }
out:
    wh_arena_cleanup(&a);
    return rc;
}

static wh_job_outcome sync_outcome(wh_job_ctx *ctx, const sync_tally *t, int64_t due, wh_error *e)
{
    json_object_set_new(ctx->stats, "due", json_integer(due));
    json_object_set_new(ctx->stats, "checked", json_integer(t->checked));
    json_object_set_new(ctx->stats, "updated", json_integer(t->updated));
    json_object_set_new(ctx->stats, "failed", json_integer(t->failed));
    json_object_set_new(ctx->stats, "pending", json_integer(t->pending));
    json_object_set_new(ctx->stats, "verified", json_integer(t->verified));
    json_object_set_new(ctx->stats, "not_found", json_integer(t->not_found));
    json_object_set_new(ctx->stats, "dry_run", json_boolean(ctx->dry_run));
    if (t->failed == 0)
        return WH_JOB_SUCCEEDED;
    wh_fail(e, WH_ERR_UNAVAILABLE, "%lld of %lld carriers could not be checked; last: %s",
            (long long)t->failed, (long long)t->checked, t->last_error);
    return t->failed == t->checked ? WH_JOB_FAILED : WH_JOB_PARTIAL;
}

/* Looks up the due carriers of one kind (pending: every PENDING carrier; else the stale ones),
 * a page at a time. false when the run must stop (*outcome says how). */
static bool sync_due(wh_job_ctx *ctx, bool pending, sync_tally *t, int64_t *due,
                     wh_job_outcome *outcome, wh_error *e)
{
    int64_t after = 0, *ids = NULL;
    size_t n = 0;
    int64_t before = ctx->now_ms - ctx->app->config.fmcsa_stale_s * 1000;
    do {
        if (wh_carrier_list_due(ctx->conn, ctx->arena, pending, before, after, WH_JOBS_FMCSA_PAGE,
                                &ids, &n, e) != WH_OK) {
            *outcome = WH_JOB_FAILED;
            return false;
        }
        for (size_t i = 0; i < n; i++) {
            (*due)++;
            t->pending += pending;
            after = ids[i];
            if (ctx->dry_run)
                continue;
            if (wh_jobs_stopping(ctx->jobs)) {
                (void)sync_outcome(ctx, t, *due, e);
                wh_fail(e, WH_ERR_UNAVAILABLE,
                        "Interrupted after %lld carriers: the instance is shutting down.",
                        (long long)t->checked);
                *outcome = WH_JOB_FAILED;
                return false;
            }
            wh_error err;
            wh_error_init(&err);
            if (sync_one(ctx, ids[i], t, &err) != WH_OK) {
                /* a database failure, or the lease was taken over: stop here */
                (void)sync_outcome(ctx, t, *due, e);
                *e = err;
                *outcome = WH_JOB_FAILED;
                return false;
            }
        }
    } while (n == WH_JOBS_FMCSA_PAGE);
    return true;
}

wh_job_outcome wh_job_fmcsa_sync(wh_job_ctx *ctx, wh_error *e)
{
    sync_tally t = {0};
    int64_t due = 0;
    wh_job_outcome outcome = WH_JOB_FAILED;
    if (!wh_integrations_configured(ctx->app->integrations, WH_PROVIDER_FMCSA)) {
        wh_log(WH_LOG_WARN, "fmcsa_sync: FMCSA is not configured (WH_FMCSA_WEBKEY); nothing done");
        json_object_set_new(ctx->stats, "not_configured", json_true());
        return sync_outcome(ctx, &t, 0, e);
    }
    if (!sync_due(ctx, true, &t, &due, &outcome, e) || !sync_due(ctx, false, &t, &due, &outcome, e))
        return outcome;
    return sync_outcome(ctx, &t, due, e);
}
