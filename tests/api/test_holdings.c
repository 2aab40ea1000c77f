/*
 * Holdings and the owner's overview (API-wave2 "Holdings and the owner's overview",
 * DOMAIN-wave2 §13): assets with dated valuations and bank accounts with dated balance snapshots
 * (upsert 201/200, delete 204/404), the derived current value and balance, the HOLDINGS
 * dashboard (holdings.read), the overview over ventures of every type from their KPI rows with
 * cash and asset value as of `to`; bad input of §22 (nothing written), scope and permissions.
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

static const char *admin(void)
{
    return wht_admin_token();
}

static long long asset_new(long long venture, const char *acquired, long long cost,
                           const char *disposed)
{
    json_t *b = wht_json("{s:I, s:s, s:s, s:s, s:I}", "venture_id", (json_int_t)venture, "kind",
                         "PROPERTY", "name", wht_unique("Asset "), "acquired_on", acquired,
                         "cost_cents", (json_int_t)cost);
    if (disposed)
        json_object_set_new(b, "disposed_on", json_string(disposed));
    wht_resp *r = wht_post(admin(), "/holdings/assets", b);
    WHT_EXPECT(r, 201);
    return wht_int(r->json, "id");
}

static long long account_new(long long venture, bool active)
{
    wht_resp *r = wht_post(admin(), "/holdings/bank-accounts",
                           wht_json("{s:I, s:s, s:s, s:s, s:b}", "venture_id", (json_int_t)venture,
                                    "name", wht_unique("Account "), "institution", "First Bank",
                                    "last4", "1234", "active", active));
    WHT_EXPECT(r, 201);
    return wht_int(r->json, "id");
}

static wht_resp *value_put(long long asset, const char *day, long long value)
{
    return wht_put(admin(), wht_fmt("/holdings/assets/%lld/valuations/%s", asset, day),
                   wht_json("{s:I, s:s}", "value_cents", (json_int_t)value, "note", "appraisal"));
}

static wht_resp *balance_put(long long account, const char *day, long long cents)
{
    return wht_put(admin(), wht_fmt("/holdings/bank-accounts/%lld/balances/%s", account, day),
                   wht_json("{s:I}", "balance_cents", (json_int_t)cents));
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

static void aggregate(long long venture, const char *day)
{
    json_t *run = run_job("kpi_aggregation",
                          wht_json("{s:s, s:I}", "date", day, "venture_id", (json_int_t)venture));
    if (strcmp(wht_str(run, "status"), "SUCCEEDED") != 0)
        WHT_FAIL("kpi_aggregation: %s", wht_dump(run));
}

static const char *member_token(const char *role, size_t n, const long long *ventures)
{
    wht_user u = wht_user_add(role);
    wht_set_ventures(u.id, n, ventures);
    return wht_login(u.email, u.password);
}

/* ------------------------------------------------------------------ tests */

static void test_assets_and_valuations(void **state)
{
    (void)state;
    const char *t = wht_utc_day(0), *d10 = wht_utc_day(-10), *d2 = wht_utc_day(-2);
    long long v = wht_venture_new("HOLDINGS").id;
    long long as = asset_new(v, d10, 70000, NULL);
    wht_resp *r = wht_get(admin(), wht_fmt("/holdings/assets/%lld", as));
    WHT_EXPECT(r, 200);
    assert_int_equal(wht_int(r->json, "current_value_cents"), 70000); /* the cost */
    assert_true(json_is_null(json_object_get(r->json, "valued_on")));
    r = value_put(as, d2, 90000);
    WHT_EXPECT(r, 201);
    assert_int_equal(wht_int(r->json, "value_cents"), 90000);
    assert_string_equal(wht_str(r->json, "date"), d2);
    assert_int_equal(wht_int(r->json, "asset_id"), as);
    WHT_EXPECT(value_put(as, d2, 95000), 200); /* replaced */
    WHT_EXPECT(value_put(as, d10, 71000), 201);
    r = wht_get(admin(), wht_fmt("/holdings/assets/%lld", as));
    assert_int_equal(wht_int(r->json, "current_value_cents"), 95000);
    assert_string_equal(wht_str(r->json, "valued_on"), d2);
    json_t *vals = wht_list_all(admin(), wht_fmt("/holdings/assets/%lld/valuations", as), 1);
    assert_int_equal(json_array_size(vals), 2);
    assert_string_equal(wht_str(json_array_get(vals, 0), "date"), d2); /* newest first */
    vals = wht_list_all(admin(),
                        wht_fmt("/holdings/assets/%lld/valuations?from=%s&to=%s", as, d10, d10), 5);
    assert_int_equal(json_array_size(vals), 1);
    long long head = wht_audit_head();
    WHT_EXPECT(wht_delete(admin(), wht_fmt("/holdings/assets/%lld/valuations/%s", as, d2)), 204);
    assert_string_equal(wht_str(json_array_get(wht_audit_since(head), 0), "action"),
                        "holding_valuation.delete");
    WHT_PROBLEM(wht_delete(admin(), wht_fmt("/holdings/assets/%lld/valuations/%s", as, d2)), 404,
                "not_found", NULL);
    r = wht_get(admin(), wht_fmt("/holdings/assets/%lld", as));
    assert_int_equal(wht_int(r->json, "current_value_cents"), 71000);
    /* patch: dispose; held lists */
    r = wht_patch(admin(), wht_fmt("/holdings/assets/%lld", as),
                  wht_json("{s:s, s:s}", "disposed_on", t, "notes", "sold"));
    WHT_EXPECT(r, 200);
    assert_string_equal(wht_str(r->json, "disposed_on"), t);
    json_t *held =
        wht_list_all(admin(), wht_fmt("/holdings/assets?venture_id=%lld&held=true", v), 5);
    assert_int_equal(json_array_size(held), 0);
    held = wht_list_all(admin(), wht_fmt("/holdings/assets?venture_id=%lld&held=false", v), 5);
    assert_int_equal(json_array_size(held), 1);
    json_t *kind =
        wht_list_all(admin(), wht_fmt("/holdings/assets?venture_id=%lld&kind=VEHICLE", v), 5);
    assert_int_equal(json_array_size(kind), 0);

    /* §22: nothing written */
    long long before = wht_sql("SELECT COUNT(*) FROM holding_assets");
    const struct {
        json_t *body;
        const char *field;
    } bad[] = {
        {wht_json("{s:I, s:s, s:s, s:s, s:I}", "venture_id", (json_int_t)v, "kind", "BOAT", "name",
                  "X", "acquired_on", d10, "cost_cents", (json_int_t)1),
         "kind"},
        {wht_json("{s:I, s:s, s:s, s:s, s:I}", "venture_id", (json_int_t)v, "kind", "OTHER", "name",
                  "X", "acquired_on", d10, "cost_cents", (json_int_t)-1),
         "cost_cents"},
        {wht_json("{s:I, s:s, s:s, s:s, s:I}", "venture_id", (json_int_t)v, "kind", "OTHER", "name",
                  "X", "acquired_on", d10, "cost_cents", (json_int_t)10000000000001LL),
         "cost_cents"},
        {wht_json("{s:I, s:s, s:s, s:s, s:I}", "venture_id", (json_int_t)v, "kind", "OTHER", "name",
                  "X", "acquired_on", wht_utc_day(1), "cost_cents", (json_int_t)1),
         "acquired_on"},
        {wht_json("{s:I, s:s, s:s, s:s, s:I, s:s}", "venture_id", (json_int_t)v, "kind", "OTHER",
                  "name", "X", "acquired_on", d2, "cost_cents", (json_int_t)1, "disposed_on", d10),
         "disposed_on"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        WHT_PROBLEM(wht_post(admin(), "/holdings/assets", bad[i].body), 400, "validation_failed",
                    bad[i].field);
    assert_int_equal(wht_sql("SELECT COUNT(*) FROM holding_assets"), before);
    long long vals_before = wht_sql("SELECT COUNT(*) FROM holding_valuations");
    WHT_PROBLEM(value_put(as, wht_utc_day(-11), 1), 400, "validation_failed", "date");
    WHT_PROBLEM(value_put(as, wht_utc_day(1), 1), 400, "validation_failed", "date");
    WHT_PROBLEM(value_put(as, "2026-02-30", 1), 400, "validation_failed", "date");
    WHT_PROBLEM(value_put(as, d2, -1), 400, "validation_failed", "value_cents");
    long long disposed = asset_new(v, d10, 5, d2);
    WHT_PROBLEM(value_put(disposed, wht_utc_day(-1), 1), 400, "validation_failed", "date");
    WHT_EXPECT(value_put(disposed, d2, 7), 201);
    assert_int_equal(wht_sql("SELECT COUNT(*) FROM holding_valuations"), vals_before + 1);
    WHT_PROBLEM(wht_patch(admin(), wht_fmt("/holdings/assets/%lld", disposed),
                          wht_json("{s:s}", "disposed_on", wht_utc_day(-20))),
                400, "validation_failed", "disposed_on");
}

static void test_accounts_and_balances(void **state)
{
    (void)state;
    const char *t = wht_utc_day(0), *d3 = wht_utc_day(-3);
    long long v = wht_venture_new("HOLDINGS").id;
    long long ac = account_new(v, true);
    wht_resp *r = wht_get(admin(), wht_fmt("/holdings/bank-accounts/%lld", ac));
    WHT_EXPECT(r, 200);
    assert_true(json_is_null(json_object_get(r->json, "balance_cents")));
    assert_string_equal(wht_str(r->json, "last4"), "1234");
    WHT_EXPECT(balance_put(ac, d3, -2500), 201); /* an overdraft */
    r = balance_put(ac, d3, 50000);
    WHT_EXPECT(r, 200);
    assert_int_equal(wht_int(r->json, "balance_cents"), 50000);
    assert_int_equal(wht_int(r->json, "bank_account_id"), ac);
    WHT_EXPECT(balance_put(ac, t, 60000), 201);
    r = wht_get(admin(), wht_fmt("/holdings/bank-accounts/%lld", ac));
    assert_int_equal(wht_int(r->json, "balance_cents"), 60000);
    assert_string_equal(wht_str(r->json, "balance_on"), t);
    WHT_EXPECT(wht_delete(admin(), wht_fmt("/holdings/bank-accounts/%lld/balances/%s", ac, t)),
               204);
    json_t *bal = wht_list_all(admin(), wht_fmt("/holdings/bank-accounts/%lld/balances", ac), 5);
    assert_int_equal(json_array_size(bal), 1);
    r = wht_patch(admin(), wht_fmt("/holdings/bank-accounts/%lld", ac),
                  wht_json("{s:s, s:b}", "name", "Operating", "active", 0));
    WHT_EXPECT(r, 200);
    assert_false(json_is_true(json_object_get(r->json, "active")));
    json_t *act =
        wht_list_all(admin(), wht_fmt("/holdings/bank-accounts?venture_id=%lld&active=true", v), 5);
    assert_int_equal(json_array_size(act), 0);
    /* §22 */
    long long before = wht_sql("SELECT COUNT(*) FROM bank_balances");
    WHT_PROBLEM(wht_post(admin(), "/holdings/bank-accounts",
                         wht_json("{s:I, s:s, s:s, s:s}", "venture_id", (json_int_t)v, "name", "A",
                                  "institution", "B", "last4", "12a4")),
                400, "validation_failed", "last4");
    WHT_PROBLEM(wht_post(admin(), "/holdings/bank-accounts",
                         wht_json("{s:I, s:s, s:s, s:s}", "venture_id", (json_int_t)v, "name", "A",
                                  "institution", "B", "last4", "12345")),
                400, "validation_failed", "last4");
    WHT_PROBLEM(balance_put(ac, wht_utc_day(1), 1), 400, "validation_failed", "date");
    WHT_PROBLEM(balance_put(ac, d3, 10000000000001LL), 400, "validation_failed", "balance_cents");
    WHT_PROBLEM(balance_put(ac, d3, -10000000000001LL), 400, "validation_failed", "balance_cents");
    assert_int_equal(wht_sql("SELECT COUNT(*) FROM bank_balances"), before);
}

static void test_scope_and_permissions(void **state)
{
    (void)state;
    const char *d3 = wht_utc_day(-3);
    long long v = wht_venture_new("HOLDINGS").id, other = wht_venture_new("HOLDINGS").id;
    long long mine = asset_new(v, d3, 100, NULL), theirs = asset_new(other, d3, 100, NULL);
    long long my_ac = account_new(v, true), their_ac = account_new(other, true);
    const char *fin = member_token("FINANCE", 1, &v);
    WHT_EXPECT(wht_get(fin, wht_fmt("/holdings/assets/%lld", mine)), 200);
    WHT_PROBLEM(wht_get(fin, wht_fmt("/holdings/assets/%lld", theirs)), 404, "not_found", NULL);
    WHT_PROBLEM(wht_get(fin, wht_fmt("/holdings/bank-accounts/%lld", their_ac)), 404, "not_found",
                NULL);
    WHT_PROBLEM(wht_put(fin, wht_fmt("/holdings/assets/%lld/valuations/%s", theirs, d3),
                        wht_json("{s:I}", "value_cents", (json_int_t)1)),
                404, "not_found", NULL);
    WHT_PROBLEM(wht_get(fin, wht_fmt("/holdings/bank-accounts/%lld/balances", their_ac)), 404,
                "not_found", NULL);
    WHT_PROBLEM(wht_get(fin, wht_fmt("/holdings/assets?venture_id=%lld", other)), 403, "forbidden",
                NULL);
    WHT_PROBLEM(wht_post(fin, "/holdings/bank-accounts",
                         wht_json("{s:I, s:s, s:s, s:s}", "venture_id", (json_int_t)other, "name",
                                  "A", "institution", "B", "last4", "1111")),
                403, "forbidden", NULL);
    json_t *all = wht_list_all(fin, "/holdings/assets", 50);
    assert_int_equal(json_array_size(all), 1);
    all = wht_list_all(fin, "/holdings/bank-accounts", 50);
    assert_int_equal(json_array_size(all), 1);
    assert_int_equal(wht_int(json_array_get(all, 0), "id"), my_ac);
    WHT_EXPECT(balance_put(my_ac, d3, 10), 201);
    /* AUDITOR reads, does not write; EMPLOYEE and OFFICE_MANAGER do not read */
    const char *aud = member_token("AUDITOR", 1, &v);
    WHT_EXPECT(wht_get(aud, wht_fmt("/holdings/assets/%lld", mine)), 200);
    WHT_PROBLEM(
        wht_patch(aud, wht_fmt("/holdings/assets/%lld", mine), wht_json("{s:s}", "name", "Z")), 403,
        "forbidden", NULL);
    const char *om = member_token("OFFICE_MANAGER", 1, &v);
    WHT_PROBLEM(wht_get(om, "/holdings/assets"), 403, "forbidden", NULL);
    /* the HOLDINGS dashboard needs holdings.read */
    WHT_PROBLEM(wht_get(om, wht_fmt("/dashboard?venture_id=%lld", v)), 403, "forbidden", NULL);
    wht_resp *r = wht_get(fin, wht_fmt("/dashboard?venture_id=%lld", v));
    WHT_EXPECT(r, 200);
    json_t *today = json_object_get(r->json, "today");
    assert_int_equal(wht_int(today, "cash_cents"), 10);
    assert_int_equal(wht_int(today, "asset_value_cents"), 100);
    assert_int_equal(wht_int(today, "bank_accounts"), 1);
    assert_int_equal(wht_int(today, "assets"), 1);
    json_t *w = json_object_get(r->json, "last_7_days");
    assert_string_equal(wht_str(w, "as_of"), wht_utc_day(-7));
    assert_int_equal(wht_int(w, "cash_cents"), 0);
    assert_int_equal(wht_int(w, "assets"), 0);
    const char *emp = member_token("EMPLOYEE", 1, &v);
    WHT_PROBLEM(wht_get(emp, "/overview"), 403, "forbidden", NULL);
}

static json_t *row_of(const json_t *body, long long venture)
{
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(body, "ventures"), i,
                       it) if (wht_int(it, "venture_id") == venture) return it;
    WHT_FAIL("no venture %lld in %s", venture, wht_dump(body));
    return NULL;
}

/* The overview over a venture of every type, from their KPI rows in the range. */
static void test_overview_mixed(void **state)
{
    (void)state;
    const char *t = wht_utc_day(0), *from = wht_utc_day(-2), *to = wht_utc_day(-1);
    const char *types[] = {"LOGISTICS", "TRANSPORT", "HOSPITALITY", "BPO",
                           "SAAS",      "HOLDINGS",  "TESTING"};
    long long v[7];
    for (int i = 0; i < 7; i++)
        v[i] = wht_venture_new(types[i]).id;
    /* freight: the manual revenue and cost of a day in the range, and one after it */
    WHT_EXPECT(wht_put(admin(), wht_fmt("/kpi/freight/%lld/%s", v[0], to),
                       wht_json("{s:I, s:I}", "revenue_cents", (json_int_t)100000, "cost_cents",
                                (json_int_t)80000)),
               201);
    WHT_EXPECT(wht_put(admin(), wht_fmt("/kpi/freight/%lld/%s", v[0], t),
                       wht_json("{s:I, s:I}", "revenue_cents", (json_int_t)999, "cost_cents",
                                (json_int_t)1)),
               201);
    /* hospitality */
    wht_resp *r = wht_post(admin(), "/hotels",
                           wht_json("{s:I, s:s, s:s, s:I}", "venture_id", (json_int_t)v[2], "name",
                                    "Inn", "code", wht_unique("H"), "rooms", (json_int_t)100));
    WHT_EXPECT(r, 201);
    long long hotel = wht_int(r->json, "id");
    WHT_EXPECT(
        wht_put(admin(), wht_fmt("/hotels/%lld/daily/%s", hotel, from),
                wht_json("{s:I, s:I, s:I, s:I, s:I, s:I}", "rooms_sold", (json_int_t)80,
                         "rooms_available", (json_int_t)100, "room_revenue_cents",
                         (json_int_t)800000, "other_revenue_cents", (json_int_t)20000,
                         "refund_cents", (json_int_t)3000, "lost_dues_cents", (json_int_t)2000)),
        201);
    aggregate(v[2], from);
    /* BPO: a call with revenue in a campaign */
    wht_user agent_user = wht_user_add("EMPLOYEE");
    wht_set_ventures(agent_user.id, 1, &v[3]);
    r = wht_post(admin(), "/bpo/campaigns",
                 wht_json("{s:I, s:s}", "venture_id", (json_int_t)v[3], "name", "Camp"));
    WHT_EXPECT(r, 201);
    long long camp = wht_int(r->json, "id");
    r = wht_post(admin(), "/bpo/agents",
                 wht_json("{s:I, s:I, s:I}", "user_id", (json_int_t)agent_user.id, "venture_id",
                          (json_int_t)v[3], "campaign_id", (json_int_t)camp));
    WHT_EXPECT(r, 201);
    long long agent = wht_int(r->json, "id");
    WHT_EXPECT(wht_post(admin(), "/bpo/call-logs",
                        wht_json("{s:I, s:I, s:I, s:s, s:s, s:I}", "agent_id", (json_int_t)agent,
                                 "venture_id", (json_int_t)v[3], "campaign_id", (json_int_t)camp,
                                 "started_at", wht_fmt("%sT12:00:00Z", to), "ended_at",
                                 wht_fmt("%sT12:05:00Z", to), "revenue_cents", (json_int_t)12345)),
               201);
    aggregate(v[3], to);
    /* SaaS: 10000 MRR on both days: 20000 x 12 / 365 = 657.53 -> 658 */
    r = wht_post(
        admin(), "/saas/customers",
        wht_json("{s:I, s:s, s:s}", "venture_id", (json_int_t)v[4], "name", "C", "code", "C1"));
    WHT_EXPECT(r, 201);
    WHT_EXPECT(
        wht_post(admin(), "/saas/subscriptions",
                 wht_json("{s:I, s:s, s:I, s:s}", "customer_id", (json_int_t)wht_int(r->json, "id"),
                          "plan_name", "P", "mrr_cents", (json_int_t)10000, "started_on", from)),
        201);
    aggregate(v[4], to);
    /* holdings: cash of the active account as of to; an asset valued; one disposed on to */
    long long ac = account_new(v[5], true), closed = account_new(v[5], false);
    WHT_EXPECT(balance_put(ac, wht_utc_day(-3), 50000), 201);
    WHT_EXPECT(balance_put(ac, t, 99999), 201); /* after to */
    WHT_EXPECT(balance_put(closed, wht_utc_day(-3), 7777), 201);
    long long as = asset_new(v[5], wht_utc_day(-10), 70000, NULL);
    WHT_EXPECT(value_put(as, from, 90000), 201);
    asset_new(v[5], wht_utc_day(-10), 1000, to);
    /* a logistics venture may hold a bank account too */
    long long lac = account_new(v[0], true);
    WHT_EXPECT(balance_put(lac, to, 300), 201);

    const char *vh = member_token("VENTURE_HEAD", 7, v);
    r = wht_get(vh, wht_fmt("/overview?from=%s&to=%s", from, to));
    WHT_EXPECT(r, 200);
    assert_string_equal(wht_str(r->json, "from"), from);
    assert_int_equal(json_array_size(json_object_get(r->json, "ventures")), 7);
    struct {
        long long revenue, cost, bp, cash, assets;
        bool tracked;
    } want[] = {
        {100000, 80000, 2000, 300, 0, true},
        {0, 0, -1, 0, 0, true},
        {820000, 5000, 9939, 0, 0, true},
        {12345, 0, 10000, 0, 0, false},
        {658, 0, 10000, 0, 0, false},
        {0, 0, -1, 50000, 90000, false},
        {0, 0, -1, 0, 0, false},
    };
    for (int i = 0; i < 7; i++) {
        json_t *row = row_of(r->json, v[i]);
        wht_context("%s: %s", types[i], wht_dump(row));
        assert_string_equal(wht_str(row, "type"), types[i]);
        assert_int_equal(wht_int(row, "revenue_cents"), want[i].revenue);
        assert_int_equal(wht_int(row, "cost_cents"), want[i].cost);
        assert_int_equal(wht_int(row, "margin_cents"), want[i].revenue - want[i].cost);
        if (want[i].bp == -1)
            assert_true(json_is_null(json_object_get(row, "margin_bp")));
        else
            assert_int_equal(wht_int(row, "margin_bp"), want[i].bp);
        assert_int_equal(json_is_true(json_object_get(row, "cost_tracked")), want[i].tracked);
        assert_int_equal(wht_int(row, "cash_cents"), want[i].cash);
        assert_int_equal(wht_int(row, "asset_value_cents"), want[i].assets);
    }
    json_t *tot = json_object_get(r->json, "totals");
    assert_int_equal(wht_int(tot, "revenue_cents"), 933003);
    assert_int_equal(wht_int(tot, "cost_cents"), 85000);
    assert_int_equal(wht_int(tot, "margin_cents"), 848003);
    assert_int_equal(wht_int(tot, "margin_bp"), 9089);
    assert_int_equal(wht_int(tot, "cash_cents"), 50300);
    assert_int_equal(wht_int(tot, "asset_value_cents"), 90000);
    /* an empty scope: no ventures, zero totals */
    const char *lonely = member_token("FINANCE", 0, NULL);
    r = wht_get(lonely, "/overview");
    WHT_EXPECT(r, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "ventures")), 0);
    assert_int_equal(wht_int(json_object_get(r->json, "totals"), "revenue_cents"), 0);
    assert_true(json_is_null(json_object_get(json_object_get(r->json, "totals"), "margin_bp")));
    /* bad ranges */
    WHT_PROBLEM(wht_get(vh, wht_fmt("/overview?from=%s&to=%s", to, from)), 400, "validation_failed",
                "to");
    WHT_PROBLEM(wht_get(vh, "/overview?from=2025-01-01&to=2026-06-01"), 400, "validation_failed",
                "from");
    WHT_PROBLEM(wht_get(vh, "/overview?to=yesterday"), 400, "validation_failed", "to");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        WHT_TEST(test_assets_and_valuations),
        WHT_TEST(test_accounts_and_balances),
        WHT_TEST(test_scope_and_permissions),
        WHT_TEST(test_overview_mixed),
    };
    /* days are computed in UTC (wht_utc_day): the server's business day is UTC's too */
    static const char *const env[] = {"WH_TIMEZONE=UTC", NULL};
    wht_init_env(env);
    return wht_finish(cmocka_run_group_tests_name("api_holdings", tests, NULL, NULL));
}
