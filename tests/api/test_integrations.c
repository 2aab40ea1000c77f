/*
 * The outbound integrations over a real socket (DOMAIN.md §2 and §10, API.md "Freight",
 * "Auth and the caller", "Jobs, integrations, audit"): carrier onboarding and refresh against
 * the fake FMCSA, retries, Retry-After, timeouts and the circuit breaker, the carrier directory
 * (search, pages, PATCH rules, permissions), e-mailed login codes through the outbox and the
 * fake SendGrid, and exactly-once delivery with two instances on one database.
 *
 * One `wh-fake` serves every provider. Each test resets it first, so a test sees only its own
 * requests; fixtures other than the four built-in carriers are added per test with fresh DOT and
 * MC numbers, because the carrier directory is shared by the whole program. Breakers live in
 * the server process and outlive a test: an FMCSA test starts by closing the FMCSA breaker, and
 * an outbox test by waiting until nothing is PENDING (the last delivery closed SendGrid's).
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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "harness.h"

/* The configuration every server of this program runs with (see main). */
#define ATTEMPTS         4    /* WH_RETRY_MAX_ATTEMPTS */
#define BREAKER_FAILURES 3    /* WH_BREAKER_FAILURES */
#define RESET_MS         1000 /* WH_BREAKER_RESET_S=1 */
#define TIMEOUT_MS       300  /* WH_HTTP_TIMEOUT_MS */
#define FMCSA_KEY        "fake-fmcsa-webkey"
#define SENDGRID_KEY     "SG.fake-sendgrid-key"
#define MAIL_FROM        "noreply@wheelhouse.test"
/* How long an outbox outcome may take: a retry waits at most WH_RETRY_MAX_MS (1 s) or the
 * breaker's reset (1 s), and the worker polls every 50 ms. */
#define OUTBOX_WAIT_MS 15000
#define UNKNOWN_DOT    "9999999"

static wht_server *fake;

typedef struct numbers {
    char dot[16];
    char mc[16];
} numbers;

static const char *const carrier_keys[] = {
    "id",
    "name",
    "legal_name",
    "dba_name",
    "dot_number",
    "mc_number",
    "phone",
    "email",
    "city",
    "state",
    "power_units",
    "drivers",
    "safety_rating",
    "source",
    "verification",
    "fmcsa_status",
    "fmcsa_authorized",
    "fmcsa_checked_at",
    "fmcsa_error",
    "blocked",
    NULL,
};

/* ---------------------------------------------------------------- helpers */

/* A DOT and an MC number no fixture of this program has used yet. */
static numbers fresh_numbers(void)
{
    static int n;
    numbers out;
    n++;
    snprintf(out.dot, sizeof out.dot, "%d", 2000000 + n);
    snprintf(out.mc, sizeof out.mc, "%d", 700000 + n);
    return out;
}

/* Adds (or replaces) an FMCSA carrier fixture; dba, allowed, status_code and oos may be NULL. */
static void fixture(const numbers *n, const char *legal, const char *dba, const char *allowed,
                    const char *status_code, const char *oos)
{
    json_t *c = wht_json("{s:s, s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:s, s:i, s:i, s:s, s:s, s:s}",
                         "dotNumber", n->dot, "mcNumber", n->mc, "legalName", legal, "dbaName", dba,
                         "allowedToOperate", allowed, "statusCode", status_code, "oosDate", oos,
                         "safetyRating", "S", "totalPowerUnits", 3, "totalDrivers", 4, "phyCity",
                         "DAYTON", "phyState", "OH", "telephone", "(937) 555-0100");
    wht_fake_call(fake, "POST", "/_control/fmcsa/carriers", c);
}

static void active_fixture(const numbers *n, const char *legal)
{
    fixture(n, legal, NULL, "Y", "A", NULL);
}

/* POST /carriers {key: number} as the admin. */
static wht_resp *onboard(const char *key, const char *number)
{
    return wht_post(wht_admin_token(), "/carriers", wht_json("{s:s}", key, number));
}

static json_t *onboard_ok(const char *key, const char *number)
{
    wht_resp *r = onboard(key, number);
    WHT_EXPECT(r, 201);
    return r->json;
}

static json_t *refresh(long long id)
{
    wht_resp *r = wht_post(wht_admin_token(), wht_fmt("/carriers/%lld/fmcsa-refresh", id), NULL);
    WHT_EXPECT(r, 200);
    return r->json;
}

static json_t *carrier_get(long long id)
{
    wht_resp *r = wht_get(wht_admin_token(), wht_fmt("/carriers/%lld", id));
    WHT_EXPECT(r, 200);
    return r->json;
}

static size_t fmcsa_count(void)
{
    return json_array_size(wht_fake_requests(fake, "fmcsa"));
}

/* Every carrier whose name, legal or DBA name, DOT or MC number contains q. */
static json_t *carriers_matching(const char *q)
{
    return wht_list_all(wht_admin_token(), wht_fmt("/carriers?q=%s", q), 200);
}

static bool is_null_or_string(const json_t *v)
{
    return json_is_null(v) || json_is_string(v);
}

/* Exactly the fields of API.md's Carrier, with their types. */
static void assert_carrier_shape(const json_t *c)
{
    size_t n = 0;
    while (carrier_keys[n]) {
        if (!json_object_get(c, carrier_keys[n]))
            WHT_FAIL("carrier without \"%s\": %s", carrier_keys[n], wht_dump(c));
        n++;
    }
    if (json_object_size(c) != n)
        WHT_FAIL("carrier with fields beyond API.md's: %s", wht_dump(c));
    /* in the order of the shape (API-wave2; a CSV export follows it) */
    size_t k = 0;
    for (void *it = json_object_iter((json_t *)c); it; it = json_object_iter_next((json_t *)c, it))
        assert_string_equal(json_object_iter_key(it), carrier_keys[k++]);
    assert_true(json_is_integer(json_object_get(c, "id")));
    assert_true(json_is_string(json_object_get(c, "dot_number")));
    assert_true(is_null_or_string(json_object_get(c, "mc_number")));
    assert_true(json_is_boolean(json_object_get(c, "fmcsa_authorized")));
    assert_true(json_is_boolean(json_object_get(c, "blocked")));
    assert_true(is_null_or_string(json_object_get(c, "fmcsa_error")));
}

/* The breaker object of provider in GET /integrations. */
static json_t *breaker(const char *provider)
{
    wht_resp *r = wht_get(wht_admin_token(), "/integrations");
    WHT_EXPECT(r, 200);
    size_t i;
    json_t *item;
    json_array_foreach(wht_items(r), i, item)
    {
        if (strcmp(wht_str(item, "name"), provider) == 0)
            return json_object_get(item, "breaker");
    }
    WHT_FAIL("GET /integrations does not list %s: %s", provider, r->body);
    return NULL;
}

static void assert_breaker(const char *provider, const char *state, long long failures)
{
    json_t *b = breaker(provider);
    wht_context("breaker %s: %s", provider, wht_dump(b));
    assert_string_equal(wht_str(b, "state"), state);
    assert_int_equal(wht_int(b, "failures"), failures);
    wht_context("%s", "");
}

/* Resets the fake and brings the FMCSA breaker back to closed with no failures: an FMCSA 404 is
 * a final answer, so a lookup of an unknown number is a successful call (once the breaker lets
 * one through, at most RESET_MS after it opened). */
static void fmcsa_fresh_start(void)
{
    long long deadline = wht_now_ms() + RESET_MS + 5000;
    wht_fake_reset(fake);
    for (;;) {
        json_t *b = breaker("fmcsa");
        if (strcmp(wht_str(b, "state"), "closed") == 0 && wht_int(b, "failures") == 0)
            break;
        if (onboard("dot_number", UNKNOWN_DOT)->status == 404)
            continue;
        if (wht_now_ms() > deadline)
            WHT_FAIL("the FMCSA breaker did not close: %s", wht_dump(b));
        wht_sleep_ms(100);
    }
    wht_fake_reset(fake);
}

static void sleep_until(long long at_ms)
{
    long long left = at_ms - wht_now_ms();
    if (left > 0)
        wht_sleep_ms((long)left);
}

/* ---- outbox and SendGrid ---- */

/* The recipient of a logged SendGrid request ("" when the body is not the expected JSON). */
/* SendGrid requests for recipient answered status (-1: any, including held ones). */
static size_t mails_to(const char *recipient, long status)
{
    size_t n = 0, i;
    json_t *e;
    json_array_foreach(wht_fake_requests(fake, "sendgrid"), i, e)
    {
        json_t *st = json_object_get(e, "status");
        if (strcasecmp(wht_mail_to(e), recipient) == 0 &&
            (status < 0 || (json_is_integer(st) && json_integer_value(st) == status)))
            n++;
    }
    return n;
}

/* The one delivered (202) e-mail to recipient; fails unless there is exactly one. */
static json_t *delivered_mail(const char *recipient)
{
    json_t *found = NULL;
    size_t n = 0, i;
    json_t *e;
    json_array_foreach(wht_fake_requests(fake, "sendgrid"), i, e)
    {
        if (strcasecmp(wht_mail_to(e), recipient) == 0 &&
            json_integer_value(json_object_get(e, "status")) == 202) {
            found = e;
            n++;
        }
    }
    if (n != 1)
        WHT_FAIL("%zu delivered e-mails to %s (want exactly 1)", n, recipient);
    return found;
}

/* The 6-digit code in a delivered e-mail ("... code is NNNNNN ..."). */
static const char *code_in(const json_t *entry)
{
    json_t *body = wht_keep_json(json_loads(wht_str(entry, "body"), 0, NULL));
    json_t *part = json_array_get(json_object_get(body, "content"), 0);
    const char *text = wht_str(part, "value");
    const char *at = strstr(text, "code is ");
    if (!at || strspn(at + 8, "0123456789") < 6)
        WHT_FAIL("no \"code is NNNNNN\" in the e-mail: %s", text);
    return wht_fmt("%.6s", at + 8);
}

/* The outbox messages of a status to recipient (NULL: all of that status). */
static json_t *outbox_to(const char *status, const char *recipient)
{
    json_t *all = wht_list_all(wht_admin_token(), wht_fmt("/outbox?status=%s", status), 200);
    json_t *out = wht_keep_json(json_array());
    size_t i;
    json_t *m;
    json_array_foreach(all, i, m)
    {
        if (!recipient || strcasecmp(wht_str(m, "recipient"), recipient) == 0)
            json_array_append(out, m);
    }
    return out;
}

/* Waits until the outbox has exactly want messages of status to recipient (NULL: any). */
static json_t *wait_outbox(const char *status, const char *recipient, size_t want)
{
    long long deadline = wht_now_ms() + OUTBOX_WAIT_MS;
    for (;;) {
        json_t *items = outbox_to(status, recipient);
        if (json_array_size(items) == want)
            return items;
        if (wht_now_ms() > deadline)
            WHT_FAIL("after %d ms the outbox holds %zu %s messages to %s, not %zu: %s",
                     OUTBOX_WAIT_MS, json_array_size(items), status,
                     recipient ? recipient : "anyone", want, wht_dump(items));
        wht_sleep_ms(50);
    }
}

/* Nothing is waiting in the outbox, so SendGrid's breaker is closed (a delivery closed it). */
static void outbox_fresh_start(void)
{
    wait_outbox("PENDING", NULL, 0);
    wht_fake_reset(fake);
}

static wht_resp *request_code(const char *email)
{
    return wht_post(NULL, "/auth/code", wht_json("{s:s}", "email", email));
}

static wht_resp *verify_code(const char *email, const char *code)
{
    return wht_post(NULL, "/auth/code/verify",
                    wht_json("{s:s, s:s}", "email", email, "code", code));
}

/* Waits until SendGrid has received at least n requests for recipient. */
static void wait_mails(const char *recipient, size_t n)
{
    long long deadline = wht_now_ms() + OUTBOX_WAIT_MS;
    while (mails_to(recipient, -1) < n) {
        if (wht_now_ms() > deadline)
            WHT_FAIL("SendGrid saw %zu requests for %s within %d ms, want %zu",
                     mails_to(recipient, -1), recipient, OUTBOX_WAIT_MS, n);
        wht_sleep_ms(50);
    }
}

/* Waits until SendGrid's breaker is open, then checks that the waiting message to recipient
 * makes no request until the breaker's reset is nearly over. */
static void wait_sendgrid_open_and_idle(const char *recipient)
{
    long long deadline = wht_now_ms() + OUTBOX_WAIT_MS;
    json_t *b = breaker("sendgrid");
    while (strcmp(wht_str(b, "state"), "open") != 0) {
        if (wht_now_ms() > deadline)
            WHT_FAIL("SendGrid's breaker did not open: %s", wht_dump(b));
        wht_sleep_ms(20);
        b = breaker("sendgrid");
    }
    long long probe_at = wht_rfc3339_ms(wht_str(b, "opened_at")) + RESET_MS;
    if (wht_now_ms() > probe_at - 400)
        return; /* seen too late to tell a wait from the probe */
    size_t seen = mails_to(recipient, -1);
    sleep_until(probe_at - 200);
    assert_int_equal(mails_to(recipient, -1), seen);
}

/* ------------------------------------------------------ onboarding outcomes */

static void test_onboard_active_carrier_by_dot(void **state)
{
    (void)state;
    fmcsa_fresh_start();
    long long head = wht_audit_head();
    long long before = wht_now_ms();
    json_t *c = onboard_ok("dot_number", "1000001");
    long long after = wht_now_ms();
    assert_carrier_shape(c);
    assert_string_equal(wht_str(c, "name"), "ACME EXPRESS"); /* the DBA name */
    assert_string_equal(wht_str(c, "legal_name"), "ACME FREIGHT LLC");
    assert_string_equal(wht_str(c, "dba_name"), "ACME EXPRESS");
    assert_string_equal(wht_str(c, "dot_number"), "1000001");
    assert_string_equal(wht_str(c, "phone"), "(614) 555-0101");
    assert_true(json_is_null(json_object_get(c, "email")));
    assert_string_equal(wht_str(c, "city"), "COLUMBUS");
    assert_string_equal(wht_str(c, "state"), "OH");
    assert_int_equal(wht_int(c, "power_units"), 12);
    assert_int_equal(wht_int(c, "drivers"), 14);
    assert_string_equal(wht_str(c, "safety_rating"), "S");
    assert_string_equal(wht_str(c, "fmcsa_status"), "ACTIVE");
    assert_true(json_is_true(json_object_get(c, "fmcsa_authorized")));
    long long checked = wht_rfc3339_ms(wht_str(c, "fmcsa_checked_at"));
    assert_true(checked >= before - 1000 && checked <= after + 1000);
    assert_true(json_is_null(json_object_get(c, "fmcsa_error")));
    assert_true(json_is_false(json_object_get(c, "blocked")));

    json_t *log = wht_fake_requests(fake, "fmcsa");
    assert_int_equal(json_array_size(log), 1);
    json_t *req = json_array_get(log, 0);
    assert_string_equal(wht_str(req, "method"), "GET");
    assert_string_equal(wht_str(req, "path"), "/qc/services/carriers/1000001");
    assert_string_equal(wht_str(req, "query"), "webKey=" FMCSA_KEY);

    long long id = wht_int(c, "id");
    WHT_JSON_EQUAL(carrier_get(id), c);
    json_t *audit = wht_audit_since(head);
    assert_int_equal(json_array_size(audit), 1);
    json_t *entry = json_array_get(audit, 0);
    assert_string_equal(wht_str(entry, "entity"), "carrier");
    assert_int_equal(wht_int(entry, "entity_id"), id);
    assert_int_equal(wht_int(entry, "actor_id"), wht_admin_id());
    WHT_JSON_EQUAL(json_object_get(entry, "after"), c);
}

static void test_onboard_by_mc_number(void **state)
{
    (void)state;
    fmcsa_fresh_start();
    numbers n = fresh_numbers();
    const char *legal = wht_unique("MC LEGAL ");
    active_fixture(&n, legal);
    /* An integer is accepted as well as a string of digits. */
    json_int_t mc = (json_int_t)strtoll(n.mc, NULL, 10);
    wht_resp *r = wht_post(wht_admin_token(), "/carriers", wht_json("{s:I}", "mc_number", mc));
    WHT_EXPECT(r, 201);
    assert_carrier_shape(r->json);
    assert_string_equal(wht_str(r->json, "mc_number"), n.mc);
    assert_string_equal(wht_str(r->json, "dot_number"), n.dot);
    assert_string_equal(wht_str(r->json, "legal_name"), legal);
    assert_true(json_is_null(json_object_get(r->json, "dba_name")));
    assert_string_equal(wht_str(r->json, "name"), legal); /* no DBA: the legal name */
    assert_string_equal(wht_str(r->json, "fmcsa_status"), "ACTIVE");

    json_t *log = wht_fake_requests(fake, "fmcsa");
    assert_int_equal(json_array_size(log), 1);
    assert_string_equal(wht_str(json_array_get(log, 0), "path"),
                        wht_fmt("/qc/services/carriers/docket-number/%s", n.mc));
}

static void test_known_numbers_are_409_without_asking_fmcsa(void **state)
{
    (void)state;
    fmcsa_fresh_start();
    numbers n = fresh_numbers();
    active_fixture(&n, wht_unique("KNOWN "));
    long long id = wht_int(onboard_ok("mc_number", n.mc), "id");
    wht_fake_clear(fake, "fmcsa");
    long long head = wht_audit_head();
    WHT_PROBLEM(onboard("dot_number", n.dot), 409, "conflict", NULL);
    WHT_PROBLEM(onboard("mc_number", n.mc), 409, "conflict", NULL);
    json_int_t dot = (json_int_t)strtoll(n.dot, NULL, 10);
    wht_resp *r = wht_post(wht_admin_token(), "/carriers", wht_json("{s:I}", "dot_number", dot));
    WHT_PROBLEM(r, 409, "conflict", NULL);
    assert_int_equal(fmcsa_count(), 0);
    assert_int_equal(wht_audit_head(), head);
    json_t *all = carriers_matching(n.dot);
    WHT_ID_SET(all, "id", 1, &id);

    /* Known by DOT only: its MC number reaches FMCSA, which names the same DOT: still 409. */
    numbers m = fresh_numbers();
    active_fixture(&m, wht_unique("KNOWN BY DOT "));
    long long other = wht_int(onboard_ok("dot_number", m.dot), "id");
    WHT_PROBLEM(onboard("mc_number", m.mc), 409, "conflict", NULL);
    WHT_ID_SET(carriers_matching(m.dot), "id", 1, &other);
}

/* Refused carriers: 422 carrier_blocked, and neither a row nor an audit entry. */
static void assert_blocked(const char *key, const char *number, const char *dot)
{
    long long head = wht_audit_head();
    wht_context("onboarding %s %s", key, number);
    WHT_PROBLEM(onboard(key, number), 422, "carrier_blocked", NULL);
    assert_int_equal(json_array_size(carriers_matching(dot)), 0);
    assert_int_equal(wht_audit_head(), head);
    wht_context("%s", "");
}

static void test_blocked_carriers_are_refused_and_not_stored(void **state)
{
    (void)state;
    fmcsa_fresh_start();
    assert_blocked("dot_number", "1000002", "1000002"); /* OOS, though allowed Y */
    assert_blocked("mc_number", "500002", "1000002");
    assert_blocked("dot_number", "1000003", "1000003"); /* not authorised */
    assert_blocked("mc_number", "500003", "1000003");
    numbers n = fresh_numbers(); /* an out-of-service date alone is enough */
    fixture(&n, wht_unique("OOS DATE "), NULL, "Y", "A", "2025-03-04");
    assert_blocked("dot_number", n.dot, n.dot);
    assert_int_equal(fmcsa_count(), 5);
}

static void test_unknown_carriers_are_404(void **state)
{
    (void)state;
    fmcsa_fresh_start();
    long long head = wht_audit_head();
    const char *const cases[][2] = {
        {"dot_number", UNKNOWN_DOT}, /* FMCSA 404 */
        {"dot_number", "1000004"},   /* content null */
        {"mc_number", "500004"},     /* content [] */
        {"mc_number", "599999"},     /* FMCSA 404 */
    };
    for (size_t i = 0; i < 4; i++) {
        wht_context("onboarding %s %s", cases[i][0], cases[i][1]);
        WHT_PROBLEM(onboard(cases[i][0], cases[i][1]), 404, "not_found", NULL);
    }
    wht_context("%s", "");
    assert_int_equal(fmcsa_count(), 4);
    assert_int_equal(json_array_size(carriers_matching("1000004")), 0);
    assert_int_equal(wht_audit_head(), head);
    /* Not knowing a carrier is an answer, not a failure. */
    assert_breaker("fmcsa", "closed", 0);
}

static void test_onboarding_input_is_validated(void **state)
{
    (void)state;
    fmcsa_fresh_start();
    const char *tok = wht_admin_token();
    WHT_PROBLEM(wht_post(tok, "/carriers", wht_json("{}")), 400, "validation_failed", NULL);
    wht_resp *both = wht_post(
        tok, "/carriers", wht_json("{s:s, s:s}", "dot_number", "1000001", "mc_number", "500001"));
    WHT_PROBLEM(both, 400, "validation_failed", NULL);
    WHT_PROBLEM(onboard("dot_number", "12a4"), 400, "validation_failed", "dot_number");
    WHT_PROBLEM(onboard("dot_number", ""), 400, "validation_failed", "dot_number");
    WHT_PROBLEM(onboard("mc_number", "-5"), 400, "validation_failed", "mc_number");
    wht_resp *extra =
        wht_post(tok, "/carriers",
                 wht_json("{s:s, s:s}", "dot_number", "1000001", "fmcsa_status", "ACTIVE"));
    WHT_PROBLEM(extra, 400, "validation_failed", "fmcsa_status");
    WHT_PROBLEM(wht_send_raw("POST", tok, "/carriers", NULL, "{", 1), 400, "invalid_json", NULL);
    assert_int_equal(fmcsa_count(), 0);
}

/* -------------------------------------------------- failures and the breaker */

static void test_fmcsa_outage_is_503_after_every_attempt_and_stores_nothing(void **state)
{
    (void)state;
    fmcsa_fresh_start();
    numbers n = fresh_numbers();
    active_fixture(&n, wht_unique("OUTAGE "));
    json_t *listed = wht_list_all(wht_admin_token(), "/carriers", 200);
    long long head = wht_audit_head();
    const char *const modes[] = {"fail503", "fail500"};
    for (size_t m = 0; m < 2; m++) {
        wht_fake_clear(fake, "fmcsa");
        wht_fake_mode(fake, "fmcsa", modes[m]);
        wht_context("FMCSA in mode %s", modes[m]);
        WHT_PROBLEM(onboard("dot_number", n.dot), 503, "unavailable", NULL);
        json_t *log = wht_fake_requests(fake, "fmcsa");
        assert_int_equal(json_array_size(log), ATTEMPTS);
        for (size_t i = 0; i < ATTEMPTS; i++)
            assert_int_equal(wht_int(json_array_get(log, i), "status"), m == 0 ? 503 : 500);
        WHT_JSON_EQUAL(wht_list_all(wht_admin_token(), "/carriers", 200), listed);
        assert_int_equal(wht_audit_head(), head);
        assert_breaker("fmcsa", "closed", (long long)m + 1);
    }
    wht_context("%s", "");
    wht_fake_mode(fake, "fmcsa", "ok");
    onboard_ok("dot_number", n.dot);
    assert_breaker("fmcsa", "closed", 0);
}

static void test_fmcsa_garbage_is_503_and_changes_nothing(void **state)
{
    (void)state;
    fmcsa_fresh_start();
    numbers n = fresh_numbers(), m = fresh_numbers();
    active_fixture(&n, wht_unique("GARBLED "));
    active_fixture(&m, wht_unique("KNOWN GARBLED "));
    json_t *known = onboard_ok("dot_number", m.dot);
    long long head = wht_audit_head();
    wht_fake_mode(fake, "fmcsa", "badjson");
    WHT_PROBLEM(onboard("dot_number", n.dot), 503, "unavailable", NULL);
    assert_int_equal(json_array_size(carriers_matching(n.dot)), 0);
    assert_int_equal(wht_audit_head(), head);
    /* A refresh that gets garbage keeps what was known and says why. */
    json_t *after = refresh(wht_int(known, "id"));
    assert_string_equal(wht_str(after, "fmcsa_status"), "ACTIVE");
    assert_string_equal(wht_str(after, "fmcsa_checked_at"), wht_str(known, "fmcsa_checked_at"));
    assert_string_equal(wht_str(after, "legal_name"), wht_str(known, "legal_name"));
    assert_true(strlen(wht_str(after, "fmcsa_error")) > 0);
}

static void test_fmcsa_client_error_is_not_retried(void **state)
{
    (void)state;
    fmcsa_fresh_start();
    numbers n = fresh_numbers();
    active_fixture(&n, wht_unique("WRONG KEY "));
    const char *env[] = {"WH_FMCSA_WEBKEY=not-the-webkey", NULL};
    wht_server *wrong = wht_server_start(env);
    wht_resp *r = wht_send_on(wrong, "POST", wht_admin_token(), "/carriers",
                              wht_json("{s:s}", "dot_number", n.dot));
    WHT_PROBLEM(r, 503, "unavailable", NULL);
    json_t *log = wht_fake_requests(fake, "fmcsa");
    assert_int_equal(json_array_size(log), 1);
    assert_int_equal(wht_int(json_array_get(log, 0), "status"), 401);
    assert_string_equal(wht_str(json_array_get(log, 0), "query"), "webKey=not-the-webkey");
    assert_int_equal(json_array_size(carriers_matching(n.dot)), 0);
    wht_server_stop(wrong);
}

static void test_rate_limit_waits_for_retry_after(void **state)
{
    (void)state;
    fmcsa_fresh_start();
    numbers n = fresh_numbers();
    active_fixture(&n, wht_unique("RATE LIMITED "));
    wht_fake_set(fake, "fmcsa",
                 wht_json("{s:s, s:i, s:i}", "mode", "ratelimit", "retry_after", 1, "count", 1));
    onboard_ok("dot_number", n.dot);
    json_t *log = wht_fake_requests(fake, "fmcsa");
    assert_int_equal(json_array_size(log), 2);
    assert_int_equal(wht_int(json_array_get(log, 0), "status"), 429);
    assert_int_equal(wht_int(json_array_get(log, 1), "status"), 200);
    long long gap =
        wht_int(json_array_get(log, 1), "at_ms") - wht_int(json_array_get(log, 0), "at_ms");
    if (gap < 1000)
        WHT_FAIL("the retry came %lld ms after a 429 with Retry-After: 1", gap);
}

static void test_stall_past_the_timeout_is_a_failed_attempt(void **state)
{
    (void)state;
    fmcsa_fresh_start();
    numbers n = fresh_numbers();
    active_fixture(&n, wht_unique("STALLED "));
    wht_fake_set(fake, "fmcsa", wht_json("{s:s, s:i}", "mode", "stall", "stall_ms", 1000));
    long long start = wht_now_ms();
    WHT_PROBLEM(onboard("dot_number", n.dot), 503, "unavailable", NULL);
    long long took = wht_now_ms() - start;
    assert_int_equal(fmcsa_count(), ATTEMPTS);
    if (took < ATTEMPTS * TIMEOUT_MS - 50)
        WHT_FAIL("%d timed-out attempts took only %lld ms", ATTEMPTS, took);
    assert_int_equal(json_array_size(carriers_matching(n.dot)), 0);
    assert_breaker("fmcsa", "closed", 1);

    /* One stalled attempt, then an answer: the retry succeeds. */
    wht_fake_reset(fake);
    active_fixture(&n, wht_unique("STALLED "));
    wht_fake_set(fake, "fmcsa",
                 wht_json("{s:s, s:i, s:i}", "mode", "stall", "stall_ms", 1000, "count", 1));
    onboard_ok("dot_number", n.dot);
    assert_int_equal(fmcsa_count(), 2);
    assert_breaker("fmcsa", "closed", 0);
}

/* One failing call while the breaker is open: 503 at once, and FMCSA sees nothing. */
static void assert_fails_fast(const char *dot)
{
    size_t seen = fmcsa_count();
    WHT_PROBLEM(onboard("dot_number", dot), 503, "unavailable", NULL);
    assert_int_equal(fmcsa_count(), seen);
    assert_string_equal(wht_str(breaker("fmcsa"), "state"), "open");
}

static long long opened_at(void)
{
    long long at = wht_rfc3339_ms(wht_str(breaker("fmcsa"), "opened_at"));
    assert_true(at > 0);
    return at;
}

static void test_breaker_opens_fails_fast_and_recovers_through_one_probe(void **state)
{
    (void)state;
    fmcsa_fresh_start();
    numbers n = fresh_numbers();
    active_fixture(&n, wht_unique("BREAKER "));
    wht_fake_mode(fake, "fmcsa", "fail503");
    for (int i = 1; i <= BREAKER_FAILURES; i++) {
        WHT_PROBLEM(onboard("dot_number", n.dot), 503, "unavailable", NULL);
        assert_breaker("fmcsa", i < BREAKER_FAILURES ? "closed" : "open", i);
    }
    assert_int_equal(fmcsa_count(), BREAKER_FAILURES * ATTEMPTS);
    long long first_open = opened_at();
    assert_fails_fast(n.dot);

    /* After the reset one probe (one call: its whole retry sequence) goes out; it fails. */
    sleep_until(first_open + RESET_MS + 100);
    size_t seen = fmcsa_count();
    WHT_PROBLEM(onboard("dot_number", n.dot), 503, "unavailable", NULL);
    assert_int_equal(fmcsa_count(), seen + ATTEMPTS);
    long long second_open = opened_at();
    assert_true(second_open > first_open);
    assert_fails_fast(n.dot);

    /* The next probe succeeds and closes the breaker. */
    wht_fake_mode(fake, "fmcsa", "ok");
    assert_fails_fast(n.dot); /* still open: FMCSA's recovery alone changes nothing */
    sleep_until(second_open + RESET_MS + 100);
    seen = fmcsa_count();
    onboard_ok("dot_number", n.dot);
    assert_int_equal(fmcsa_count(), seen + 1);
    json_t *b = breaker("fmcsa");
    assert_string_equal(wht_str(b, "state"), "closed");
    assert_int_equal(wht_int(b, "failures"), 0);
    assert_true(json_is_null(json_object_get(b, "opened_at")));
}

static void test_fmcsa_not_configured_is_503_without_a_request(void **state)
{
    (void)state;
    fmcsa_fresh_start();
    const char *env[] = {"WH_FMCSA_WEBKEY=", NULL};
    wht_server *bare = wht_server_start(env);
    wht_resp *r = wht_send_on(bare, "GET", wht_admin_token(), "/integrations", NULL);
    WHT_EXPECT(r, 200);
    size_t i;
    json_t *item;
    json_array_foreach(wht_items(r), i, item)
    {
        bool fmcsa = strcmp(wht_str(item, "name"), "fmcsa") == 0;
        assert_true(json_is_boolean(json_object_get(item, "configured")));
        assert_int_equal(json_is_true(json_object_get(item, "configured")), !fmcsa);
    }
    numbers n = fresh_numbers();
    active_fixture(&n, wht_unique("NOT CONFIGURED "));
    r = wht_send_on(bare, "POST", wht_admin_token(), "/carriers",
                    wht_json("{s:s}", "dot_number", n.dot));
    WHT_PROBLEM(r, 503, "unavailable", NULL);
    assert_int_equal(fmcsa_count(), 0);
    wht_server_stop(bare);
}

static void test_integrations_and_outbox_are_for_ceo_and_admin(void **state)
{
    (void)state;
    wht_resp *r = wht_get(wht_admin_token(), "/integrations");
    WHT_EXPECT(r, 200);
    const char *const names[] = {"fmcsa", "sendgrid", "twilio", NULL};
    WHT_STR_SET(wht_items(r), "name", names);
    size_t i;
    json_t *item;
    json_array_foreach(wht_items(r), i, item)
    {
        assert_true(json_is_true(json_object_get(item, "configured")));
        json_t *b = json_object_get(item, "breaker");
        const char *st = wht_str(b, "state");
        assert_true(strcmp(st, "closed") == 0 || strcmp(st, "open") == 0 ||
                    strcmp(st, "half_open") == 0);
        assert_true(wht_int(b, "failures") >= 0);
        json_t *at = json_object_get(b, "opened_at");
        assert_true(json_is_null(at) || wht_is_rfc3339_ms_utc(json_string_value(at)));
    }
    wht_user ceo = wht_user_new("CEO");
    WHT_EXPECT(wht_get(ceo.token, "/integrations"), 200);
    WHT_EXPECT(wht_get(ceo.token, "/outbox"), 200);
    const char *const refused[] = {"COO", "AUDITOR", "DISPATCHER", "HR_ADMIN"};
    for (size_t k = 0; k < 4; k++) {
        wht_user u = wht_user_new(refused[k]);
        wht_context("role %s", refused[k]);
        WHT_PROBLEM(wht_get(u.token, "/integrations"), 403, "forbidden", NULL);
        WHT_PROBLEM(wht_get(u.token, "/outbox"), 403, "forbidden", NULL);
    }
    wht_context("%s", "");
    WHT_PROBLEM(wht_get(NULL, "/integrations"), 401, "unauthenticated", NULL);
    WHT_PROBLEM(wht_get(wht_admin_token(), "/outbox?status=LOST"), 400, "validation_failed",
                "status");
    WHT_PROBLEM(wht_get(wht_admin_token(), "/outbox?limit=0"), 400, "validation_failed", NULL);
}

/* ------------------------------------------------------------- the directory */

static void test_refresh_failure_keeps_status_and_records_error(void **state)
{
    (void)state;
    fmcsa_fresh_start();
    numbers n = fresh_numbers();
    active_fixture(&n, wht_unique("REFRESH "));
    json_t *c = onboard_ok("dot_number", n.dot);
    long long id = wht_int(c, "id");
    const char *checked = wht_str(c, "fmcsa_checked_at");
    wht_sleep_ms(20);

    wht_fake_mode(fake, "fmcsa", "fail503");
    long long head = wht_audit_head();
    json_t *failed = refresh(id);
    assert_carrier_shape(failed);
    assert_string_equal(wht_str(failed, "fmcsa_status"), "ACTIVE");
    assert_true(json_is_true(json_object_get(failed, "fmcsa_authorized")));
    assert_string_equal(wht_str(failed, "fmcsa_checked_at"), checked);
    assert_true(strlen(wht_str(failed, "fmcsa_error")) > 0);
    assert_string_equal(wht_str(failed, "name"), wht_str(c, "name"));
    WHT_JSON_EQUAL(carrier_get(id), failed);
    json_t *audit = wht_audit_since(head);
    assert_int_equal(json_array_size(audit), 1);
    assert_string_equal(wht_str(json_array_get(audit, 0), "entity"), "carrier");
    WHT_JSON_EQUAL(json_object_get(json_array_get(audit, 0), "before"), c);
    WHT_JSON_EQUAL(json_object_get(json_array_get(audit, 0), "after"), failed);

    /* A success brings FMCSA's current answer and clears the error. */
    wht_fake_mode(fake, "fmcsa", "ok");
    const char *renamed = wht_unique("RENAMED ");
    fixture(&n, renamed, NULL, "N", "A", NULL);
    json_t *fresh = refresh(id);
    assert_string_equal(wht_str(fresh, "fmcsa_status"), "NOT_AUTHORIZED");
    assert_true(json_is_false(json_object_get(fresh, "fmcsa_authorized")));
    assert_string_equal(wht_str(fresh, "legal_name"), renamed);
    assert_true(json_is_null(json_object_get(fresh, "fmcsa_error")));
    const char *rechecked = wht_str(fresh, "fmcsa_checked_at");
    assert_true(wht_rfc3339_ms(rechecked) > wht_rfc3339_ms(checked));

    /* FMCSA forgetting the carrier is recorded too; the last known status stays. */
    wht_fake_reset(fake);
    json_t *gone = refresh(id);
    assert_string_equal(wht_str(gone, "fmcsa_status"), "NOT_AUTHORIZED");
    assert_true(strlen(wht_str(gone, "fmcsa_error")) > 0);
    assert_string_equal(wht_str(gone, "fmcsa_checked_at"), rechecked);

    wht_resp *missing = wht_post(wht_admin_token(), "/carriers/999999999/fmcsa-refresh", NULL);
    WHT_PROBLEM(missing, 404, "not_found", NULL);
}

static void test_patch_allows_phone_email_blocked_only(void **state)
{
    (void)state;
    fmcsa_fresh_start();
    numbers n = fresh_numbers();
    active_fixture(&n, wht_unique("PATCHED "));
    json_t *c = onboard_ok("dot_number", n.dot);
    long long id = wht_int(c, "id");
    const char *path = wht_fmt("/carriers/%lld", id);
    const char *tok = wht_admin_token();
    long long head = wht_audit_head();

    wht_resp *r = wht_patch(
        tok, path,
        wht_json("{s:s, s:s}", "phone", "(555) 010-2030", "email", "dispatch@carrier.test"));
    WHT_EXPECT(r, 200);
    assert_string_equal(wht_str(r->json, "phone"), "(555) 010-2030");
    assert_string_equal(wht_str(r->json, "email"), "dispatch@carrier.test");
    assert_true(json_is_false(json_object_get(r->json, "blocked")));
    r = wht_patch(tok, path, wht_json("{s:b}", "blocked", 1));
    WHT_EXPECT(r, 200);
    assert_true(json_is_true(json_object_get(r->json, "blocked")));
    assert_string_equal(wht_str(r->json, "phone"), "(555) 010-2030");
    assert_string_equal(wht_str(r->json, "fmcsa_status"), "ACTIVE");
    json_t *patched = r->json;
    WHT_JSON_EQUAL(carrier_get(id), patched);
    json_t *audit = wht_audit_since(head);
    assert_int_equal(json_array_size(audit), 2);
    assert_string_equal(wht_str(json_array_get(audit, 0), "entity"), "carrier");
    WHT_JSON_EQUAL(json_object_get(json_array_get(audit, 0), "after"), patched);
    WHT_JSON_EQUAL(json_object_get(json_array_get(audit, 1), "before"), c);

    head = wht_audit_head();
    json_t *refused[] = {
        wht_json("{s:s}", "fmcsa_status", "ACTIVE"),
        wht_json("{s:b}", "fmcsa_authorized", 1),
        wht_json("{s:s}", "fmcsa_checked_at", "2026-01-01T00:00:00.000Z"),
        wht_json("{s:n}", "fmcsa_error"),
        wht_json("{s:s}", "dot_number", "1234567"),
        wht_json("{s:s}", "mc_number", "123456"),
        wht_json("{s:s}", "name", "Renamed"),
        wht_json("{s:s}", "legal_name", "Renamed LLC"),
        wht_json("{s:s}", "safety_rating", "U"),
        wht_json("{s:i}", "power_units", 99),
        wht_json("{s:s, s:s}", "phone", "(555) 999-9999", "fmcsa_status", "ACTIVE"),
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        /* A copy: the request takes the object, and its keys with it. */
        const char *field = wht_fmt("%s", json_object_iter_key(json_object_iter(refused[i])));
        if (json_object_size(refused[i]) > 1)
            field = "fmcsa_status";
        wht_context("PATCH %s", wht_dump(refused[i]));
        WHT_PROBLEM(wht_patch(tok, path, refused[i]), 400, "validation_failed", field);
    }
    WHT_PROBLEM(wht_patch(tok, path, wht_json("{s:s}", "email", "not-an-address")), 400,
                "validation_failed", "email");
    WHT_PROBLEM(wht_patch(tok, path, wht_json("{s:s}", "blocked", "yes")), 400, "validation_failed",
                "blocked");
    wht_context("%s", "");
    WHT_JSON_EQUAL(carrier_get(id), patched);
    assert_int_equal(wht_audit_head(), head);
    WHT_PROBLEM(wht_patch(tok, "/carriers/999999999", wht_json("{s:b}", "blocked", 0)), 404,
                "not_found", NULL);
}

static void test_carrier_permissions(void **state)
{
    (void)state;
    fmcsa_fresh_start();
    numbers a = fresh_numbers(), b = fresh_numbers();
    active_fixture(&a, wht_unique("PERM A "));
    active_fixture(&b, wht_unique("PERM B "));
    wht_user dispatcher = wht_user_new("DISPATCHER");
    wht_resp *r = wht_post(dispatcher.token, "/carriers", wht_json("{s:s}", "dot_number", a.dot));
    WHT_EXPECT(r, 201);
    long long id = wht_int(r->json, "id");
    const char *path = wht_fmt("/carriers/%lld", id);
    const char *refresh_path = wht_fmt("/carriers/%lld/fmcsa-refresh", id);
    wht_user team = wht_user_new("CARRIER_TEAM");
    WHT_EXPECT(wht_patch(team.token, path, wht_json("{s:s}", "phone", "(555) 123-0000")), 200);
    WHT_EXPECT(wht_post(team.token, refresh_path, NULL), 200);

    /* freight.read without carriers.write: reads only. */
    const char *const readers[] = {"EMPLOYEE", "AUDITOR", "FINANCE", "CSR"};
    for (size_t i = 0; i < 4; i++) {
        wht_user u = wht_user_new(readers[i]);
        wht_context("role %s", readers[i]);
        WHT_EXPECT(wht_get(u.token, "/carriers"), 200);
        WHT_EXPECT(wht_get(u.token, path), 200);
        WHT_PROBLEM(wht_post(u.token, "/carriers", wht_json("{s:s}", "dot_number", b.dot)), 403,
                    "forbidden", NULL);
        WHT_PROBLEM(wht_patch(u.token, path, wht_json("{s:b}", "blocked", 1)), 403, "forbidden",
                    NULL);
        WHT_PROBLEM(wht_post(u.token, refresh_path, NULL), 403, "forbidden", NULL);
    }
    /* Without freight.read the directory is closed. */
    const char *const others[] = {"CONTRACTOR", "ACCOUNTING", "HR_ADMIN"};
    for (size_t i = 0; i < 3; i++) {
        wht_user u = wht_user_new(others[i]);
        wht_context("role %s", others[i]);
        WHT_PROBLEM(wht_get(u.token, "/carriers"), 403, "forbidden", NULL);
        WHT_PROBLEM(wht_get(u.token, path), 403, "forbidden", NULL);
    }
    wht_context("%s", "");
    WHT_PROBLEM(wht_get(NULL, "/carriers"), 401, "unauthenticated", NULL);
    assert_int_equal(json_array_size(carriers_matching(b.dot)), 0);
    assert_false(json_is_true(json_object_get(carrier_get(id), "blocked")));
}

/* Names of items in order. */
static void assert_names(const json_t *items, const char *const *names)
{
    size_t n = 0;
    while (names[n])
        n++;
    if (json_array_size(items) != n)
        WHT_FAIL("expected %zu carriers, got %s", n, wht_dump(items));
    for (size_t i = 0; i < n; i++)
        assert_string_equal(wht_str(json_array_get(items, i), "name"), names[i]);
}

static void test_carrier_search_and_pagination(void **state)
{
    (void)state;
    fmcsa_fresh_start();
    const char *tag = wht_unique("Qz");
    numbers n[5];
    for (size_t i = 0; i < 5; i++)
        n[i] = fresh_numbers();
    /* Names: "<tag> ALPHA", "<tag> BRAVO" (DBA over a plain legal name), "<tag> CHARLIE",
     * "<tag> DELTA" (status UNKNOWN), and "ECHO LOGISTICS" whose legal name holds the tag. */
    fixture(&n[0], wht_fmt("%s ALPHA", tag), NULL, "Y", "A", NULL);
    fixture(&n[1], "PLAIN LEGAL NAME LLC", wht_fmt("%s BRAVO", tag), "Y", "A", NULL);
    fixture(&n[2], wht_fmt("%s CHARLIE", tag), NULL, "Y", "A", NULL);
    fixture(&n[3], wht_fmt("%s DELTA", tag), NULL, NULL, NULL, NULL);
    fixture(&n[4], wht_fmt("%s ECHO LEGAL", tag), "ECHO LOGISTICS", "Y", "A", NULL);
    /* Onboarded out of name order; the list is by name. */
    const size_t order[] = {2, 4, 0, 3, 1};
    long long ids[5];
    for (size_t i = 0; i < 5; i++)
        ids[order[i]] = wht_int(onboard_ok("mc_number", n[order[i]].mc), "id");
    assert_string_equal(wht_str(carrier_get(ids[3]), "fmcsa_status"), "UNKNOWN");

    const char *const by_name[] = {"ECHO LOGISTICS",         wht_fmt("%s ALPHA", tag),
                                   wht_fmt("%s BRAVO", tag), wht_fmt("%s CHARLIE", tag),
                                   wht_fmt("%s DELTA", tag), NULL};
    /* The tag in lower case: substring, case-insensitive, over name, legal and DBA names. */
    char lower[64];
    snprintf(lower, sizeof lower, "%s", tag);
    for (char *p = lower; *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    assert_names(carriers_matching(lower), by_name);
    /* Walked two at a time: the same rows, in the same order. */
    assert_names(wht_list_all(wht_admin_token(), wht_fmt("/carriers?q=%s", tag), 2), by_name);

    WHT_ID_SET(carriers_matching("echo%20log"), "id", 1, &ids[4]);
    WHT_ID_SET(carriers_matching("plain%20legal"), "id", 1, &ids[1]);
    WHT_ID_SET(carriers_matching(n[2].dot), "id", 1, &ids[2]);
    WHT_ID_SET(carriers_matching(n[0].mc), "id", 1, &ids[0]);
    json_t *unknown =
        wht_list_all(wht_admin_token(), wht_fmt("/carriers?q=%s&status=UNKNOWN", tag), 200);
    WHT_ID_SET(unknown, "id", 1, &ids[3]);
    json_t *active =
        wht_list_all(wht_admin_token(), wht_fmt("/carriers?q=%s&status=ACTIVE", tag), 200);
    long long active_ids[] = {ids[0], ids[1], ids[2], ids[4]};
    WHT_ID_SET(active, "id", 4, active_ids);
    /* LIKE wildcards in q are plain characters. */
    assert_int_equal(json_array_size(carriers_matching(wht_fmt("%s%%25ALPHA", tag))), 0);
    assert_int_equal(json_array_size(carriers_matching(wht_fmt("%s_ALPHA", tag))), 0);

    wht_resp *page = wht_get(wht_admin_token(), wht_fmt("/carriers?q=%s&limit=2", tag));
    WHT_EXPECT(page, 200);
    assert_true(json_is_true(json_object_get(page->json, "has_more")));
    assert_true(json_is_string(json_object_get(page->json, "next_cursor")));
    const char *tok = wht_admin_token();
    WHT_PROBLEM(wht_get(tok, "/carriers?status=GOOD"), 400, "validation_failed", "status");
    WHT_PROBLEM(wht_get(tok, "/carriers?limit=201"), 400, "validation_failed", NULL);
    WHT_PROBLEM(wht_get(tok, "/carriers?cursor=bm90LWEtY3Vyc29y"), 400, "invalid_cursor", NULL);
}

/* ------------------------------------------------- carriers without FMCSA (wave 2 §14) */

/* Runs fmcsa_sync now (waiting while another run holds the lease) and answers the finished run. */
static json_t *sync_run(void)
{
    long long deadline = wht_now_ms() + 30000;
    wht_resp *r;
    while ((r = wht_post(wht_admin_token(), "/jobs/fmcsa_sync/run", wht_json("{}")))->status ==
           409) {
        if (wht_now_ms() > deadline)
            WHT_FAIL("fmcsa_sync stays locked: %s", r->body);
        wht_sleep_ms(100);
    }
    WHT_EXPECT(r, 202);
    long long id = wht_int(r->json, "id");
    for (;;) {
        wht_resp *run = wht_get(wht_admin_token(), wht_fmt("/jobs/runs/%lld", id));
        WHT_EXPECT(run, 200);
        if (strcmp(wht_str(run->json, "status"), "RUNNING") != 0)
            return run->json;
        if (wht_now_ms() > deadline)
            WHT_FAIL("fmcsa_sync run %lld still RUNNING", id);
        wht_sleep_ms(50);
    }
}

static wht_resp *manual(const char *token, json_t *body)
{
    return wht_post(token, "/carriers/manual", body);
}

/* A LOGISTICS venture, a DISPATCHER of it and a WORKING load of theirs. */
typedef struct {
    wht_user dispatcher;
    long long load;
} working_load;

static working_load working_load_new(void)
{
    working_load w;
    wht_venture v = wht_venture_new("LOGISTICS");
    w.dispatcher = wht_user_new("DISPATCHER");
    wht_set_ventures(w.dispatcher.id, 1, &v.id);
    wht_resp *r = wht_post(w.dispatcher.token, "/loads",
                           wht_json("{s:I, s:s, s:s, s:s, s:s}", "venture_id", (json_int_t)v.id,
                                    "pickup_city", "Reno", "pickup_state", "NV", "drop_city",
                                    "Boise", "drop_state", "ID"));
    WHT_EXPECT(r, 201);
    w.load = wht_int(r->json, "id");
    WHT_EXPECT(wht_post(w.dispatcher.token, wht_fmt("/loads/%lld/status", w.load),
                        wht_json("{s:s}", "status", "WORKING")),
               200);
    return w;
}

static wht_resp *cover(const working_load *w, long long carrier)
{
    return wht_post(w->dispatcher.token, wht_fmt("/loads/%lld/status", w->load),
                    wht_json("{s:s, s:I, s:s}", "status", "COVERED", "carrier_id",
                             (json_int_t)carrier, "pending_carrier_reason",
                             "We have worked with them for years"));
}

/* A carrier entered while FMCSA fails: stored PENDING without a call, refused for assignment
 * without carriers.assign_pending, kept PENDING by a failing fmcsa_sync, then verified by
 * fmcsa_sync once FMCSA answers (its fields replace the typed ones but phone and e-mail). */
static void test_manual_carrier_is_pending_until_fmcsa_sync_verifies_it(void **state)
{
    (void)state;
    fmcsa_fresh_start();
    numbers n = fresh_numbers();
    wht_fake_mode(fake, "fmcsa", "fail503");
    long long head = wht_audit_head();
    wht_resp *r =
        manual(wht_admin_token(),
               wht_json("{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "dot_number", n.dot,
                        "mc_number", (json_int_t)strtoll(n.mc, NULL, 10), "legal_name",
                        "HAND ENTERED LLC", "dba_name", "HAND EXPRESS", "phone", "(555) 100-2000",
                        "email", "ops@hand.test", "city", "Reno", "state", "NV"));
    WHT_EXPECT(r, 201);
    json_t *c = r->json;
    assert_carrier_shape(c);
    long long id = wht_int(c, "id");
    assert_string_equal(wht_str(c, "source"), "MANUAL");
    assert_string_equal(wht_str(c, "verification"), "PENDING");
    assert_string_equal(wht_str(c, "fmcsa_status"), "UNKNOWN");
    assert_true(json_is_false(json_object_get(c, "fmcsa_authorized")));
    assert_true(json_is_null(json_object_get(c, "fmcsa_checked_at")));
    assert_string_equal(wht_str(c, "name"), "HAND EXPRESS");
    assert_string_equal(wht_str(c, "mc_number"), n.mc);
    assert_string_equal(wht_str(c, "city"), "Reno");
    assert_int_equal(fmcsa_count(), 0); /* it never asks FMCSA */
    json_t *audit = wht_audit_since(head);
    assert_int_equal(json_array_size(audit), 1);
    assert_string_equal(wht_str(json_array_get(audit, 0), "action"), "carrier.create_manual");
    WHT_JSON_EQUAL(json_object_get(json_array_get(audit, 0), "after"), c);
    WHT_ID_SET(
        wht_list_all(wht_admin_token(), wht_fmt("/carriers?verification=PENDING&q=%s", n.dot), 50),
        "id", 1, &id);
    assert_int_equal(
        json_array_size(wht_list_all(wht_admin_token(),
                                     wht_fmt("/carriers?verification=VERIFIED&q=%s", n.dot), 50)),
        0);

    /* refused for assignment without carriers.assign_pending, reason or not */
    working_load w = working_load_new();
    WHT_PROBLEM(cover(&w, id), 422, "carrier_blocked", NULL);

    /* fmcsa_sync while FMCSA still fails: stays PENDING, the error recorded */
    json_t *failed = sync_run();
    assert_string_equal(wht_str(failed, "status"), "FAILED");
    json_t *st = json_object_get(failed, "stats");
    assert_true(wht_int(st, "pending") >= 1);
    assert_int_equal(wht_int(st, "verified"), 0);
    json_t *still = carrier_get(id);
    assert_string_equal(wht_str(still, "verification"), "PENDING");
    assert_true(json_is_string(json_object_get(still, "fmcsa_error")));
    assert_true(json_is_null(json_object_get(still, "fmcsa_checked_at")));

    /* FMCSA answers: VERIFIED, FMCSA's fields, the typed phone and e-mail kept */
    fmcsa_fresh_start();
    active_fixture(&n, "HAND ENTERED LLC OF NEVADA");
    head = wht_audit_head();
    json_t *ok = sync_run();
    assert_string_equal(wht_str(ok, "status"), "SUCCEEDED");
    st = json_object_get(ok, "stats");
    assert_true(wht_int(st, "verified") >= 1);
    assert_int_equal(wht_int(st, "failed"), 0);
    json_t *v = carrier_get(id);
    assert_carrier_shape(v);
    assert_string_equal(wht_str(v, "verification"), "VERIFIED");
    assert_string_equal(wht_str(v, "source"), "MANUAL");
    assert_string_equal(wht_str(v, "fmcsa_status"), "ACTIVE");
    assert_string_equal(wht_str(v, "legal_name"), "HAND ENTERED LLC OF NEVADA");
    assert_string_equal(wht_str(v, "name"), "HAND ENTERED LLC OF NEVADA");
    assert_string_equal(wht_str(v, "city"), "DAYTON");
    assert_int_equal(wht_int(v, "power_units"), 3);
    assert_string_equal(wht_str(v, "phone"), "(555) 100-2000");
    assert_string_equal(wht_str(v, "email"), "ops@hand.test");
    assert_true(json_is_string(json_object_get(v, "fmcsa_checked_at")));
    assert_true(json_is_null(json_object_get(v, "fmcsa_error")));
    bool audited = false;
    size_t i;
    json_t *e;
    json_array_foreach(wht_audit_since(head), i, e)
    {
        audited = audited || (strcmp(wht_str(e, "action"), "carrier.fmcsa_sync") == 0 &&
                              wht_int(e, "entity_id") == id);
    }
    assert_true(audited);
    /* now anyone may assign it */
    r = wht_post(w.dispatcher.token, wht_fmt("/loads/%lld/status", w.load),
                 wht_json("{s:s, s:I}", "status", "COVERED", "carrier_id", (json_int_t)id));
    WHT_EXPECT(r, 200);
    assert_int_equal(wht_int(r->json, "dispatcher_id"), w.dispatcher.id);
}

/* An unknown DOT number is an answer (NOT_FOUND, not a failure); found later, it is VERIFIED.
 * Bad input, known numbers and roles without carriers.write change nothing. */
static void test_manual_carrier_input_not_found_and_permissions(void **state)
{
    (void)state;
    fmcsa_fresh_start();
    numbers n = fresh_numbers();
    wht_user team = wht_user_new("CARRIER_TEAM");
    wht_resp *r = manual(team.token,
                         wht_json("{s:I, s:s}", "dot_number", (json_int_t)strtoll(n.dot, NULL, 10),
                                  "legal_name", "NOBODY KNOWS LLC"));
    WHT_EXPECT(r, 201);
    long long id = wht_int(r->json, "id");
    assert_string_equal(wht_str(r->json, "dot_number"), n.dot);
    assert_true(json_is_null(json_object_get(r->json, "mc_number")));

    long long head = wht_audit_head();
    const char *tok = wht_admin_token();
    numbers m = fresh_numbers();
    const struct {
        json_t *body;
        long status;
        const char *field;
    } refused[] = {
        {wht_json("{s:s, s:s}", "dot_number", n.dot, "legal_name", "AGAIN"), 409, NULL},
        {wht_json("{s:s, s:s}", "dot_number", wht_fmt("0%s", n.dot), "legal_name", "AGAIN"), 409,
         NULL},
        {wht_json("{s:s}", "legal_name", "NO DOT"), 400, "dot_number"},
        {wht_json("{s:s}", "dot_number", m.dot), 400, "legal_name"},
        {wht_json("{s:s, s:s}", "dot_number", "123456789", "legal_name", "X"), 400, "dot_number"},
        {wht_json("{s:s, s:s}", "dot_number", "12a4", "legal_name", "X"), 400, "dot_number"},
        {wht_json("{s:s, s:s}", "dot_number", m.dot, "legal_name", ""), 400, "legal_name"},
        {wht_json("{s:s, s:s, s:s}", "dot_number", m.dot, "legal_name", "X", "mc_number", "12.5"),
         400, "mc_number"},
        {wht_json("{s:s, s:s, s:s}", "dot_number", m.dot, "legal_name", "X", "email", "nope"), 400,
         "email"},
        {wht_json("{s:s, s:s, s:s}", "dot_number", m.dot, "legal_name", "X", "fmcsa_status",
                  "ACTIVE"),
         400, "fmcsa_status"},
        {wht_json("{s:s, s:s, s:s}", "dot_number", m.dot, "legal_name", "X", "verification",
                  "VERIFIED"),
         400, "verification"},
        {wht_json("{s:s, s:s, s:i}", "dot_number", m.dot, "legal_name", "X", "power_units", 4), 400,
         "power_units"},
        {wht_json("{s:s, s:s, s:b}", "dot_number", m.dot, "legal_name", "X", "blocked", 1), 400,
         "blocked"},
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        wht_context("case %zu", i);
        WHT_PROBLEM(manual(tok, refused[i].body), refused[i].status,
                    refused[i].status == 409 ? "conflict" : "validation_failed", refused[i].field);
    }
    /* a known MC number, under a new DOT number; roles without carriers.write */
    const char *const readers[] = {"EMPLOYEE", "AUDITOR", "CSR"};
    wht_user others[3];
    for (size_t i = 0; i < 3; i++)
        others[i] = wht_user_new(readers[i]);
    numbers k = fresh_numbers();
    WHT_EXPECT(manual(tok, wht_json("{s:s, s:s, s:s}", "dot_number", k.dot, "mc_number", k.mc,
                                    "legal_name", "MC HOLDER")),
               201);
    head = wht_audit_head();
    WHT_PROBLEM(manual(tok, wht_json("{s:s, s:s, s:s}", "dot_number", m.dot, "mc_number", k.mc,
                                     "legal_name", "MC TWIN")),
                409, "conflict", NULL);
    for (size_t i = 0; i < 3; i++) {
        wht_context("role %s", readers[i]);
        WHT_PROBLEM(
            manual(others[i].token, wht_json("{s:s, s:s}", "dot_number", m.dot, "legal_name", "X")),
            403, "forbidden", NULL);
    }
    wht_context("%s", "");
    WHT_PROBLEM(wht_get(tok, "/carriers?verification=MAYBE"), 400, "validation_failed",
                "verification");
    assert_int_equal(wht_audit_head(), head);
    assert_int_equal(json_array_size(carriers_matching(m.dot)), 0);
    assert_int_equal(fmcsa_count(), 0);

    /* FMCSA does not know the number: NOT_FOUND, checked, not a failure of the run */
    json_t *run = sync_run();
    assert_string_equal(wht_str(run, "status"), "SUCCEEDED");
    json_t *st = json_object_get(run, "stats");
    assert_true(wht_int(st, "not_found") >= 1);
    assert_int_equal(wht_int(st, "failed"), 0);
    json_t *c = carrier_get(id);
    assert_string_equal(wht_str(c, "verification"), "NOT_FOUND");
    assert_true(json_is_string(json_object_get(c, "fmcsa_checked_at")));
    assert_non_null(strstr(wht_str(c, "fmcsa_error"), "does not know"));
    /* found later (a refresh does what the job does): VERIFIED */
    active_fixture(&n, "NOBODY KNOWS LLC");
    json_t *v = refresh(id);
    assert_string_equal(wht_str(v, "verification"), "VERIFIED");
    assert_string_equal(wht_str(v, "fmcsa_status"), "ACTIVE");
    assert_true(json_is_null(json_object_get(v, "fmcsa_error")));
}

/* ----------------------------------------------------------- outbox and codes */

/* A PENDING or SENT outbox message, as GET /outbox shows it: no body. */
static void assert_message_shape(const json_t *m, const char *recipient)
{
    static const char *const keys[] = {
        "id",
        "channel",
        "recipient",
        "subject",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "provider_message_id",
        "created_at",
        "sent_at",
        NULL,
    };
    for (size_t i = 0; keys[i]; i++)
        if (!json_object_get(m, keys[i]))
            WHT_FAIL("outbox message without \"%s\": %s", keys[i], wht_dump(m));
    assert_int_equal(json_object_size(m), 11);
    assert_string_equal(wht_str(m, "channel"), "email");
    assert_true(strcasecmp(wht_str(m, "recipient"), recipient) == 0);
    assert_true(wht_is_rfc3339_ms_utc(wht_str(m, "created_at")));
}

static void test_login_code_waits_for_sendgrid_and_is_delivered_once(void **state)
{
    (void)state;
    outbox_fresh_start();
    wht_user u = wht_user_add("DISPATCHER");
    wht_fake_mode(fake, "sendgrid", "fail503");
    WHT_EXPECT(request_code(u.email), 202);

    /* SendGrid is down: the message waits and is retried. */
    wait_mails(u.email, 2 * ATTEMPTS);
    wait_sendgrid_open_and_idle(u.email);
    json_t *pending = outbox_to("PENDING", u.email);
    assert_int_equal(json_array_size(pending), 1);
    json_t *m = json_array_get(pending, 0);
    assert_message_shape(m, u.email);
    assert_true(wht_int(m, "attempts") >= 1);
    assert_true(strlen(wht_str(m, "last_error")) > 0);
    assert_true(json_is_null(json_object_get(m, "sent_at")));
    assert_true(json_is_null(json_object_get(m, "provider_message_id")));
    assert_int_equal(mails_to(u.email, 202), 0);
    assert_int_equal(json_array_size(outbox_to("SENT", u.email)), 0);

    wht_fake_mode(fake, "sendgrid", "ok");
    json_t *sent = json_array_get(wait_outbox("SENT", u.email, 1), 0);
    assert_message_shape(sent, u.email);
    assert_int_equal(wht_int(sent, "id"), wht_int(m, "id"));
    assert_true(wht_is_rfc3339_ms_utc(wht_str(sent, "sent_at")));
    /* The id SendGrid gave (the fake's X-Message-Id), not one made up. */
    assert_int_equal(strncmp(wht_str(sent, "provider_message_id"), "fake", 4), 0);
    assert_int_equal(json_array_size(outbox_to("PENDING", u.email)), 0);
    wht_sleep_ms(500); /* ten worker polls: still exactly one delivery */
    json_t *mail = delivered_mail(u.email);
    json_t *headers = json_object_get(mail, "headers");
    assert_string_equal(wht_str(headers, "authorization"), "Bearer " SENDGRID_KEY);
    assert_string_equal(wht_str(headers, "content-type"), "application/json");
    json_t *body = wht_keep_json(json_loads(wht_str(mail, "body"), 0, NULL));
    assert_string_equal(wht_str(json_object_get(body, "from"), "email"), MAIL_FROM);
    const char *code = code_in(mail);
    /* The administrator's view of the outbox never shows the code. */
    wht_resp *list = wht_get(wht_admin_token(), "/outbox");
    WHT_EXPECT(list, 200);
    assert_null(strstr(list->body, code));

    wht_resp *r = verify_code(u.email, code);
    WHT_EXPECT(r, 200);
    assert_true(wht_is_rfc3339_ms_utc(wht_str(r->json, "expires_at")));
    assert_int_equal(wht_int(json_object_get(r->json, "user"), "id"), u.id);
    wht_resp *me = wht_get(wht_str(r->json, "token"), "/me");
    WHT_EXPECT(me, 200);
    assert_int_equal(wht_int(json_object_get(me->json, "user"), "id"), u.id);
    WHT_PROBLEM(verify_code(u.email, code), 401, "unauthenticated", NULL);
}

static void test_unknown_or_inactive_email_gets_202_and_nothing_is_sent(void **state)
{
    (void)state;
    outbox_fresh_start();
    const char *unknown = wht_unique_email();
    wht_user inactive = wht_user_add("EMPLOYEE");
    wht_resp *r = wht_patch(wht_admin_token(), wht_fmt("/users/%lld", inactive.id),
                            wht_json("{s:b}", "active", 0));
    WHT_EXPECT(r, 200);
    wht_user active = wht_user_add("EMPLOYEE");
    wht_resp *a = request_code(unknown);
    wht_resp *b = request_code(inactive.email);
    wht_resp *c = request_code(active.email);
    WHT_EXPECT(a, 202);
    WHT_EXPECT(b, 202);
    WHT_EXPECT(c, 202);
    /* The answers do not tell who has an account. */
    WHT_JSON_EQUAL(a->json, c->json);
    WHT_JSON_EQUAL(b->json, c->json);
    WHT_PROBLEM(request_code("not-an-address"), 400, "validation_failed", "email");
    WHT_PROBLEM(wht_post(NULL, "/auth/code", wht_json("{}")), 400, "validation_failed", "email");

    /* The active user's e-mail goes out; by then the others would have too. */
    wait_outbox("SENT", active.email, 1);
    delivered_mail(active.email);
    wht_sleep_ms(300);
    assert_int_equal(mails_to(unknown, -1), 0);
    assert_int_equal(mails_to(inactive.email, -1), 0);
    const char *const statuses[] = {"PENDING", "SENT", "FAILED"};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(json_array_size(outbox_to(statuses[i], unknown)), 0);
        assert_int_equal(json_array_size(outbox_to(statuses[i], inactive.email)), 0);
    }
}

/* Requests a code for email with SendGrid up and returns it from the delivered e-mail. */
static const char *fresh_code(const char *email)
{
    wht_fake_clear(fake, "sendgrid");
    WHT_EXPECT(request_code(email), 202);
    wait_mails(email, 1);
    wait_outbox("PENDING", email, 0);
    return code_in(delivered_mail(email));
}

static void test_five_wrong_codes_spend_the_code(void **state)
{
    (void)state;
    outbox_fresh_start();
    wht_user u = wht_user_add("CSR");
    const char *code = fresh_code(u.email);
    long value = strtol(code, NULL, 10);
    const char *wrong = wht_fmt("%06ld", (value + 1) % 1000000);
    for (int i = 0; i < 5; i++) {
        wht_context("wrong code, try %d", i + 1);
        WHT_PROBLEM(verify_code(u.email, wrong), 401, "unauthenticated", NULL);
    }
    wht_context("the right code after five wrong ones");
    WHT_PROBLEM(verify_code(u.email, code), 401, "unauthenticated", NULL);
    wht_context("%s", "");
    WHT_PROBLEM(verify_code(wht_unique_email(), code), 401, "unauthenticated", NULL);

    /* A new code has its own tries. */
    const char *again = fresh_code(u.email);
    WHT_EXPECT(verify_code(u.email, again), 200);
}

static void test_two_instances_deliver_each_message_once(void **state)
{
    (void)state;
    outbox_fresh_start();
    wht_server *second = wht_server_start(NULL);
    wht_fake_mode(fake, "sendgrid", "fail503");
    enum { USERS = 10 };
    wht_user users[USERS];
    for (size_t i = 0; i < USERS; i++) {
        users[i] = wht_user_add("EMPLOYEE");
        wht_resp *r = wht_send_on(i % 2 ? second : NULL, "POST", NULL, "/auth/code",
                                  wht_json("{s:s}", "email", users[i].email));
        WHT_EXPECT(r, 202);
    }
    wait_mails(users[0].email, ATTEMPTS); /* both workers are retrying */
    assert_int_equal(json_array_size(outbox_to("PENDING", NULL)), USERS);

    wht_fake_mode(fake, "sendgrid", "ok");
    wait_outbox("PENDING", NULL, 0);
    wht_sleep_ms(300);
    for (size_t i = 0; i < USERS; i++) {
        wht_context("recipient %s", users[i].email);
        delivered_mail(users[i].email);
        assert_int_equal(json_array_size(outbox_to("SENT", users[i].email)), 1);
    }
    wht_context("%s", "");
    assert_int_equal(json_array_size(outbox_to("FAILED", NULL)), 0);
    /* Newest first, page by page, without repeats. */
    json_t *all = wht_list_all(wht_admin_token(), "/outbox", 3);
    assert_true(json_array_size(all) >= USERS);
    for (size_t i = 1; i < json_array_size(all); i++)
        assert_true(wht_int(json_array_get(all, i - 1), "id") >
                    wht_int(json_array_get(all, i), "id"));
    wht_server_stop(second);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        WHT_TEST(test_onboard_active_carrier_by_dot),
        WHT_TEST(test_onboard_by_mc_number),
        WHT_TEST(test_known_numbers_are_409_without_asking_fmcsa),
        WHT_TEST(test_blocked_carriers_are_refused_and_not_stored),
        WHT_TEST(test_unknown_carriers_are_404),
        WHT_TEST(test_onboarding_input_is_validated),
        WHT_TEST(test_fmcsa_outage_is_503_after_every_attempt_and_stores_nothing),
        WHT_TEST(test_fmcsa_garbage_is_503_and_changes_nothing),
        WHT_TEST(test_fmcsa_client_error_is_not_retried),
        WHT_TEST(test_rate_limit_waits_for_retry_after),
        WHT_TEST(test_stall_past_the_timeout_is_a_failed_attempt),
        WHT_TEST(test_breaker_opens_fails_fast_and_recovers_through_one_probe),
        WHT_TEST(test_fmcsa_not_configured_is_503_without_a_request),
        WHT_TEST(test_integrations_and_outbox_are_for_ceo_and_admin),
        WHT_TEST(test_refresh_failure_keeps_status_and_records_error),
        WHT_TEST(test_patch_allows_phone_email_blocked_only),
        WHT_TEST(test_carrier_permissions),
        WHT_TEST(test_carrier_search_and_pagination),
        WHT_TEST(test_manual_carrier_is_pending_until_fmcsa_sync_verifies_it),
        WHT_TEST(test_manual_carrier_input_not_found_and_permissions),
        WHT_TEST(test_login_code_waits_for_sendgrid_and_is_delivered_once),
        WHT_TEST(test_unknown_or_inactive_email_gets_202_and_nothing_is_sent),
        WHT_TEST(test_five_wrong_codes_spend_the_code),
        WHT_TEST(test_two_instances_deliver_each_message_once),
    };
    fake = wht_fake_start();
    const char *base = wht_server_base(fake);
    const char *env[] = {
        wht_fmt("WH_FMCSA_BASE_URL=%s", base),
        "WH_FMCSA_WEBKEY=" FMCSA_KEY,
        wht_fmt("WH_SENDGRID_BASE_URL=%s", base),
        "WH_SENDGRID_API_KEY=" SENDGRID_KEY,
        "WH_SENDGRID_FROM=" MAIL_FROM,
        wht_fmt("WH_TWILIO_BASE_URL=%s", base),
        "WH_TWILIO_ACCOUNT_SID=AC0123456789abcdef0123456789abcdef",
        "WH_TWILIO_AUTH_TOKEN=fake-twilio-token",
        "WH_TWILIO_FROM=+15557654321",
        "WH_RETRY_MAX_ATTEMPTS=4",
        "WH_RETRY_BASE_MS=20",
        /* A Retry-After of 1 s must fit under the cap to be waited for. */
        "WH_RETRY_MAX_MS=1000",
        "WH_BREAKER_FAILURES=3",
        "WH_BREAKER_RESET_S=1",
        "WH_HTTP_CONNECT_TIMEOUT_MS=300",
        "WH_HTTP_TIMEOUT_MS=300",
        "WH_OUTBOX_POLL_MS=50",
        NULL,
    };
    wht_init_env(env);
    return wht_finish(cmocka_run_group_tests_name("api_integrations", tests, NULL, NULL));
}
