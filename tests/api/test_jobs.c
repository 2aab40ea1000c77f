/*
 * Jobs (DOMAIN.md §9, API.md "Jobs"): GET /jobs, the run log, hand runs with 202 / 409, two
 * server processes racing for one job (one SUCCEEDED, one SKIPPED_LOCKED), a lease left by a
 * killed process taken over once it expired, a paused (stale) holder whose final write is
 * refused by the fencing token, fmcsa_sync failing and partly failing against the fake FMCSA
 * with an alert e-mail at the fake SendGrid, permissions, validation and pagination.
 *
 * Every server runs with WH_JOBS=off (the harness default): the scheduler never fires here;
 * runs are started by hand. WH_JOB_TEST_DELAY_MS makes a run hold its lease for a while.
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

#include <curl/curl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "harness.h"

#define ALERT_TO     "alerts@wheelhouse.test"
#define MAIL_FROM    "noreply@wheelhouse.test"
#define RUN_WAIT_MS  30000
#define MAIL_WAIT_MS 15000

static wht_server *fake;

/* ---------------------------------------------------------------- helpers */

static json_t *run_get(long long id)
{
    wht_resp *r = wht_get(wht_admin_token(), wht_fmt("/jobs/runs/%lld", id));
    WHT_EXPECT(r, 200);
    return r->json;
}

/* Polls a run until it is no longer RUNNING. */
static json_t *run_wait(long long id)
{
    long long deadline = wht_now_ms() + RUN_WAIT_MS;
    for (;;) {
        json_t *run = run_get(id);
        if (strcmp(wht_str(run, "status"), "RUNNING") != 0)
            return run;
        if (wht_now_ms() > deadline)
            WHT_FAIL("run %lld still RUNNING after %d ms: %s", id, RUN_WAIT_MS, wht_dump(run));
        wht_sleep_ms(50);
    }
}

static wht_resp *start_on(const wht_server *s, const char *job, json_t *body)
{
    return wht_send_on(s, "POST", wht_admin_token(), wht_fmt("/jobs/%s/run", job),
                       body ? body : json_object());
}

static void lease_free(const char *job);

/* POST /jobs/{job}/run on the main server, expecting 202; waits for the end, and for the lease
 * to be given back (the runner releases it just after recording the outcome, so a next run
 * started in between would rightly be 409). */
static json_t *run_ok(const char *job, json_t *body)
{
    wht_resp *r = start_on(NULL, job, body);
    WHT_EXPECT(r, 202);
    json_t *run = run_wait(wht_int(r->json, "id"));
    lease_free(job);
    return run;
}

static json_t *job_item(const char *name)
{
    wht_resp *r = wht_get(wht_admin_token(), "/jobs");
    WHT_EXPECT(r, 200);
    size_t i;
    json_t *it;
    json_array_foreach(wht_items(r), i, it)
    {
        if (strcmp(wht_str(it, "name"), name) == 0)
            return it;
    }
    WHT_FAIL("no job %s in %s", name, r->body);
    return NULL;
}

static long long newest_run_id(void)
{
    wht_resp *r = wht_get(wht_admin_token(), "/jobs/runs?limit=1");
    WHT_EXPECT(r, 200);
    json_t *first = json_array_get(wht_items(r), 0);
    return first ? wht_int(first, "id") : 0;
}

static void check_run_shape(const json_t *run)
{
    static const char *const keys[] = {"id",     "job",          "date",        "instance",
                                       "status", "started_at",   "finished_at", "stats",
                                       "error",  "fencing_token"};
    assert_int_equal(json_object_size(run), sizeof keys / sizeof keys[0]);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (!json_object_get(run, keys[i]))
            WHT_FAIL("run without %s: %s", keys[i], wht_dump(run));
    assert_true(wht_is_rfc3339_ms_utc(wht_str(run, "started_at")));
}

/* Waits until no lease of job is held (a previous test's run has ended). */
static void lease_free(const char *job)
{
    long long deadline = wht_now_ms() + RUN_WAIT_MS;
    while (!json_is_null(json_object_get(job_item(job), "lease"))) {
        if (wht_now_ms() > deadline)
            WHT_FAIL("the lease of %s stays held", job);
        wht_sleep_ms(100);
    }
}

/* ------------------------------------------------------------------ tests */

/* The schedule GET /jobs shows for a job of the table. */
static const char *schedule_of(const char *name)
{
    if (strcmp(name, "cleanup") == 0)
        return "daily 03:00";
    if (strcmp(name, "incentive_daily") == 0)
        return "daily 07:00";
    if (strcmp(name, "kpi_aggregation") == 0)
        return "daily 07:30";
    if (strcmp(name, "task_rules") == 0)
        return "daily 06:30";
    if (strcmp(name, "reminders") == 0)
        return "daily 18:00";
    return "every 4h";
}

static void test_jobs_list_shape(void **state)
{
    (void)state;
    wht_resp *r = wht_get(wht_admin_token(), "/jobs");
    WHT_EXPECT(r, 200);
    json_t *items = wht_items(r);
    const char *const names[] = {
        "cleanup",   "fmcsa_sync", "incentive_daily", "kpi_aggregation", "task_rules",
        "reminders", NULL};
    WHT_STR_SET(items, "name", names);
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        assert_int_equal(json_object_size(it), 5);
        const char *name = wht_str(it, "name");
        assert_string_equal(wht_str(it, "schedule"), schedule_of(name));
        long long next = wht_rfc3339_ms(wht_str(it, "next_run_at"));
        assert_true(next > wht_now_ms() - 1000);
        assert_true(next <= wht_now_ms() + 24LL * 3600 * 1000 + 3600 * 1000);
        assert_true(json_is_null(json_object_get(it, "lease")));
        json_t *last = json_object_get(it, "last_run");
        assert_true(json_is_null(last) || json_is_object(last));
    }
    /* after a run, last_run is that run */
    json_t *run = run_ok("cleanup", NULL);
    json_t *item = job_item("cleanup");
    WHT_JSON_EQUAL(json_object_get(item, "last_run"), run);
}

static void test_hand_run_dry_run_and_audit(void **state)
{
    (void)state;
    long long audit = wht_audit_head();
    wht_resp *r =
        start_on(NULL, "cleanup", wht_json("{s:b, s:s}", "dry_run", 1, "date", "2026-01-15"));
    WHT_EXPECT(r, 202);
    check_run_shape(r->json);
    assert_string_equal(wht_str(r->json, "status"), "RUNNING");
    assert_string_equal(wht_str(r->json, "job"), "cleanup");
    assert_string_equal(wht_str(r->json, "date"), "2026-01-15");
    assert_true(wht_int(r->json, "fencing_token") >= 1);
    assert_true(json_is_null(json_object_get(r->json, "finished_at")));
    json_t *done = run_wait(wht_int(r->json, "id"));
    check_run_shape(done);
    assert_string_equal(wht_str(done, "status"), "SUCCEEDED");
    assert_true(json_is_true(json_object_get(json_object_get(done, "stats"), "dry_run")));
    assert_true(
        json_is_integer(json_object_get(json_object_get(done, "stats"), "sessions_deleted")));
    assert_true(wht_is_rfc3339_ms_utc(wht_str(done, "finished_at")));
    assert_true(json_is_null(json_object_get(done, "error")));
    /* the hand run is audited with its caller */
    json_t *entries = wht_audit_since(audit);
    size_t i;
    json_t *en;
    bool seen = false;
    json_array_foreach(entries, i, en)
    {
        if (strcmp(wht_str(en, "action"), "job.run") == 0 &&
            wht_int(en, "entity_id") == wht_int(done, "id")) {
            seen = true;
            assert_int_equal(wht_int(en, "actor_id"), wht_admin_id());
        }
    }
    assert_true(seen);
    /* an empty body is fine too; the default date is today */
    wht_resp *r2 = wht_send("POST", wht_admin_token(), "/jobs/cleanup/run", NULL);
    WHT_EXPECT(r2, 202);
    run_wait(wht_int(r2->json, "id"));
}

static void test_permissions(void **state)
{
    (void)state;
    const char *roles[] = {"COO", "AUDITOR", "FINANCE", "EMPLOYEE"};
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        wht_user u = wht_user_new(roles[i]);
        wht_context("role %s", roles[i]);
        WHT_PROBLEM(wht_get(u.token, "/jobs"), 403, "forbidden", NULL);
        WHT_PROBLEM(wht_get(u.token, "/jobs/runs"), 403, "forbidden", NULL);
        WHT_PROBLEM(wht_get(u.token, "/jobs/runs/1"), 403, "forbidden", NULL);
        WHT_PROBLEM(wht_post(u.token, "/jobs/cleanup/run", json_object()), 403, "forbidden", NULL);
    }
    WHT_PROBLEM(wht_get(NULL, "/jobs"), 401, "unauthenticated", NULL);
    wht_user ceo = wht_user_new("CEO");
    WHT_EXPECT(wht_get(ceo.token, "/jobs"), 200);
}

static void test_validation_records_nothing(void **state)
{
    (void)state;
    wht_venture v = wht_venture_new("LOGISTICS");
    long long before = newest_run_id();
    const char *t = wht_admin_token();
    WHT_PROBLEM(wht_post(t, "/jobs/nope/run", json_object()), 404, "not_found", NULL);
    WHT_PROBLEM(wht_post(t, "/jobs/cleanup/run", wht_json("{s:i}", "extra", 1)), 400,
                "validation_failed", "extra");
    WHT_PROBLEM(wht_post(t, "/jobs/cleanup/run", wht_json("{s:s}", "date", "2026-02-30")), 400,
                "validation_failed", "date");
    WHT_PROBLEM(wht_post(t, "/jobs/cleanup/run", wht_json("{s:s}", "date", "2999-01-01")), 400,
                "validation_failed", "date");
    WHT_PROBLEM(wht_post(t, "/jobs/cleanup/run", wht_json("{s:i}", "date", 20260101)), 400,
                "validation_failed", "date");
    WHT_PROBLEM(wht_post(t, "/jobs/cleanup/run", wht_json("{s:s}", "dry_run", "yes")), 400,
                "validation_failed", "dry_run");
    WHT_PROBLEM(wht_post(t, "/jobs/cleanup/run", wht_json("{s:i}", "venture_id", 0)), 400,
                "validation_failed", "venture_id");
    WHT_PROBLEM(wht_post(t, "/jobs/fmcsa_sync/run", wht_json("{s:I}", "venture_id", v.id)), 400,
                "validation_failed", "venture_id");
    WHT_PROBLEM(wht_send_raw("POST", t, "/jobs/cleanup/run", "text/plain", "x", 1), 415,
                "unsupported_media_type", NULL);
    WHT_PROBLEM(wht_send_raw("POST", t, "/jobs/cleanup/run", NULL, "{", 1), 400, "invalid_json",
                NULL);
    assert_int_equal(newest_run_id(), before);
    WHT_PROBLEM(wht_get(t, "/jobs/runs?job=nope"), 400, "validation_failed", "job");
    WHT_PROBLEM(wht_get(t, "/jobs/runs?status=DONE"), 400, "validation_failed", "status");
    WHT_PROBLEM(wht_get(t, "/jobs/runs?limit=0"), 400, "validation_failed", "limit");
    WHT_PROBLEM(wht_get(t, "/jobs/runs?cursor=bogus"), 400, "invalid_cursor", NULL);
    WHT_PROBLEM(wht_get(t, "/jobs/runs/99999999"), 404, "not_found", NULL);
    WHT_PROBLEM(wht_get(t, "/jobs/runs/abc"), 404, "not_found", NULL);
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return size * n;
}

/* Two servers on one database: POST /jobs/cleanup/run on both at the same moment. */
static void test_two_servers_race_one_runs(void **state)
{
    (void)state;
    const char *env[] = {"WH_JOB_TEST_DELAY_MS=1500", NULL};
    wht_server *s[2] = {wht_server_start(env), wht_server_start(env)};
    lease_free("cleanup");
    long long before = newest_run_id();
    struct curl_slist *h = NULL;
    CURL *easy[2];
    CURLM *multi = curl_multi_init();
    int running = 0;
    long status[2] = {0, 0};
    h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, wht_fmt("Authorization: Bearer %s", wht_admin_token()));
    for (int i = 0; i < 2; i++) {
        easy[i] = curl_easy_init();
        curl_easy_setopt(easy[i], CURLOPT_URL,
                         wht_fmt("%s/api/v1/jobs/cleanup/run", wht_server_base(s[i])));
        curl_easy_setopt(easy[i], CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(easy[i], CURLOPT_POSTFIELDS, "{}");
        curl_easy_setopt(easy[i], CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(easy[i], CURLOPT_TIMEOUT, 30L);
        curl_multi_add_handle(multi, easy[i]);
    }
    do {
        curl_multi_perform(multi, &running);
        curl_multi_poll(multi, NULL, 0, 100, NULL);
    } while (running > 0);
    for (int i = 0; i < 2; i++) {
        curl_easy_getinfo(easy[i], CURLINFO_RESPONSE_CODE, &status[i]);
        curl_multi_remove_handle(multi, easy[i]);
        curl_easy_cleanup(easy[i]);
    }
    curl_multi_cleanup(multi);
    curl_slist_free_all(h);
    assert_true((status[0] == 202 && status[1] == 409) || (status[0] == 409 && status[1] == 202));
    /* exactly two runs were recorded: one SKIPPED_LOCKED, one that SUCCEEDED */
    json_t *runs = wht_list_all(wht_admin_token(), "/jobs/runs?job=cleanup", 50);
    json_t *mine = wht_keep_json(json_array());
    size_t i;
    json_t *run;
    json_array_foreach(runs, i, run)
    {
        if (wht_int(run, "id") > before)
            json_array_append(mine, run);
    }
    assert_int_equal(json_array_size(mine), 2);
    json_t *skipped = NULL, *ran = NULL;
    json_array_foreach(mine, i, run)
    {
        if (strcmp(wht_str(run, "status"), "SKIPPED_LOCKED") == 0)
            skipped = run;
        else
            ran = run;
    }
    assert_non_null(skipped);
    assert_non_null(ran);
    assert_true(json_is_null(json_object_get(skipped, "fencing_token")));
    assert_true(wht_is_rfc3339_ms_utc(wht_str(skipped, "finished_at")));
    assert_non_null(strstr(wht_str(skipped, "error"), "lease is held by"));
    assert_string_not_equal(wht_str(skipped, "instance"), wht_str(ran, "instance"));
    json_t *done = run_wait(wht_int(ran, "id"));
    assert_string_equal(wht_str(done, "status"), "SUCCEEDED");
    /* while a run holds it, a hand trigger is 409 and records SKIPPED_LOCKED */
    wht_resp *r = start_on(s[0], "cleanup", NULL);
    WHT_EXPECT(r, 202);
    wht_resp *again = start_on(NULL, "cleanup", NULL);
    WHT_PROBLEM(again, 409, "conflict", NULL);
    wht_resp *list = wht_get(wht_admin_token(), "/jobs/runs?job=cleanup&status=SKIPPED_LOCKED");
    WHT_EXPECT(list, 200);
    assert_true(wht_int(json_array_get(wht_items(list), 0), "id") > wht_int(r->json, "id"));
    json_t *held = job_item("cleanup");
    assert_true(json_is_object(json_object_get(held, "lease")));
    assert_string_equal(wht_str(json_object_get(held, "lease"), "holder"),
                        wht_str(r->json, "instance"));
    run_wait(wht_int(r->json, "id"));
    wht_server_stop(s[0]);
    wht_server_stop(s[1]);
}

/* Sleeps until the lease of job has expired (as the database says). */
static void sleep_past_lease(const char *job)
{
    json_t *lease = json_object_get(job_item(job), "lease");
    if (!json_is_object(lease))
        WHT_FAIL("the lease of %s is not held: %s", job, wht_dump(lease));
    long long until = wht_rfc3339_ms(wht_str(lease, "expires_at"));
    long long left = until - wht_now_ms() + 300;
    if (left > 0)
        wht_sleep_ms(left);
}

static void test_killed_holder_lease_is_taken_over(void **state)
{
    (void)state;
    const char *env[] = {"WH_JOB_LEASE_S=2", "WH_JOB_TEST_DELAY_MS=60000", NULL};
    wht_server *s = wht_server_start(env);
    lease_free("cleanup");
    wht_resp *r = start_on(s, "cleanup", NULL);
    WHT_EXPECT(r, 202);
    long long dead = wht_int(r->json, "id"), token = wht_int(r->json, "fencing_token");
    wht_server_kill(s);
    /* the dead holder's lease still counts until it expires */
    WHT_PROBLEM(start_on(NULL, "cleanup", NULL), 409, "conflict", NULL);
    sleep_past_lease("cleanup");
    wht_resp *r2 = start_on(NULL, "cleanup", NULL);
    WHT_EXPECT(r2, 202);
    assert_int_equal(wht_int(r2->json, "fencing_token"), token + 1);
    assert_string_equal(wht_str(run_wait(wht_int(r2->json, "id")), "status"), "SUCCEEDED");
    json_t *old = run_get(dead);
    assert_string_equal(wht_str(old, "status"), "FAILED");
    assert_non_null(strstr(wht_str(old, "error"), "abandoned"));
}

/* A holder paused past its lease (SIGSTOP) comes back after another instance took the job
 * over: its final transaction is refused by the fencing token and writes nothing. */
static void test_stale_holder_cannot_commit(void **state)
{
    (void)state;
    const char *slow[] = {"WH_JOB_LEASE_S=2", "WH_JOB_TEST_DELAY_MS=5000", NULL};
    const char *short_sessions[] = {"WH_SESSION_TTL_S=1", NULL};
    wht_server *a = wht_server_start(slow);
    wht_server *ttl = wht_server_start(short_sessions);
    wht_user u = wht_user_add("EMPLOYEE");
    lease_free("cleanup");
    wht_resp *r = start_on(a, "cleanup", NULL);
    WHT_EXPECT(r, 202);
    wht_server_signal(a, SIGSTOP);
    long long stale = wht_int(r->json, "id"), token = wht_int(r->json, "fencing_token");
    sleep_past_lease("cleanup");
    json_t *b = run_ok("cleanup", NULL); /* takes the lease over and clears every expired row */
    assert_string_equal(wht_str(b, "status"), "SUCCEEDED");
    assert_int_equal(wht_int(b, "fencing_token"), token + 1);
    /* a session that expires in 1 s: the stale run would delete it if it could still commit */
    wht_resp *lr = wht_send_on(ttl, "POST", NULL, "/auth/login",
                               wht_json("{s:s, s:s}", "email", u.email, "password", u.password));
    WHT_EXPECT(lr, 200);
    wht_sleep_ms(1500);
    wht_server_signal(a, SIGCONT);
    long long deadline = wht_now_ms() + RUN_WAIT_MS;
    json_t *run = NULL;
    for (;;) {
        run = run_get(stale);
        const char *err = json_string_value(json_object_get(run, "error"));
        if (err && strstr(err, "fencing token"))
            break;
        if (wht_now_ms() > deadline)
            WHT_FAIL("the stale run never reported the fencing refusal: %s", wht_dump(run));
        wht_sleep_ms(100);
    }
    assert_string_equal(wht_str(run, "status"), "FAILED");
    /* the expired session is still there: the next run deletes exactly it */
    json_t *c = run_ok("cleanup", NULL);
    assert_int_equal(wht_int(json_object_get(c, "stats"), "sessions_deleted"), 1);
    wht_server_stop(a);
    wht_server_stop(ttl);
}

/* ---- fmcsa_sync ---- */

static int dot_seq;

static long long carrier_new(void)
{
    const char *dot = wht_fmt("%d", 3100000 + ++dot_seq);
    wht_fake_call(fake, "POST", "/_control/fmcsa/carriers",
                  wht_json("{s:s, s:s, s:s, s:s}", "dotNumber", dot, "legalName",
                           wht_unique("CARRIER "), "allowedToOperate", "Y", "statusCode", "A"));
    wht_resp *r = wht_post(wht_admin_token(), "/carriers", wht_json("{s:s}", "dot_number", dot));
    WHT_EXPECT(r, 201);
    return wht_int(r->json, "id");
}

static json_t *carrier_get(long long id)
{
    wht_resp *r = wht_get(wht_admin_token(), wht_fmt("/carriers/%lld", id));
    WHT_EXPECT(r, 200);
    return r->json;
}

/* The subjects of the delivered alert e-mails. */
static json_t *alert_subjects(void)
{
    json_t *out = wht_keep_json(json_array());
    size_t i;
    json_t *e;
    json_array_foreach(wht_fake_requests(fake, "sendgrid"), i, e)
    {
        const char *text = json_string_value(json_object_get(e, "body"));
        json_t *body = text ? wht_keep_json(json_loads(text, 0, NULL)) : NULL;
        json_t *to = json_array_get(
            json_object_get(json_array_get(json_object_get(body, "personalizations"), 0), "to"), 0);
        const char *addr = json_string_value(json_object_get(to, "email"));
        if (addr && strcasecmp(addr, ALERT_TO) == 0)
            json_array_append_new(out, json_string(wht_str(body, "subject")));
    }
    return out;
}

static void wait_alert(const char *needle)
{
    long long deadline = wht_now_ms() + MAIL_WAIT_MS;
    for (;;) {
        size_t i;
        json_t *s;
        json_array_foreach(alert_subjects(), i, s)
        {
            if (strstr(json_string_value(s), needle))
                return;
        }
        if (wht_now_ms() > deadline)
            WHT_FAIL("no alert e-mail \"%s\": %s", needle, wht_dump(alert_subjects()));
        wht_sleep_ms(100);
    }
}

static void test_fmcsa_sync_failed_partial_succeeded_with_alerts(void **state)
{
    (void)state;
    wht_fake_reset(fake);
    long long c1 = carrier_new(), c2 = carrier_new();
    lease_free("fmcsa_sync");
    /* FMCSA down: every check fails, the run FAILED, errors recorded, an alert goes out */
    wht_fake_mode(fake, "fmcsa", "fail503");
    json_t *failed = run_ok("fmcsa_sync", NULL);
    assert_string_equal(wht_str(failed, "status"), "FAILED");
    json_t *st = json_object_get(failed, "stats");
    assert_true(wht_int(st, "checked") >= 2);
    assert_int_equal(wht_int(st, "failed"), wht_int(st, "checked"));
    assert_int_equal(wht_int(st, "updated"), 0);
    assert_non_null(strstr(wht_str(failed, "error"), "could not be checked"));
    assert_true(json_is_string(json_object_get(carrier_get(c1), "fmcsa_error")));
    assert_string_equal(wht_str(carrier_get(c2), "fmcsa_status"), "ACTIVE");
    wait_alert("fmcsa_sync FAILED");
    /* one failure among several: PARTIAL, alerted */
    wht_fake_set(fake, "fmcsa", wht_json("{s:s, s:i}", "mode", "fail503", "count", 1));
    json_t *partial = run_ok("fmcsa_sync", NULL);
    assert_string_equal(wht_str(partial, "status"), "PARTIAL");
    st = json_object_get(partial, "stats");
    assert_int_equal(wht_int(st, "failed"), 1);
    assert_int_equal(wht_int(st, "updated"), wht_int(st, "checked") - 1);
    wait_alert("fmcsa_sync PARTIAL");
    /* FMCSA back: SUCCEEDED, the errors cleared; a dry run calls nobody */
    wht_fake_mode(fake, "fmcsa", "ok");
    json_t *ok = run_ok("fmcsa_sync", NULL);
    assert_string_equal(wht_str(ok, "status"), "SUCCEEDED");
    assert_true(json_is_null(json_object_get(carrier_get(c1), "fmcsa_error")));
    assert_true(json_is_null(json_object_get(carrier_get(c2), "fmcsa_error")));
    wht_fake_clear(fake, "fmcsa");
    json_t *dry = run_ok("fmcsa_sync", wht_json("{s:b}", "dry_run", 1));
    assert_string_equal(wht_str(dry, "status"), "SUCCEEDED");
    assert_true(wht_int(json_object_get(dry, "stats"), "due") >= 2);
    assert_int_equal(wht_int(json_object_get(dry, "stats"), "checked"), 0);
    assert_int_equal(json_array_size(wht_fake_requests(fake, "fmcsa")), 0);
}

/* ---- a run that waited before it took the lease ---- */

/* Two instances are asked to run cleanup, B first. B's only pooled connection (WH_DB_POOL=1 on
 * PostgreSQL) is held by its own fmcsa_sync, stuck on a stalled FMCSA, so B's request waits
 * while A's run takes the lease, finishes and releases it; then B's run takes it. B's run must
 * record when it took the lease (after A finished), not when it was asked (before A started):
 * the two SUCCEEDED runs do not overlap, and started_at is not before the lease's acquisition.
 * On SQLite the pool is never a single connection, so B does not wait; whichever runs first,
 * the same properties hold (the other run may be SKIPPED_LOCKED). */
static void test_a_waiting_run_records_when_it_took_the_lease(void **state)
{
    (void)state;
    const char *one[] = {"WH_DB_POOL=1", NULL};
    wht_server *a = wht_server_start(NULL);
    wht_server *b = wht_server_start(one);
    wht_fake_reset(fake);
    carrier_new();
    lease_free("cleanup");
    lease_free("fmcsa_sync");
    long long before = newest_run_id();
    wht_fake_set(fake, "fmcsa",
                 wht_json("{s:s, s:i, s:i}", "mode", "stall", "stall_ms", 2500, "count", 1));
    wht_resp *sync = start_on(b, "fmcsa_sync", NULL);
    WHT_EXPECT(sync, 202);
    wht_fake_wait_held(fake, "fmcsa");
    long long asked_b = wht_now_ms();
    wht_request req = {.method = "POST",
                       .path = WHT_API "/jobs/cleanup/run",
                       .token = wht_admin_token(),
                       .body = "{}",
                       .body_len = 2,
                       .server = b};
    wht_flight *fb = wht_flight_start(&req);
    wht_resp *ra = start_on(a, "cleanup", NULL);
    wht_resp *rb = wht_flight_end(fb);
    json_t *run_b = rb->status == 202 ? rb->json : NULL;
    if (strcmp(wht_engine(), "postgres") == 0) {
        /* B waited for its connection: A ran first, then B. */
        WHT_EXPECT(ra, 202);
        WHT_EXPECT(rb, 202);
    }
    json_t *done[2] = {NULL, NULL};
    if (ra->status == 202)
        done[0] = run_wait(wht_int(ra->json, "id"));
    if (run_b)
        done[1] = run_wait(wht_int(run_b, "id"));
    run_wait(wht_int(sync->json, "id"));
    /* The newest acquisition of the cleanup lease is the run that started last. */
    json_t *last = done[1] && (!done[0] || wht_int(done[1], "id") > wht_int(done[0], "id"))
                       ? done[1]
                       : done[0];
    assert_non_null(last);
    long long acquired = wht_sql("SELECT acquired_at FROM job_leases WHERE name = 'cleanup'");
    wht_context("runs %s and %s; lease acquired at %lld; B asked at %lld", wht_dump(done[0]),
                wht_dump(done[1]), acquired, asked_b);
    assert_true(wht_rfc3339_ms(wht_str(last, "started_at")) >= acquired);
    if (done[0] && done[1]) {
        assert_string_equal(wht_str(done[0], "status"), "SUCCEEDED");
        assert_string_equal(wht_str(done[1], "status"), "SUCCEEDED");
        json_t *first = last == done[0] ? done[1] : done[0];
        assert_true(wht_rfc3339_ms(wht_str(last, "started_at")) >=
                    wht_rfc3339_ms(wht_str(first, "finished_at")));
    }
    /* Nothing else ran cleanup meanwhile. */
    json_t *runs = wht_list_all(wht_admin_token(), "/jobs/runs?job=cleanup", 50);
    size_t i, mine = 0;
    json_t *r;
    json_array_foreach(runs, i, r)
    {
        if (wht_int(r, "id") > before)
            mine++;
    }
    assert_int_equal(mine, 2);
    wht_context("%s", "");
    wht_server_stop(a);
    wht_server_stop(b);
}

/* Runs are listed newest first; pages neither repeat nor skip rows while runs are added. */
static void test_runs_pagination(void **state)
{
    (void)state;
    for (int i = 0; i < 5; i++)
        run_ok("cleanup", wht_json("{s:b}", "dry_run", 1));
    json_t *all = wht_list_all(wht_admin_token(), "/jobs/runs", 200);
    wht_resp *p = wht_get(wht_admin_token(), "/jobs/runs?limit=3");
    WHT_EXPECT(p, 200);
    json_t *seen = wht_keep_json(json_array());
    json_array_extend(seen, wht_items(p));
    run_ok("cleanup", wht_json("{s:b}", "dry_run", 1)); /* inserted between pages */
    while (json_is_true(json_object_get(p->json, "has_more"))) {
        p = wht_get(wht_admin_token(),
                    wht_fmt("/jobs/runs?limit=3&cursor=%s", wht_str(p->json, "next_cursor")));
        WHT_EXPECT(p, 200);
        json_array_extend(seen, wht_items(p));
    }
    assert_int_equal(json_array_size(seen), json_array_size(all));
    for (size_t i = 0; i < json_array_size(all); i++) {
        assert_int_equal(wht_int(json_array_get(seen, i), "id"),
                         wht_int(json_array_get(all, i), "id"));
        if (i > 0)
            assert_true(wht_int(json_array_get(all, i - 1), "id") >
                        wht_int(json_array_get(all, i), "id"));
    }
    /* filters */
    json_t *sk = wht_list_all(wht_admin_token(), "/jobs/runs?job=fmcsa_sync&status=SUCCEEDED", 2);
    size_t i;
    json_t *run;
    json_array_foreach(sk, i, run)
    {
        assert_string_equal(wht_str(run, "job"), "fmcsa_sync");
        assert_string_equal(wht_str(run, "status"), "SUCCEEDED");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        WHT_TEST(test_jobs_list_shape),
        WHT_TEST(test_hand_run_dry_run_and_audit),
        WHT_TEST(test_permissions),
        WHT_TEST(test_validation_records_nothing),
        WHT_TEST(test_two_servers_race_one_runs),
        WHT_TEST(test_killed_holder_lease_is_taken_over),
        WHT_TEST(test_stale_holder_cannot_commit),
        WHT_TEST(test_fmcsa_sync_failed_partial_succeeded_with_alerts),
        WHT_TEST(test_a_waiting_run_records_when_it_took_the_lease),
        WHT_TEST(test_runs_pagination),
    };
    fake = wht_fake_start();
    const char *base = wht_server_base(fake);
    const char *env[] = {
        wht_fmt("WH_FMCSA_BASE_URL=%s", base),
        "WH_FMCSA_WEBKEY=fake-fmcsa-webkey",
        wht_fmt("WH_SENDGRID_BASE_URL=%s", base),
        "WH_SENDGRID_API_KEY=SG.fake-sendgrid-key",
        "WH_SENDGRID_FROM=" MAIL_FROM,
        "WH_ALERT_EMAIL=" ALERT_TO,
        "WH_FMCSA_STALE_S=0",
        "WH_RETRY_MAX_ATTEMPTS=1",
        "WH_BREAKER_FAILURES=1000",
        "WH_HTTP_TIMEOUT_MS=3000",
        "WH_OUTBOX_POLL_MS=50",
        NULL,
    };
    wht_init_env(env);
    return wht_finish(cmocka_run_group_tests_name("api_jobs", tests, NULL, NULL));
}
