/*
 * The demo seed (`wheelhouse seed --demo`, run by `make run`): every demo role signs in, the
 * daily-work screens have what their first use needs (an assignable and a blocked demo carrier,
 * both saying they are demo data, a shipper, the EMPLOYEE as an agent of a BPO campaign, a hotel
 * with a review waiting for an answer), and a second run adds nothing.
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
    assert_int_equal(json_array_size(all), 2);
    size_t i;
    json_t *c;
    int active = 0, blocked = 0;
    json_array_foreach(all, i, c)
    {
        assert_non_null(strstr(wht_str(c, "fmcsa_error"), "Demo data"));
        active += strcmp(wht_str(c, "fmcsa_status"), "ACTIVE") == 0;
        blocked += strcmp(wht_str(c, "fmcsa_status"), "OUT_OF_SERVICE") == 0;
    }
    assert_int_equal(active, 1);
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
    long long hotel = wht_int(json_array_get(hotels, 0), "id");
    json_t *reviews = wht_items(wht_get(csr, wht_fmt("/hotels/%lld/reviews", hotel)));
    assert_true(json_array_size(reviews) >= 1);
    assert_true(json_is_null(json_object_get(json_array_get(reviews, 0), "response_text")));
    const char *dispatcher = wht_login("dispatcher@demo.wheelhouse.test", DEMO_PASSWORD);
    assert_true(json_array_size(wht_items(wht_get(dispatcher, "/shippers"))) >= 1);
}

static void test_a_second_run_adds_nothing(void **state)
{
    (void)state;
    long long after[16];
    assert_int_equal(wht_cli((const char *const[]){"seed", "--demo", NULL}, NULL, NULL), 0);
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
        WHT_TEST(test_a_second_run_adds_nothing),
    };
    wht_init();
    seed_once(NULL);
    return wht_finish(cmocka_run_group_tests_name("api_seed", tests, NULL, NULL));
}
