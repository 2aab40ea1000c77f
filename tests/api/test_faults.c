/*
 * "Never half-writes" (STYLE.md rule 22), proved by walking every failure point: the server runs
 * with WH_FAULT_INJECTION=1, and every write endpoint of every module is sent with
 * `X-Wh-Fault: db=N` for N = 1, 2, ... until N is past its last database call. Each failed step
 * must answer a clear problem+json 5xx and leave every table exactly as it was (a digest of the
 * whole database, wht_db_digest); the step past the end must succeed once. Outbound calls are
 * walked the same way (`http=N`) for the endpoints that call FMCSA. Then every job
 * (`wheelhouse job run`, WH_FAULT_DB_NTH=N) is walked: a failed run leaves its outputs either
 * untouched or exactly as a clean run makes them, never in between. docs/testing.md says what
 * each test proves.
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

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* More steps than any request or job makes: a walk that gets here never ended. */
#define MAX_STEPS 400
/* Write routes the walks cover (at most). */
#define MAX_WALKED 128

/* Left out of every digest, each because it changes without a business write:
 * - sessions.expires_at / last_seen_at: the sliding expiry, extended by any request in its own
 *   statement at most once a minute (not part of the request's change);
 * - idempotency_keys: no walk sends Idempotency-Key; the table is left out so a claim another
 *   test program's design adds is not mistaken for a partial write;
 * - the outbox's delivery columns: the worker of the server delivers messages in the background
 *   (status, attempts, lease, errors); a message's existence and content are compared. */
static const char *const request_skip[] = {
    "sessions.expires_at", "sessions.last_seen_at",      "idempotency_keys",   "outbox.status",
    "outbox.attempts",     "outbox.next_attempt_at",     "outbox.lease_owner", "outbox.lease_until",
    "outbox.last_error",   "outbox.provider_message_id", "outbox.sent_at",     NULL,
};

/* A job may leave its run row and lease (the run log says it failed), and a rerun rewrites the
 * same outputs with new row ids and times: compared are the outputs' contents. The outbox's
 * delivery columns change in the background as for requests (the walks' notifications queue
 * e-mail and SMS that the worker delivers while the jobs are walked). */
static const char *const job_skip[] = {
    "sessions.expires_at",
    "sessions.last_seen_at",
    "idempotency_keys",
    "outbox.status",
    "outbox.attempts",
    "outbox.next_attempt_at",
    "outbox.lease_owner",
    "outbox.lease_until",
    "outbox.last_error",
    "outbox.provider_message_id",
    "outbox.sent_at",
    "job_runs",
    "job_leases",
    "audit_log", /* every run records its job.run entry; the others are counted apart */
    "data_versions",
    "kpi_freight_daily.updated_at",
    "kpi_hotel_daily.updated_at",
    "kpi_bpo_daily.updated_at",
    "kpi_saas_daily.id",
    "kpi_saas_daily.updated_at",
    "incentive_daily.id",
    "incentive_daily.created_at",
    "incentive_daily_parts.daily_id",
    NULL,
};

static struct {
    char method[8];
    char path[160];
} walked[MAX_WALKED];
static size_t nwalked;

static void note_walked(const char *method, const char *path)
{
    if (nwalked == MAX_WALKED)
        return;
    snprintf(walked[nwalked].method, sizeof walked[nwalked].method, "%s", method);
    /* the route's path: without the query string (POST /imports?kind=...) */
    snprintf(walked[nwalked].path, sizeof walked[nwalked].path, "%s%.*s", WHT_API,
             (int)strcspn(path, "?"), path);
    nwalked++;
}

/* The fault header's report: "db=C,http=C,fired=db|http|none". */
typedef struct {
    long long db, http;
    char fired[8];
} calls;

/* Reads the number after prefix at *p and moves past it; false when it is not there. */
static bool read_count(const char **p, const char *prefix, long long *out)
{
    char *end = NULL;
    size_t n = strlen(prefix);
    if (strncmp(*p, prefix, n) != 0)
        return false;
    *out = strtoll(*p + n, &end, 10);
    if (end == *p + n)
        return false;
    *p = end;
    return true;
}

static calls parse_calls(const char *text)
{
    calls c = {0};
    const char *p = text ? text : "";
    snprintf(c.fired, sizeof c.fired, "?");
    if (read_count(&p, "db=", &c.db) && read_count(&p, ",http=", &c.http) &&
        strncmp(p, ",fired=", 7) == 0)
        snprintf(c.fired, sizeof c.fired, "%.*s", (int)strcspn(p + 7, " \r\n"), p + 7);
    return c;
}

/* The first line of digest a that differs from digest b, with b's line ("" when equal). */
static const char *first_diff(const char *a, const char *b)
{
    size_t i = 0, line = 0;
    while (a[i] && a[i] == b[i]) {
        if (a[i] == '\n')
            line = i + 1;
        i++;
    }
    if (!a[i] && !b[i])
        return "";
    return wht_fmt("%.*s (the other: %.*s)", (int)strcspn(a + line, "\n"), a + line,
                   (int)strcspn(b + line, "\n"), b + line);
}

static void same_digest_at(const char *before, const char *after, const char *what,
                           const char *file, int line)
{
    if (strcmp(before, after) != 0)
        wht_fail_at(file, line, "%s changed the database; first difference at: %.200s", what,
                    first_diff(after, before));
}

/* Sends one request with X-Wh-Fault: kind=n. */
/* The Content-Type of the walked bodies: NULL for JSON, "text/csv" for the CSV imports. */
static const char *walk_type;

static wht_resp *send_fault(const char *kind, long long n, const char *method, const char *token,
                            const char *path, const char *body)
{
    const char *headers[] = {wht_fmt("X-Wh-Fault: %s=%lld", kind, n), NULL};
    wht_request req = {.method = method,
                       .path = wht_fmt("%s%s", WHT_API, path),
                       .token = token,
                       .headers = headers,
                       .body = body,
                       .body_len = body ? strlen(body) : 0,
                       .content_type = walk_type};
    return wht_do(&req);
}

/* A failed step: a 5xx problem (500 internal for the database, 503 unavailable for a provider
 * or the pool), and nothing changed. */
static void failed_step_at(const wht_resp *r, const char *before, const char *step,
                           const char *skip_kind, const char *file, int line)
{
    const char *code = r->json ? json_string_value(json_object_get(r->json, "code")) : NULL;
    const char *ctype = wht_header(r, "Content-Type");
    if (r->status < 500 || !code || !ctype || strncmp(ctype, "application/problem+json", 24) != 0 ||
        (strcmp(code, "internal") != 0 && strcmp(code, "unavailable") != 0))
        wht_fail_at(file, line, "%s: a failed %s call answered %ld %s, not a 5xx problem", step,
                    skip_kind, r->status, r->body);
    same_digest_at(before, wht_db_digest(request_skip), step, file, line);
}

/* Walks kind=N over one request until it succeeds with status ok; returns that answer. A step
 * whose fault fired must fail cleanly, unless tolerated: then the request must still succeed
 * exactly once, which the caller checks by what it expects of the final answer. */
static wht_resp *walk_at(const char *kind, const char *method, const char *token, const char *path,
                         const char *body, long ok, const char *file, int line)
{
    /* The session cache: a token the server has not cached yet would be cached by the first
     * step that gets past its session query, shifting every later call by one (a call would
     * go unwalked); resolving it first keeps the numbering the same at every step. */
    if (token)
        WHT_EXPECT(wht_get(token, "/me"), 200);
    const char *before = wht_db_digest(request_skip);
    note_walked(method, path);
    for (long long n = 1; n <= MAX_STEPS; n++) {
        const char *step = wht_fmt("%s %s with %s=%lld", method, path, kind, n);
        wht_context("%s", step);
        wht_resp *r = send_fault(kind, n, method, token, path, body);
        calls c = parse_calls(wht_header(r, "X-Wh-Fault-Calls"));
        if (strcmp(c.fired, "none") == 0) {
            if (ok ? r->status != ok : r->status < 200 || r->status > 299)
                wht_fail_at(file, line, "%s: no fault fired, yet %ld %s (expected %ld)", step,
                            r->status, r->body, ok);
            if (n == 1 && strcmp(kind, "db") == 0)
                wht_fail_at(file, line, "%s made no database call: the walk proves nothing", step);
            return r;
        }
        if (strcmp(c.fired, kind) != 0)
            wht_fail_at(file, line, "%s: no fault report (%s)", step,
                        wht_header(r, "X-Wh-Fault-Calls"));
        failed_step_at(r, before, step, kind, file, line);
    }
    wht_fail_at(file, line, "%s %s: more than %d %s calls", method, path, MAX_STEPS, kind);
    return NULL;
}

#define WALK(method, token, path, body, ok)                                                        \
    walk_at("db", (method), (token), (path), (body), (ok), __FILE__, __LINE__)
#define WALK_HTTP(method, token, path, body, ok)                                                   \
    walk_at("http", (method), (token), (path), (body), (ok), __FILE__, __LINE__)

static long long id_of(const wht_resp *r)
{
    return wht_int(r->json, "id");
}

/* ---------------------------------------------------------------- fixtures */

static wht_server *fake;

static struct {
    bool ready;
    long long logistics, bpo, hotel_venture, office;
    wht_user member; /* EMPLOYEE of all three ventures */
    long long carrier, load, hotel, campaign, agent;
    char day[11]; /* yesterday (UTC: the server runs with WH_TIMEZONE=UTC) */
} F;

static void walk_organisation(void)
{
    const char *tok = wht_admin_token();
    wht_resp *r = WALK("POST", tok, "/ventures",
                       wht_fmt("{\"name\":\"%s\",\"code\":\"%s\",\"type\":\"LOGISTICS\"}",
                               wht_unique("Fault "), wht_unique_code()),
                       201);
    F.logistics = id_of(r);
    F.bpo = wht_venture_new("BPO").id;
    F.hotel_venture = wht_venture_new("HOSPITALITY").id;
    WALK("PATCH", tok, wht_fmt("/ventures/%lld", F.logistics),
         wht_fmt("{\"name\":\"%s\"}", wht_unique("Renamed ")), 200);
    r = WALK("POST", tok, wht_fmt("/ventures/%lld/offices", F.logistics),
             wht_fmt("{\"name\":\"%s\"}", wht_unique("Office ")), 201);
    F.office = id_of(r);
    const char *email = wht_unique_email();
    r = WALK("POST", tok, "/users",
             wht_fmt("{\"email\":\"%s\",\"full_name\":\"Fault Walker\",\"role\":\"EMPLOYEE\","
                     "\"password\":\"correct horse battery\"}",
                     email),
             201);
    F.member.id = id_of(r);
    snprintf(F.member.email, sizeof F.member.email, "%s", email);
    snprintf(F.member.password, sizeof F.member.password, "correct horse battery");
    WALK("PATCH", tok, wht_fmt("/users/%lld", F.member.id), "{\"full_name\":\"Fault Walker 2\"}",
         200);
    WALK("PUT", tok, wht_fmt("/users/%lld/ventures", F.member.id),
         wht_fmt("{\"venture_ids\":[%lld,%lld,%lld]}", F.logistics, F.bpo, F.hotel_venture), 200);
    WALK("PUT", tok, wht_fmt("/users/%lld/offices", F.member.id),
         wht_fmt("{\"office_ids\":[%lld]}", F.office), 200);
}

static void walk_auth(void)
{
    const char *login =
        wht_fmt("{\"email\":\"%s\",\"password\":\"%s\"}", F.member.email, F.member.password);
    wht_resp *r = WALK("POST", NULL, "/auth/login", login, 200);
    const char *spare = wht_str(r->json, "token");
    WALK("POST", spare, "/auth/logout", NULL, 204);
    WHT_PROBLEM(wht_get(spare, "/me"), 401, "unauthenticated", NULL);
    r = wht_login_resp(F.member.email, F.member.password);
    WHT_EXPECT(r, 200);
    snprintf(F.member.token, sizeof F.member.token, "%s", wht_str(r->json, "token"));
    WALK("POST", NULL, "/auth/code", wht_fmt("{\"email\":\"%s\"}", F.member.email), 202);
    /* a wrong code spends a try, and that try commits although the answer is 401 */
    WALK("POST", NULL, "/auth/code/verify",
         wht_fmt("{\"email\":\"%s\",\"code\":\"000000\"}", F.member.email), 401);
    /* a reset e-mails a code (and audits it); a password change ends the other sessions */
    WALK("POST", wht_admin_token(), wht_fmt("/users/%lld/password-reset", F.member.id), NULL, 202);
    WALK("PUT", F.member.token, "/me/password",
         wht_fmt("{\"current_password\":\"%s\",\"new_password\":\"correct horse battery 2\"}",
                 F.member.password),
         204);
    snprintf(F.member.password, sizeof F.member.password, "correct horse battery 2");
}

static void walk_freight(void)
{
    const char *tok = wht_admin_token();
    wht_resp *r = WALK("POST", tok, "/carriers", "{\"dot_number\":\"1000001\"}", 201);
    F.carrier = id_of(r);
    WALK("PATCH", tok, wht_fmt("/carriers/%lld", F.carrier), "{\"phone\":\"(555) 123-0000\"}", 200);
    WALK("POST", tok, wht_fmt("/carriers/%lld/fmcsa-refresh", F.carrier), NULL, 200);
    WALK("POST", tok, "/carriers/manual",
         "{\"dot_number\":\"3000009\",\"legal_name\":\"Hand LLC\"}", 201);
    r = WALK("POST", tok, "/shippers",
             wht_fmt("{\"venture_id\":%lld,\"name\":\"%s\",\"code\":\"%s\"}", F.logistics,
                     wht_unique("Shipper "), wht_unique_code()),
             201);
    WALK("PATCH", tok, wht_fmt("/shippers/%lld", id_of(r)), "{\"contact_name\":\"Pat\"}", 200);
    r = WALK("POST", F.member.token, "/loads",
             wht_fmt("{\"venture_id\":%lld,\"pickup_city\":\"Columbus\",\"pickup_state\":\"OH\","
                     "\"drop_city\":\"Atlanta\",\"drop_state\":\"GA\",\"bill_cents\":150000,"
                     "\"cost_cents\":100000}",
                     F.logistics),
             201);
    F.load = id_of(r);
    WALK("PATCH", tok, wht_fmt("/loads/%lld", F.load), "{\"miles\":560}", 200);
    const char *status = wht_fmt("/loads/%lld/status", F.load);
    WALK("POST", tok, status, "{\"status\":\"QUOTED\"}", 200);
    WALK("POST", tok, status, wht_fmt("{\"status\":\"COVERED\",\"carrier_id\":%lld}", F.carrier),
         200);
    /* DELIVERED also awards LOAD_COMPLETED points and records the status history */
    WALK("POST", tok, status, wht_fmt("{\"status\":\"DELIVERED\",\"billing_date\":\"%s\"}", F.day),
         200);
    WALK("PUT", tok, wht_fmt("/kpi/freight/%lld/%s", F.logistics, F.day),
         "{\"revenue_cents\":70000,\"cost_cents\":20000}", 0);
}

static void walk_bpo(void)
{
    const char *tok = wht_admin_token();
    wht_resp *r = WALK("POST", tok, "/bpo/campaigns",
                       wht_fmt("{\"venture_id\":%lld,\"name\":\"Walk\"}", F.bpo), 201);
    F.campaign = id_of(r);
    WALK("PATCH", tok, wht_fmt("/bpo/campaigns/%lld", F.campaign), "{\"client_name\":\"Acme\"}",
         200);
    r = WALK("POST", tok, "/bpo/agents",
             wht_fmt("{\"user_id\":%lld,\"venture_id\":%lld,\"campaign_id\":%lld}", F.member.id,
                     F.bpo, F.campaign),
             201);
    F.agent = id_of(r);
    /* with ended_at: BPO_CALL_COMPLETED points in the same transaction */
    WALK("POST", F.member.token, "/bpo/call-logs",
         wht_fmt("{\"agent_id\":%lld,\"venture_id\":%lld,\"campaign_id\":%lld,"
                 "\"started_at\":\"%sT10:00:00Z\",\"ended_at\":\"%sT10:05:00Z\","
                 "\"connected\":true}",
                 F.agent, F.bpo, F.campaign, F.day, F.day),
         201);
}

static void walk_hotels(void)
{
    const char *tok = wht_admin_token();
    wht_resp *r = WALK("POST", tok, "/hotels",
                       wht_fmt("{\"venture_id\":%lld,\"name\":\"%s\",\"code\":\"%s\",\"rooms\":80}",
                               F.hotel_venture, wht_unique("Hotel "), wht_unique_code()),
                       201);
    F.hotel = id_of(r);
    WALK("PATCH", tok, wht_fmt("/hotels/%lld", F.hotel), "{\"city\":\"Miami\"}", 200);
    WALK("PUT", tok, wht_fmt("/hotels/%lld/daily/%s", F.hotel, F.day),
         "{\"rooms_sold\":40,\"room_revenue_cents\":400000}", 0);
}

static void walk_hotel_records(void)
{
    const char *tok = wht_admin_token();
    wht_resp *r =
        WALK("POST", tok, wht_fmt("/hotels/%lld/reviews", F.hotel),
             wht_fmt("{\"source\":\"GOOGLE\",\"rating\":5,\"review_date\":\"%s\"}", F.day), 201);
    /* the first response also awards HOTEL_REVIEW_RESPONDED points */
    WALK("POST", tok, wht_fmt("/hotel-reviews/%lld/response", id_of(r)),
         "{\"response_text\":\"Thank you!\"}", 200);
    r = WALK("POST", tok, wht_fmt("/hotels/%lld/disputes", F.hotel),
             "{\"type\":\"CHARGEBACK\",\"amount_cents\":9900}", 201);
    WALK("PATCH", tok, wht_fmt("/hotel-disputes/%lld", id_of(r)),
         wht_fmt("{\"status\":\"WON\",\"owner_id\":%lld}", F.member.id), 200);
}

/* A task for the member (TASK_ASSIGNED with its e-mail in the outbox), edited and completed by
 * them (TASK_COMPLETED to the creator), the notifications read, the preferences changed. */
static void walk_tasks(void)
{
    const char *tok = wht_admin_token();
    wht_resp *r = WALK("POST", tok, "/tasks",
                       wht_fmt("{\"venture_id\":%lld,\"title\":\"Walk\",\"assignee_id\":%lld}",
                               F.logistics, F.member.id),
                       201);
    long long task = id_of(r);
    WALK("PATCH", F.member.token, wht_fmt("/tasks/%lld", task), "{\"priority\":\"HIGH\"}", 200);
    WALK("POST", F.member.token, wht_fmt("/tasks/%lld/status", task), "{\"status\":\"DONE\"}", 200);
    long long note =
        wht_sql(wht_fmt("SELECT MAX(id) FROM notifications WHERE user_id = %lld", F.member.id));
    WALK("POST", F.member.token, wht_fmt("/notifications/%lld/read", note), NULL, 200);
    WALK("POST", F.member.token, "/notifications/read-all", NULL, 200);
    WALK("PUT", F.member.token, "/me/notification-preferences",
         "{\"phone\":\"+15551230000\",\"channels\":{\"TASK_COMPLETED\":{\"sms\":true}}}", 200);
}

static void walk_eod_and_gamification(void)
{
    const char *tok = wht_admin_token();
    WALK("PUT", F.member.token, wht_fmt("/eod-reports/%lld/%s", F.logistics, F.day),
         "{\"summary\":\"Walked every failure point\"}", 0);
    WALK("PUT", tok, wht_fmt("/gamification/config/%lld", F.bpo),
         "{\"enabled\":true,\"points\":{\"BPO_CALL_COMPLETED\":3}}", 0);
    WALK("POST", tok, "/gamification/awards",
         wht_fmt("{\"user_id\":%lld,\"venture_id\":%lld,\"event_type\":\"MANUAL_BONUS\","
                 "\"points\":5,\"idempotency_key\":\"%s\"}",
                 F.member.id, F.logistics, wht_unique("walk-")),
         201);
}

static void mutate_inputs(long long n);

static void walk_incentives(void)
{
    const char *tok = wht_admin_token();
    wht_resp *r = WALK("POST", tok, "/incentives/plans",
                       wht_fmt("{\"venture_id\":%lld,\"name\":\"%s\","
                               "\"effective_from\":\"2020-01-01\"}",
                               F.logistics, wht_unique("Plan ")),
                       201);
    long long plan = id_of(r);
    WALK("PATCH", tok, wht_fmt("/incentives/plans/%lld", plan), "{\"name\":\"Walked plan\"}", 200);
    r = WALK("POST", tok, wht_fmt("/incentives/plans/%lld/rules", plan),
             "{\"metric\":\"loads_completed\",\"calc_type\":\"FLAT_PER_UNIT\",\"rate_cents\":500}",
             201);
    long long rule = id_of(r);
    WALK("PATCH", tok, wht_fmt("/incentives/rules/%lld", rule), "{\"rate_cents\":700}", 200);
    const char *slice = wht_fmt("{\"venture_id\":%lld,\"date\":\"%s\"}", F.logistics, F.day);
    const char *before = wht_db_digest(request_skip);
    WALK("POST", tok, "/incentives/preview", slice, 200);
    same_digest_at(before, wht_db_digest(request_skip), "a preview", __FILE__, __LINE__);
    r = WALK("POST", tok, "/incentives/commit", slice, 200);
    assert_int_equal(wht_int(r->json, "total_cents"), 700);
    /* again over the committed slice, with one more delivered load: a replace */
    mutate_inputs(0);
    r = WALK("POST", tok, "/incentives/commit", slice, 200);
    assert_int_equal(wht_int(r->json, "total_cents"), 1400);
    assert_int_equal(wht_int(r->json, "replaced"), 1);
    r = WALK("POST", tok, "/incentives/payouts/generate",
             wht_fmt("{\"venture_id\":%lld,\"period_start\":\"%s\",\"period_end\":\"%s\"}",
                     F.logistics, F.day, F.day),
             200);
    json_t *items = wht_items(r);
    assert_int_equal(json_array_size(items), 1);
    long long payout = wht_int(json_array_get(items, 0), "id");
    WALK("POST", tok, wht_fmt("/incentives/payouts/%lld/approve", payout), NULL, 200);
    WALK("POST", tok, wht_fmt("/incentives/payouts/%lld/mark-paid", payout), NULL, 200);
    WALK("DELETE", tok, wht_fmt("/incentives/rules/%lld", rule), NULL, 204);
    /* the rule the incentive_daily walk pays by */
    WHT_EXPECT(wht_post(tok, wht_fmt("/incentives/plans/%lld/rules", plan),
                        wht_json("{s:s, s:s, s:i}", "metric", "loads_completed", "calc_type",
                                 "FLAT_PER_UNIT", "rate_cents", 300)),
               201);
}

/* SaaS (each write with its event, or none for a rename) and holdings (upserts and deletes of
 * dated values). The subscription started on F.day gives the kpi_aggregation walk SaaS rows. */
static void walk_saas_holdings(void)
{
    const char *tok = wht_admin_token();
    long long saas = wht_venture_new("SAAS").id, hold = wht_venture_new("HOLDINGS").id;
    wht_resp *r =
        WALK("POST", tok, "/saas/customers",
             wht_fmt("{\"venture_id\":%lld,\"name\":\"Walk\",\"code\":\"W1\"}", saas), 201);
    long long cu = id_of(r);
    WALK("PATCH", tok, wht_fmt("/saas/customers/%lld", cu), "{\"email\":\"ap@walk.test\"}", 200);
    r = WALK("POST", tok, "/saas/subscriptions",
             wht_fmt("{\"customer_id\":%lld,\"plan_name\":\"P\",\"mrr_cents\":1000,"
                     "\"started_on\":\"%s\"}",
                     cu, F.day),
             201);
    long long sub = id_of(r);
    WALK("POST", tok, wht_fmt("/saas/subscriptions/%lld/change", sub), "{\"mrr_cents\":1500}", 200);
    WALK("POST", tok, wht_fmt("/saas/subscriptions/%lld/cancel", sub), "{}", 200);
    r = WALK("POST", tok, "/holdings/assets",
             wht_fmt("{\"venture_id\":%lld,\"kind\":\"OTHER\",\"name\":\"Walk\","
                     "\"acquired_on\":\"%s\",\"cost_cents\":100}",
                     hold, F.day),
             201);
    long long as = id_of(r);
    WALK("PATCH", tok, wht_fmt("/holdings/assets/%lld", as), "{\"notes\":\"walked\"}", 200);
    WALK("PUT", tok, wht_fmt("/holdings/assets/%lld/valuations/%s", as, F.day),
         "{\"value_cents\":200}", 201);
    WALK("DELETE", tok, wht_fmt("/holdings/assets/%lld/valuations/%s", as, F.day), NULL, 204);
    r = WALK("POST", tok, "/holdings/bank-accounts",
             wht_fmt("{\"venture_id\":%lld,\"name\":\"Walk\",\"institution\":\"B\","
                     "\"last4\":\"1234\"}",
                     hold),
             201);
    long long ac = id_of(r);
    WALK("PATCH", tok, wht_fmt("/holdings/bank-accounts/%lld", ac), "{\"name\":\"Walked\"}", 200);
    WALK("PUT", tok, wht_fmt("/holdings/bank-accounts/%lld/balances/%s", ac, F.day),
         "{\"balance_cents\":-5}", 201);
    WALK("DELETE", tok, wht_fmt("/holdings/bank-accounts/%lld/balances/%s", ac, F.day), NULL, 204);
}

/* POST /jobs/{name}/run takes the lease and records the run in the request; the run itself is on
 * a runner thread of the server (walked with `job run` below). Waits for it to end. */
static void walk_job_route(void)
{
    wht_resp *r = WALK("POST", wht_admin_token(), "/jobs/cleanup/run", "{\"dry_run\":true}", 202);
    const char *path = wht_fmt("/jobs/runs/%lld", id_of(r));
    for (int i = 0; i < 200; i++) {
        r = wht_get(wht_admin_token(), path);
        WHT_EXPECT(r, 200);
        if (strcmp(wht_str(r->json, "status"), "RUNNING") != 0)
            break;
        wht_sleep_ms(50);
    }
    assert_string_equal(wht_str(r->json, "status"), "SUCCEEDED");
}

/* CSV imports: a commit writes its records, its import row and its audit entry in one
 * transaction (a SaaS file also its customer, events and the KPI stale mark). */
static void walk_imports(void)
{
    const char *tok = wht_admin_token();
    long long saas = wht_venture_new("SAAS").id;
    walk_type = "text/csv";
    WALK("POST", tok, wht_fmt("/imports?kind=shippers&venture_id=%lld", F.logistics),
         "code,name\nWALK1,Walker\n", 201);
    WALK("POST", tok, wht_fmt("/imports?kind=saas_subscriptions&venture_id=%lld", saas),
         wht_fmt("customer_code,plan_name,mrr_cents,started_on,customer_name\nWK,Pro,100,%s,W\n",
                 F.day),
         201);
    walk_type = NULL;
}

static void test_walk_writes_of_every_module(void **state)
{
    (void)state;
    snprintf(F.day, sizeof F.day, "%s", wht_utc_day(-1));
    walk_organisation();
    walk_auth();
    walk_freight();
    walk_bpo();
    walk_hotels();
    walk_hotel_records();
    walk_eod_and_gamification();
    walk_tasks();
    walk_incentives();
    walk_saas_holdings();
    walk_imports();
    walk_job_route();
    F.ready = true;
}

/* Outbound calls (FMCSA): onboarding fails whole with 503 and stores nothing; a refresh whose
 * lookup fails is the documented degraded answer, 200 with fmcsa_error and the last known
 * status kept, never a half-updated carrier. */
static void test_walk_outbound_calls(void **state)
{
    (void)state;
    assert_true(F.ready);
    wht_fake_call(fake, "POST", "/_control/fmcsa/carriers",
                  wht_json("{s:s, s:s, s:s, s:s, s:s}", "dotNumber", "2000001", "legalName",
                           "WALKED FREIGHT LLC", "allowedToOperate", "Y", "statusCode", "A",
                           "telephone", "(614) 555-0199"));
    wht_resp *r =
        WALK_HTTP("POST", wht_admin_token(), "/carriers", "{\"dot_number\":\"2000001\"}", 201);
    long long id = id_of(r);
    json_t *was = json_deep_copy(r->json);
    wht_keep_json(was);
    r = send_fault("http", 1, "POST", wht_admin_token(),
                   wht_fmt("/carriers/%lld/fmcsa-refresh", id), NULL);
    WHT_EXPECT(r, 200);
    assert_non_null(strstr(wht_header(r, "X-Wh-Fault-Calls"), "fired=http"));
    assert_true(json_is_string(json_object_get(r->json, "fmcsa_error")));
    const char *kept[] = {"fmcsa_status", "fmcsa_checked_at", "legal_name", "phone", NULL};
    for (size_t i = 0; kept[i]; i++)
        WHT_JSON_EQUAL(json_object_get(r->json, kept[i]), json_object_get(was, kept[i]));
    note_walked("POST", wht_fmt("/carriers/%lld/fmcsa-refresh", id));
}

/* ------------------------------------------------------------------- jobs */

/* New inputs for the day's KPIs and incentives, different at every step n: a load the member
 * created and delivered on the day, a call and the hotel's figures. */
static void mutate_inputs(long long n)
{
    const char *tok = wht_admin_token();
    wht_resp *r =
        wht_post(F.member.token, "/loads",
                 wht_json("{s:I, s:s, s:s, s:s, s:s, s:I, s:I}", "venture_id",
                          (json_int_t)F.logistics, "pickup_city", "Columbus", "pickup_state", "OH",
                          "drop_city", "Atlanta", "drop_state", "GA", "bill_cents",
                          (json_int_t)(1000 * n), "cost_cents", (json_int_t)(500 * n)));
    WHT_EXPECT(r, 201);
    const char *path = wht_fmt("/loads/%lld/status", id_of(r));
    WHT_EXPECT(wht_post(tok, path, wht_json("{s:s}", "status", "QUOTED")), 200);
    WHT_EXPECT(
        wht_post(tok, path,
                 wht_json("{s:s, s:I}", "status", "COVERED", "carrier_id", (json_int_t)F.carrier)),
        200);
    WHT_EXPECT(
        wht_post(tok, path, wht_json("{s:s, s:s}", "status", "DELIVERED", "billing_date", F.day)),
        200);
    r = wht_put(tok, wht_fmt("/hotels/%lld/daily/%s", F.hotel, F.day),
                wht_json("{s:I, s:I}", "rooms_sold", (json_int_t)(10 + n % 60),
                         "room_revenue_cents", (json_int_t)(10000 * n)));
    assert_true(r->status == 200 || r->status == 201);
    WHT_EXPECT(wht_post(F.member.token, "/bpo/call-logs",
                        wht_json("{s:I, s:I, s:I, s:s, s:b}", "agent_id", (json_int_t)F.agent,
                                 "venture_id", (json_int_t)F.bpo, "campaign_id",
                                 (json_int_t)F.campaign, "started_at",
                                 wht_fmt("%sT11:%02lld:00Z", F.day, n % 60), "connected", 1)),
               201);
}

/* `wheelhouse job run NAME [--date D]` with the given fault (NULL: none); returns its status. */
static int job_run(const char *job, const char *date, const char *fault, const char **out)
{
    const char *args[] = {"job", "run", job, date ? "--date" : NULL, date, NULL};
    const char *env[] = {"WH_JOB_LEASE_S=1", "WH_FMCSA_STALE_S=0", fault, NULL};
    return wht_cli(args, env, out);
}

/* A clean run, once the lease a failed run may have left has expired (exit 3: still held). */
static void clean_run(const char *job, const char *date)
{
    const char *out = NULL;
    int st = 3;
    for (int i = 0; i < 40 && st == 3; i++) {
        st = job_run(job, date, NULL, &out);
        if (st == 3)
            wht_sleep_ms(100);
    }
    if (st != 0)
        WHT_FAIL("a clean `job run %s` after a fault exited %d:\n%s", job, st, out);
}

/* The audit entries other than the runs' own job.run entries. */
static long long audit_others(void)
{
    return wht_sql("SELECT COUNT(*) FROM audit_log WHERE action <> 'job.run'");
}

static calls job_calls(const char *out)
{
    const char *line = out ? strstr(out, "fault injection: db=") : NULL;
    return parse_calls(line ? line + strlen("fault injection: ") : NULL);
}

/* How one job's state is read and what a failed run may leave. */
typedef struct {
    const char *(*digest)(void);
    /* false: the whole digest is the unit (one transaction); true: each line is (fmcsa_sync
     * writes one transaction per carrier, so a failure may end the run between carriers) */
    bool per_line;
    void (*mutate)(long long n); /* new inputs before step n, or NULL */
} job_check;

/* Each line of after equals its line in before or in clean. */
static bool lines_whole(const char *after, const char *before, const char *clean)
{
    while (*after) {
        size_t n = strcspn(after, "\n") + 1;
        if (strncmp(after, before, n) != 0 && strncmp(after, clean, n) != 0)
            return false;
        after += n;
        before += strcspn(before, "\n") + (before[strcspn(before, "\n")] ? 1 : 0);
        clean += strcspn(clean, "\n") + (clean[strcspn(clean, "\n")] ? 1 : 0);
    }
    return true;
}

/* A failed run left nothing, or exactly what a run makes: its outputs equal a clean rerun's and
 * it added as many audit entries as the clean rerun did. */
static void check_failed_run(const char *step, int st, const job_check *jc, const char *before,
                             long long audit_before, const char *after, long long audit_after,
                             const char *clean, long long audit_clean)
{
    bool nothing = strcmp(after, before) == 0 && audit_after == audit_before;
    bool whole =
        strcmp(after, clean) == 0 && audit_after - audit_before == audit_clean - audit_after;
    if (jc->per_line)
        nothing = whole = lines_whole(after, before, clean);
    if (!nothing && !whole)
        WHT_FAIL("%s (exit %d) left a partial change (audit entries %lld -> %lld, a clean run "
                 "-> %lld); first difference from before: %s\nfrom a clean run: %s",
                 step, st, audit_before, audit_after, audit_clean, first_diff(after, before),
                 first_diff(after, clean));
}

/* Walks kind=N over one job: every failed run leaves the outputs as they were or exactly as a
 * clean run makes them; the run past the last call succeeds. */
static void walk_job(const char *job, const char *date, const char *kind, const job_check *jc)
{
    const char *var = strcmp(kind, "db") == 0 ? "WH_FAULT_DB_NTH" : "WH_FAULT_HTTP_NTH";
    for (long long n = 1; n <= MAX_STEPS; n++) {
        const char *step = wht_fmt("job %s with %s=%lld", job, kind, n);
        const char *out = NULL;
        wht_context("%s", step);
        if (jc->mutate)
            jc->mutate(n);
        const char *before = jc->digest();
        long long audit_before = audit_others();
        int st = job_run(job, date, wht_fmt("%s=%lld", var, n), &out);
        calls c = job_calls(out);
        const char *after = jc->digest();
        long long audit_after = audit_others();
        if (strcmp(c.fired, "none") == 0) {
            if (st != 0)
                WHT_FAIL("%s: no fault fired, yet exit %d:\n%s", step, st, out);
            if (n == 1)
                WHT_FAIL("%s made no %s call: the walk proves nothing", step, kind);
            return;
        }
        if (strcmp(c.fired, kind) != 0)
            WHT_FAIL("%s: no fault report in its output:\n%s", step, out);
        if (st == 0) /* a call the run tolerates (logged); its outputs are checked alike */
            print_message("note: %s exited 0\n", step);
        clean_run(job, date);
        check_failed_run(step, st, jc, before, audit_before, after, audit_after, jc->digest(),
                         audit_others());
    }
    WHT_FAIL("job %s: more than %d %s calls", job, MAX_STEPS, kind);
}

static const char *outputs_digest(void)
{
    return wht_db_digest(job_skip);
}

/* One line per carrier: what FMCSA decides (fmcsa_checked_at and fmcsa_error left out: a
 * failed lookup records its error beside the last known status, by design). */
static const char *carriers_digest(void)
{
    json_t *items = wht_list_all(wht_admin_token(), "/carriers", 200);
    const char *out = "";
    size_t i;
    json_t *c;
    json_array_foreach(items, i, c)
    {
        json_t *copy = wht_keep_json(json_deep_copy(c));
        json_object_del(copy, "fmcsa_checked_at");
        json_object_del(copy, "fmcsa_error");
        out = wht_fmt("%s%s\n", out, wht_dump(copy));
    }
    return out;
}

/* FMCSA's answers change at every step: a new phone and fleet for both carriers. */
static void mutate_fmcsa(long long n)
{
    static const char *const dots[] = {"1000001", "2000001"};
    for (size_t i = 0; i < 2; i++)
        wht_fake_call(fake, "POST", "/_control/fmcsa/carriers",
                      wht_json("{s:s, s:s, s:s, s:s, s:s, s:I}", "dotNumber", dots[i], "legalName",
                               wht_fmt("CARRIER %s", dots[i]), "allowedToOperate", "Y",
                               "statusCode", "A", "telephone", wht_fmt("(614) 555-%04lld", n),
                               "totalPowerUnits", (json_int_t)n));
}

static const job_check day_outputs = {outputs_digest, false, mutate_inputs};
static const job_check whole_outputs = {outputs_digest, false, NULL};
static const job_check carriers = {carriers_digest, true, mutate_fmcsa};

static void test_walk_kpi_aggregation(void **state)
{
    (void)state;
    assert_true(F.ready);
    walk_job("kpi_aggregation", F.day, "db", &day_outputs);
    static const char *const tables[] = {"kpi_freight_daily", "kpi_hotel_daily", "kpi_bpo_daily"};
    for (size_t i = 0; i < 3; i++) /* not a walk over nothing */
        assert_true(wht_sql(wht_fmt("SELECT COUNT(*) FROM %s WHERE day = '%s'", tables[i], F.day)) >
                    0);
}

static void test_walk_incentive_daily(void **state)
{
    (void)state;
    assert_true(F.ready);
    walk_job("incentive_daily", F.day, "db", &day_outputs);
    /* the walk replaced a slice that pays: not a walk over nothing */
    assert_true(wht_sql(wht_fmt("SELECT COUNT(*) FROM incentive_daily WHERE venture_id = %lld AND"
                                " day = '%s' AND amount_cents > 0",
                                F.logistics, F.day)) > 0);
}

static void test_walk_cleanup(void **state)
{
    (void)state;
    assert_true(F.ready);
    walk_job("cleanup", NULL, "db", &whole_outputs);
}

static void test_walk_fmcsa_sync(void **state)
{
    (void)state;
    assert_true(F.ready);
    walk_job("fmcsa_sync", NULL, "db", &carriers);
    walk_job("fmcsa_sync", NULL, "http", &carriers);
}

/* ------------------------------------- jobs of one transaction per subject */

/* task_rules and reminders write each task or reminder in a transaction of its own and carry
 * on after one fails (PARTIAL), so a failed run may leave some of the day's units written and
 * others not: the unit, not the run, is what must be whole. Each step runs on a new day (new
 * subjects: that day's missed EOD reports, its reminders), and checks that the failed run
 * reported the failure, left every unit whole (a task with exactly one TASK_ASSIGNED, one audit
 * entry and one e-mail; a reminder with exactly one e-mail) and changed nothing else; then that
 * a clean rerun makes exactly the day's units, for the right people. */

/* 0 Monday .. 6 Sunday. */
static int weekday(const char *day)
{
    static const int t[] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
    int y = (int)strtol(day, NULL, 10), m = (int)strtol(day + 5, NULL, 10),
        d = (int)strtol(day + 8, NULL, 10); /* YYYY-MM-DD */
    y -= m < 3;
    return ((y + y / 4 - y / 100 + y / 400 + t[m - 1] + d) % 7 + 6) % 7; /* Sakamoto: 0 Sunday */
}

/* The n-th working day (0-based) counting back from ten days ago: before every input the
 * walks made, so no EOD report exists on it. */
static const char *working_day(long long n)
{
    for (int k = 10;; k++) {
        const char *d = wht_utc_day(-k);
        if (weekday(d) < 5 && n-- == 0)
            return d;
    }
}

static long long head_id; /* the VENTURE_HEAD of F.logistics: every missed EOD goes to them */

/* Automatic tasks that are not whole, and task notifications without their task. */
static long long tasks_broken(void)
{
    return wht_sql(
        "SELECT (SELECT COUNT(*) FROM tasks t WHERE t.rule IS NOT NULL AND ((SELECT COUNT(*)"
        " FROM notifications n WHERE n.type = 'TASK_ASSIGNED' AND n.link_type = 'task' AND"
        " n.link_id = t.id) <> 1 OR (SELECT COUNT(*) FROM audit_log a WHERE a.action ="
        " 'task.create' AND a.entity = 'task' AND a.entity_id = t.id) <> 1 OR (SELECT COUNT(*)"
        " FROM outbox o JOIN users u ON u.email = o.recipient JOIN notifications n ON n.user_id ="
        " u.id AND n.title = o.subject WHERE n.link_type = 'task' AND n.link_id = t.id) <> 1))"
        " + (SELECT COUNT(*) FROM notifications n WHERE n.link_type = 'task' AND NOT EXISTS"
        " (SELECT 1 FROM tasks t WHERE t.id = n.link_id))");
}

/* The missed-EOD tasks of the run on date (they are about the working day before it), all
 * the venture head's. */
static long long tasks_made(long long n)
{
    const char *like = wht_fmt("MISSED_EOD:%%:%s", working_day(n + 1));
    long long wrong = wht_sql(wht_fmt("SELECT COUNT(*) FROM tasks WHERE rule_key LIKE '%s' AND"
                                      " assignee_id <> %lld",
                                      like, head_id));
    if (wrong)
        WHT_FAIL("%lld missed-EOD tasks of %s went to someone else than the venture head", wrong,
                 working_day(n + 1));
    return wht_sql(wht_fmt("SELECT COUNT(*) FROM tasks WHERE rule_key LIKE '%s'", like));
}

/* Reminders without exactly one e-mail, and reminder e-mails without their reminder. */
static long long reminders_broken(void)
{
    return wht_sql(
        "SELECT (SELECT COUNT(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE"
        " n.type = 'EOD_REMINDER' AND (SELECT COUNT(*) FROM outbox o WHERE o.recipient ="
        " u.email AND o.subject = n.title) <> 1) + (SELECT COUNT(*) FROM outbox o WHERE"
        " o.subject LIKE 'Reminder: end-of-day report for %' AND NOT EXISTS (SELECT 1 FROM"
        " notifications n JOIN users u ON u.id = n.user_id WHERE n.title = o.subject AND"
        " u.email = o.recipient))");
}

static long long reminders_made(long long n)
{
    return wht_sql(wht_fmt("SELECT COUNT(*) FROM notifications WHERE type = 'EOD_REMINDER' AND"
                           " notify_key LIKE 'EOD_REMINDER:%%:%s'",
                           working_day(n)));
}

typedef struct {
    const char *job;
    long long (*broken)(void);
    long long (*made)(long long n); /* the units of the run on working_day(n) */
} unit_check;

/* Outside the units' own tables, a failed run changes nothing. */
static const char *const unit_skip[] = {
    "sessions.expires_at",
    "sessions.last_seen_at",
    "idempotency_keys",
    "outbox",
    "job_runs",
    "job_leases",
    "audit_log",
    "data_versions",
    "tasks",
    "notifications",
    NULL,
};

static void walk_units(const unit_check *u)
{
    clean_run(u->job, working_day(0));
    long long expected = u->made(0);
    if (expected <= 0)
        WHT_FAIL("a clean %s run made nothing: the walk proves nothing", u->job);
    const char *last = working_day(0);
    for (long long n = 1; n <= MAX_STEPS; n++) {
        const char *date = working_day(n), *out = NULL;
        last = date;
        const char *step = wht_fmt("job %s on %s with db=%lld", u->job, date, n);
        wht_context("%s", step);
        const char *before = wht_db_digest(unit_skip);
        int st = job_run(u->job, date, wht_fmt("WH_FAULT_DB_NTH=%lld", n), &out);
        calls c = job_calls(out);
        bool fired = strcmp(c.fired, "db") == 0;
        if (!fired && strcmp(c.fired, "none") != 0)
            WHT_FAIL("%s: no fault report in its output:\n%s", step, out);
        if (st != 0 && !fired)
            WHT_FAIL("%s: no fault fired, yet exit %d:\n%s", step, st, out);
        if (st != 0 && strstr(out, "\"status\": \"") && !strstr(out, "\"status\": \"FAILED\"") &&
            !strstr(out, "\"status\": \"PARTIAL\""))
            WHT_FAIL("%s exited %d but its run is neither FAILED nor PARTIAL:\n%s", step, st, out);
        if (st == 0 && u->made(n) != expected) /* success must mean every unit was made */
            WHT_FAIL("%s succeeded with %lld of its %lld units: a failure went unreported:\n%s",
                     step, u->made(n), expected, out);
        if (st == 0 && fired)
            print_message("note: %s exited 0\n", step);
        if (u->broken() != 0)
            WHT_FAIL("%s left %lld units half-written", step, u->broken());
        same_digest_at(before, wht_db_digest(unit_skip), step, __FILE__, __LINE__);
        if (!fired)
            break;
        if (n == MAX_STEPS)
            WHT_FAIL("job %s: more than %d db calls", u->job, MAX_STEPS);
        clean_run(u->job, date);
        if (u->broken() != 0 || u->made(n) != expected)
            WHT_FAIL("%s: the rerun left %lld broken units and made %lld of %lld", step,
                     u->broken(), u->made(n), expected);
    }
    /* converged: another run of the last day makes nothing twice */
    const char *before = wht_db_digest(job_skip);
    long long audit = audit_others();
    clean_run(u->job, last);
    same_digest_at(before, wht_db_digest(job_skip), "a second clean run", __FILE__, __LINE__);
    assert_int_equal(audit_others(), audit);
}

static void test_walk_task_rules(void **state)
{
    (void)state;
    assert_true(F.ready);
    wht_user head = wht_user_add("VENTURE_HEAD");
    head_id = head.id;
    wht_set_ventures(head.id, 1, &F.logistics);
    walk_units(&(unit_check){"task_rules", tasks_broken, tasks_made});
}

static void test_walk_reminders(void **state)
{
    (void)state;
    assert_true(F.ready);
    walk_units(&(unit_check){"reminders", reminders_broken, reminders_made});
}

/* ------------------------------------------------------------- coverage */

/* A route table line `{"METHOD", "/api/v1/...", ...` of a write route, as "METHOD /api/v1/...". */
static bool route_of(const char *line, char *out, size_t cap)
{
    static const char *const methods[] = {"POST", "PUT", "PATCH", "DELETE"};
    const char *p = strstr(line, "{\"");
    for (size_t i = 0; p && i < 4; i++) {
        size_t n = strlen(methods[i]);
        const char *path = p + 2 + n;
        if (strncmp(p + 2, methods[i], n) != 0 || strncmp(path, "\", \"" WHT_API, 4 + 7) != 0)
            continue;
        path += 4;
        snprintf(out, cap, "%s %.*s", methods[i], (int)strcspn(path, "\""), path);
        return true;
    }
    return false;
}

/* "METHOD /api/v1/..." of every write route in the route tables (src/<module>/X_routes.c). */
static size_t write_routes(char (*out)[200], size_t cap)
{
    size_t n = 0;
    DIR *src = opendir(WH_SOURCE_DIR "/src");
    struct dirent *m;
    assert_non_null(src);
    while ((m = readdir(src)) != NULL) {
        if (m->d_name[0] == '.')
            continue;
        const char *dir = wht_fmt("%s/src/%s", WH_SOURCE_DIR, m->d_name);
        DIR *d = opendir(dir);
        struct dirent *f;
        while (d && (f = readdir(d)) != NULL) {
            size_t len = strlen(f->d_name);
            if (len < 10 || strcmp(f->d_name + len - 9, "_routes.c") != 0)
                continue;
            FILE *fp = fopen(wht_fmt("%s/%s", dir, f->d_name), "r");
            char line[512];
            while (fp && fgets(line, sizeof line, fp) && n < cap)
                n += route_of(line, out[n], sizeof out[0]);
            if (fp)
                fclose(fp);
        }
        if (d)
            closedir(d);
    }
    closedir(src);
    return n;
}

/* A concrete path matches a pattern whose {name} segments match any one segment. */
static bool path_matches(const char *pattern, const char *path)
{
    while (*pattern && *path) {
        if (*pattern == '{') {
            pattern = strchr(pattern, '}');
            if (!pattern)
                return false;
            pattern++;
            path += strcspn(path, "/");
        } else if (*pattern++ != *path++) {
            return false;
        }
    }
    return !*pattern && !*path;
}

static void test_every_write_route_was_walked(void **state)
{
    (void)state;
    static char routes[256][200];
    size_t n = write_routes(routes, 256);
    assert_true(n >= 45); /* the tables held 45 write routes when this test was written */
    for (size_t i = 0; i < n; i++) {
        size_t ml = strcspn(routes[i], " ");
        const char *pattern = routes[i] + ml + 1;
        bool seen = false;
        for (size_t w = 0; w < nwalked && !seen; w++)
            seen = strlen(walked[w].method) == ml &&
                   strncmp(walked[w].method, routes[i], ml) == 0 &&
                   path_matches(pattern, walked[w].path);
        if (!seen)
            WHT_FAIL("write route %s has no fault walk in tests/api/test_faults.c", routes[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        WHT_TEST(test_walk_writes_of_every_module),
        WHT_TEST(test_walk_outbound_calls),
        WHT_TEST(test_walk_kpi_aggregation),
        WHT_TEST(test_walk_incentive_daily),
        WHT_TEST(test_walk_cleanup),
        WHT_TEST(test_walk_fmcsa_sync),
        WHT_TEST(test_walk_task_rules),
        WHT_TEST(test_walk_reminders),
        WHT_TEST(test_every_write_route_was_walked),
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
        /* one attempt per call: a failed exchange is the call's failure, not retried away */
        "WH_RETRY_MAX_ATTEMPTS=1",
        "WH_BREAKER_FAILURES=1000",
        NULL,
    };
    wht_init_env(env);
    return wht_finish(cmocka_run_group_tests_name("api_faults", tests, NULL, NULL));
}
