/* The run log: one job_runs row per attempt (DOMAIN.md §9), SQL and rendering. */
#include "jobs/jobs.h"
#include "core/json.h"

#include <string.h>

const char *const wh_run_statuses[] = {WH_RUN_RUNNING, WH_RUN_SUCCEEDED,      WH_RUN_PARTIAL,
                                       WH_RUN_FAILED,  WH_RUN_SKIPPED_LOCKED, NULL};

#define RUN_COLS                                                                                   \
    "id, job, run_date, instance, status, venture_id, requested_by, dry_run, fencing_token,"       \
    " started_at, finished_at, stats, error"

static void from_row(const wh_rows *r, size_t i, wh_job_run *o)
{
    WH_ROWS_READ(r, i, WH_CELL(&o->id), WH_CELL(&o->job), WH_CELL(&o->date), WH_CELL(&o->instance),
                 WH_CELL(&o->status), WH_CELL(&o->venture_id), WH_CELL(&o->requested_by),
                 WH_CELL(&o->dry_run), WH_CELL(&o->fencing_token), WH_CELL(&o->started_at),
                 WH_CELL(&o->finished_at), WH_CELL(&o->stats), WH_CELL(&o->error));
}

static wh_err many(wh_err rc, wh_arena *a, const wh_rows *r, wh_job_run **out, size_t *n)
{
    if (rc != WH_OK)
        return rc;
    *n = wh_rows_count(r);
    *out = wh_arena_alloc(a, sizeof **out * (*n + 1));
    for (size_t i = 0; i < *n; i++)
        from_row(r, i, &(*out)[i]);
    return WH_OK;
}

wh_err wh_jobs_run_insert(wh_conn *c, wh_arena *a, wh_job_run *r, wh_error *e)
{
    wh_rows *rows = NULL;
    wh_err rc = wh_db_query(
        c, a,
        "INSERT INTO job_runs (job, run_date, venture_id, dry_run, requested_by, instance,"
        " fencing_token, status, started_at, finished_at, stats, error) VALUES ($1, $2, $3, $4,"
        " $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        WH_ARGS(WH_PT(r->job), WH_PT(r->date), WH_PI(r->venture_id), WH_PB(r->dry_run),
                WH_PI(r->requested_by), WH_PT(r->instance),
                r->fencing_token ? WH_PI(r->fencing_token) : WH_PN, WH_PT(r->status),
                WH_PI(r->started_at), r->finished_at ? WH_PI(r->finished_at) : WH_PN,
                WH_PT(r->stats), WH_PT(r->error)),
        &rows, e);
    if (rc == WH_OK)
        r->id = wh_rows_int(rows, 0, 0);
    return rc;
}

wh_err wh_jobs_run_finish(wh_conn *c, wh_arena *a, int64_t id, const char *status,
                          int64_t finished_at, const char *stats, const char *error,
                          const char **was, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc =
        wh_db_query(c, a, "SELECT status FROM job_runs WHERE id = $1", WH_ARGS(WH_PI(id)), &r, e);
    *was = rc == WH_OK && wh_rows_count(r) == 1 ? wh_rows_text(r, 0, 0) : "";
    if (rc == WH_OK)
        rc = wh_db_query(
            c, a,
            "UPDATE job_runs SET status = $2, finished_at = $3, stats = $4, error ="
            " $5 WHERE id = $1",
            WH_ARGS(WH_PI(id), WH_PT(status), WH_PI(finished_at), WH_PT(stats), WH_PT(error)), NULL,
            e);
    return rc;
}

wh_err wh_jobs_run_close_abandoned(wh_conn *c, wh_arena *a, const char *job, int64_t token,
                                   int64_t now_ms, wh_job_run **out, size_t *n, wh_error *e)
{
    wh_rows *r = NULL;
    const char *why = wh_arena_printf(a,
                                      "abandoned: its holder let the lease expire without"
                                      " finishing, and fencing token %lld took it over",
                                      (long long)token);
    wh_err rc = wh_db_query(c, a,
                            "UPDATE job_runs SET status = 'FAILED', finished_at = $3, error = $4"
                            " WHERE job = $1 AND status = 'RUNNING' AND fencing_token < $2"
                            " RETURNING " RUN_COLS,
                            WH_ARGS(WH_PT(job), WH_PI(token), WH_PI(now_ms), WH_PT(why)), &r, e);
    return many(rc, a, r, out, n);
}

wh_err wh_jobs_run_get(wh_conn *c, wh_arena *a, int64_t id, wh_job_run *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a, "SELECT " RUN_COLS " FROM job_runs WHERE id = $1",
                            WH_ARGS(WH_PI(id)), &r, e);
    rc = wh_rows_one(rc, r, "No such job run.", NULL, e);
    if (rc == WH_OK)
        from_row(r, 0, out);
    return rc;
}

wh_err wh_jobs_run_last(wh_conn *c, wh_arena *a, const char *job, wh_job_run *out, bool *found,
                        wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a,
                            "SELECT " RUN_COLS " FROM job_runs WHERE job = $1 AND status <>"
                            " 'SKIPPED_LOCKED' ORDER BY id DESC LIMIT 1",
                            WH_ARGS(WH_PT(job)), &r, e);
    *found = rc == WH_OK && wh_rows_count(r) == 1;
    if (*found)
        from_row(r, 0, out);
    return rc;
}

void wh_jobs_run_list_sql(const char *job, const char *status, const wh_keyset *ks, wh_sqlb *b)
{
    wh_sqlb_init(b, "SELECT " RUN_COLS " FROM job_runs");
    wh_sqlb_and_text(b, "job = ?", job);
    wh_sqlb_and_text(b, "status = ?", status);
    wh_sqlb_page(b, NULL, "id", true, ks);
}

WH_ROW_JSON(wh_jobs_run_row_json, wh_job_run, from_row, wh_jobs_run_json)

wh_err wh_jobs_run_counts(wh_conn *c, wh_arena *a, wh_rows **out, wh_error *e)
{
    return wh_db_query(c, a,
                       "SELECT job, status, COUNT(*) FROM job_runs GROUP BY job, status"
                       " ORDER BY job, status",
                       NULL, 0, out, e);
}

json_t *wh_jobs_run_json(const wh_job_run *r)
{
    json_t *stats = r->stats ? json_loads(r->stats, 0, NULL) : NULL;
    /* the shape's order (API.md), which the CSV export's header follows */
    json_t *o = json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)r->id, "job", r->job, "date",
                          r->date, "instance", r->instance);
    json_object_set_new(o, "fencing_token",
                        r->fencing_token ? json_integer(r->fencing_token) : json_null());
    json_object_set_new(o, "status", json_string(r->status));
    json_object_set_new(o, "started_at", wh_json_time(r->started_at));
    json_object_set_new(o, "finished_at", wh_json_time(r->finished_at));
    json_object_set_new(o, "stats", stats ? stats : json_null());
    json_object_set_new(o, "error", wh_json_str_or_null(r->error));
    return o;
}
