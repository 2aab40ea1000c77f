/* The jobs of DOMAIN-wave2 §20: task_rules (06:30, today) makes the automatic tasks of §18;
 * reminders (18:00, today) sends the EOD reminders of §19. Each task or reminder is written in
 * its own transaction that begins with wh_jobs_fence_check (a run whose lease was taken over
 * writes nothing) and inserts under a unique key (rule_key, notify_key), so a rerun or a second
 * instance running at the same time makes nothing twice. A dry run counts and writes nothing. */
#include "tasks/tasks.h"
#include "audit/audit.h"
#include "core/clock.h"

#include <stdio.h>
#include <string.h>

enum { MISSED_EOD, DISPUTE_OPEN, CARRIER_LOST, NRULES };
static const char *const rule_names[NRULES] = {"MISSED_EOD", "DISPUTE_OPEN_7_DAYS",
                                               "CARRIER_LOST_AUTHORITY"};

typedef struct {
    int64_t created[NRULES], existing, no_assignee;
    size_t failed;
    char first[WH_JOBS_ERROR_CHARS / 2];
} rule_stats;

/* Counts one subject that failed, keeping the first failure's text for the run's error. */
static void count_failed(rule_stats *st, const char *what, const wh_error *one)
{
    if (st->failed++ == 0)
        snprintf(st->first, sizeof st->first, "%s: %s", what, one->detail);
}

/* A key already taken? (for dry runs) */
static wh_err key_exists(wh_job_ctx *ctx, const char *sql, const char *key, bool *yes, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(ctx->conn, ctx->arena, sql, WH_ARGS(WH_PT(key)), &r, e);
    *yes = rc == WH_OK && wh_rows_count(r) > 0;
    return rc;
}

/* Runs fn in a fenced transaction on the job's connection. */
static wh_err fenced(wh_job_ctx *ctx, wh_err (*fn)(wh_job_ctx *, void *, wh_error *), void *arg,
                     wh_error *e)
{
    wh_err rc = wh_db_begin(ctx->conn, e);
    if (rc == WH_OK)
        rc = wh_jobs_fence_check(ctx->conn, ctx->arena, ctx->job, ctx->fencing_token, e);
    if (rc == WH_OK)
        rc = fn(ctx, arg, e);
    if (rc == WH_OK)
        rc = wh_db_commit(ctx->conn, e);
    if (rc != WH_OK)
        wh_db_rollback(ctx->conn);
    return rc;
}

/* ------------------------------------------------------------ task_rules */

typedef struct {
    int rule;
    wh_task_input in;
    const char *key;
    bool created;
} auto_task;

/* The automatic task, its TASK_ASSIGNED and its audit entry (actor null). */
static wh_err insert_task(wh_job_ctx *ctx, void *arg, wh_error *e)
{
    auto_task *t = arg;
    wh_task out;
    wh_err rc = wh_tasks_create_auto(ctx->conn, ctx->arena, &t->in, rule_names[t->rule], t->key,
                                     ctx->now_ms, &out, &t->created, e);
    if (rc != WH_OK || !t->created)
        return rc;
    rc = wh_notify_task_assigned(ctx->conn, ctx->arena, &out, NULL, ctx->now_ms, e);
    json_t *after = wh_tasks_json(&out);
    wh_audit_entry en = {.action = "task.create",
                         .entity = "task",
                         .entity_id = out.id,
                         .venture_id = out.venture_id,
                         .after = after,
                         .request_id =
                             wh_arena_printf(ctx->arena, "job-run-%lld", (long long)ctx->run_id),
                         .at_ms = ctx->now_ms};
    if (rc == WH_OK)
        rc = wh_audit_record(ctx->conn, ctx->arena, &en, e);
    json_decref(after);
    return rc;
}

static void make_task(wh_job_ctx *ctx, rule_stats *st, auto_task *t)
{
    wh_error one = {0};
    bool taken = false;
    wh_err rc = WH_OK;
    if (t->in.assignee_id == 0) {
        st->no_assignee++;
        return;
    }
    t->in.due_on = ctx->date;
    t->in.has_link = t->in.has_assignee = t->in.has_due = true;
    if (ctx->dry_run)
        rc = key_exists(ctx, "SELECT 1 FROM tasks WHERE rule_key = $1", t->key, &taken, &one);
    else
        rc = fenced(ctx, insert_task, t, &one);
    if (rc != WH_OK) {
        count_failed(st, t->key, &one);
        return;
    }
    if (ctx->dry_run ? taken : !t->created)
        st->existing++;
    else
        st->created[t->rule]++;
}

/* The venture head of venture_id (the active VENTURE_HEAD member with the lowest id), not
 * `not`; 0 when none or when the lookup failed (*rc). */
static int64_t venture_head(wh_job_ctx *ctx, int64_t venture_id, int64_t not, wh_err *rc,
                            wh_error *e)
{
    wh_rows *r = NULL;
    *rc = wh_db_query(ctx->conn, ctx->arena,
                      "SELECT u.id FROM users u JOIN venture_users vu ON vu.user_id = u.id"
                      " WHERE vu.venture_id = $1 AND u.role = 'VENTURE_HEAD' AND u.active"
                      " AND u.id <> $2 ORDER BY u.id LIMIT 1",
                      WH_ARGS(WH_PI(venture_id), WH_PI(not )), &r, e);
    return *rc == WH_OK && wh_rows_count(r) == 1 ? wh_rows_int(r, 0, 0) : 0;
}

/* The first of the candidates (0s skipped) that is an eligible user of the venture and not
 * `not`, else the venture head. A failed lookup sets *rc and picks nobody: a task is never
 * given to someone else because a statement failed (the rerun makes it, for the right one). */
static int64_t pick(wh_job_ctx *ctx, int64_t venture_id, int64_t not, int64_t a, int64_t b,
                    wh_err *rc, wh_error *e)
{
    int64_t cand[] = {a, b};
    for (size_t i = 0; i < 2; i++) {
        bool ok = false;
        if (cand[i] == 0 || cand[i] == not )
            continue;
        *rc = wh_tasks_eligible(ctx->conn, ctx->arena, cand[i], venture_id, &ok, e);
        if (*rc != WH_OK)
            return 0;
        if (ok)
            return cand[i];
    }
    return venture_head(ctx, venture_id, not, rc, e);
}

/* Picks t's assignee; false (counted as failed) when a lookup failed. */
static bool assign(wh_job_ctx *ctx, rule_stats *st, auto_task *t, int64_t not, int64_t a, int64_t b)
{
    wh_error one = {0};
    wh_err rc = WH_OK;
    t->in.assignee_id = pick(ctx, t->in.venture_id, not, a, b, &rc, &one);
    if (rc != WH_OK)
        count_failed(st, t->key, &one);
    return rc == WH_OK;
}

static wh_err missed_eod(wh_job_ctx *ctx, const char *day, rule_stats *st, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(
        ctx->conn, ctx->arena,
        "SELECT vu.user_id, vu.venture_id, u.full_name, u.manager_id FROM venture_users vu"
        " JOIN users u ON u.id = vu.user_id JOIN ventures v ON v.id = vu.venture_id"
        " WHERE u.active AND u.role <> 'AUDITOR' AND v.active AND ($1 = 0 OR v.id = $1)"
        " AND NOT EXISTS (SELECT 1 FROM eod_reports er WHERE er.user_id = vu.user_id"
        " AND er.venture_id = vu.venture_id AND er.report_date = $2)"
        " ORDER BY vu.venture_id, vu.user_id",
        WH_ARGS(WH_PI(ctx->venture_id), WH_PT(day)), &r, e);
    for (size_t i = 0; rc == WH_OK && i < wh_rows_count(r) && !wh_jobs_stopping(ctx->jobs); i++) {
        int64_t u = wh_rows_int(r, i, 0), v = wh_rows_int(r, i, 1);
        auto_task t = {.rule = MISSED_EOD};
        t.in.venture_id = v;
        t.in.title =
            wh_arena_printf(ctx->arena, "Missed EOD report: %s on %s", wh_rows_text(r, i, 2), day);
        t.in.priority = "MEDIUM";
        t.in.link_type = "user";
        t.in.link_id = u;
        t.key =
            wh_arena_printf(ctx->arena, "MISSED_EOD:%lld:%lld:%s", (long long)v, (long long)u, day);
        if (assign(ctx, st, &t, u, wh_rows_int(r, i, 3), 0))
            make_task(ctx, st, &t);
    }
    return rc;
}

/* Is there an OPEN task of the rule linked to the record (counted as existing), or did the
 * check fail (counted as failed)? Either way the record gets no task now. */
static bool still_open(wh_job_ctx *ctx, int rule, const char *link_type, int64_t id, rule_stats *st)
{
    bool open = false;
    wh_error one = {0};
    if (wh_tasks_open_linked(ctx->conn, ctx->arena, rule_names[rule], link_type, id, &open, &one) !=
        WH_OK) {
        count_failed(st, wh_arena_printf(ctx->arena, "%s %lld", link_type, (long long)id), &one);
        return true;
    }
    if (open)
        st->existing++;
    return open;
}

static wh_err open_disputes(wh_job_ctx *ctx, rule_stats *st, wh_error *e)
{
    wh_rows *r = NULL;
    /* counted from opened_on, the day the chargeback was opened (DOMAIN-wave2 §4) */
    wh_err rc = wh_db_query(ctx->conn, ctx->arena,
                            "SELECT d.id, d.venture_id, d.owner_id, d.opened_on, h.name"
                            " FROM hotel_disputes d JOIN hotels h ON h.id = d.hotel_id"
                            " WHERE d.status IN ('OPEN', 'IN_PROGRESS')"
                            " AND ($1 = 0 OR d.venture_id = $1) ORDER BY d.id",
                            WH_ARGS(WH_PI(ctx->venture_id)), &r, e);
    for (size_t i = 0; rc == WH_OK && i < wh_rows_count(r) && !wh_jobs_stopping(ctx->jobs); i++) {
        int64_t days = 0, id = wh_rows_int(r, i, 0), v = wh_rows_int(r, i, 1);
        const char *opened = wh_rows_text(r, i, 3);
        if (!opened || !wh_clock_days_between(opened, ctx->date, &days) || days <= 7 ||
            still_open(ctx, DISPUTE_OPEN, "hotel_dispute", id, st))
            continue;
        auto_task t = {.rule = DISPUTE_OPEN};
        t.in.venture_id = v;
        t.in.title = wh_arena_printf(ctx->arena, "Dispute #%lld open %lld days: %s", (long long)id,
                                     (long long)days, wh_rows_text(r, i, 4));
        t.in.priority = "HIGH";
        t.in.link_type = "hotel_dispute";
        t.in.link_id = id;
        t.key =
            wh_arena_printf(ctx->arena, "DISPUTE_OPEN_7_DAYS:%lld:%s", (long long)id, ctx->date);
        if (assign(ctx, st, &t, 0, wh_rows_int(r, i, 2), 0))
            make_task(ctx, st, &t);
    }
    return rc;
}

static wh_err lost_authority(wh_job_ctx *ctx, rule_stats *st, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc =
        wh_db_query(ctx->conn, ctx->arena,
                    "SELECT l.id, l.venture_id, l.reference, l.created_by, c.name, c.fmcsa_status,"
                    " l.dispatcher_id"
                    " FROM loads l JOIN carriers c ON c.id = l.carrier_id"
                    " WHERE l.status IN ('COVERED', 'IN_TRANSIT')"
                    " AND c.fmcsa_status IN ('OUT_OF_SERVICE', 'NOT_AUTHORIZED')"
                    " AND ($1 = 0 OR l.venture_id = $1) ORDER BY l.id",
                    WH_ARGS(WH_PI(ctx->venture_id)), &r, e);
    for (size_t i = 0; rc == WH_OK && i < wh_rows_count(r) && !wh_jobs_stopping(ctx->jobs); i++) {
        int64_t id = wh_rows_int(r, i, 0), v = wh_rows_int(r, i, 1);
        const char *ref = wh_rows_text(r, i, 2);
        if (still_open(ctx, CARRIER_LOST, "load", id, st))
            continue;
        auto_task t = {.rule = CARRIER_LOST};
        t.in.venture_id = v;
        t.in.title = wh_arena_printf(
            ctx->arena, "Carrier %s lost authority (%s): load %s", wh_rows_text(r, i, 4),
            wh_rows_text(r, i, 5), ref ? ref : wh_arena_printf(ctx->arena, "#%lld", (long long)id));
        t.in.priority = "CRITICAL";
        t.in.link_type = "load";
        t.in.link_id = id;
        t.key =
            wh_arena_printf(ctx->arena, "CARRIER_LOST_AUTHORITY:%lld:%s", (long long)id, ctx->date);
        /* the load's dispatcher, else its creator, else the venture head (§18) */
        if (assign(ctx, st, &t, 0, wh_rows_int(r, i, 6), wh_rows_int(r, i, 3)))
            make_task(ctx, st, &t);
    }
    return rc;
}

wh_job_outcome wh_tasks_job_rules(wh_job_ctx *ctx, wh_error *e)
{
    rule_stats st = {0};
    char day[16];
    wh_tasks_last_working_day(ctx->date, day, sizeof day);
    wh_err rc = missed_eod(ctx, day, &st, e);
    if (rc == WH_OK)
        rc = open_disputes(ctx, &st, e);
    if (rc == WH_OK)
        rc = lost_authority(ctx, &st, e);
    json_t *created = json_object();
    for (int i = 0; i < NRULES; i++)
        json_object_set_new(created, rule_names[i], json_integer(st.created[i]));
    json_object_set_new(ctx->stats, "checked_day", json_string(day));
    json_object_set_new(ctx->stats, "created", created);
    json_object_set_new(ctx->stats, "existing", json_integer(st.existing));
    json_object_set_new(ctx->stats, "no_assignee", json_integer(st.no_assignee));
    json_object_set_new(ctx->stats, "dry_run", json_boolean(ctx->dry_run));
    if (rc != WH_OK)
        return WH_JOB_FAILED;
    if (st.failed == 0)
        return WH_JOB_SUCCEEDED;
    (void)wh_fail(e, WH_ERR_INTERNAL, "%zu tasks failed; first: %s", st.failed, st.first);
    return WH_JOB_PARTIAL;
}

/* ------------------------------------------------------------- reminders */

typedef struct {
    wh_notice n;
    bool created;
} reminder;

static wh_err send_reminder(wh_job_ctx *ctx, void *arg, wh_error *e)
{
    reminder *rm = arg;
    return wh_notify_send(ctx->conn, ctx->arena, &rm->n, ctx->now_ms, &rm->created, e);
}

wh_job_outcome wh_tasks_job_reminders(wh_job_ctx *ctx, wh_error *e)
{
    int64_t notified = 0, existing = 0;
    rule_stats st = {0};
    wh_rows *r = NULL;
    bool working = wh_tasks_working_day(ctx->date);
    wh_err rc = WH_OK;
    if (working)
        rc = wh_db_query(
            ctx->conn, ctx->arena,
            "SELECT u.id, v.name FROM users u JOIN venture_users vu ON vu.user_id = u.id"
            " JOIN ventures v ON v.id = vu.venture_id WHERE u.active AND u.role <> 'AUDITOR'"
            " AND v.active AND ($1 = 0 OR v.id = $1) AND NOT EXISTS (SELECT 1 FROM eod_reports"
            " er WHERE er.user_id = u.id AND er.venture_id = v.id AND er.report_date = $2)"
            " ORDER BY u.id, v.name, v.id",
            WH_ARGS(WH_PI(ctx->venture_id), WH_PT(ctx->date)), &r, e);
    size_t n = working && rc == WH_OK ? wh_rows_count(r) : 0;
    for (size_t i = 0; i < n && !wh_jobs_stopping(ctx->jobs);) {
        int64_t user = wh_rows_int(r, i, 0);
        const char *names = wh_rows_text(r, i, 1);
        for (i++; i < n && wh_rows_int(r, i, 0) == user; i++)
            names = wh_arena_printf(ctx->arena, "%s, %s", names, wh_rows_text(r, i, 1));
        reminder rm = {
            {user, "EOD_REMINDER",
             wh_arena_printf(ctx->arena, "Reminder: end-of-day report for %s", ctx->date),
             wh_arena_printf(ctx->arena, "Not yet filed for: %s.", names), NULL, 0,
             wh_arena_printf(ctx->arena, "EOD_REMINDER:%lld:%s", (long long)user, ctx->date)},
            false};
        wh_error one = {0};
        bool taken = false;
        wh_err one_rc = ctx->dry_run ? key_exists(ctx,
                                                  "SELECT 1 FROM notifications WHERE"
                                                  " notify_key = $1",
                                                  rm.n.key, &taken, &one)
                                     : fenced(ctx, send_reminder, &rm, &one);
        if (one_rc != WH_OK) {
            count_failed(&st, wh_arena_printf(ctx->arena, "user %lld", (long long)user), &one);
            continue;
        }
        if (ctx->dry_run ? taken : !rm.created)
            existing++;
        else
            notified++;
    }
    json_object_set_new(ctx->stats, "working_day", json_boolean(working));
    json_object_set_new(ctx->stats, "notified", json_integer(notified));
    json_object_set_new(ctx->stats, "existing", json_integer(existing));
    json_object_set_new(ctx->stats, "dry_run", json_boolean(ctx->dry_run));
    if (rc != WH_OK)
        return WH_JOB_FAILED;
    if (st.failed == 0)
        return WH_JOB_SUCCEEDED;
    (void)wh_fail(e, WH_ERR_INTERNAL, "%zu reminders failed; first: %s", st.failed, st.first);
    return WH_JOB_PARTIAL;
}
