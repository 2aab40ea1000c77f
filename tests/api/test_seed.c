/*
 * The demo seed (`wheelhouse seed --demo`, run by `make run`): every demo role signs in, the
 * daily-work screens have what their first use needs (assignable and blocked demo carriers,
 * all saying they are demo data, a shipper, the EMPLOYEE as an agent of a BPO campaign, a hotel
 * with a review waiting for an answer), the demo month is there (loads in every status with
 * their history, points and audit entries, 60 days of hotel figures, calls, EOD reports with
 * gaps, KPI rows, committed incentives, a payout, job runs with a FAILED one, a non-zero
 * dashboard), SaaS customers with every kind of event and their KPI rows, holdings with
 * valuations and balances, tasks and notifications for the demo roles, and a second run changes
 * no row of any table.
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

#include <string.h>

#include "harness.h"

#define DEMO_PASSWORD "wheelhouse-demo-2026"

static const char *const roles[] = {
    "ceo",        "admin",     "coo",        "venture.head", "office.manager",
    "team.lead",  "employee",  "contractor", "auditor",      "finance",
    "hr.admin",   "test.user", "csr",        "dispatcher",   "carrier.team",
    "accounting", NULL};

static const char *const tables[] = {"ventures",     "offices",  "users",         "venture_users",
                                     "office_users", "carriers", "shippers",      "bpo_campaigns",
                                     "bpo_agents",   "hotels",   "hotel_reviews", NULL};

static const char *const load_statuses[] = {"OPEN",     "WORKING",    "QUOTED",    "AT_RISK",
                                            "COVERED",  "IN_TRANSIT", "DELIVERED", "LOST",
                                            "FELL_OFF", "DORMANT",    NULL};

static long long counts[16];

static void count_rows(long long *out)
{
    for (size_t i = 0; tables[i]; i++)
        out[i] = wht_sql(wht_fmt("SELECT COUNT(*) FROM %s", tables[i]));
}

static int seed_once(void **state)
{
    (void)state;
    assert_int_equal(wht_cli((const char *const[]){"seed", "--demo", NULL}, NULL, NULL), 0);
    count_rows(counts);
    return 0;
}

static void test_every_demo_role_signs_in(void **state)
{
    (void)state;
    for (size_t i = 0; roles[i]; i++) {
        const char *email = wht_fmt("%s@demo.wheelhouse.test", roles[i]);
        const char *token = wht_login(email, DEMO_PASSWORD);
        wht_resp *me = wht_get(token, "/me");
        WHT_EXPECT(me, 200);
        wht_context("role %s", roles[i]);
        assert_true(json_array_size(json_object_get(me->json, "ventures")) > 0);
    }
}

static void test_demo_carriers_say_they_are_demo_data(void **state)
{
    (void)state;
    json_t *all = wht_list_all(wht_admin_token(), "/carriers?q=demo", 50);
    assert_int_equal(json_array_size(all), 4);
    size_t i;
    json_t *c;
    int active = 0, blocked = 0;
    json_array_foreach(all, i, c)
    {
        assert_non_null(strstr(wht_str(c, "fmcsa_error"), "Demo data"));
        active += strcmp(wht_str(c, "fmcsa_status"), "ACTIVE") == 0;
        blocked += strcmp(wht_str(c, "fmcsa_status"), "OUT_OF_SERVICE") == 0;
    }
    assert_int_equal(active, 3);
    assert_int_equal(blocked, 1);
}

static void test_first_use_needs_are_there(void **state)
{
    (void)state;
    const char *employee = wht_login("employee@demo.wheelhouse.test", DEMO_PASSWORD);
    long long me = wht_int(json_object_get(wht_get(employee, "/me")->json, "user"), "id");
    json_t *agents = wht_items(wht_get(employee, "/bpo/agents"));
    size_t i;
    json_t *a;
    bool agent = false;
    json_array_foreach(agents, i, a) agent = agent || wht_int(a, "user_id") == me;
    assert_true(agent);
    const char *csr = wht_login("csr@demo.wheelhouse.test", DEMO_PASSWORD);
    json_t *hotels = wht_items(wht_get(csr, "/hotels"));
    assert_true(json_array_size(hotels) >= 1);
    json_t *h, *v;
    size_t k;
    int waiting = 0;
    json_array_foreach(hotels, i, h)
    {
        json_t *reviews = wht_list_all(csr, wht_fmt("/hotels/%lld/reviews", wht_int(h, "id")), 100);
        json_array_foreach(reviews, k, v) waiting +=
            json_is_null(json_object_get(v, "response_text"));
    }
    assert_true(waiting >= 1);
    const char *dispatcher = wht_login("dispatcher@demo.wheelhouse.test", DEMO_PASSWORD);
    assert_true(json_array_size(wht_items(wht_get(dispatcher, "/shippers"))) >= 1);
}

/* Every load status is present, and every load went through the status path: a history row
 * per status it entered, an audit entry per change, and LOAD_COMPLETED points per delivery. */
static void test_loads_in_every_status_with_their_history(void **state)
{
    (void)state;
    const char *dispatcher = wht_login("dispatcher@demo.wheelhouse.test", DEMO_PASSWORD);
    for (size_t i = 0; load_statuses[i]; i++) {
        wht_context("status %s", load_statuses[i]);
        json_t *items =
            wht_items(wht_get(dispatcher, wht_fmt("/loads?status=%s&limit=1", load_statuses[i])));
        assert_int_equal(json_array_size(items), 1);
    }
    assert_int_equal(wht_sql("SELECT COUNT(*) FROM loads l WHERE NOT EXISTS (SELECT 1 FROM"
                             " load_status_changes s WHERE s.load_id = l.id AND s.to_status ="
                             " l.status)"),
                     0);
    assert_int_equal(wht_sql("SELECT COUNT(*) FROM load_status_changes"),
                     wht_sql("SELECT COUNT(*) FROM audit_log WHERE action IN ('load.create',"
                             " 'load.status')"));
    assert_int_equal(wht_sql("SELECT COUNT(*) FROM loads WHERE status = 'DELIVERED'"),
                     wht_sql("SELECT COUNT(*) FROM gamification_events WHERE event_type ="
                             " 'LOAD_COMPLETED'"));
    assert_true(wht_sql("SELECT COUNT(*) FROM loads WHERE status = 'DELIVERED' AND"
                        " billing_date IS NOT NULL AND carrier_id IS NOT NULL") > 100);
}

static void test_sixty_days_of_hotels_calls_and_reports(void **state)
{
    (void)state;
    assert_int_equal(wht_sql("SELECT COUNT(DISTINCT date) FROM hotel_daily"), 60);
    assert_int_equal(wht_sql("SELECT COUNT(*) FROM hotels"), 3);
    assert_int_equal(wht_sql("SELECT COUNT(*) FROM hotel_daily"), 180);
    assert_true(wht_sql("SELECT COUNT(*) FROM hotel_reviews WHERE response_text IS NOT NULL") > 20);
    assert_true(wht_sql("SELECT COUNT(DISTINCT status) FROM hotel_disputes") >= 3);
    /* six agents on about 42 weekdays, 10 to 16 calls a day each */
    assert_int_equal(wht_sql("SELECT COUNT(DISTINCT agent_id) FROM bpo_call_logs"), 6);
    assert_true(wht_sql("SELECT COUNT(*) FROM bpo_call_logs") > 6 * 35 * 10);
    assert_int_equal(wht_sql("SELECT COUNT(*) FROM bpo_call_logs"),
                     wht_sql("SELECT COUNT(*) FROM gamification_events WHERE event_type ="
                             " 'BPO_CALL_COMPLETED'"));
    /* reports on most weekdays, but each reporter missed some day another one reported */
    long long days = wht_sql("SELECT COUNT(DISTINCT report_date) FROM eod_reports");
    assert_true(days >= 35);
    assert_true(wht_sql("SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM eod_reports GROUP BY"
                        " user_id) t") < days);
    assert_true(wht_sql("SELECT COUNT(*) FROM gamification_events WHERE event_type ="
                        " 'PERFECT_WEEK_EOD'") > 0);
}

static void test_kpis_incentives_payouts_and_job_runs(void **state)
{
    (void)state;
    assert_int_equal(wht_sql("SELECT COUNT(DISTINCT day) FROM kpi_hotel_daily"), 60);
    assert_true(wht_sql("SELECT COUNT(DISTINCT day) FROM kpi_freight_daily") >= 55);
    assert_true(wht_sql("SELECT COUNT(DISTINCT day) FROM kpi_bpo_daily") >= 40);
    assert_true(wht_sql("SELECT COUNT(DISTINCT day) FROM incentive_daily") >= 40);
    assert_int_equal(wht_sql("SELECT COUNT(DISTINCT venture_id) FROM incentive_plans"), 3);
    assert_true(wht_sql("SELECT COUNT(*) FROM incentive_payouts WHERE status = 'APPROVED'") >= 1);
    assert_int_equal(wht_sql("SELECT COUNT(*) FROM job_runs WHERE status = 'FAILED' AND error"
                             " LIKE 'abandoned%'"),
                     1);
    /* kpi_aggregation, incentive_daily and task_rules */
    assert_int_equal(wht_sql("SELECT COUNT(*) FROM job_runs WHERE status = 'SUCCEEDED'"), 3);
    json_t *runs = wht_items(wht_get(wht_admin_token(), "/jobs/runs?status=FAILED"));
    assert_int_equal(json_array_size(runs), 1);
}

static void test_freight_dashboard_has_figures(void **state)
{
    (void)state;
    long long frt = wht_sql("SELECT id FROM ventures WHERE code = 'FRT'");
    const char *ceo = wht_login("ceo@demo.wheelhouse.test", DEMO_PASSWORD);
    wht_resp *d = wht_get(ceo, wht_fmt("/dashboard?venture_id=%lld", frt));
    WHT_EXPECT(d, 200);
    json_t *month = json_object_get(d->json, "last_30_days");
    assert_true(wht_int(month, "loads_delivered") > 0);
    assert_true(wht_int(month, "revenue_cents") > 0);
}

/* The SAAS venture: 40 customers, every kind of event computed by the server (one per MRR
 * change, never more than the writes' audit entries), and KPI rows on every day; the HOLDINGS
 * venture: assets with valuations, three accounts with balances, a non-zero dashboard. */
static void test_saas_and_holdings_have_a_month(void **state)
{
    (void)state;
    static const char *const types[] = {"NEW",   "EXPANSION",    "CONTRACTION",
                                        "CHURN", "REACTIVATION", NULL};
    assert_int_equal(wht_sql("SELECT COUNT(*) FROM saas_customers"), 40);
    for (size_t i = 0; types[i]; i++) {
        wht_context("event %s", types[i]);
        assert_true(
            wht_sql(wht_fmt("SELECT COUNT(*) FROM saas_events WHERE type = '%s'", types[i])) > 0);
    }
    assert_int_equal(wht_sql("SELECT COUNT(*) FROM saas_events"),
                     wht_sql("SELECT COUNT(*) FROM audit_log WHERE action LIKE"
                             " 'saas_subscription.%'"));
    assert_int_equal(wht_sql("SELECT COUNT(DISTINCT day) FROM kpi_saas_daily"), 60);
    assert_true(wht_sql("SELECT MAX(mrr_cents) FROM kpi_saas_daily") > 0);
    const char *finance = wht_login("finance@demo.wheelhouse.test", DEMO_PASSWORD);
    long long hld = wht_sql("SELECT id FROM ventures WHERE code = 'HLD'");
    assert_true(json_array_size(wht_items(wht_get(finance, "/holdings/assets"))) >= 4);
    assert_int_equal(json_array_size(wht_items(wht_get(finance, "/holdings/bank-accounts"))), 3);
    assert_true(wht_sql("SELECT COUNT(*) FROM holding_valuations") >= 8);
    assert_true(wht_sql("SELECT COUNT(*) FROM bank_balances") >= 3 * 8);
    wht_resp *d = wht_get(finance, wht_fmt("/dashboard?venture_id=%lld", hld));
    WHT_EXPECT(d, 200);
    assert_true(wht_int(json_object_get(d->json, "today"), "cash_cents") > 0);
}

/* Tasks and notifications for the demo roles: hand-made ones (one done, some overdue) and the
 * task_rules run's automatic ones, each with its TASK_ASSIGNED notification. */
static void test_tasks_and_notifications(void **state)
{
    (void)state;
    static const char *const people[] = {"dispatcher", "employee", "csr", "finance", NULL};
    assert_true(wht_sql("SELECT COUNT(*) FROM tasks WHERE rule IS NULL") >= 10);
    assert_true(wht_sql("SELECT COUNT(*) FROM tasks WHERE rule IS NOT NULL") > 0);
    assert_int_equal(wht_sql("SELECT COUNT(*) FROM tasks WHERE status = 'DONE'"), 1);
    assert_int_equal(wht_sql("SELECT COUNT(*) FROM tasks t WHERE t.assignee_id <> t.created_by"
                             " AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.link_type"
                             " = 'task' AND n.link_id = t.id AND n.type = 'TASK_ASSIGNED')"),
                     0);
    for (size_t i = 0; people[i]; i++) {
        wht_context("role %s", people[i]);
        const char *token = wht_login(wht_fmt("%s@demo.wheelhouse.test", people[i]), DEMO_PASSWORD);
        assert_true(json_array_size(wht_items(wht_get(token, "/tasks?mine=true"))) > 0);
        assert_true(json_array_size(wht_items(wht_get(token, "/notifications"))) > 0);
    }
}

static void test_a_second_run_adds_nothing(void **state)
{
    (void)state;
    long long after[16];
    const char *before = wht_db_digest(NULL);
    assert_int_equal(wht_cli((const char *const[]){"seed", "--demo", NULL}, NULL, NULL), 0);
    assert_string_equal(wht_db_digest(NULL), before);
    count_rows(after);
    for (size_t i = 0; tables[i]; i++) {
        wht_context("table %s", tables[i]);
        assert_int_equal(after[i], counts[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        WHT_TEST(test_every_demo_role_signs_in),
        WHT_TEST(test_demo_carriers_say_they_are_demo_data),
        WHT_TEST(test_first_use_needs_are_there),
        WHT_TEST(test_loads_in_every_status_with_their_history),
        WHT_TEST(test_sixty_days_of_hotels_calls_and_reports),
        WHT_TEST(test_kpis_incentives_payouts_and_job_runs),
        WHT_TEST(test_freight_dashboard_has_figures),
        WHT_TEST(test_saas_and_holdings_have_a_month),
        WHT_TEST(test_tasks_and_notifications),
        WHT_TEST(test_a_second_run_adds_nothing),
    };
    wht_init();
    seed_once(NULL);
    return wht_finish(cmocka_run_group_tests_name("api_seed", tests, NULL, NULL));
}
