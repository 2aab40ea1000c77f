/* Job leases: one row per job name in job_leases, the same SQL on both engines.
 *
 * Invariants: the fencing token of a name grows by one with every acquisition and never goes
 * back (rows are never deleted; a release only sets expires_at to 0). A lease is taken only when
 * it is free (expired); renewals and releases only touch it while the caller's token is still
 * the newest, so a holder that lost it can never extend or free its successor's lease. */
#include "jobs/jobs.h"

wh_err wh_jobs_lease_acquire(wh_conn *c, wh_arena *a, const char *name, const char *holder,
                             int64_t now_ms, int64_t expires_ms, int64_t slot_ms, int64_t *token,
                             wh_error *e)
{
    wh_rows *r = NULL;
    /* PostgreSQL locks the conflicting row and re-checks the WHERE on its newest version, so
     * of two racing acquirers exactly one sees an expired lease; SQLite has one writer. */
    wh_err rc = wh_db_query(
        c, a,
        "INSERT INTO job_leases (name, holder, fencing_token, acquired_at, expires_at, last_slot)"
        " VALUES ($1, $2, 1, $3, $4, $5) ON CONFLICT (name) DO UPDATE SET holder ="
        " excluded.holder, fencing_token = job_leases.fencing_token + 1, acquired_at ="
        " excluded.acquired_at, expires_at = excluded.expires_at, last_slot = CASE WHEN"
        " excluded.last_slot > job_leases.last_slot THEN excluded.last_slot ELSE"
        " job_leases.last_slot END WHERE job_leases.expires_at <= $3 AND ($5 = 0 OR"
        " job_leases.last_slot < $5) RETURNING fencing_token",
        WH_ARGS(WH_PT(name), WH_PT(holder), WH_PI(now_ms), WH_PI(expires_ms), WH_PI(slot_ms)), &r,
        e);
    *token = rc == WH_OK && wh_rows_count(r) == 1 ? wh_rows_int(r, 0, 0) : 0;
    return rc;
}

wh_err wh_jobs_lease_renew(wh_conn *c, wh_arena *a, const char *name, int64_t token,
                           int64_t expires_ms, bool *held, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a,
                            "UPDATE job_leases SET expires_at = $3 WHERE name = $1 AND"
                            " fencing_token = $2 RETURNING fencing_token",
                            WH_ARGS(WH_PT(name), WH_PI(token), WH_PI(expires_ms)), &r, e);
    *held = rc == WH_OK && wh_rows_count(r) == 1;
    return rc;
}

wh_err wh_jobs_lease_release(wh_conn *c, wh_arena *a, const char *name, int64_t token, wh_error *e)
{
    return wh_db_query(
        c, a, "UPDATE job_leases SET expires_at = 0 WHERE name = $1 AND fencing_token = $2",
        WH_ARGS(WH_PT(name), WH_PI(token)), NULL, e);
}

wh_err wh_jobs_fence_check(wh_conn *c, wh_arena *a, const char *name, int64_t token, wh_error *e)
{
    wh_rows *r = NULL;
    /* A no-op UPDATE locks the row until the caller's transaction ends: a takeover waits for
     * this commit instead of slipping in between the check and the writes. */
    wh_err rc = wh_db_query(c, a,
                            "UPDATE job_leases SET fencing_token = fencing_token WHERE name = $1"
                            " RETURNING fencing_token",
                            WH_ARGS(WH_PT(name)), &r, e);
    if (rc != WH_OK)
        return rc;
    int64_t now = wh_rows_count(r) == 1 ? wh_rows_int(r, 0, 0) : 0;
    if (now != token)
        return wh_fail(e, WH_ERR_CONFLICT,
                       "The lease of job %s was taken over: fencing token %lld is stale"
                       " (the lease is at %lld); nothing was written.",
                       name, (long long)token, (long long)now);
    return WH_OK;
}

wh_err wh_jobs_lease_get(wh_conn *c, wh_arena *a, const char *name, wh_job_lease *out, bool *found,
                         wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a,
                            "SELECT holder, fencing_token, expires_at FROM job_leases WHERE"
                            " name = $1",
                            WH_ARGS(WH_PT(name)), &r, e);
    *found = rc == WH_OK && wh_rows_count(r) == 1;
    if (*found) {
        out->holder = wh_rows_text(r, 0, 0);
        out->fencing_token = wh_rows_int(r, 0, 1);
        out->expires_at = wh_rows_int(r, 0, 2);
    }
    return rc;
}
