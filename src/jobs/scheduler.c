/* The runner and the scheduler.
 *
 * A run is begun in one transaction (lease + run row), executed on a runner thread (or on the
 * caller's, for the command line) while a renewal thread extends the lease every third of its
 * life, finished in one transaction (outcome + alert), then the lease is released. The
 * scheduler thread of each instance wakes at every slot of every job and begins a run for it;
 * the slot is part of the acquisition, so of the instances that fire for one slot exactly one
 * runs it and the others record SKIPPED_LOCKED.
 *
 * Invariants: wh_jobs_stop returns only after every runner thread of this process ended, so the
 * wh_app outlives them; the runner never holds j->mu while it works. */
#include "jobs/jobs.h"
#include "app.h"
#include "audit/audit.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/log.h"
#include "integrations/integrations.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Longest sleep of the scheduler: the wall clock may be changed under it. */
#define SCHEDULER_NAP_MS 30000
/* Shortest renewal period of a lease, milliseconds. */
#define RENEW_MIN_MS 100

struct wh_jobs {
    wh_app *app;
    pthread_mutex_t mu;
    pthread_cond_t cond; /* stop requests and runner ends */
    bool stopping;
    int active; /* runner threads alive */
    bool scheduler_on;
    pthread_t scheduler;
};

static int64_t lease_ms(const wh_jobs *j)
{
    return j->app->config.job_lease_s * 1000;
}

/* Sleeps ms unless a stop is requested; false when it was. */
static bool nap(wh_jobs *j, int64_t ms)
{
    struct timespec ts;
    wh_clock_deadline(CLOCK_REALTIME, ms, &ts);
    pthread_mutex_lock(&j->mu);
    while (!j->stopping && pthread_cond_timedwait(&j->cond, &j->mu, &ts) == 0)
        continue;
    bool go_on = !j->stopping;
    pthread_mutex_unlock(&j->mu);
    return go_on;
}

wh_jobs *wh_jobs_new(wh_app *app)
{
    wh_jobs *j = wh_calloc(1, sizeof *j);
    j->app = app;
    pthread_mutex_init(&j->mu, NULL);
    pthread_cond_init(&j->cond, NULL);
    return j;
}

bool wh_jobs_stopping(wh_jobs *j)
{
    pthread_mutex_lock(&j->mu);
    bool s = j->stopping;
    pthread_mutex_unlock(&j->mu);
    return s;
}

void wh_jobs_default_date(const wh_job_def *def, int64_t now_ms, char *out, size_t cap)
{
    char today[11];
    wh_clock_day_of(now_ms, today, sizeof today);
    if (!wh_clock_day_add(today, def->day_offset, out, cap))
        snprintf(out, cap, "%s", today);
}

/* ---- alerts ---- */

/* The error log line, and the e-mail to WH_ALERT_EMAIL through the outbox (inside c's open
 * transaction), for a run that ended FAILED or PARTIAL. */
static wh_err alert(wh_jobs *j, wh_conn *c, wh_arena *a, const wh_job_run *r, wh_error *e)
{
    const char *to = j->app->config.alert_email;
    char started[32], finished[32];
    wh_clock_render_ms(r->started_at, started, sizeof started);
    wh_clock_render_ms(r->finished_at, finished, sizeof finished);
    json_t *fields =
        json_pack("{s:s, s:I, s:s, s:s, s:s, s:s?}", "job", r->job, "run_id", (json_int_t)r->id,
                  "status", r->status, "date", r->date, "instance", r->instance, "error", r->error);
    json_object_set_new(fields, "alert_email", wh_json_str_or_null(to));
    wh_log_json(WH_LOG_ERROR, "job run needs attention", fields);
    json_decref(fields);
    if (!to)
        return WH_OK;
    const char *subject =
        wh_arena_printf(a, "[wheelhouse] job %s %s (%s)", r->job, r->status, r->date);
    const char *body = wh_arena_printf(
        a,
        "Job %s ended %s.\n\nRun: %lld\nDate: %s\nInstance: %s\nFencing token: %lld\n"
        "Started: %s\nFinished: %s\nError: %s\nStats: %s\n",
        r->job, r->status, (long long)r->id, r->date, r->instance, (long long)r->fencing_token,
        started, finished, r->error ? r->error : "-", r->stats ? r->stats : "-");
    return wh_outbox_enqueue(c, a, "email", to, subject, body, r->finished_at, e);
}

/* ---- begin ---- */

static wh_err audit_begin(wh_conn *c, wh_arena *a, const wh_job_request *rq, const wh_job_run *r,
                          wh_error *e)
{
    json_t *after = wh_jobs_run_json(r);
    wh_audit_entry en = {.actor_id = rq->actor_id,
                         .action = "job.run",
                         .entity = "job_run",
                         .entity_id = r->id,
                         .venture_id = r->venture_id,
                         .after = after,
                         .request_id = rq->request_id,
                         .at_ms = r->started_at};
    wh_err rc = wh_audit_record(c, a, &en, e);
    json_decref(after);
    return rc;
}

/* Why a run could not take the lease. */
static const char *held_because(wh_conn *c, wh_arena *a, const char *name, int64_t now_ms)
{
    wh_job_lease l;
    bool found = false;
    wh_error ignored;
    char until[32];
    wh_error_init(&ignored);
    if (wh_jobs_lease_get(c, a, name, &l, &found, &ignored) != WH_OK || !found ||
        l.expires_at <= now_ms)
        return "this scheduled slot was already run by another instance";
    wh_clock_render_ms(l.expires_at, until, sizeof until);
    return wh_arena_printf(a, "the lease is held by %s until %s", l.holder, until);
}

/* Takes the lease (closing the runs of holders that lost it) and fills the run's status. The
 * clock is read here, inside the run's transaction: the acquisition compares with it, and the
 * run's started_at is read again once the acquisition has returned, so a run that waited (for
 * a pooled connection, SQLite's writer lock or a row lock) records when it held the lease, not
 * when it was asked for, and never seems to overlap the run it waited for. */
static wh_err take_lease(wh_jobs *j, wh_conn *c, wh_arena *a, const wh_job_request *rq,
                         wh_job_run *run, wh_error *e)
{
    int64_t token = 0, now = wh_clock_now_ms();
    wh_job_run *gone = NULL;
    size_t ngone = 0;
    wh_err rc = wh_jobs_lease_acquire(c, a, run->job, run->instance, now, now + lease_ms(j),
                                      rq->slot_ms, &token, e);
    run->started_at = wh_clock_now_ms();
    if (rc == WH_OK && token)
        rc = wh_jobs_run_close_abandoned(c, a, run->job, token, now, &gone, &ngone, e);
    for (size_t i = 0; rc == WH_OK && i < ngone; i++)
        rc = alert(j, c, a, &gone[i], e);
    run->fencing_token = token;
    run->status = token ? WH_RUN_RUNNING : WH_RUN_SKIPPED_LOCKED;
    run->finished_at = token ? 0 : run->started_at;
    run->error = token ? NULL : held_because(c, a, run->job, now);
    return rc;
}

wh_err wh_jobs_begin(wh_jobs *j, wh_conn *c, wh_arena *a, const wh_job_def *def,
                     const wh_job_request *rq, int64_t now_ms, wh_job_run *run, wh_error *e)
{
    char day[11];
    memset(run, 0, sizeof *run);
    wh_jobs_default_date(def, now_ms, day, sizeof day);
    run->job = def->name;
    run->date = wh_arena_strdup(a, rq->date ? rq->date : day);
    run->venture_id = rq->venture_id;
    run->dry_run = rq->dry_run;
    run->requested_by = rq->actor_id;
    run->instance = j->app->instance;
    wh_err rc = wh_db_begin(c, e);
    if (rc == WH_OK)
        rc = take_lease(j, c, a, rq, run, e);
    if (rc == WH_OK)
        rc = wh_jobs_run_insert(c, a, run, e);
    if (rc == WH_OK && rq->request_id)
        rc = audit_begin(c, a, rq, run, e);
    if (rc == WH_OK)
        rc = wh_db_commit(c, e);
    if (rc == WH_OK && !run->fencing_token)
        return wh_fail(e, WH_ERR_CONFLICT, "Job %s did not start: %s.", def->name, run->error);
    return rc;
}

/* ---- renewal ---- */

typedef struct {
    wh_jobs *j;
    const char *name;
    int64_t token;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cond;
    bool done, started;
} renewer;

static bool renew_once(renewer *rn)
{
    wh_arena a;
    wh_conn *c = NULL;
    wh_error e;
    bool held = true;
    wh_arena_init(&a);
    wh_error_init(&e);
    if (wh_db_acquire(rn->j->app->db, &c, &e) == WH_OK &&
        wh_jobs_lease_renew(c, &a, rn->name, rn->token, wh_clock_now_ms() + lease_ms(rn->j), &held,
                            &e) != WH_OK)
        held = true; /* a database hiccup: try again next period; expiry is the backstop */
    if (!held)
        wh_log(WH_LOG_WARN, "job %s: lease of fencing token %lld was taken over", rn->name,
               (long long)rn->token);
    wh_db_release(rn->j->app->db, c);
    wh_arena_cleanup(&a);
    return held;
}

static void *renew_loop(void *arg)
{
    renewer *rn = arg;
    int64_t period = lease_ms(rn->j) / 3 > RENEW_MIN_MS ? lease_ms(rn->j) / 3 : RENEW_MIN_MS;
    pthread_mutex_lock(&rn->mu);
    while (!rn->done) {
        struct timespec ts;
        wh_clock_deadline(CLOCK_REALTIME, period, &ts);
        if (pthread_cond_timedwait(&rn->cond, &rn->mu, &ts) == 0 || rn->done)
            continue;
        pthread_mutex_unlock(&rn->mu);
        bool held = renew_once(rn);
        pthread_mutex_lock(&rn->mu);
        if (!held)
            break;
    }
    pthread_mutex_unlock(&rn->mu);
    return NULL;
}

static void renewer_start(renewer *rn, wh_jobs *j, const wh_job_run *run)
{
    memset(rn, 0, sizeof *rn);
    rn->j = j;
    rn->name = run->job;
    rn->token = run->fencing_token;
    pthread_mutex_init(&rn->mu, NULL);
    pthread_cond_init(&rn->cond, NULL);
    rn->started = pthread_create(&rn->thread, NULL, renew_loop, rn) == 0;
    if (!rn->started)
        wh_log(WH_LOG_WARN, "job %s: no renewal thread; the lease may expire", run->job);
}

static void renewer_stop(renewer *rn)
{
    pthread_mutex_lock(&rn->mu);
    rn->done = true;
    pthread_cond_signal(&rn->cond);
    pthread_mutex_unlock(&rn->mu);
    if (rn->started)
        pthread_join(rn->thread, NULL);
    pthread_mutex_destroy(&rn->mu);
    pthread_cond_destroy(&rn->cond);
}

/* ---- execute ---- */

static const char *outcome_status(wh_job_outcome o)
{
    return o == WH_JOB_SUCCEEDED ? WH_RUN_SUCCEEDED
           : o == WH_JOB_PARTIAL ? WH_RUN_PARTIAL
                                 : WH_RUN_FAILED;
}

/* The job itself, on a connection of its own. */
static wh_job_outcome call_job(wh_jobs *j, const wh_job_def *def, wh_arena *a,
                               const wh_job_run *run, json_t *stats, wh_error *e)
{
    wh_conn *c = NULL;
    if (j->app->config.job_test_delay_ms > 0 && !nap(j, j->app->config.job_test_delay_ms)) {
        wh_fail(e, WH_ERR_UNAVAILABLE, "Interrupted: the instance is shutting down.");
        return WH_JOB_FAILED;
    }
    if (wh_db_acquire(j->app->db, &c, e) != WH_OK)
        return WH_JOB_FAILED;
    wh_job_ctx ctx = {.app = j->app,
                      .jobs = j,
                      .conn = c,
                      .arena = a,
                      .job = def->name,
                      .date = run->date,
                      .venture_id = run->venture_id,
                      .dry_run = run->dry_run,
                      .run_id = run->id,
                      .fencing_token = run->fencing_token,
                      .now_ms = wh_clock_now_ms(),
                      .stats = stats};
    wh_job_outcome o = def->run(&ctx, e);
    wh_db_release(j->app->db, c);
    return o;
}

/* Writes the outcome (and the alert, once) in one transaction. */
static void finish(wh_jobs *j, wh_arena *a, wh_job_run *run, wh_job_outcome o, json_t *stats,
                   const wh_error *je)
{
    wh_conn *c = NULL;
    wh_error e;
    const char *was = "";
    char *text = stats ? json_dumps(stats, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    wh_error_init(&e);
    run->status = outcome_status(o);
    run->finished_at = wh_clock_now_ms();
    run->stats = text ? wh_arena_strdup(a, text) : NULL;
    run->error = o == WH_JOB_SUCCEEDED ? NULL
                                       : wh_arena_strndup(a, je->detail[0] ? je->detail : "failed",
                                                          WH_JOBS_ERROR_CHARS);
    free(text);
    wh_err rc = wh_db_acquire(j->app->db, &c, &e);
    if (rc == WH_OK)
        rc = wh_db_begin(c, &e);
    if (rc == WH_OK)
        rc = wh_jobs_run_finish(c, a, run->id, run->status, run->finished_at, run->stats,
                                run->error, &was, &e);
    if (rc == WH_OK && o != WH_JOB_SUCCEEDED && strcmp(was, WH_RUN_RUNNING) == 0)
        rc = alert(j, c, a, run, &e);
    if (rc == WH_OK)
        rc = wh_db_commit(c, &e);
    if (rc == WH_OK)
        rc = wh_jobs_lease_release(c, a, run->job, run->fencing_token, &e);
    if (rc != WH_OK)
        wh_log(WH_LOG_ERROR, "job %s run %lld: cannot record its outcome %s: %s", run->job,
               (long long)run->id, run->status, e.detail);
    wh_db_release(j->app->db, c);
}

void wh_jobs_execute(wh_jobs *j, const wh_job_def *def, wh_arena *a, wh_job_run *run)
{
    renewer rn;
    wh_error e;
    json_t *stats = json_object();
    wh_error_init(&e);
    renewer_start(&rn, j, run);
    wh_job_outcome o = call_job(j, def, a, run, stats, &e);
    renewer_stop(&rn);
    finish(j, a, run, o, stats, &e);
    json_decref(stats);
    wh_log(o == WH_JOB_SUCCEEDED ? WH_LOG_INFO : WH_LOG_WARN, "job %s run %lld ended %s", run->job,
           (long long)run->id, run->status);
}

/* ---- runner threads ---- */

typedef struct {
    wh_jobs *j;
    const wh_job_def *def;
    wh_arena arena;
    wh_job_run run;
} runner;

static const char *dup_or_null(wh_arena *a, const char *s)
{
    return s ? wh_arena_strdup(a, s) : NULL;
}

static void *runner_main(void *arg)
{
    runner *r = arg;
    wh_jobs *j = r->j;
    wh_jobs_execute(j, r->def, &r->arena, &r->run);
    wh_arena_cleanup(&r->arena);
    wh_free(r);
    pthread_mutex_lock(&j->mu);
    j->active--;
    pthread_cond_broadcast(&j->cond);
    pthread_mutex_unlock(&j->mu);
    return NULL;
}

wh_err wh_jobs_spawn(wh_jobs *j, const wh_job_def *def, const wh_job_run *run, wh_error *e)
{
    runner *r = wh_calloc(1, sizeof *r);
    pthread_t t;
    pthread_attr_t attr;
    r->j = j;
    r->def = def;
    wh_arena_init(&r->arena);
    r->run = *run;
    r->run.job = def->name;
    r->run.date = dup_or_null(&r->arena, run->date);
    r->run.instance = j->app->instance;
    r->run.status = WH_RUN_RUNNING;
    r->run.stats = NULL;
    r->run.error = NULL;
    pthread_mutex_lock(&j->mu);
    j->active++;
    pthread_mutex_unlock(&j->mu);
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int rc = pthread_create(&t, &attr, runner_main, r);
    pthread_attr_destroy(&attr);
    if (rc == 0)
        return WH_OK;
    wh_fail(e, WH_ERR_UNAVAILABLE, "No thread could be started for job %s.", def->name);
    finish(j, &r->arena, &r->run, WH_JOB_FAILED, NULL, e);
    wh_arena_cleanup(&r->arena);
    wh_free(r);
    pthread_mutex_lock(&j->mu);
    j->active--;
    pthread_cond_broadcast(&j->cond);
    pthread_mutex_unlock(&j->mu);
    return WH_ERR_UNAVAILABLE;
}

/* ---- the scheduler ---- */

/* Begins the run of def for slot and hands it to a runner thread. */
static void fire(wh_jobs *j, const wh_job_def *def, int64_t slot)
{
    wh_arena a;
    wh_conn *c = NULL;
    wh_error e;
    wh_job_run run;
    wh_job_request rq = {.slot_ms = slot};
    wh_arena_init(&a);
    wh_error_init(&e);
    wh_err rc = wh_db_acquire(j->app->db, &c, &e);
    if (rc == WH_OK)
        rc = wh_jobs_begin(j, c, &a, def, &rq, wh_clock_now_ms(), &run, &e);
    wh_db_release(j->app->db, c);
    if (rc == WH_OK)
        rc = wh_jobs_spawn(j, def, &run, &e);
    if (rc != WH_OK)
        wh_log(wh_error_kind(&e) == WH_ERR_CONFLICT ? WH_LOG_INFO : WH_LOG_ERROR,
               "job %s (scheduled): %s", def->name, e.detail);
    wh_arena_cleanup(&a);
}

static void *schedule_loop(void *arg)
{
    wh_jobs *j = arg;
    size_t n = 0;
    const wh_job_def *defs = wh_jobs_table(&n);
    int64_t *next = wh_calloc(n ? n : 1, sizeof *next);
    int64_t now = wh_clock_now_ms();
    for (size_t i = 0; i < n; i++)
        next[i] = wh_schedule_next(&defs[i].schedule, now);
    while (!wh_jobs_stopping(j)) {
        now = wh_clock_now_ms();
        int64_t wake = now + SCHEDULER_NAP_MS;
        for (size_t i = 0; i < n; i++) {
            if (now >= next[i]) {
                fire(j, &defs[i], next[i]);
                next[i] = wh_schedule_next(&defs[i].schedule, now); /* missed slots are gone */
            }
            if (next[i] < wake)
                wake = next[i];
        }
        if (!nap(j, wake - now > 0 ? wake - now : 1))
            break;
    }
    wh_free(next);
    return NULL;
}

void wh_jobs_scheduler_start(wh_jobs *j)
{
    if (pthread_create(&j->scheduler, NULL, schedule_loop, j) != 0) {
        wh_log(WH_LOG_ERROR, "jobs: cannot start the scheduler thread");
        return;
    }
    j->scheduler_on = true;
    wh_log(WH_LOG_INFO, "jobs: scheduler started (time zone %s)", j->app->config.timezone);
}

void wh_jobs_stop(wh_jobs *j)
{
    if (!j)
        return;
    pthread_mutex_lock(&j->mu);
    j->stopping = true;
    pthread_cond_broadcast(&j->cond);
    pthread_mutex_unlock(&j->mu);
    if (j->scheduler_on) {
        pthread_join(j->scheduler, NULL);
        j->scheduler_on = false;
    }
    pthread_mutex_lock(&j->mu);
    while (j->active > 0)
        pthread_cond_wait(&j->cond, &j->mu);
    pthread_mutex_unlock(&j->mu);
}

void wh_jobs_free(wh_jobs *j)
{
    if (!j)
        return;
    wh_jobs_stop(j);
    pthread_mutex_destroy(&j->mu);
    pthread_cond_destroy(&j->cond);
    wh_free(j);
}
