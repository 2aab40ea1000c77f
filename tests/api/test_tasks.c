/*
 * Tasks, notifications and reminders (API-wave2 "Tasks", "Notifications", DOMAIN-wave2 §18-§22):
 * create / edit / move with the rights of §18 (own tasks for every role but AUDITOR, tasks.manage
 * for anyone else's, tasks.read to see every task in scope), scope (foreign id 404, foreign
 * venture 403), every bad input of §22 answered with its problem and nothing changed; in-app
 * notifications (unread count, read, read-all, another user's 404) and their e-mail and SMS at
 * the fake SendGrid and Twilio exactly once per preference, through a provider outage; the
 * task_rules job (each rule on a hand-built set, the dispute boundary 7 / 10 days, reruns and two
 * instances creating nothing twice) and the reminders job (once per user and day).
 *
 * The server runs in its default business time zone (America/New_York); the test computes
 * "today" there too (TZ set before anything else) and waits out the last two minutes before
 * midnight.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "harness.h"

#define MISSING_ID  987654321LL
#define RUN_WAIT_MS 60000
#define WAIT_MS     60000
#define DAY_MS      86400000LL

static wht_server *fake;

/* ---- days in the business time zone ---- */

static struct tm local_noon(int back)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    tm.tm_hour = 12;
    tm.tm_min = tm.tm_sec = 0;
    tm.tm_mday -= back;
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    localtime_r(&t, &tm);
    return tm;
}

static const char *day_back(int back)
{
    struct tm tm = local_noon(back);
    return wht_fmt("%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* Noon of the business day `back` days ago, in Unix ms. */
static long long noon_ms(int back)
{
    struct tm tm = local_noon(back);
    return (long long)mktime(&tm) * 1000;
}

static bool working(int back)
{
    struct tm tm = local_noon(back);
    return tm.tm_wday >= 1 && tm.tm_wday <= 5;
}

/* Days back to the last working day before today. */
static int last_working_back(void)
{
    int b = 1;
    while (!working(b))
        b++;
    return b;
}

static void avoid_midnight(void)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    int left = 86400 - (tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec);
    if (left < 120)
        wht_sleep_ms((left + 2) * 1000L);
}

/* ---- fixture ---- */

typedef struct {
    bool ready;
    wht_venture a, foreign;
    wht_user emp, emp2, om, auditor, outsider;
} fixture;
static fixture FX;

static wht_user member(const char *role, long long venture)
{
    wht_user u = wht_user_new(role);
    wht_set_ventures(u.id, 1, &venture);
    return u;
}

static const fixture *fx(void)
{
    if (FX.ready)
        return &FX;
    FX.a = wht_venture_new("LOGISTICS");
    FX.foreign = wht_venture_new("LOGISTICS");
    FX.emp = member("EMPLOYEE", FX.a.id);
    FX.emp2 = member("EMPLOYEE", FX.a.id);
    FX.om = member("OFFICE_MANAGER", FX.a.id);
    FX.auditor = wht_user_new("AUDITOR");
    FX.outsider = member("EMPLOYEE", FX.foreign.id);
    FX.ready = true;
    return &FX;
}

static long long task_count(void)
{
    return wht_sql("SELECT COUNT(*) FROM tasks");
}

static long long unread(const char *token)
{
    wht_resp *r = wht_get(token, "/notifications/unread-count");
    WHT_EXPECT(r, 200);
    return wht_int(r->json, "unread");
}

static json_t *create_task(const char *token, json_t *body, long status)
{
    wht_resp *r = wht_post(token, "/tasks", body);
    WHT_EXPECT(r, status);
    return r->json;
}

static json_t *move(const char *token, long long id, const char *status, long expect)
{
    wht_resp *r =
        wht_post(token, wht_fmt("/tasks/%lld/status", id), wht_json("{s:s}", "status", status));
    WHT_EXPECT(r, expect);
    return r->json;
}

/* ---- jobs ---- */

static json_t *run_get(long long id)
{
    wht_resp *r = wht_get(wht_admin_token(), wht_fmt("/jobs/runs/%lld", id));
    WHT_EXPECT(r, 200);
    return r->json;
}

static json_t *run_wait(long long id)
{
    long long deadline = wht_now_ms() + RUN_WAIT_MS;
    for (;;) {
        json_t *run = run_get(id);
        if (strcmp(wht_str(run, "status"), "RUNNING") != 0)
            return run;
        if (wht_now_ms() > deadline)
            WHT_FAIL("run %lld still RUNNING: %s", id, wht_dump(run));
        wht_sleep_ms(50);
    }
}

static bool lease_held(const char *job)
{
    wht_resp *r = wht_get(wht_admin_token(), "/jobs");
    WHT_EXPECT(r, 200);
    size_t i;
    json_t *it;
    json_array_foreach(wht_items(r), i, it)
    {
        if (strcmp(wht_str(it, "name"), job) == 0)
            return !json_is_null(json_object_get(it, "lease"));
    }
    WHT_FAIL("no job %s in GET /jobs", job);
    return false;
}

static void lease_free(const char *job)
{
    long long deadline = wht_now_ms() + RUN_WAIT_MS;
    while (lease_held(job)) {
        if (wht_now_ms() > deadline)
            WHT_FAIL("the lease of %s stays held", job);
        wht_sleep_ms(50);
    }
}

/* Runs job for venture on date (dry_run as given) and answers its stats. */
static json_t *run_job(const char *job, long long venture, const char *date, bool dry)
{
    lease_free(job);
    wht_resp *r =
        wht_post(wht_admin_token(), wht_fmt("/jobs/%s/run", job),
                 wht_json("{s:I, s:s, s:b}", "venture_id", venture, "date", date, "dry_run", dry));
    WHT_EXPECT(r, 202);
    json_t *run = run_wait(wht_int(r->json, "id"));
    if (strcmp(wht_str(run, "status"), "SUCCEEDED") != 0)
        WHT_FAIL("%s did not succeed: %s", job, wht_dump(run));
    lease_free(job);
    return json_object_get(run, "stats");
}

static long long created_of(const json_t *stats, const char *rule)
{
    return json_integer_value(json_object_get(json_object_get(stats, "created"), rule));
}

/* ------------------------------------------------------------------ tests */

/* An employee creates a task for themselves; the fields, defaults and the audit entry. */
static void test_create_own_task(void **state)
{
    (void)state;
    const fixture *f = fx();
    long long head = wht_audit_head();
    json_t *t = create_task(f->emp.token,
                            wht_json("{s:I, s:s, s:s, s:s}", "venture_id", f->a.id, "title",
                                     "Call the shipper", "due_on", day_back(1), "description",
                                     "About the late pickup"),
                            201);
    assert_int_equal(wht_int(t, "assignee_id"), f->emp.id);
    assert_int_equal(wht_int(t, "created_by"), f->emp.id);
    assert_string_equal(wht_str(t, "status"), "OPEN");
    assert_string_equal(wht_str(t, "priority"), "MEDIUM");
    assert_true(json_is_true(json_object_get(t, "overdue")));
    assert_true(json_is_null(json_object_get(t, "rule")));
    assert_true(json_is_null(json_object_get(t, "completed_at")));
    json_t *audit = wht_audit_since(head);
    assert_string_equal(wht_str(json_array_get(audit, 0), "action"), "task.create");
    /* no notification for one's own task */
    assert_int_equal(unread(f->emp.token), 0);
    wht_resp *g = wht_get(f->emp.token, wht_fmt("/tasks/%lld", wht_int(t, "id")));
    WHT_EXPECT(g, 200);
    WHT_JSON_EQUAL(g->json, t);
}

/* §22: each bad input gets its problem, and no task is written. */
static void test_bad_input_changes_nothing(void **state)
{
    (void)state;
    const fixture *f = fx();
    const char *tok = f->om.token;
    long long before = task_count();
    long long v = f->a.id;
    char long_title[202];
    memset(long_title, 'x', 201);
    long_title[201] = 0;
    WHT_PROBLEM(wht_post(tok, "/tasks", wht_json("{s:I, s:s}", "venture_id", v, "title", "")), 400,
                "validation_failed", "title");
    WHT_PROBLEM(
        wht_post(tok, "/tasks", wht_json("{s:I, s:s}", "venture_id", v, "title", long_title)), 400,
        "validation_failed", "title");
    WHT_PROBLEM(wht_post(tok, "/tasks", wht_json("{s:I}", "venture_id", v)), 400,
                "validation_failed", "title");
    WHT_PROBLEM(
        wht_post(tok, "/tasks",
                 wht_json("{s:I, s:s, s:s}", "venture_id", v, "title", "t", "priority", "URGENT")),
        400, "validation_failed", "priority");
    WHT_PROBLEM(wht_post(tok, "/tasks",
                         wht_json("{s:I, s:s, s:s, s:I}", "venture_id", v, "title", "t",
                                  "link_type", "planet", "link_id", 1LL)),
                400, "validation_failed", "link_type");
    WHT_PROBLEM(
        wht_post(tok, "/tasks",
                 wht_json("{s:I, s:s, s:I}", "venture_id", v, "title", "t", "link_id", 1LL)),
        400, "validation_failed", "link_type");
    WHT_PROBLEM(wht_post(tok, "/tasks",
                         wht_json("{s:I, s:s, s:s, s:I}", "venture_id", v, "title", "t",
                                  "link_type", "load", "link_id", MISSING_ID)),
                400, "validation_failed", "link_id");
    /* a user link must be an eligible user of the venture */
    WHT_PROBLEM(wht_post(tok, "/tasks",
                         wht_json("{s:I, s:s, s:s, s:I}", "venture_id", v, "title", "t",
                                  "link_type", "user", "link_id", f->outsider.id)),
                400, "validation_failed", "link_id");
    WHT_PROBLEM(wht_post(tok, "/tasks",
                         wht_json("{s:I, s:s, s:I}", "venture_id", v, "title", "t", "assignee_id",
                                  f->outsider.id)),
                400, "validation_failed", "assignee_id");
    WHT_PROBLEM(wht_post(tok, "/tasks",
                         wht_json("{s:I, s:s, s:s}", "venture_id", v, "title", "t", "due_on",
                                  "2026-02-30")),
                400, "validation_failed", "due_on");
    WHT_PROBLEM(wht_post(tok, "/tasks",
                         wht_json("{s:I, s:s, s:i}", "venture_id", v, "title", "t", "status", 1)),
                400, "validation_failed", "status");
    WHT_PROBLEM(wht_get(tok, "/tasks?link_id=3"), 400, "validation_failed", "link_id");
    WHT_PROBLEM(wht_get(tok, "/tasks?status=DOING"), 400, "validation_failed", "status");
    WHT_PROBLEM(wht_get(tok, "/tasks?overdue=maybe"), 400, "validation_failed", "overdue");
    WHT_PROBLEM(wht_get(tok, "/notifications?unread=1"), 400, "validation_failed", "unread");
    assert_int_equal(task_count(), before);
}

/* Rights (§18): assigning to someone else needs tasks.manage; AUDITOR reads everything and
 * writes nothing; a task of another user is 404 to a caller without tasks.read; a foreign
 * venture is 403. */
static void test_rights_and_scope(void **state)
{
    (void)state;
    const fixture *f = fx();
    long long before = task_count();
    WHT_PROBLEM(wht_post(f->emp.token, "/tasks",
                         wht_json("{s:I, s:s, s:I}", "venture_id", f->a.id, "title", "For you",
                                  "assignee_id", f->emp2.id)),
                403, "forbidden", NULL);
    WHT_PROBLEM(wht_post(f->auditor.token, "/tasks",
                         wht_json("{s:I, s:s}", "venture_id", f->a.id, "title", "Audit")),
                403, "forbidden", NULL);
    WHT_PROBLEM(wht_post(f->outsider.token, "/tasks",
                         wht_json("{s:I, s:s}", "venture_id", f->a.id, "title", "Outside")),
                403, "forbidden", NULL);
    assert_int_equal(task_count(), before);

    json_t *t = create_task(f->emp.token,
                            wht_json("{s:I, s:s}", "venture_id", f->a.id, "title", "Mine"), 201);
    long long id = wht_int(t, "id");
    const char *path = wht_fmt("/tasks/%lld", id);
    WHT_EXPECT(wht_get(f->auditor.token, path), 200);
    WHT_EXPECT(wht_get(f->om.token, path), 200);
    WHT_PROBLEM(wht_get(f->emp2.token, path), 404, "not_found", NULL);
    WHT_PROBLEM(wht_get(f->outsider.token, path), 404, "not_found", NULL);
    WHT_PROBLEM(wht_patch(f->emp2.token, path, wht_json("{s:s}", "title", "Stolen")), 404,
                "not_found", NULL);
    WHT_PROBLEM(wht_patch(f->auditor.token, path, wht_json("{s:s}", "title", "Audited")), 403,
                "forbidden", NULL);
    WHT_PROBLEM(wht_patch(f->emp.token, path, wht_json("{s:I}", "assignee_id", f->emp2.id)), 403,
                "forbidden", NULL);
    WHT_PROBLEM(wht_get(f->emp.token, "/tasks/987654321"), 404, "not_found", NULL);
    WHT_PROBLEM(wht_get(f->outsider.token, wht_fmt("/tasks?venture_id=%lld", f->a.id)), 403,
                "forbidden", NULL);
    /* lists: the employee's own tasks only; the outsider's list holds none of venture a */
    json_t *mine = wht_list_all(f->emp2.token, "/tasks", 50);
    size_t i;
    json_t *it;
    json_array_foreach(mine, i, it)
    {
        assert_true(wht_int(it, "assignee_id") == f->emp2.id ||
                    wht_int(it, "created_by") == f->emp2.id);
    }
    json_array_foreach(wht_list_all(f->outsider.token, "/tasks", 50), i, it)
    {
        assert_int_equal(wht_int(it, "venture_id"), f->foreign.id);
    }
    assert_non_null(wht_find_by_id(
        wht_list_all(f->om.token, wht_fmt("/tasks?venture_id=%lld", f->a.id), 2), id));
    assert_string_equal(wht_str(wht_get(f->emp.token, path)->json, "title"), "Mine");
}

/* A manager assigns a task: the assignee is notified; the assignee completes it and the creator
 * is notified; the status machine of §18. */
static void test_assign_notify_and_status(void **state)
{
    (void)state;
    const fixture *f = fx();
    long long before_emp = unread(f->emp.token), before_om = unread(f->om.token);
    json_t *t = create_task(f->om.token,
                            wht_json("{s:I, s:s, s:I, s:s, s:s}", "venture_id", f->a.id, "title",
                                     "Check the invoice", "assignee_id", f->emp.id, "priority",
                                     "HIGH", "due_on", day_back(-3)),
                            201);
    long long id = wht_int(t, "id");
    assert_false(json_is_true(json_object_get(t, "overdue")));
    assert_int_equal(unread(f->emp.token), before_emp + 1);
    wht_resp *l = wht_get(f->emp.token, "/notifications?unread=true&limit=1");
    WHT_EXPECT(l, 200);
    json_t *n = json_array_get(wht_items(l), 0);
    assert_string_equal(wht_str(n, "type"), "TASK_ASSIGNED");
    assert_string_equal(wht_str(n, "title"), "New task: Check the invoice");
    assert_non_null(strstr(wht_str(n, "body"), wht_fmt("Due %s.", day_back(-3))));
    assert_string_equal(wht_str(n, "link_type"), "task");
    assert_int_equal(wht_int(n, "link_id"), id);
    /* mine=true shows it to the assignee */
    assert_non_null(wht_find_by_id(wht_list_all(f->emp.token, "/tasks?mine=true", 50), id));

    json_t *done = move(f->emp.token, id, "DONE", 200);
    assert_true(wht_is_rfc3339_ms_utc(wht_str(done, "completed_at")));
    assert_int_equal(unread(f->om.token), before_om + 1);
    move(f->emp.token, id, "DONE", 200); /* same -> same: no-op, no second notice */
    assert_int_equal(unread(f->om.token), before_om + 1);
    long long rows = wht_sql(wht_fmt("SELECT COUNT(*) FROM audit_log WHERE action = 'task.status'"
                                     " AND entity_id = %lld",
                                     id));
    WHT_PROBLEM(wht_post(f->emp.token, wht_fmt("/tasks/%lld/status", id),
                         wht_json("{s:s}", "status", "CANCELLED")),
                409, "invalid_transition", NULL);
    WHT_PROBLEM(wht_post(f->emp.token, wht_fmt("/tasks/%lld/status", id),
                         wht_json("{s:s}", "status", "LATER")),
                400, "validation_failed", "status");
    assert_int_equal(wht_sql(wht_fmt("SELECT COUNT(*) FROM audit_log WHERE action ="
                                     " 'task.status' AND entity_id = %lld",
                                     id)),
                     rows);
    json_t *open = move(f->emp.token, id, "OPEN", 200);
    assert_true(json_is_null(json_object_get(open, "completed_at")));
    move(f->om.token, id, "CANCELLED", 200);
    WHT_PROBLEM(wht_post(f->auditor.token, wht_fmt("/tasks/%lld/status", id),
                         wht_json("{s:s}", "status", "OPEN")),
                403, "forbidden", NULL);
    /* reassignment by PATCH notifies the new assignee */
    long long before_emp2 = unread(f->emp2.token);
    wht_resp *p = wht_patch(f->om.token, wht_fmt("/tasks/%lld", id),
                            wht_json("{s:I, s:n}", "assignee_id", f->emp2.id, "due_on"));
    WHT_EXPECT(p, 200);
    assert_true(json_is_null(json_object_get(p->json, "due_on")));
    assert_int_equal(unread(f->emp2.token), before_emp2 + 1);
}

/* Reads: mark one read (read_at kept on a second call), another user's is 404, read-all. */
static void test_notification_reads(void **state)
{
    (void)state;
    const fixture *f = fx();
    for (int i = 0; i < 3; i++)
        create_task(f->om.token,
                    wht_json("{s:I, s:s, s:I}", "venture_id", f->a.id, "title",
                             wht_fmt("Read me %d", i), "assignee_id", f->emp2.id),
                    201);
    long long n = unread(f->emp2.token);
    assert_true(n >= 3);
    wht_resp *l = wht_get(f->emp2.token, "/notifications?unread=true&limit=1");
    WHT_EXPECT(l, 200);
    long long id = wht_int(json_array_get(wht_items(l), 0), "id");
    wht_resp *r1 = wht_post(f->emp2.token, wht_fmt("/notifications/%lld/read", id), NULL);
    WHT_EXPECT(r1, 200);
    const char *at = wht_str(r1->json, "read_at");
    wht_sleep_ms(5);
    wht_resp *r2 = wht_post(f->emp2.token, wht_fmt("/notifications/%lld/read", id), NULL);
    WHT_EXPECT(r2, 200);
    assert_string_equal(wht_str(r2->json, "read_at"), at);
    assert_int_equal(unread(f->emp2.token), n - 1);
    WHT_PROBLEM(wht_post(f->emp.token, wht_fmt("/notifications/%lld/read", id), NULL), 404,
                "not_found", NULL);
    WHT_PROBLEM(wht_post(f->emp.token, "/notifications/987654321/read", NULL), 404, "not_found",
                NULL);
    json_t *others = wht_list_all(f->emp.token, "/notifications", 50);
    assert_null(wht_find_by_id(others, id));
    wht_resp *all = wht_post(f->emp2.token, "/notifications/read-all", NULL);
    WHT_EXPECT(all, 200);
    assert_int_equal(wht_int(all->json, "updated"), n - 1);
    assert_int_equal(unread(f->emp2.token), 0);
    assert_int_equal(
        json_array_size(wht_items(wht_get(f->emp2.token, "/notifications?unread=true"))), 0);
}

/* Preferences: defaults, merge, the phone rules, bad keys. */
static void test_preferences(void **state)
{
    (void)state;
    wht_user u = wht_user_new("EMPLOYEE");
    wht_resp *g = wht_get(u.token, "/me/notification-preferences");
    WHT_EXPECT(g, 200);
    assert_true(json_is_null(json_object_get(g->json, "phone")));
    json_t *ch = json_object_get(g->json, "channels");
    assert_true(json_is_true(json_object_get(json_object_get(ch, "TASK_ASSIGNED"), "email")));
    assert_true(json_is_false(json_object_get(json_object_get(ch, "TASK_COMPLETED"), "email")));
    assert_true(json_is_false(json_object_get(json_object_get(ch, "EOD_REMINDER"), "sms")));
    const char *p = "/me/notification-preferences";
    WHT_PROBLEM(
        wht_put(u.token, p, wht_json("{s:{s:{s:b}}}", "channels", "TASK_ASSIGNED", "sms", 1)), 400,
        "validation_failed", "channels");
    WHT_PROBLEM(wht_put(u.token, p, wht_json("{s:s}", "phone", "+0123456789")), 400,
                "validation_failed", "phone");
    WHT_PROBLEM(wht_put(u.token, p, wht_json("{s:s}", "phone", "5551234567")), 400,
                "validation_failed", "phone");
    WHT_PROBLEM(wht_put(u.token, p, wht_json("{s:{s:{s:b}}}", "channels", "BIRTHDAY", "email", 1)),
                400, "validation_failed", "channels");
    WHT_PROBLEM(
        wht_put(u.token, p, wht_json("{s:{s:{s:b}}}", "channels", "TASK_ASSIGNED", "fax", 1)), 400,
        "validation_failed", "channels");
    WHT_PROBLEM(wht_put(u.token, p, wht_json("{s:i}", "colour", 1)), 400, "validation_failed",
                "colour");
    WHT_JSON_EQUAL(wht_get(u.token, p)->json, g->json);
    wht_resp *ok = wht_put(u.token, p,
                           wht_json("{s:s, s:{s:{s:b}}}", "phone", "+15551234567", "channels",
                                    "TASK_ASSIGNED", "sms", 1));
    WHT_EXPECT(ok, 200);
    assert_string_equal(wht_str(ok->json, "phone"), "+15551234567");
    json_t *ta = json_object_get(json_object_get(ok->json, "channels"), "TASK_ASSIGNED");
    assert_true(json_is_true(json_object_get(ta, "sms")));
    assert_true(json_is_true(json_object_get(ta, "email"))); /* merged, not replaced */
    WHT_PROBLEM(wht_put(u.token, p, wht_json("{s:n}", "phone")), 400, "validation_failed", "phone");
    wht_resp *off = wht_put(
        u.token, p, wht_json("{s:n, s:{s:{s:b}}}", "phone", "channels", "TASK_ASSIGNED", "sms", 0));
    WHT_EXPECT(off, 200);
    assert_true(json_is_null(json_object_get(off->json, "phone")));
}

/* SendGrid requests whose recipient is email that it accepted (2xx). */
static size_t mails_to(const char *email)
{
    size_t n = 0, i;
    json_t *e;
    json_array_foreach(wht_fake_requests(fake, "sendgrid"), i, e)
    {
        long long st = json_integer_value(json_object_get(e, "status"));
        if (strcasecmp(wht_mail_to(e), email) == 0 && st >= 200 && st < 300)
            n++;
    }
    return n;
}

/* Twilio requests naming the phone's digits. */
static size_t sms_to(const char *digits)
{
    size_t n = 0, i;
    json_t *e;
    json_array_foreach(wht_fake_requests(fake, "twilio"), i, e)
    {
        const char *body = json_string_value(json_object_get(e, "body"));
        if (body && strstr(body, digits))
            n++;
    }
    return n;
}

static void wait_delivered(const char *email)
{
    long long deadline = wht_now_ms() + WAIT_MS;
    while (wht_sql(wht_fmt("SELECT COUNT(*) FROM outbox WHERE status = 'PENDING' AND (recipient"
                           " = '%s' OR recipient LIKE '+1555%%')",
                           email)) > 0) {
        if (wht_now_ms() > deadline)
            WHT_FAIL("messages to %s still pending", email);
        wht_sleep_ms(50);
    }
}

/* E-mail and SMS per preference reach the fakes exactly once, also through a SendGrid outage;
 * TASK_COMPLETED (e-mail off by default) sends nothing. */
static void test_delivery_once_through_an_outage(void **state)
{
    (void)state;
    const fixture *f = fx();
    wht_user u = member("EMPLOYEE", f->a.id);
    WHT_EXPECT(wht_put(u.token, "/me/notification-preferences",
                       wht_json("{s:s, s:{s:{s:b}}}", "phone", "+15558675309", "channels",
                                "TASK_ASSIGNED", "sms", 1)),
               200);
    wht_fake_reset(fake);
    wht_fake_mode(fake, "sendgrid", "fail503");
    json_t *t = create_task(f->om.token,
                            wht_json("{s:I, s:s, s:I}", "venture_id", f->a.id, "title",
                                     "Deliver me", "assignee_id", u.id),
                            201);
    /* the SMS goes, the e-mail waits */
    long long deadline = wht_now_ms() + WAIT_MS;
    while (sms_to("15558675309") == 0 ||
           json_array_size(wht_fake_requests(fake, "sendgrid")) == 0) {
        if (wht_now_ms() > deadline)
            WHT_FAIL("no delivery attempts");
        wht_sleep_ms(50);
    }
    assert_true(wht_sql(wht_fmt("SELECT COUNT(*) FROM outbox WHERE recipient = '%s' AND status ="
                                " 'PENDING'",
                                u.email)) == 1);
    wht_fake_mode(fake, "sendgrid", "ok");
    wait_delivered(u.email);
    wht_sleep_ms(300);
    assert_int_equal(sms_to("15558675309"), 1);
    assert_int_equal(mails_to(u.email), 1);
    assert_int_equal(wht_sql(wht_fmt("SELECT COUNT(*) FROM outbox WHERE recipient = '%s' AND"
                                     " status = 'SENT'",
                                     u.email)),
                     1);
    long long sent_before = wht_sql("SELECT COUNT(*) FROM outbox");
    /* TASK_COMPLETED to the creator: e-mail off by default */
    move(u.token, wht_int(t, "id"), "DONE", 200);
    assert_int_equal(wht_sql("SELECT COUNT(*) FROM outbox"), sent_before);
}

/* task_rules, MISSED_EOD: the user's manager, else the venture head, never the user; a filed
 * report means no task; a rerun and a dry run create nothing. */
static void test_rule_missed_eod(void **state)
{
    (void)state;
    avoid_midnight();
    wht_venture v = wht_venture_new("BPO");
    wht_user head = member("VENTURE_HEAD", v.id);
    wht_user mgr = member("TEAM_LEAD", v.id);
    wht_user a = member("EMPLOYEE", v.id);
    wht_user b = member("EMPLOYEE", v.id);
    wht_user filed = member("EMPLOYEE", v.id);
    WHT_EXPECT(wht_patch(wht_admin_token(), wht_fmt("/users/%lld", a.id),
                         wht_json("{s:I}", "manager_id", mgr.id)),
               200);
    const char *x = day_back(last_working_back());
    /* everyone but `filed` (and the head and manager, who have not filed either) */
    const char *const who[] = {filed.token};
    WHT_EXPECT(wht_put(who[0], wht_fmt("/eod-reports/%lld/%s", v.id, x),
                       wht_json("{s:s}", "summary", "Done for the day")),
               201);
    const char *today = day_back(0);
    json_t *dry = run_job("task_rules", v.id, today, true);
    assert_int_equal(created_of(dry, "MISSED_EOD"), 3); /* mgr, a, b; the head has no one */
    assert_int_equal(wht_int(dry, "no_assignee"), 1);
    assert_int_equal(wht_sql(wht_fmt("SELECT COUNT(*) FROM tasks WHERE venture_id = %lld", v.id)),
                     0);
    json_t *st = run_job("task_rules", v.id, today, false);
    assert_string_equal(wht_str(st, "checked_day"), x);
    /* the head has no one above: skipped */
    assert_int_equal(created_of(st, "MISSED_EOD"), 3);
    assert_int_equal(wht_int(st, "no_assignee"), 1);
#define MISSED_Q "SELECT assignee_id FROM tasks WHERE rule_key = 'MISSED_EOD:%lld:%lld:%s'"
    assert_int_equal(wht_sql(wht_fmt(MISSED_Q, v.id, a.id, x)), mgr.id);
    assert_int_equal(wht_sql(wht_fmt(MISSED_Q, v.id, b.id, x)), head.id);
    assert_int_equal(wht_sql(wht_fmt(MISSED_Q, v.id, mgr.id, x)), head.id);
    assert_int_equal(wht_sql(wht_fmt(MISSED_Q, v.id, filed.id, x)), 0);
    wht_resp *t = wht_get(mgr.token, wht_fmt("/tasks?rule=MISSED_EOD&venture_id=%lld", v.id));
    WHT_EXPECT(t, 200);
    json_t *task = NULL, *it;
    size_t i;
    json_array_foreach(wht_items(t), i, it)
    {
        if (wht_int(it, "link_id") == a.id)
            task = it;
    }
    assert_non_null(task);
    wht_resp *ua = wht_get(wht_admin_token(), wht_fmt("/users/%lld", a.id));
    WHT_EXPECT(ua, 200);
    assert_string_equal(wht_str(task, "title"),
                        wht_fmt("Missed EOD report: %s on %s", wht_str(ua->json, "full_name"), x));
    assert_true(json_is_null(json_object_get(task, "created_by")));
    assert_string_equal(wht_str(task, "link_type"), "user");
    assert_string_equal(wht_str(task, "due_on"), today);
    /* automatic tasks notify their assignee; the audit entry has no actor */
    assert_int_equal(unread(mgr.token), 1);
    assert_int_equal(wht_sql(wht_fmt("SELECT COUNT(*) FROM audit_log WHERE action = 'task.create'"
                                     " AND actor_id IS NULL AND venture_id = %lld",
                                     v.id)),
                     3);
    json_t *again = run_job("task_rules", v.id, today, false);
    assert_int_equal(created_of(again, "MISSED_EOD"), 0);
    assert_int_equal(wht_int(again, "existing"), 3);
    assert_int_equal(wht_sql(wht_fmt("SELECT COUNT(*) FROM tasks WHERE venture_id = %lld", v.id)),
                     3);
    assert_int_equal(unread(mgr.token), 1);
}

/* Users' manager_id and phone (API-wave2 "Changes to wave-1 resources"): shape, §22 refusals
 * that change nothing, clearing. */
static void test_user_manager_and_phone(void **state)
{
    (void)state;
    const fixture *f = fx();
    const char *tok = wht_admin_token();
    wht_user u = wht_user_add("EMPLOYEE");
    wht_user gone = wht_user_add("EMPLOYEE");
    WHT_EXPECT(wht_patch(tok, wht_fmt("/users/%lld", gone.id), wht_json("{s:b}", "active", 0)),
               200);
    const char *path = wht_fmt("/users/%lld", u.id);
    wht_resp *before = wht_get(tok, path);
    WHT_EXPECT(before, 200);
    assert_true(json_is_null(json_object_get(before->json, "manager_id")));
    assert_true(json_is_null(json_object_get(before->json, "phone")));
    WHT_PROBLEM(wht_patch(tok, path, wht_json("{s:I}", "manager_id", u.id)), 400,
                "validation_failed", "manager_id");
    WHT_PROBLEM(wht_patch(tok, path, wht_json("{s:I}", "manager_id", MISSING_ID)), 400,
                "validation_failed", "manager_id");
    WHT_PROBLEM(wht_patch(tok, path, wht_json("{s:I}", "manager_id", gone.id)), 400,
                "validation_failed", "manager_id");
    WHT_PROBLEM(wht_patch(tok, path, wht_json("{s:s}", "phone", "+1555")), 400, "validation_failed",
                "phone");
    WHT_PROBLEM(wht_post(tok, "/users",
                         wht_json("{s:s, s:s, s:s, s:s}", "email", wht_unique_email(), "full_name",
                                  "P", "role", "EMPLOYEE", "phone", "+1-555-123")),
                400, "validation_failed", "phone");
    WHT_JSON_EQUAL(wht_get(tok, path)->json, before->json);
    wht_resp *ok = wht_patch(
        tok, path, wht_json("{s:I, s:s}", "manager_id", f->om.id, "phone", "+442071234567"));
    WHT_EXPECT(ok, 200);
    assert_int_equal(wht_int(ok->json, "manager_id"), f->om.id);
    assert_string_equal(wht_str(ok->json, "phone"), "+442071234567");
    wht_resp *cleared = wht_patch(tok, path, wht_json("{s:n, s:n}", "manager_id", "phone"));
    WHT_EXPECT(cleared, 200);
    assert_true(json_is_null(json_object_get(cleared->json, "manager_id")));
    assert_true(json_is_null(json_object_get(cleared->json, "phone")));
}

/* A dispute of venture v opened (opened_on) `back` days ago but recorded today: the rule
 * counts from opened_on (DOMAIN-wave2 §4); returns the dispute id. */
static long long dispute(long long venture, long long hotel, long long owner, int back)
{
    return wht_sql(wht_fmt("INSERT INTO hotel_disputes (hotel_id, venture_id, type, amount_cents,"
                           " status, owner_id, opened_on, created_at, updated_at) VALUES (%lld,"
                           " %lld, 'CHARGEBACK', 100, 'OPEN', %lld, '%s', %lld, %lld) RETURNING id",
                           hotel, venture, owner, day_back(back), noon_ms(0), noon_ms(0)));
}

/* DISPUTE_OPEN_7_DAYS: exactly 7 days gets no task, 10 days gets one (to its owner, HIGH);
 * no second task while that one is OPEN, even on another day. */
static void test_rule_dispute_boundary(void **state)
{
    (void)state;
    avoid_midnight();
    wht_venture v = wht_venture_new("HOSPITALITY");
    wht_user owner = member("TEAM_LEAD", v.id);
    member("VENTURE_HEAD", v.id);
    long long hotel = wht_sql(wht_fmt("INSERT INTO hotels (venture_id, name, code, rooms,"
                                      " created_at, updated_at) VALUES (%lld, 'Harbor Inn', '%s',"
                                      " 10, 1, 1) RETURNING id",
                                      v.id, wht_unique_code()));
    long long seven = dispute(v.id, hotel, owner.id, 7);
    long long ten = dispute(v.id, hotel, owner.id, 10);
    /* everyone files today's... the MISSED_EOD tasks of this venture do not matter here */
    json_t *st = run_job("task_rules", v.id, day_back(0), false);
    assert_int_equal(created_of(st, "DISPUTE_OPEN_7_DAYS"), 1);
    assert_int_equal(wht_sql(wht_fmt("SELECT COUNT(*) FROM tasks WHERE link_type ="
                                     " 'hotel_dispute' AND link_id = %lld",
                                     seven)),
                     0);
    wht_resp *l = wht_get(owner.token, wht_fmt("/tasks?link_type=hotel_dispute&link_id=%lld", ten));
    WHT_EXPECT(l, 200);
    json_t *t = json_array_get(wht_items(l), 0);
    assert_non_null(t);
    assert_string_equal(wht_str(t, "title"),
                        wht_fmt("Dispute #%lld open 10 days: Harbor Inn", ten));
    assert_string_equal(wht_str(t, "priority"), "HIGH");
    assert_int_equal(wht_int(t, "assignee_id"), owner.id);
    /* a day later: the 7-day one is now 8 days and gets its task; the 10-day one still has an
     * OPEN task, so none */
    wht_sql(
        wht_fmt("UPDATE hotel_disputes SET opened_on = '%s' WHERE id = %lld", day_back(8), seven));
    json_t *next = run_job("task_rules", v.id, day_back(0), false);
    assert_int_equal(created_of(next, "DISPUTE_OPEN_7_DAYS"), 1);
    assert_int_equal(wht_sql(wht_fmt("SELECT COUNT(*) FROM tasks WHERE link_type ="
                                     " 'hotel_dispute' AND link_id = %lld",
                                     ten)),
                     1);
}

/* CARRIER_LOST_AUTHORITY: a COVERED load whose carrier is OUT_OF_SERVICE, to the load's
 * dispatcher (not its creator), CRITICAL; two instances running the job at once create it once. */
static void test_rule_carrier_lost_authority_two_instances(void **state)
{
    (void)state;
    avoid_midnight();
    wht_venture v = wht_venture_new("LOGISTICS");
    wht_user creator = member("DISPATCHER", v.id);
    wht_user disp = member("DISPATCHER", v.id);
    long long now = wht_now_ms();
    long long carrier = wht_sql(wht_fmt("INSERT INTO carriers (name, legal_name, dot_number,"
                                        " fmcsa_status, created_at, updated_at) VALUES ('Fast"
                                        " Freight', 'Fast Freight LLC', '%lld', 'OUT_OF_SERVICE',"
                                        " %lld, %lld) RETURNING id",
                                        now % 100000000, now, now));
    long long load = wht_sql(wht_fmt(
        "INSERT INTO loads (venture_id, reference, carrier_id, created_by, dispatcher_id,"
        " pickup_city, pickup_state, drop_city, drop_state, status, created_day, created_at,"
        " updated_at) VALUES (%lld, 'REF-77', %lld, %lld, %lld, 'Austin', 'TX', 'Dallas', 'TX',"
        " 'COVERED', '%s', %lld, %lld) RETURNING id",
        v.id, carrier, creator.id, disp.id, day_back(0), now, now));
    wht_server *second = wht_server_start(NULL);
    lease_free("task_rules");
    json_t *body = wht_json("{s:I, s:s}", "venture_id", v.id, "date", day_back(0));
    wht_resp *r1 =
        wht_send_on(NULL, "POST", wht_admin_token(), "/jobs/task_rules/run", json_incref(body));
    wht_resp *r2 = wht_send_on(second, "POST", wht_admin_token(), "/jobs/task_rules/run", body);
    assert_true(r1->status == 202 || r1->status == 409);
    assert_true(r2->status == 202 || r2->status == 409);
    if (r1->status == 202)
        run_wait(wht_int(r1->json, "id"));
    if (r2->status == 202)
        run_wait(wht_int(r2->json, "id"));
    lease_free("task_rules");
    run_job("task_rules", v.id, day_back(0), false);
    wht_server_stop(second);
    assert_int_equal(wht_sql(wht_fmt("SELECT COUNT(*) FROM tasks WHERE link_type = 'load' AND"
                                     " link_id = %lld",
                                     load)),
                     1);
    wht_resp *l = wht_get(disp.token, wht_fmt("/tasks?link_type=load&link_id=%lld", load));
    WHT_EXPECT(l, 200);
    json_t *t = json_array_get(wht_items(l), 0);
    assert_string_equal(wht_str(t, "title"),
                        "Carrier Fast Freight lost authority (OUT_OF_SERVICE): load REF-77");
    assert_string_equal(wht_str(t, "priority"), "CRITICAL");
    assert_int_equal(wht_int(t, "assignee_id"), disp.id);
    assert_int_equal(wht_sql(wht_fmt("SELECT COUNT(*) FROM notifications WHERE user_id = %lld"
                                     " AND type = 'TASK_ASSIGNED' AND link_id = %lld",
                                     disp.id, wht_int(t, "id"))),
                     1);
}

/* reminders: on a working day, one EOD_REMINDER per user listing the ventures not filed, e-mailed
 * once; a rerun sends nothing new; nothing on a weekend day. */
static void test_reminders_once_per_day(void **state)
{
    (void)state;
    avoid_midnight();
    int back = 0;
    while (!working(back))
        back++;
    const char *d = day_back(back);
    wht_venture v1 = wht_venture_new("BPO"), v2 = wht_venture_new("BPO");
    long long both[] = {v1.id, v2.id};
    wht_user u = wht_user_new("EMPLOYEE");
    wht_set_ventures(u.id, 2, both);
    wht_user done = member("EMPLOYEE", v1.id);
    WHT_EXPECT(wht_put(done.token, wht_fmt("/eod-reports/%lld/%s", v1.id, d),
                       wht_json("{s:s}", "summary", "Filed")),
               201);
    wht_fake_reset(fake);
    json_t *st = run_job("reminders", v1.id, d, false);
    assert_true(json_is_true(json_object_get(st, "working_day")));
    assert_int_equal(wht_int(st, "notified"), 1);
    wht_resp *l = wht_get(u.token, "/notifications?limit=1");
    json_t *n = json_array_get(wht_items(l), 0);
    assert_string_equal(wht_str(n, "type"), "EOD_REMINDER");
    assert_string_equal(wht_str(n, "title"), wht_fmt("Reminder: end-of-day report for %s", d));
    assert_string_equal(wht_str(n, "body"), wht_fmt("Not yet filed for: %s.", v1.name));
    assert_true(json_is_null(json_object_get(n, "link_type")));
    json_t *again = run_job("reminders", v1.id, d, false);
    assert_int_equal(wht_int(again, "notified"), 0);
    assert_int_equal(wht_int(again, "existing"), 1);
    assert_int_equal(
        wht_sql(wht_fmt("SELECT COUNT(*) FROM notifications WHERE user_id = %lld", u.id)), 1);
    long long deadline = wht_now_ms() + WAIT_MS;
    while (mails_to(u.email) == 0) {
        if (wht_now_ms() > deadline)
            WHT_FAIL("no reminder e-mail to %s", u.email);
        wht_sleep_ms(50);
    }
    wht_sleep_ms(300);
    assert_int_equal(mails_to(u.email), 1);
    int weekend = 0;
    while (working(weekend))
        weekend++;
    json_t *off = run_job("reminders", v1.id, day_back(weekend), false);
    assert_true(json_is_false(json_object_get(off, "working_day")));
    assert_int_equal(wht_int(off, "notified"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        WHT_TEST(test_create_own_task),
        WHT_TEST(test_bad_input_changes_nothing),
        WHT_TEST(test_rights_and_scope),
        WHT_TEST(test_assign_notify_and_status),
        WHT_TEST(test_notification_reads),
        WHT_TEST(test_preferences),
        WHT_TEST(test_delivery_once_through_an_outage),
        WHT_TEST(test_user_manager_and_phone),
        WHT_TEST(test_rule_missed_eod),
        WHT_TEST(test_rule_dispute_boundary),
        WHT_TEST(test_rule_carrier_lost_authority_two_instances),
        WHT_TEST(test_reminders_once_per_day),
    };
    fake = wht_fake_start();
    const char *base = wht_server_base(fake);
    /* "today" is the server's business day: compute it in the server's zone, whatever the
     * zone of the machine running the test (UTC on the build machine, where the two differ for
     * five hours every night) */
    setenv("TZ", "America/New_York", 1);
    tzset();
    const char *env[] = {
        "WH_TIMEZONE=America/New_York",
        wht_fmt("WH_SENDGRID_BASE_URL=%s", base),
        "WH_SENDGRID_API_KEY=SG.fake-sendgrid-key",
        "WH_SENDGRID_FROM=wheelhouse@example.com",
        wht_fmt("WH_TWILIO_BASE_URL=%s", base),
        "WH_TWILIO_ACCOUNT_SID=AC0123456789abcdef0123456789abcdef",
        "WH_TWILIO_AUTH_TOKEN=fake-twilio-token",
        "WH_TWILIO_FROM=+15557654321",
        "WH_RETRY_MAX_ATTEMPTS=2",
        "WH_RETRY_BASE_MS=50",
        "WH_RETRY_MAX_MS=200",
        "WH_BREAKER_FAILURES=100",
        "WH_OUTBOX_POLL_MS=50",
        "WH_JOBS=off",
        NULL,
    };
    wht_init_env(env);
    return wht_finish(cmocka_run_group_tests_name("api_tasks", tests, NULL, NULL));
}
