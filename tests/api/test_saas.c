/*
 * SaaS (API-wave2 "SaaS", DOMAIN-wave2 §12): customers, subscriptions and the events every
 * MRR-changing write records, computed by the server; the worked example of §12 over three days
 * checked figure by figure in the KPI rows and their summary, NRR over a trailing year, KPI
 * rebuilds that converge and follow a write dated in the past (the stale mark); event
 * classification for each kind of change; bad input of §22 (a clear problem, nothing written);
 * scope isolation and permissions.
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

#include "harness.h"

#define MISSING_ID  987654321LL
#define RUN_WAIT_MS 60000

/* ---------------------------------------------------------------- helpers */

static const char *admin(void)
{
    return wht_admin_token();
}

static long long customer_new(long long venture, const char *code)
{
    wht_resp *r = wht_post(admin(), "/saas/customers",
                           wht_json("{s:I, s:s, s:s}", "venture_id", (json_int_t)venture, "name",
                                    wht_unique("Customer "), "code", code));
    WHT_EXPECT(r, 201);
    return wht_int(r->json, "id");
}

static long long sub_new(long long customer, long long mrr, const char *day)
{
    wht_resp *r =
        wht_post(admin(), "/saas/subscriptions",
                 wht_json("{s:I, s:s, s:I, s:s}", "customer_id", (json_int_t)customer, "plan_name",
                          "Pro", "mrr_cents", (json_int_t)mrr, "started_on", day));
    WHT_EXPECT(r, 201);
    assert_string_equal(wht_str(r->json, "status"), "ACTIVE");
    return wht_int(r->json, "id");
}

static void sub_change(long long sub, long long mrr, const char *day)
{
    WHT_EXPECT(wht_post(admin(), wht_fmt("/saas/subscriptions/%lld/change", sub),
                        wht_json("{s:I, s:s}", "mrr_cents", (json_int_t)mrr, "effective_on", day)),
               200);
}

static void sub_cancel(long long sub, const char *day)
{
    wht_resp *r = wht_post(admin(), wht_fmt("/saas/subscriptions/%lld/cancel", sub),
                           wht_json("{s:s}", "cancelled_on", day));
    WHT_EXPECT(r, 200);
    assert_string_equal(wht_str(r->json, "status"), "CANCELLED");
    assert_string_equal(wht_str(r->json, "cancelled_on"), day);
}

static json_t *run_job(const char *job, json_t *body)
{
    long long deadline = wht_now_ms() + RUN_WAIT_MS;
    for (;;) {
        wht_resp *r = wht_post(admin(), wht_fmt("/jobs/%s/run", job), json_deep_copy(body));
        if (r->status == 202) {
            long long id = wht_int(r->json, "id");
            for (;;) {
                wht_resp *g = wht_get(admin(), wht_fmt("/jobs/runs/%lld", id));
                WHT_EXPECT(g, 200);
                if (strcmp(wht_str(g->json, "status"), "RUNNING") != 0) {
                    json_decref(body);
                    return g->json;
                }
                if (wht_now_ms() > deadline)
                    WHT_FAIL("run %lld still RUNNING", id);
                wht_sleep_ms(50);
            }
        }
        WHT_EXPECT(r, 409);
        if (wht_now_ms() > deadline)
            WHT_FAIL("lease of %s still held", job);
        wht_sleep_ms(100);
    }
}

static json_t *aggregate(long long venture, const char *day)
{
    json_t *run = run_job("kpi_aggregation",
                          wht_json("{s:s, s:I}", "date", day, "venture_id", (json_int_t)venture));
    if (strcmp(wht_str(run, "status"), "SUCCEEDED") != 0)
        WHT_FAIL("kpi_aggregation: %s", wht_dump(run));
    return json_object_get(run, "stats");
}

static json_t *kpi(long long venture, const char *from, const char *to)
{
    wht_resp *r =
        wht_get(admin(), wht_fmt("/kpi/saas?venture_id=%lld&from=%s&to=%s", venture, from, to));
    WHT_EXPECT(r, 200);
    return r->json;
}

/* Checks the figures of a KPI row or summary: name=value pairs, -1 meaning null. */
static void figures(const json_t *o, const char *const *names, const long long *want, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_object_get(o, names[i]);
        if (!v)
            WHT_FAIL("no %s in %s", names[i], wht_dump(o));
        if (want[i] == -1 ? !json_is_null(v) : json_integer_value(v) != want[i])
            WHT_FAIL("%s: want %lld in %s", names[i], want[i], wht_dump(o));
    }
}

static const char *const ROW[] = {"mrr_cents",
                                  "arr_cents",
                                  "new_mrr_cents",
                                  "expansion_mrr_cents",
                                  "reactivation_mrr_cents",
                                  "contraction_mrr_cents",
                                  "churned_mrr_cents",
                                  "net_new_mrr_cents",
                                  "active_customers",
                                  "new_customers",
                                  "reactivated_customers",
                                  "churned_customers",
                                  "logo_churn_bp"};
#define NROW (sizeof ROW / sizeof ROW[0])

static long long event_count(long long venture)
{
    return wht_sql(wht_fmt("SELECT COUNT(*) FROM saas_events WHERE venture_id = %lld", venture));
}

/* ------------------------------------------------------------------ tests */

/* §12's worked example, day by day, then the summary of the three days. */
static void test_worked_example(void **state)
{
    (void)state;
    const char *d0 = wht_utc_day(-4), *d1 = wht_utc_day(-3), *d2 = wht_utc_day(-2),
               *d3 = wht_utc_day(-1);
    long long v = wht_venture_new("SAAS").id;
    long long a = customer_new(v, wht_unique_code()), b = customer_new(v, wht_unique_code()),
              c = customer_new(v, wht_unique_code()), d = customer_new(v, wht_unique_code());
    /* day 1: A, B, C start 10000, 20000, 5000 */
    long long sa = sub_new(a, 10000, d1), sb = sub_new(b, 20000, d1), sc = sub_new(c, 5000, d1);
    /* day 2: A -> 15000; B adds 3000; C cancels; D starts 7000 */
    sub_change(sa, 15000, d2);
    sub_new(b, 3000, d2);
    sub_cancel(sc, d2);
    sub_new(d, 7000, d2);
    /* day 3: C starts 4000; B's 20000 -> 12000 */
    sub_new(c, 4000, d3);
    sub_change(sb, 12000, d3);

    json_t *stats = aggregate(v, d3);
    assert_int_equal(wht_int(stats, "saas_days"), 3); /* stale from day 1 */
    assert_int_equal(wht_int(stats, "saas_rows"), 1);
    json_t *body = kpi(v, d0, d3);
    json_t *days = json_object_get(body, "days");
    assert_int_equal(json_array_size(days), 3); /* day 0 was never built */
    static const long long day1[] = {35000, 420000, 35000, 0, 0, 0, 0, 35000, 3, 3, 0, 0, -1};
    static const long long day2[] = {45000, 540000, 7000, 8000, 0, 0,   5000,
                                     10000, 3,      1,    0,    1, 3333};
    static const long long day3[] = {41000, 492000, 0, 0, 4000, 8000, 0, -4000, 4, 0, 1, 0, 0};
    figures(json_array_get(days, 0), ROW, day1, NROW);
    figures(json_array_get(days, 1), ROW, day2, NROW);
    figures(json_array_get(days, 2), ROW, day3, NROW);
    assert_string_equal(wht_str(json_array_get(days, 0), "date"), d1);
    assert_int_equal(wht_int(json_array_get(days, 2), "venture_id"), v);
    static const char *const SUM[] = {"start_mrr_cents",
                                      "mrr_cents",
                                      "arr_cents",
                                      "net_new_mrr_cents",
                                      "new_mrr_cents",
                                      "expansion_mrr_cents",
                                      "reactivation_mrr_cents",
                                      "contraction_mrr_cents",
                                      "churned_mrr_cents",
                                      "start_customers",
                                      "active_customers",
                                      "new_customers",
                                      "reactivated_customers",
                                      "churned_customers",
                                      "logo_churn_bp",
                                      "nrr_bp"};
    static const long long sum[] = {0,    41000, 492000, 41000, 42000, 8000, 4000, 8000,
                                    5000, 0,     4,      4,     1,     1,    -1,   -1};
    figures(json_object_get(body, "summary"), SUM, sum, sizeof sum / sizeof sum[0]);
    /* a range of days 2-3 starts from day 1's end */
    json_t *s23 = json_object_get(kpi(v, d2, d3), "summary");
    static const char *const S23[] = {"start_mrr_cents", "start_customers", "logo_churn_bp",
                                      "net_new_mrr_cents"};
    static const long long s23w[] = {35000, 3, 3333, 6000};
    figures(s23, S23, s23w, 4);
    /* the customers' MRR now */
    wht_resp *r = wht_get(admin(), wht_fmt("/saas/customers/%lld", b));
    WHT_EXPECT(r, 200);
    assert_int_equal(wht_int(r->json, "mrr_cents"), 15000);
    /* the events, newest first, computed by the server */
    json_t *ev = wht_list_all(admin(), wht_fmt("/saas/events?venture_id=%lld", v), 3);
    assert_int_equal(json_array_size(ev), 9);
    json_t *last = json_array_get(ev, 0);
    assert_string_equal(wht_str(last, "type"), "CONTRACTION");
    assert_int_equal(wht_int(last, "customer_mrr_before_cents"), 23000);
    assert_int_equal(wht_int(last, "customer_mrr_after_cents"), 15000);
    assert_int_equal(wht_int(last, "mrr_delta_cents"), -8000);
    assert_int_equal(wht_int(last, "created_by"), wht_admin_id());
    json_t *react =
        wht_list_all(admin(), wht_fmt("/saas/events?venture_id=%lld&type=REACTIVATION", v), 10);
    assert_int_equal(json_array_size(react), 1);
    assert_int_equal(wht_int(json_array_get(react, 0), "customer_id"), c);
    json_t *on2 =
        wht_list_all(admin(), wht_fmt("/saas/events?venture_id=%lld&from=%s&to=%s", v, d2, d2), 10);
    assert_int_equal(json_array_size(on2), 4);

    /* a rerun converges: the same rows */
    json_t *again_stats = aggregate(v, d3);
    assert_int_equal(wht_int(again_stats, "saas_days"), 1); /* nothing stale any more */
    WHT_JSON_EQUAL(json_object_get(kpi(v, d0, d3), "days"), days);

    /* a write dated day 2 by a customer without history marks day 2 stale again */
    long long g = customer_new(v, wht_unique_code());
    sub_new(g, 1000, d2);
    assert_int_equal(wht_int(aggregate(v, d3), "saas_days"), 2);
    json_t *after = json_object_get(kpi(v, d1, d3), "days");
    static const long long g2[] = {46000, 552000, 8000, 8000, 0, 0, 5000, 11000, 4, 2, 0, 1, 3333};
    static const long long g3[] = {42000, 504000, 0, 0, 4000, 8000, 0, -4000, 5, 0, 1, 0, 0};
    figures(json_array_get(after, 1), ROW, g2, NROW);
    figures(json_array_get(after, 2), ROW, g3, NROW);
}

/* NRR over a trailing year: E (10000) and F (20000) paying a year before d; E at 13000 and F
 * churned on d: base 30000, retained 13000, 4333 bp; a customer who joined later is not in it. */
static void test_nrr_trailing_year(void **state)
{
    (void)state;
    const char *y = wht_utc_day(-372), *d = wht_utc_day(-1);
    long long v = wht_venture_new("SAAS").id;
    long long e = customer_new(v, wht_unique_code()), f = customer_new(v, wht_unique_code()),
              h = customer_new(v, wht_unique_code());
    long long se = sub_new(e, 10000, y), sf = sub_new(f, 20000, y);
    sub_new(h, 50000, wht_utc_day(-100));
    sub_change(se, 13000, d);
    sub_cancel(sf, d);
    json_t *stats = aggregate(v, d);
    assert_int_equal(wht_int(stats, "saas_days"), 372);
    json_t *row = json_array_get(json_object_get(kpi(v, d, d), "days"), 0);
    static const char *const N[] = {"nrr_base_mrr_cents", "nrr_retained_mrr_cents", "nrr_bp",
                                    "mrr_cents", "churned_customers"};
    static const long long want[] = {30000, 13000, 4333, 63000, 1};
    figures(row, N, want, 5);
    /* the day before: nobody paid a year before it ended but E and F: base 30000, kept 30000 */
    json_t *prev =
        json_array_get(json_object_get(kpi(v, wht_utc_day(-2), wht_utc_day(-2)), "days"), 0);
    static const long long wprev[] = {30000, 30000, 10000, 80000, 0};
    figures(prev, N, wprev, 5);
    /* the dashboard: today computed live from the events, the last 7 days from the rows */
    wht_resp *r = wht_get(admin(), wht_fmt("/dashboard?venture_id=%lld", v));
    WHT_EXPECT(r, 200);
    assert_string_equal(wht_str(r->json, "type"), "SAAS");
    json_t *today = json_object_get(r->json, "today");
    assert_int_equal(wht_int(today, "mrr_cents"), 63000);
    assert_int_equal(wht_int(today, "start_mrr_cents"), 63000);
    assert_int_equal(wht_int(today, "active_customers"), 2);
    json_t *w = json_object_get(r->json, "last_7_days");
    assert_int_equal(wht_int(w, "mrr_cents"), 63000);
    assert_int_equal(wht_int(w, "churned_mrr_cents"), 20000);
    assert_int_equal(wht_int(w, "expansion_mrr_cents"), 3000);
    assert_int_equal(wht_int(w, "start_mrr_cents"), 80000);
}

/* Each kind of change records its event; a write that leaves the MRR alone records none. */
static void test_event_classification(void **state)
{
    (void)state;
    const char *t = wht_utc_day(0);
    long long v = wht_venture_new("SAAS").id;
    long long cu = customer_new(v, wht_unique_code());
    long long s1 = sub_new(cu, 1000, t); /* NEW */
    long long s2 = sub_new(cu, 500, t);  /* second subscription of a paying customer */
    sub_change(s1, 800, t);              /* CONTRACTION */
    sub_cancel(s2, t);                   /* a cancel that leaves another: CONTRACTION */
    long long n = event_count(v);
    WHT_EXPECT(wht_post(admin(), wht_fmt("/saas/subscriptions/%lld/change", s1),
                        wht_json("{s:s}", "plan_name", "Renamed")),
               200);        /* a rename: no event */
    sub_change(s1, 800, t); /* the same MRR: no event */
    assert_int_equal(event_count(v), n);
    sub_cancel(s1, t);   /* the last cancel: CHURN */
    sub_new(cu, 300, t); /* REACTIVATION */
    json_t *ev = wht_list_all(admin(), wht_fmt("/saas/events?customer_id=%lld", cu), 50);
    static const char *const want[] = {"REACTIVATION", "CHURN",     "CONTRACTION",
                                       "CONTRACTION",  "EXPANSION", "NEW"};
    static const long long before[] = {0, 800, 1300, 1500, 1000, 0};
    static const long long after[] = {300, 0, 800, 1300, 1500, 1000};
    assert_int_equal(json_array_size(ev), 6);
    for (size_t i = 0; i < 6; i++) {
        json_t *e = json_array_get(ev, i);
        assert_string_equal(wht_str(e, "type"), want[i]);
        assert_int_equal(wht_int(e, "customer_mrr_before_cents"), before[i]);
        assert_int_equal(wht_int(e, "customer_mrr_after_cents"), after[i]);
        assert_int_equal(wht_int(e, "venture_id"), v);
    }
    wht_resp *r = wht_get(admin(), wht_fmt("/saas/subscriptions/%lld", s1));
    WHT_EXPECT(r, 200);
    assert_string_equal(wht_str(r->json, "plan_name"), "Renamed");
    /* the audit entries of the actions */
    long long head = wht_audit_head();
    sub_new(cu, 100, t);
    json_t *au = wht_audit_since(head);
    assert_string_equal(wht_str(json_array_get(au, 0), "action"), "saas_subscription.create");
}

/* §22: every refusal is a clear problem and writes nothing. */
static void test_bad_input(void **state)
{
    (void)state;
    const char *t = wht_utc_day(0), *y = wht_utc_day(-1), *tomorrow = wht_utc_day(1);
    long long v = wht_venture_new("SAAS").id;
    long long bpo = wht_venture_new("BPO").id;
    const char *code = wht_unique_code();
    long long cu = customer_new(v, code);
    /* customer: a venture of another type; a code in use (any case); a bad code */
    WHT_PROBLEM(wht_post(admin(), "/saas/customers",
                         wht_json("{s:I, s:s, s:s}", "venture_id", (json_int_t)bpo, "name", "X",
                                  "code", "ZZ1")),
                400, "validation_failed", "venture_id");
    char lower[64];
    snprintf(lower, sizeof lower, "%s", code);
    for (char *p = lower; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    WHT_PROBLEM(wht_post(admin(), "/saas/customers",
                         wht_json("{s:I, s:s, s:s}", "venture_id", (json_int_t)v, "name", "X",
                                  "code", lower)),
                409, "conflict", NULL);
    WHT_PROBLEM(wht_post(admin(), "/saas/customers",
                         wht_json("{s:I, s:s, s:s}", "venture_id", (json_int_t)v, "name", "X",
                                  "code", "bad code")),
                400, "validation_failed", "code");
    assert_int_equal(
        wht_sql(wht_fmt("SELECT COUNT(*) FROM saas_customers WHERE venture_id = %lld", v)), 1);
    /* subscription: mrr, plan, customer, dates */
    const struct {
        json_t *body;
        const char *field;
    } bad[] = {
        {wht_json("{s:I, s:s, s:I}", "customer_id", (json_int_t)cu, "plan_name", "P", "mrr_cents",
                  (json_int_t)0),
         "mrr_cents"},
        {wht_json("{s:I, s:s, s:I}", "customer_id", (json_int_t)cu, "plan_name", "P", "mrr_cents",
                  (json_int_t)100000000001LL),
         "mrr_cents"},
        {wht_json("{s:I, s:s, s:I}", "customer_id", (json_int_t)cu, "plan_name", "", "mrr_cents",
                  (json_int_t)100),
         "plan_name"},
        {wht_json("{s:I, s:s, s:I}", "customer_id", (json_int_t)MISSING_ID, "plan_name", "P",
                  "mrr_cents", (json_int_t)100),
         "customer_id"},
        {wht_json("{s:I, s:s, s:I, s:s}", "customer_id", (json_int_t)cu, "plan_name", "P",
                  "mrr_cents", (json_int_t)100, "started_on", tomorrow),
         "started_on"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        WHT_PROBLEM(wht_post(admin(), "/saas/subscriptions", bad[i].body), 400, "validation_failed",
                    bad[i].field);
    assert_int_equal(event_count(v), 0);
    long long s = sub_new(cu, 1000, t);
    /* dated before the customer's latest event: 409; before started_on: 400 */
    WHT_PROBLEM(wht_post(admin(), "/saas/subscriptions",
                         wht_json("{s:I, s:s, s:I, s:s}", "customer_id", (json_int_t)cu,
                                  "plan_name", "P", "mrr_cents", (json_int_t)100, "started_on", y)),
                409, "conflict", NULL);
    WHT_PROBLEM(wht_post(admin(), wht_fmt("/saas/subscriptions/%lld/change", s),
                         wht_json("{s:I, s:s}", "mrr_cents", (json_int_t)5, "effective_on", y)),
                400, "validation_failed", "effective_on");
    WHT_PROBLEM(
        wht_post(admin(), wht_fmt("/saas/subscriptions/%lld/change", s),
                 wht_json("{s:I, s:s}", "mrr_cents", (json_int_t)5, "effective_on", tomorrow)),
        400, "validation_failed", "effective_on");
    WHT_PROBLEM(wht_post(admin(), wht_fmt("/saas/subscriptions/%lld/change", s), wht_json("{}")),
                400, "validation_failed", NULL);
    WHT_PROBLEM(wht_post(admin(), wht_fmt("/saas/subscriptions/%lld/cancel", s),
                         wht_json("{s:s}", "cancelled_on", y)),
                400, "validation_failed", "cancelled_on");
    WHT_PROBLEM(wht_post(admin(), wht_fmt("/saas/subscriptions/%lld/change", s),
                         wht_json("{s:s}", "mrr_cents", "many")),
                400, "validation_failed", "mrr_cents");
    assert_int_equal(event_count(v), 1);
    sub_cancel(s, t);
    WHT_PROBLEM(wht_post(admin(), wht_fmt("/saas/subscriptions/%lld/cancel", s), wht_json("{}")),
                409, "invalid_transition", NULL);
    WHT_PROBLEM(wht_post(admin(), wht_fmt("/saas/subscriptions/%lld/change", s),
                         wht_json("{s:I}", "mrr_cents", (json_int_t)5)),
                409, "invalid_transition", NULL);
    /* an inactive customer gets no new subscription */
    WHT_EXPECT(
        wht_patch(admin(), wht_fmt("/saas/customers/%lld", cu), wht_json("{s:b}", "active", 0)),
        200);
    WHT_PROBLEM(wht_post(admin(), "/saas/subscriptions",
                         wht_json("{s:I, s:s, s:I}", "customer_id", (json_int_t)cu, "plan_name",
                                  "P", "mrr_cents", (json_int_t)100)),
                400, "validation_failed", "customer_id");
    assert_int_equal(event_count(v), 2);
    /* list filters */
    WHT_PROBLEM(wht_get(admin(), "/saas/events?type=UPGRADE"), 400, "validation_failed", "type");
    WHT_PROBLEM(wht_get(admin(), "/saas/events?from=2026-02-30"), 400, "validation_failed", "from");
    WHT_PROBLEM(wht_get(admin(), "/saas/subscriptions?status=PAUSED"), 400, "validation_failed",
                "status");
    WHT_PROBLEM(wht_get(admin(), "/saas/customers?active=yes"), 400, "validation_failed", "active");
    WHT_PROBLEM(wht_get(admin(), "/kpi/saas?from=2026-13-01"), 400, "validation_failed", "from");
}

/* Customers: create, get, patch, list by name with q and active; scope and permissions. */
static void test_customers_scope_and_permissions(void **state)
{
    (void)state;
    long long v = wht_venture_new("SAAS").id, other = wht_venture_new("SAAS").id;
    long long mine = customer_new(v, "acme-1");
    long long foreign = customer_new(other, wht_unique_code());
    long long fsub = sub_new(foreign, 100, wht_utc_day(0));
    wht_resp *r = wht_get(admin(), wht_fmt("/saas/customers/%lld", mine));
    WHT_EXPECT(r, 200);
    assert_string_equal(wht_str(r->json, "code"), "ACME-1");
    assert_int_equal(wht_int(r->json, "mrr_cents"), 0);
    r = wht_patch(admin(), wht_fmt("/saas/customers/%lld", mine),
                  wht_json("{s:s, s:s}", "name", "Acme Corp", "email", "ap@acme.test"));
    WHT_EXPECT(r, 200);
    assert_string_equal(wht_str(r->json, "email"), "ap@acme.test");
    json_t *q = wht_list_all(admin(), wht_fmt("/saas/customers?venture_id=%lld&q=CORP", v), 5);
    assert_int_equal(json_array_size(q), 1);
    json_t *inactive =
        wht_list_all(admin(), wht_fmt("/saas/customers?venture_id=%lld&active=false", v), 5);
    assert_int_equal(json_array_size(inactive), 0);

    /* a FINANCE member of v: reads and writes v only */
    wht_user fin = wht_user_add("FINANCE");
    wht_set_ventures(fin.id, 1, &v);
    const char *tok = wht_login(fin.email, fin.password);
    WHT_PROBLEM(wht_get(tok, wht_fmt("/saas/customers/%lld", foreign)), 404, "not_found", NULL);
    WHT_PROBLEM(wht_get(tok, wht_fmt("/saas/subscriptions/%lld", fsub)), 404, "not_found", NULL);
    WHT_PROBLEM(wht_post(tok, wht_fmt("/saas/subscriptions/%lld/cancel", fsub), wht_json("{}")),
                404, "not_found", NULL);
    WHT_PROBLEM(wht_get(tok, wht_fmt("/saas/customers?venture_id=%lld", other)), 403, "forbidden",
                NULL);
    WHT_PROBLEM(wht_get(tok, wht_fmt("/saas/events?venture_id=%lld", other)), 403, "forbidden",
                NULL);
    WHT_PROBLEM(wht_post(tok, "/saas/customers",
                         wht_json("{s:I, s:s, s:s}", "venture_id", (json_int_t)other, "name", "X",
                                  "code", "X1")),
                403, "forbidden", NULL);
    WHT_PROBLEM(wht_post(tok, "/saas/subscriptions",
                         wht_json("{s:I, s:s, s:I}", "customer_id", (json_int_t)foreign,
                                  "plan_name", "P", "mrr_cents", (json_int_t)100)),
                400, "validation_failed", "customer_id");
    const char *lists[] = {"/saas/customers", "/saas/subscriptions", "/saas/events"};
    for (size_t i = 0; i < 3; i++) {
        json_t *all = wht_list_all(tok, lists[i], 50);
        size_t k;
        json_t *it;
        json_array_foreach(all, k, it) assert_int_equal(wht_int(it, "venture_id"), v);
    }
    assert_int_equal(json_array_size(wht_list_all(tok, "/saas/customers", 50)), 1);
    sub_new(mine, 100, wht_utc_day(0));
    WHT_EXPECT(wht_post(tok, "/saas/subscriptions",
                        wht_json("{s:I, s:s, s:I}", "customer_id", (json_int_t)mine, "plan_name",
                                 "P", "mrr_cents", (json_int_t)100)),
               201);
    /* EMPLOYEE reads but does not write; DISPATCHER does not read */
    wht_user emp = wht_user_add("EMPLOYEE");
    wht_set_ventures(emp.id, 1, &v);
    const char *et = wht_login(emp.email, emp.password);
    WHT_EXPECT(wht_get(et, wht_fmt("/saas/customers/%lld", mine)), 200);
    WHT_PROBLEM(
        wht_patch(et, wht_fmt("/saas/customers/%lld", mine), wht_json("{s:s}", "name", "Y")), 403,
        "forbidden", NULL);
    wht_user dis = wht_user_add("DISPATCHER");
    wht_set_ventures(dis.id, 1, &v);
    const char *dt = wht_login(dis.email, dis.password);
    WHT_PROBLEM(wht_get(dt, "/saas/customers"), 403, "forbidden", NULL);
    WHT_PROBLEM(wht_get(dt, "/saas/events"), 403, "forbidden", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        WHT_TEST(test_worked_example),
        WHT_TEST(test_nrr_trailing_year),
        WHT_TEST(test_event_classification),
        WHT_TEST(test_bad_input),
        WHT_TEST(test_customers_scope_and_permissions),
    };
    /* days are computed in UTC (wht_utc_day): the server's business day is UTC's too */
    static const char *const env[] = {"WH_TIMEZONE=UTC", NULL};
    wht_init_env(env);
    return wht_finish(cmocka_run_group_tests_name("api_saas", tests, NULL, NULL));
}
