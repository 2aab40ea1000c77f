/*
 * kill -9 in the middle of work, at every point: the process that runs the KPI job, the
 * incentive job, or the outbox delivery is made to stall just before its Kth database call
 * (WH_FAULT_STALL_MS with WH_FAULT_DB_NTH=K, core/fault.h), is killed with SIGKILL during the
 * stall, and the work is run again. For every K the rerun converges: the job's outputs are what
 * a clean run makes (nothing lost, nothing counted twice), the killed run does not stay RUNNING,
 * and every outbox message reaches the (fake) provider; exactly once, except in the one window
 * the design accepts (docs/integrations: killed after the provider accepted a message and
 * before the acceptance was written), where it is sent a second time and never lost. The
 * outbox is also walked with the Nth call failing instead of stalling, and with the provider
 * failing. Runs on PostgreSQL and SQLite. docs/testing.md says what each test proves.
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

#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* More stall points than any run has. */
#define MAX_POINTS 200
/* Messages per outbox round. */
#define MESSAGES 3
/* How long a process may take to reach a stall, or a round to deliver. */
#define WAIT_MS 20000

static wht_server *fake;
/* The outbox worker's calls in one round and the listing after it (the kill walk counts them). */
static long long outbox_calls;

/* What a job leaves apart from its run log: compared between a rerun and a clean run. */
static const char *const job_skip[] = {
    "sessions.expires_at",
    "sessions.last_seen_at",
    "idempotency_keys",
    "job_runs",
    "job_leases",
    "audit_log",
    "data_versions",
    "outbox",
    /* a rerun rewrites the same figures at a new time, and a replaced slice gets new ids */
    "kpi_freight_daily.updated_at",
    "kpi_hotel_daily.updated_at",
    "kpi_bpo_daily.updated_at",
    "incentive_daily.id",
    "incentive_daily.created_at",
    "incentive_daily_parts.daily_id",
    NULL,
};

/* The first differing line of two digests. */
static const char *first_diff(const char *a, const char *b)
{
    size_t i = 0, line = 0;
    while (a[i] && a[i] == b[i])
        if (a[i++] == '\n')
            line = i;
    return wht_fmt("%.*s vs %.*s", (int)strcspn(a + line, "\n"), a + line,
                   (int)strcspn(b + line, "\n"), b + line);
}

static struct {
    bool ready;
    long long logistics, hotel_venture, bpo, hotel, agent, carrier, campaign;
    wht_user rep;
    char day[11];
} F;

/* ---------------------------------------------------------------- fixtures */

static long long created(wht_resp *r)
{
    WHT_EXPECT(r, 201);
    return wht_int(r->json, "id");
}

static void fixtures(void)
{
    const char *tok = wht_admin_token();
    snprintf(F.day, sizeof F.day, "%s", wht_utc_day(-1));
    F.logistics = wht_venture_new("LOGISTICS").id;
    F.hotel_venture = wht_venture_new("HOSPITALITY").id;
    F.bpo = wht_venture_new("BPO").id;
    F.rep = wht_user_new("EMPLOYEE");
    long long vs[] = {F.logistics, F.hotel_venture, F.bpo};
    wht_set_ventures(F.rep.id, 3, vs);
    F.carrier = created(wht_post(tok, "/carriers", wht_json("{s:s}", "dot_number", "1000001")));
    F.hotel = created(
        wht_post(tok, "/hotels",
                 wht_json("{s:I, s:s, s:s, s:i}", "venture_id", (json_int_t)F.hotel_venture, "name",
                          wht_unique("Hotel "), "code", wht_unique_code(), "rooms", 90)));
    long long camp = F.campaign =
        created(wht_post(tok, "/bpo/campaigns",
                         wht_json("{s:I, s:s}", "venture_id", (json_int_t)F.bpo, "name", "K")));
    F.agent =
        created(wht_post(tok, "/bpo/agents",
                         wht_json("{s:I, s:I, s:I}", "user_id", (json_int_t)F.rep.id, "venture_id",
                                  (json_int_t)F.bpo, "campaign_id", (json_int_t)camp)));
    long long plan =
        created(wht_post(tok, "/incentives/plans",
                         wht_json("{s:I, s:s, s:s}", "venture_id", (json_int_t)F.logistics, "name",
                                  "Crash plan", "effective_from", "2020-01-01")));
    created(wht_post(tok, wht_fmt("/incentives/plans/%lld/rules", plan),
                     wht_json("{s:s, s:s, s:i}", "metric", "loads_completed", "calc_type",
                              "FLAT_PER_UNIT", "rate_cents", 500)));
    F.ready = true;
}

/* New inputs of the day before stall point k: a delivered load, a call and the hotel's figures,
 * so every round has a new state to reach. */
static void new_inputs(long long k)
{
    const char *tok = wht_admin_token();
    long long load = created(
        wht_post(F.rep.token, "/loads",
                 wht_json("{s:I, s:s, s:s, s:s, s:s, s:I, s:I}", "venture_id",
                          (json_int_t)F.logistics, "pickup_city", "Columbus", "pickup_state", "OH",
                          "drop_city", "Atlanta", "drop_state", "GA", "bill_cents",
                          (json_int_t)(2000 + k), "cost_cents", (json_int_t)1000)));
    const char *path = wht_fmt("/loads/%lld/status", load);
    WHT_EXPECT(wht_post(tok, path, wht_json("{s:s}", "status", "QUOTED")), 200);
    WHT_EXPECT(
        wht_post(tok, path,
                 wht_json("{s:s, s:I}", "status", "COVERED", "carrier_id", (json_int_t)F.carrier)),
        200);
    WHT_EXPECT(
        wht_post(tok, path, wht_json("{s:s, s:s}", "status", "DELIVERED", "billing_date", F.day)),
        200);
    wht_resp *r = wht_put(tok, wht_fmt("/hotels/%lld/daily/%s", F.hotel, F.day),
                          wht_json("{s:I, s:I}", "rooms_sold", (json_int_t)(20 + k % 60),
                                   "room_revenue_cents", (json_int_t)(5000 * k)));
    assert_true(r->status == 200 || r->status == 201);
    created(wht_post(F.rep.token, "/bpo/call-logs",
                     wht_json("{s:I, s:I, s:I, s:s, s:b}", "agent_id", (json_int_t)F.agent,
                              "venture_id", (json_int_t)F.bpo, "campaign_id",
                              (json_int_t)F.campaign, "started_at",
                              wht_fmt("%sT12:%02lld:00Z", F.day, k % 60), "connected", 1)));
}

/* ------------------------------------------------------------------- jobs */

/* `job run` to completion, waiting out the lease a killed run left (exit 3 while it holds). */
static void rerun(const char *job)
{
    const char *args[] = {"job", "run", job, "--date", F.day, NULL};
    const char *env[] = {"WH_JOB_LEASE_S=1", NULL};
    const char *out = NULL;
    int st = 3;
    for (int i = 0; i < 100 && st == 3; i++) {
        st = wht_cli(args, env, &out);
        if (st == 3)
            wht_sleep_ms(100);
    }
    if (st != 0)
        WHT_FAIL("the rerun of %s exited %d:\n%s", job, st, out);
}

/* Kills `job run` at every stall point; returns how many points the run has. */
static long long kill_job_at_every_point(const char *job)
{
    const char *args[] = {"job", "run", job, "--date", F.day, NULL};
    for (long long k = 1; k <= MAX_POINTS; k++) {
        wht_context("%s killed before db call %lld", job, k);
        new_inputs(k);
        const char *env[] = {"WH_JOB_LEASE_S=1", wht_fmt("WH_FAULT_DB_NTH=%lld", k),
                             "WH_FAULT_STALL_MS=600000", NULL};
        wht_server *run = wht_cli_start(args, env);
        bool stalled = wht_server_wait_log(run, "fault injection: stalling", WAIT_MS);
        wht_server_kill(run); /* kill -9 */
        rerun(job);
        /* converged: one more clean run changes nothing, and no run is left RUNNING */
        const char *state = wht_db_digest(job_skip);
        rerun(job);
        const char *again = wht_db_digest(job_skip);
        if (strcmp(state, again) != 0)
            WHT_FAIL("%s killed before db call %lld: the rerun did not converge: %s", job, k,
                     first_diff(state, again));
        assert_int_equal(wht_sql(wht_fmt("SELECT COUNT(*) FROM job_runs WHERE job = '%s'"
                                         " AND status = 'RUNNING'",
                                         job)),
                         0);
        if (!stalled)
            return k - 1; /* the run ended before a kth call: every point was walked */
    }
    WHT_FAIL("%s: more than %d stall points", job, MAX_POINTS);
    return 0;
}

static void test_kill_kpi_aggregation_at_every_point(void **state)
{
    (void)state;
    if (!F.ready)
        fixtures();
    assert_true(kill_job_at_every_point("kpi_aggregation") > 3);
    /* the outputs are the day's figures: every delivered load is counted once */
    long long delivered = wht_sql(wht_fmt("SELECT COUNT(*) FROM loads WHERE venture_id = %lld"
                                          " AND status = 'DELIVERED'",
                                          F.logistics));
    assert_int_equal(wht_sql(wht_fmt("SELECT loads_delivered FROM kpi_freight_daily WHERE"
                                     " venture_id = %lld AND day = '%s'",
                                     F.logistics, F.day)),
                     delivered);
}

static void test_kill_incentive_daily_at_every_point(void **state)
{
    (void)state;
    if (!F.ready)
        fixtures();
    assert_true(kill_job_at_every_point("incentive_daily") > 3);
    /* 500 cents per delivered load of the rep, each counted once */
    long long delivered = wht_sql(wht_fmt("SELECT COUNT(*) FROM loads WHERE venture_id = %lld"
                                          " AND status = 'DELIVERED'",
                                          F.logistics));
    assert_int_equal(wht_sql(wht_fmt("SELECT amount_cents FROM incentive_daily WHERE user_id ="
                                     " %lld AND venture_id = %lld AND day = '%s'",
                                     F.rep.id, F.logistics, F.day)),
                     500 * delivered);
    assert_int_equal(wht_sql(wht_fmt("SELECT COUNT(*) FROM incentive_daily WHERE venture_id ="
                                     " %lld AND day = '%s'",
                                     F.logistics, F.day)),
                     1);
}

/* ----------------------------------------------------------------- outbox */

/* The recipient of message i of a round: what the fake's log is searched for. */
static const char *recipient(const char *round, int i)
{
    return wht_fmt("%s-%d@example.com", round, i);
}

/* MESSAGES e-mails due now, as the enqueuing transaction of a request leaves them (inserted
 * directly: no server may run a worker before the round starts). */
static void enqueue(const char *round)
{
    for (int i = 0; i < MESSAGES; i++)
        wht_sql(wht_fmt("INSERT INTO outbox (channel, recipient, subject, body, status, attempts,"
                        " next_attempt_at, lease_until, created_at) VALUES ('email', '%s',"
                        " 'Crash test', 'Hello', 'PENDING', 0, 0, 0, %lld)",
                        recipient(round, i), wht_now_ms()));
}

static long long sent(const char *round)
{
    return wht_sql(wht_fmt("SELECT COUNT(*) FROM outbox WHERE recipient LIKE '%s-%%' AND"
                           " status = 'SENT'",
                           round));
}

/* How many times the fake SendGrid accepted message i of the round. */
static int deliveries(const json_t *log, const char *round, int i)
{
    size_t k;
    json_t *item;
    int n = 0;
    const char *to = recipient(round, i);
    json_array_foreach(log, k, item)
    {
        const char *body = json_string_value(json_object_get(item, "body"));
        json_t *status = json_object_get(item, "status");
        if (body && strstr(body, to) && json_integer_value(status) == 202)
            n++;
    }
    return n;
}

/* Waits until every message of the round is SENT; false after WAIT_MS. */
static bool all_sent(const char *round)
{
    for (int i = 0; i < WAIT_MS / 50; i++) {
        if (sent(round) == MESSAGES)
            return true;
        wht_sleep_ms(50);
    }
    return false;
}

/* After a crash or a failure: the leases the dead (or failed) worker held run out (their 60 s
 * pass at once here), a clean server delivers the rest, and every message reached the provider
 * once, or twice only where the first worker was cut off after the provider's acceptance, which
 * `window` counts (accepted once and not SENT when the first worker ended). */
static void converge(const char *round, const char *what)
{
    json_t *log = wht_fake_requests(fake, "sendgrid");
    int window = 0;
    for (int i = 0; i < MESSAGES; i++)
        window += deliveries(log, round, i) == 1 &&
                  wht_sql(wht_fmt("SELECT COUNT(*) FROM outbox WHERE recipient = '%s' AND"
                                  " status = 'SENT'",
                                  recipient(round, i))) == 0;
    wht_sql("UPDATE outbox SET lease_until = 0 WHERE status = 'PENDING'");
    wht_server *clean = wht_server_start(NULL);
    if (!all_sent(round))
        WHT_FAIL("%s: the messages were not all delivered after a restart", what);
    wht_server_stop(clean);
    log = wht_fake_requests(fake, "sendgrid");
    int twice = 0;
    for (int i = 0; i < MESSAGES; i++) {
        int n = deliveries(log, round, i);
        if (n < 1 || n > 2)
            WHT_FAIL("%s: message %d reached the provider %d times", what, i, n);
        twice += n == 2;
    }
    if (twice > window || window > 1)
        WHT_FAIL("%s: %d messages sent twice, %d cut off after acceptance", what, twice, window);
    if (twice)
        print_message("note: %s: cut off after the provider's acceptance: sent twice\n", what);
}

/* One round: MESSAGES due, a server whose worker runs under fault (env), stopped by SIGKILL
 * once it stalls (kill) or by SIGTERM once the fault fired; then converge. Returns false when
 * the worker finished the round before the fault's call. */
static bool outbox_round(const char *round, const char *const *env, bool kill_it)
{
    wht_fake_clear(fake, "sendgrid");
    enqueue(round);
    wht_server *s = wht_server_start(env);
    bool hit = wht_server_wait_log(
        s, kill_it ? "fault injection: stalling" : "fault injection: failing", WAIT_MS);
    bool done_before = hit && kill_it && sent(round) == MESSAGES;
    if (kill_it)
        wht_server_kill(s);
    else
        wht_server_stop(s);
    if (!hit)
        WHT_FAIL("%s: the fault never fired", round);
    converge(round, wht_fmt("%s (%s)", round, env[0]));
    return !done_before;
}

static void outbox_setup(void)
{
    if (!F.ready)
        fixtures();
    /* from here on no server runs a worker but the one under test */
    if (wht_main_server())
        wht_server_stop(wht_main_server());
}

static void test_kill_outbox_delivery_at_every_point(void **state)
{
    (void)state;
    outbox_setup();
    long long k = 1;
    for (; k <= MAX_POINTS; k++) {
        const char *env[] = {wht_fmt("WH_FAULT_DB_NTH=%lld", k), "WH_FAULT_STALL_MS=600000", NULL};
        wht_context("outbox worker killed before db call %lld", k);
        if (!outbox_round(wht_unique("kill"), env, true))
            break;
    }
    assert_true(k > 2 * MESSAGES); /* a claim and a settle per message at least */
    outbox_calls = k;
    /* and killed during each provider call: after the claim, before any answer */
    for (k = 1; k <= MESSAGES; k++) {
        const char *env[] = {wht_fmt("WH_FAULT_HTTP_NTH=%lld", k), "WH_FAULT_STALL_MS=600000",
                             NULL};
        wht_context("outbox worker killed during provider call %lld", k);
        outbox_round(wht_unique("killhttp"), env, true);
    }
}

static void test_outbox_with_each_db_call_failing(void **state)
{
    (void)state;
    outbox_setup();
    /* every call of one round and the first one after it, as the kill walk counted them */
    assert_true(outbox_calls > 2 * MESSAGES);
    for (long long n = 1; n <= outbox_calls; n++) {
        const char *env[] = {wht_fmt("WH_FAULT_DB_NTH=%lld", n), NULL};
        wht_context("outbox worker with db call %lld failing", n);
        outbox_round(wht_unique("fail"), env, false);
    }
}

static void test_outbox_with_each_provider_call_failing(void **state)
{
    (void)state;
    outbox_setup();
    for (long long n = 1; n <= MESSAGES; n++) {
        const char *env[] = {wht_fmt("WH_FAULT_HTTP_NTH=%lld", n), NULL};
        wht_context("outbox worker with provider call %lld failing", n);
        outbox_round(wht_unique("http"), env, false);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        WHT_TEST(test_kill_kpi_aggregation_at_every_point),
        WHT_TEST(test_kill_incentive_daily_at_every_point),
        WHT_TEST(test_kill_outbox_delivery_at_every_point),
        WHT_TEST(test_outbox_with_each_db_call_failing),
        WHT_TEST(test_outbox_with_each_provider_call_failing),
    };
    fake = wht_fake_start();
    const char *base = wht_server_base(fake);
    const char *env[] = {
        "WH_FAULT_INJECTION=1",
        "WH_TIMEZONE=UTC",
        wht_fmt("WH_FMCSA_BASE_URL=%s", base),
        "WH_FMCSA_WEBKEY=fake-fmcsa-webkey",
        wht_fmt("WH_SENDGRID_BASE_URL=%s", base),
        "WH_SENDGRID_API_KEY=SG.fake-sendgrid-key",
        "WH_SENDGRID_FROM=wheelhouse@example.com",
        "WH_RETRY_MAX_ATTEMPTS=1",
        "WH_RETRY_BASE_MS=10",
        "WH_RETRY_MAX_MS=50",
        "WH_BREAKER_FAILURES=1000",
        "WH_OUTBOX_POLL_MS=20",
        NULL,
    };
    wht_init_env(env);
    return wht_finish(cmocka_run_group_tests_name("api_crash", tests, NULL, NULL));
}
