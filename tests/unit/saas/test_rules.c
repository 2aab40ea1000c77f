/* SaaS rules (DOMAIN-wave2 §12), pure: the event type of a write from the customer's MRR before
 * and after it, the customer code's form, and the SaaS KPI arithmetic of kpi_rules.c (the
 * summary of the worked example's rows, the day a year before, the overview's SaaS revenue). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "kpi/kpi.h"
#include "saas/saas.h"

#include <string.h>

static void test_event_type(void **state)
{
    (void)state;
    assert_string_equal(wh_saas_event_type(0, 100, false), "NEW");
    assert_string_equal(wh_saas_event_type(0, 100, true), "REACTIVATION");
    assert_string_equal(wh_saas_event_type(100, 0, true), "CHURN");
    assert_string_equal(wh_saas_event_type(100, 150, true), "EXPANSION");
    assert_string_equal(wh_saas_event_type(100, 1, true), "CONTRACTION");
    assert_null(wh_saas_event_type(100, 100, true)); /* a rename, the same MRR: no event */
    assert_null(wh_saas_event_type(0, 0, true));
}

static void test_code(void **state)
{
    (void)state;
    char ok[] = "acme_co-1", bad[] = "acme co", empty[] = "",
         long_[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456"; /* 33 */
    assert_true(wh_saas_code_normalise(ok));
    assert_string_equal(ok, "ACME_CO-1");
    assert_false(wh_saas_code_normalise(bad));
    assert_false(wh_saas_code_normalise(empty));
    assert_false(wh_saas_code_normalise(long_));
}

static void test_year_before(void **state)
{
    (void)state;
    char out[16];
    assert_true(wh_kpi_year_before("2028-02-29", out, sizeof out));
    assert_string_equal(out, "2027-02-28");
    assert_true(wh_kpi_year_before("2027-03-01", out, sizeof out));
    assert_string_equal(out, "2026-03-01");
    assert_false(wh_kpi_year_before("2027-02-30", out, sizeof out));
}

static int64_t num(const json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    assert_non_null(v);
    return json_is_null(v) ? -1 : json_integer_value(v);
}

/* The rows of §12's worked example and their summary. */
static void test_summary_worked_example(void **state)
{
    (void)state;
    const wh_kpi_saas rows[] = {
        {1, "2027-01-01", 35000, 35000, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0},
        {1, "2027-01-02", 45000, 7000, 8000, 0, 0, 5000, 3, 1, 0, 1, 0, 0},
        {1, "2027-01-03", 41000, 0, 0, 4000, 8000, 0, 4, 0, 1, 0, 30000, 13000},
    };
    json_t *s = wh_kpi_saas_summary(rows, 3);
    assert_int_equal(num(s, "start_mrr_cents"), 0);
    assert_int_equal(num(s, "mrr_cents"), 41000);
    assert_int_equal(num(s, "arr_cents"), 492000);
    assert_int_equal(num(s, "net_new_mrr_cents"), 41000);
    assert_int_equal(num(s, "start_customers"), 0);
    assert_int_equal(num(s, "logo_churn_bp"), -1); /* null: no customers at the start */
    assert_int_equal(num(s, "nrr_bp"), 4333);
    json_decref(s);
    s = wh_kpi_saas_summary(rows + 1, 2); /* days 2-3 start from day 1's end */
    assert_int_equal(num(s, "start_mrr_cents"), 35000);
    assert_int_equal(num(s, "start_customers"), 3);
    assert_int_equal(num(s, "logo_churn_bp"), 3333);
    json_decref(s);
    s = wh_kpi_saas_summary(rows, 0); /* no rows: zeros and nulls */
    assert_int_equal(num(s, "mrr_cents"), 0);
    assert_int_equal(num(s, "nrr_bp"), -1);
    json_decref(s);
}

static void test_overview_saas_revenue(void **state)
{
    (void)state;
    int64_t revenue, cost;
    bool tracked = true;
    wh_kpi_overview_row r = {.type = "SAAS", .saas_mrr_sum = 20000};
    assert_true(wh_kpi_overview_money(&r, &revenue, &cost, &tracked));
    assert_int_equal(revenue, 658); /* 240000 / 365 = 657.53: rounded once on the sum */
    assert_int_equal(cost, 0);
    assert_false(tracked);
    r = (wh_kpi_overview_row){.type = "HOSPITALITY", .hotel_revenue = 5, .hotel_cost = 7};
    assert_true(wh_kpi_overview_money(&r, &revenue, &cost, &tracked));
    assert_int_equal(revenue - cost, -2);
    assert_true(tracked);
    r = (wh_kpi_overview_row){.type = "SAAS", .saas_mrr_sum = INT64_MAX / 2};
    assert_false(wh_kpi_overview_money(&r, &revenue, &cost, &tracked));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_type),
        cmocka_unit_test(test_code),
        cmocka_unit_test(test_year_before),
        cmocka_unit_test(test_summary_worked_example),
        cmocka_unit_test(test_overview_saas_revenue),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
