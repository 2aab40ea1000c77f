/* SQL of the cleanup job: expired rows of the session, login-code and idempotency tables. */
#include "jobs/jobs_int.h"

/* Runs sql with params (now, code cut-off) and counts what it returned or counted. */
static wh_err count_of(wh_conn *c, wh_arena *a, const char *sql, int64_t now_ms, bool dry_run,
                       int64_t *n, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc =
        wh_db_query(c, a, sql, WH_ARGS(WH_PI(now_ms), WH_PI(now_ms - WH_JOBS_CODE_KEEP_MS)), &r, e);
    if (rc == WH_OK)
        *n = dry_run ? wh_rows_int(r, 0, 0) : (int64_t)wh_rows_count(r);
    return rc;
}

wh_err wh_jobs_store_cleanup(wh_conn *c, wh_arena *a, int64_t now_ms, bool dry_run,
                             wh_jobs_cleanup_counts *out, wh_error *e)
{
    static const char *const counts[] = {
        "SELECT COUNT(*) FROM sessions WHERE expires_at <= $1 AND $2 = $2",
        "SELECT COUNT(*) FROM login_codes WHERE expires_at <= $1 AND created_at < $2",
        "SELECT COUNT(*) FROM idempotency_keys WHERE expires_at <= $1 AND $2 = $2",
    };
    static const char *const deletes[] = {
        "DELETE FROM sessions WHERE expires_at <= $1 AND $2 = $2 RETURNING id",
        "DELETE FROM login_codes WHERE expires_at <= $1 AND created_at < $2 RETURNING id",
        "DELETE FROM idempotency_keys WHERE expires_at <= $1 AND $2 = $2 RETURNING user_id",
    };
    int64_t *slots[] = {&out->sessions, &out->login_codes, &out->idempotency_keys};
    wh_err rc = WH_OK;
    for (size_t i = 0; rc == WH_OK && i < 3; i++)
        rc = count_of(c, a, dry_run ? counts[i] : deletes[i], now_ms, dry_run, slots[i], e);
    return rc;
}
