/* Job routes (jobs.manage): GET /jobs, GET /jobs/runs, GET /jobs/runs/{id} and
 * POST /jobs/{name}/run, which answers 202 with the run while it goes on in a thread of this
 * instance, or 409 (with a SKIPPED_LOCKED run recorded) when the job's lease is held. */
#include "jobs/jobs.h"
#include "app.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/log.h"
#include "http/http.h"

#include <string.h>

static const char *const runs_fields[] = {
    "id",          "job",   "date",  "instance", "fencing_token", "status", "started_at",
    "finished_at", "stats", "error", NULL};
static const wh_list runs = {"job_runs", WH_KEY_ID, 0, 0, wh_jobs_run_row_json, runs_fields};

static json_t *lease_json(wh_conn *c, wh_arena *a, const char *name, int64_t now, wh_error *e,
                          wh_err *rc)
{
    wh_job_lease l;
    bool found = false;
    *rc = wh_jobs_lease_get(c, a, name, &l, &found, e);
    if (*rc != WH_OK || !found || l.expires_at <= now)
        return json_null();
    json_t *o = json_pack("{s:s}", "holder", l.holder);
    json_object_set_new(o, "expires_at", wh_json_time(l.expires_at));
    return o;
}

static wh_err job_item(wh_req *r, wh_conn *c, const wh_job_def *d, json_t *items, wh_error *e)
{
    char sched[32];
    wh_job_run last;
    bool found = false;
    wh_schedule_render(&d->schedule, sched, sizeof sched);
    wh_err rc = wh_jobs_run_last(c, &r->arena, d->name, &last, &found, e);
    if (rc != WH_OK)
        return rc;
    json_t *o = json_pack("{s:s, s:s}", "name", d->name, "schedule", sched);
    json_object_set_new(o, "next_run_at", wh_json_time(wh_schedule_next(&d->schedule, r->now_ms)));
    json_object_set_new(o, "last_run", found ? wh_jobs_run_json(&last) : json_null());
    json_object_set_new(o, "lease", lease_json(c, &r->arena, d->name, r->now_ms, e, &rc));
    json_array_append_new(items, o);
    return rc;
}

static wh_err list_jobs(wh_req *r, wh_error *e)
{
    wh_conn *c = NULL;
    size_t n = 0;
    const wh_job_def *defs = wh_jobs_table(&n);
    wh_err rc = wh_req_db(r, &c, e);
    json_t *items = wh_req_keep(r, json_array());
    for (size_t i = 0; rc == WH_OK && i < n; i++)
        rc = job_item(r, c, &defs[i], items, e);
    return rc == WH_OK ? wh_resp_json(r, 200, json_pack("{s:O}", "items", items)) : rc;
}

static bool in_list(const char *s, const char *const *values)
{
    for (; *values; values++)
        if (strcmp(s, *values) == 0)
            return true;
    return false;
}

static wh_err read_filters(wh_req *r, const char **job, const char **status, wh_error *e)
{
    *job = wh_req_query(r, "job");
    *status = wh_req_query(r, "status");
    if (*job && !wh_jobs_find(*job))
        (void)wh_error_field(e, "job", "is not a known job");
    if (*status && !in_list(*status, wh_run_statuses))
        (void)wh_error_field(e, "status",
                             "must be RUNNING, SUCCEEDED, PARTIAL, FAILED or SKIPPED_LOCKED");
    return e->nfields ? WH_ERR_INVALID : WH_OK;
}

static wh_err list_runs(wh_req *r, wh_error *e)
{
    wh_page pg;
    wh_sqlb b;
    wh_conn *c = NULL;
    const char *job = NULL, *status = NULL;
    wh_err rc = wh_page_parse(r, &runs, &pg, e);
    if (rc == WH_OK)
        rc = read_filters(r, &job, &status, e);
    if (rc == WH_OK)
        rc = wh_req_db(r, &c, e);
    if (rc != WH_OK)
        return rc;
    wh_jobs_run_list_sql(job, status, &pg.ks, &b);
    return wh_resp_list(r, c, &pg, &b, e);
}

static wh_err get_run(wh_req *r, wh_error *e)
{
    int64_t id;
    wh_job_run run;
    wh_conn *c = NULL;
    wh_err rc = wh_req_open(r, false, &c, &id, e);
    if (rc == WH_OK)
        rc = wh_jobs_run_get(c, &r->arena, id, &run, e);
    return rc == WH_OK ? wh_resp_json(r, 200, wh_jobs_run_json(&run)) : rc;
}

/* {date?, venture_id?, dry_run?}; an empty body is {}. */
static wh_err read_run(wh_req *r, const wh_job_def *d, wh_job_request *rq, wh_error *e)
{
    static const char *const fields[] = {"date", "venture_id", "dry_run", NULL};
    json_t *body = NULL;
    wh_jin j;
    int y, m, day;
    char today[11];
    if (r->body_len == 0)
        return WH_OK;
    wh_err rc = wh_req_json(r, &body, e);
    if (rc != WH_OK)
        return rc;
    wh_jin_init(&j, body, e);
    wh_jin_allow(&j, fields);
    rq->date = wh_jin_str(&j, "date", false, 10, 10);
    rq->venture_id = wh_jin_int(&j, "venture_id", false, 1, INT64_MAX, 0);
    rq->dry_run = wh_jin_bool(&j, "dry_run", false, false);
    wh_clock_day_of(r->now_ms, today, sizeof today);
    if (rq->date && !wh_clock_parse_date(rq->date, &y, &m, &day))
        (void)wh_error_field(e, "date", "must be a day YYYY-MM-DD");
    else if (rq->date && strcmp(rq->date, today) > 0)
        (void)wh_error_field(e, "date", "must not be after today (%s)", today);
    if (rq->venture_id && !d->per_venture)
        (void)wh_error_field(e, "venture_id", "job %s does not run per venture", d->name);
    return wh_jin_done(&j) != WH_OK || e->nfields ? WH_ERR_INVALID : WH_OK;
}

typedef struct {
    const wh_job_def *def;
    wh_job_run run;
} begun;

/* Hands the begun run to a runner thread once its row and lease are committed (with the
 * Idempotency-Key answer, when there is one): the runner works on connections of its own and
 * must see them. A thread that cannot start records the run FAILED (wh_jobs_spawn). */
static void spawn(wh_req *r, void *arg)
{
    begun *b = arg;
    wh_error e;
    wh_error_init(&e);
    if (wh_jobs_spawn(r->app->jobs, b->def, &b->run, &e) != WH_OK)
        wh_log(WH_LOG_ERROR, "job %s run %lld: %s", b->def->name, (long long)b->run.id, e.detail);
}

static wh_err run_job(wh_req *r, wh_error *e)
{
    wh_job_request rq = {.actor_id = r->user.id, .request_id = r->id};
    begun *b = wh_arena_alloc(&r->arena, sizeof *b);
    wh_conn *c = NULL;
    b->def = wh_jobs_find(r->params[0]);
    if (!b->def)
        return wh_fail(e, WH_ERR_NOT_FOUND, "No such job.");
    wh_err rc = read_run(r, b->def, &rq, e);
    if (rc == WH_OK)
        rc = wh_req_db(r, &c, e);
    if (rc == WH_OK && rq.venture_id)
        rc = wh_scope_check_venture(c, &r->arena, &r->user, rq.venture_id, e);
    if (rc == WH_OK)
        rc = wh_jobs_begin(r->app->jobs, c, &r->arena, b->def, &rq, r->now_ms, &b->run, e);
    if (rc != WH_OK)
        return rc;
    wh_req_after_commit(r, spawn, b);
    return wh_resp_json(r, 202, wh_jobs_run_json(&b->run));
}

static const wh_route routes[] = {
    {"GET", "/api/v1/jobs", list_jobs, WH_PERM_JOBS_MANAGE, WH_RATE_READ, 0, NULL},
    {"GET", "/api/v1/jobs/runs", list_runs, WH_PERM_JOBS_MANAGE, WH_RATE_READ, WH_ROUTE_CSV, NULL},
    {"GET", "/api/v1/jobs/runs/{id}", get_run, WH_PERM_JOBS_MANAGE, WH_RATE_READ, 0, NULL},
    {"POST", "/api/v1/jobs/{name}/run", run_job, WH_PERM_JOBS_MANAGE, WH_RATE_WRITE,
     WH_ROUTE_IDEMPOTENT, NULL},
};

const wh_route *wh_jobs_routes(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}
