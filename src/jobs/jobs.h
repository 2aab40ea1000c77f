/* Scheduled jobs (DOMAIN.md §9): schedules in business time, leases with fencing tokens in the
 * database, the run log, alerts, and the job table.
 *
 * A run: wh_jobs_begin takes the job's lease and records the run RUNNING in one transaction
 * (or records SKIPPED_LOCKED and answers 409 when the lease is held); wh_jobs_execute runs the
 * job while a renewal thread keeps the lease alive, writes the outcome, alerts on FAILED and
 * PARTIAL, and releases the lease. A job's final writes call wh_jobs_fence_check inside their
 * own transaction, so a holder whose lease was taken over cannot commit.
 *
 * Thread safety: wh_jobs is shared by request threads, the scheduler thread and the runner
 * threads; it locks internally. The job table and schedules are read-only. */
#ifndef WH_JOBS_JOBS_H
#define WH_JOBS_JOBS_H

#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct wh_app wh_app;
typedef struct wh_jobs wh_jobs;

/* Longest error text kept in a run row. */
#define WH_JOBS_ERROR_CHARS 1000

/* ---- schedules (schedule.c, pure) ---- */
typedef enum {
    WH_SCHEDULE_DAILY,       /* every day at hour:minute, business time */
    WH_SCHEDULE_EVERY_HOURS, /* at minute past every hour divisible by `hours` (0, 4, 8, ...) */
} wh_schedule_kind;

typedef struct {
    wh_schedule_kind kind;
    int hour;   /* DAILY: 0..23 */
    int minute; /* 0..59 */
    int hours;  /* EVERY_HOURS: a divisor of 24 */
} wh_schedule;

/* The first scheduled instant strictly after now_ms, in the business time zone installed with
 * wh_clock_set_zone (the process's zone). A wall time that occurs twice (clocks going back)
 * runs once, at its first occurrence; a wall time that does not exist (clocks going forward)
 * runs once, at the instant the gap ends. So a daily job runs exactly once on every day. */
int64_t wh_schedule_next(const wh_schedule *s, int64_t now_ms);
/* "daily 07:30" or "every 4h" (needs 24 bytes). */
void wh_schedule_render(const wh_schedule *s, char *out, size_t cap);

/* ---- the job table ---- */
typedef enum { WH_JOB_SUCCEEDED, WH_JOB_PARTIAL, WH_JOB_FAILED } wh_job_outcome;

/* What a job function sees. Strings and the arena are the runner's; conn is a connection the
 * runner acquired for the whole run (no transaction open). */
typedef struct {
    wh_app *app;
    wh_jobs *jobs;
    wh_conn *conn;
    wh_arena *arena;
    const char *job;    /* the job's name */
    const char *date;   /* the business day the run is for, YYYY-MM-DD */
    int64_t venture_id; /* 0: every venture */
    bool dry_run;       /* compute and report, write nothing */
    int64_t run_id;
    int64_t fencing_token; /* pass to wh_jobs_fence_check in every final transaction */
    int64_t now_ms;        /* the clock, read once when the run started */
    json_t *stats;         /* an object the job fills; owned by the runner */
} wh_job_ctx;

/* A job: returns its outcome; on PARTIAL or FAILED it fills e (its detail becomes the run's
 * error text). */
typedef wh_job_outcome (*wh_job_fn)(wh_job_ctx *ctx, wh_error *e);

typedef struct {
    const char *name;
    wh_schedule schedule;
    int day_offset;   /* a run's default date: the business day it starts + day_offset */
    bool per_venture; /* accepts a venture_id */
    wh_job_fn run;
} wh_job_def;

/* The job table (jobs_table.c): *n entries. */
const wh_job_def *wh_jobs_table(size_t *n);
/* The job called name, NULL when there is none. */
const wh_job_def *wh_jobs_find(const char *name);

/* The built-in jobs (jobs_builtin.c). */
wh_job_outcome wh_job_cleanup(wh_job_ctx *ctx, wh_error *e);
wh_job_outcome wh_job_fmcsa_sync(wh_job_ctx *ctx, wh_error *e);

/* ---- leases (lease.c) ---- */
/* Takes the lease of name for holder until expires_ms: inserts it, or takes it over when it
 * expired at now_ms (and, for a scheduled run, slot_ms is newer than the last scheduled slot;
 * slot_ms 0: a hand run). *token: the new fencing token, 0 when the lease is held. One
 * statement, the same SQL on both engines; may run inside the caller's transaction. */
WH_MUST_USE wh_err wh_jobs_lease_acquire(wh_conn *c, wh_arena *a, const char *name,
                                         const char *holder, int64_t now_ms, int64_t expires_ms,
                                         int64_t slot_ms, int64_t *token, wh_error *e);
/* Extends the lease while token still holds it; *held false when it was taken over. */
WH_MUST_USE wh_err wh_jobs_lease_renew(wh_conn *c, wh_arena *a, const char *name, int64_t token,
                                       int64_t expires_ms, bool *held, wh_error *e);
/* Lets the lease go (expires_at 0) if token still holds it. */
WH_MUST_USE wh_err wh_jobs_lease_release(wh_conn *c, wh_arena *a, const char *name, int64_t token,
                                         wh_error *e);
/* Inside the caller's transaction: locks the lease row and checks that token is still the
 * newest fencing token of name. 409 conflict when the lease was taken over since. */
WH_MUST_USE wh_err wh_jobs_fence_check(wh_conn *c, wh_arena *a, const char *name, int64_t token,
                                       wh_error *e);

/* A lease as stored: holder "" when the job never ran. */
typedef struct {
    const char *holder;
    int64_t fencing_token, expires_at;
} wh_job_lease;
WH_MUST_USE wh_err wh_jobs_lease_get(wh_conn *c, wh_arena *a, const char *name, wh_job_lease *out,
                                     bool *found, wh_error *e);

/* ---- the run log (runlog.c) ---- */
#define WH_RUN_RUNNING        "RUNNING"
#define WH_RUN_SUCCEEDED      "SUCCEEDED"
#define WH_RUN_PARTIAL        "PARTIAL"
#define WH_RUN_FAILED         "FAILED"
#define WH_RUN_SKIPPED_LOCKED "SKIPPED_LOCKED"
/* The five statuses, NULL-terminated. */
extern const char *const wh_run_statuses[];

typedef struct {
    int64_t id;
    const char *job, *date, *instance, *status;
    int64_t venture_id, requested_by;
    bool dry_run;
    int64_t fencing_token;           /* 0: none (SKIPPED_LOCKED) */
    int64_t started_at, finished_at; /* finished_at 0: still running */
    const char *stats;               /* JSON text or NULL */
    const char *error;               /* NULL when none */
} wh_job_run;

/* Inserts r (id ignored) and fills r->id. */
WH_MUST_USE wh_err wh_jobs_run_insert(wh_conn *c, wh_arena *a, wh_job_run *r, wh_error *e);
/* Writes the outcome of run id; *was: its status before (to alert once). */
WH_MUST_USE wh_err wh_jobs_run_finish(wh_conn *c, wh_arena *a, int64_t id, const char *status,
                                      int64_t finished_at, const char *stats, const char *error,
                                      const char **was, wh_error *e);
/* Marks FAILED the RUNNING runs of job whose fencing token is older than token (their holder
 * lost the lease without finishing); returns them. */
WH_MUST_USE wh_err wh_jobs_run_close_abandoned(wh_conn *c, wh_arena *a, const char *job,
                                               int64_t token, int64_t now_ms, wh_job_run **out,
                                               size_t *n, wh_error *e);
/* 404 when missing. */
WH_MUST_USE wh_err wh_jobs_run_get(wh_conn *c, wh_arena *a, int64_t id, wh_job_run *out,
                                   wh_error *e);
/* The newest run of job that is not SKIPPED_LOCKED. */
WH_MUST_USE wh_err wh_jobs_run_last(wh_conn *c, wh_arena *a, const char *job, wh_job_run *out,
                                    bool *found, wh_error *e);
/* Runs newest first (id descending), of job and status ("" / NULL: any); rows render with
 * wh_jobs_run_row_json. */
void wh_jobs_run_list_sql(const char *job, const char *status, const wh_keyset *ks, wh_sqlb *b);
json_t *wh_jobs_run_row_json(const wh_rows *rows, size_t i);
json_t *wh_jobs_run_json(const wh_job_run *r);
/* Rows (job, status, count) of the whole run log, by job then status (for /metrics). */
WH_MUST_USE wh_err wh_jobs_run_counts(wh_conn *c, wh_arena *a, wh_rows **out, wh_error *e);

/* ---- the runner and the scheduler (scheduler.c) ---- */
/* A request to run a job. */
typedef struct {
    const char *date;   /* NULL: the job's default date */
    int64_t venture_id; /* 0: none */
    bool dry_run;
    int64_t slot_ms;        /* the scheduled instant; 0 for a hand run */
    int64_t actor_id;       /* the user who asked; 0: the system or the command line */
    const char *request_id; /* audit request id of a hand run; NULL: not audited (scheduled) */
} wh_job_request;

wh_jobs *wh_jobs_new(wh_app *app);
/* Stops the scheduler and waits for every run of this process to end. NULL is fine. */
void wh_jobs_free(wh_jobs *j);
/* Starts the scheduler thread (serve, unless WH_JOBS=off). */
void wh_jobs_scheduler_start(wh_jobs *j);
/* Stops the scheduler, asks running jobs to stop, and waits for them. */
void wh_jobs_stop(wh_jobs *j);
/* True once wh_jobs_stop was called: long jobs check it between steps. */
bool wh_jobs_stopping(wh_jobs *j);

/* The business day of now_ms shifted by the job's day_offset (out needs 11 bytes). */
void wh_jobs_default_date(const wh_job_def *def, int64_t now_ms, char *out, size_t cap);
/* Starts a run in one transaction on c: takes the lease and records the run RUNNING (closing
 * as FAILED the runs of holders that lost it), or records SKIPPED_LOCKED and answers 409
 * conflict (the row is committed either way). Hand runs are audited in that transaction.
 * now_ms (the caller's clock) only picks the default date: the lease is taken at the clock read
 * once the transaction has begun, and started_at is read after the acquisition returned, so it
 * is never before the lease was held however long the caller waited (the one deliberate second
 * clock read of a run). */
WH_MUST_USE wh_err wh_jobs_begin(wh_jobs *j, wh_conn *c, wh_arena *a, const wh_job_def *def,
                                 const wh_job_request *rq, int64_t now_ms, wh_job_run *run,
                                 wh_error *e);
/* Runs a begun run to its end on this thread: the job, its outcome, alerts, the release. The
 * run's final row is read back into *run (strings in a). */
void wh_jobs_execute(wh_jobs *j, const wh_job_def *def, wh_arena *a, wh_job_run *run);
/* wh_jobs_execute on a new thread (a copy of run is taken). 503 when no thread can start (the
 * run is then finished as FAILED). */
WH_MUST_USE wh_err wh_jobs_spawn(wh_jobs *j, const wh_job_def *def, const wh_job_run *run,
                                 wh_error *e);

struct wh_route;
/* GET /jobs, GET /jobs/runs, GET /jobs/runs/{id}, POST /jobs/{name}/run. */
const struct wh_route *wh_jobs_routes(size_t *n);

#endif
