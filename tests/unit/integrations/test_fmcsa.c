/* FMCSA status normalisation and QCMobile parsing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "integrations/integrations.h"

#include <string.h>

static void normalisation_follows_domain_rules(void **state)
{
    (void)state;
    assert_string_equal(wh_fmcsa_normalise("Y", "A", NULL), "ACTIVE");
    assert_string_equal(wh_fmcsa_normalise("Y", "A", "2024-01-02"), "OUT_OF_SERVICE");
    assert_string_equal(wh_fmcsa_normalise("Y", "OOS", NULL), "OUT_OF_SERVICE");
    assert_string_equal(wh_fmcsa_normalise("N", "A", NULL), "NOT_AUTHORIZED");
    assert_string_equal(wh_fmcsa_normalise(NULL, NULL, NULL), "UNKNOWN");
    assert_string_equal(wh_fmcsa_normalise("", "A", ""), "UNKNOWN");
}

static void parses_a_dot_lookup(void **state)
{
    const char *body =
        "{\"content\":{\"carrier\":{\"legalName\":\"ACME TRUCKING LLC\",\"dbaName\":\"ACME\","
        "\"dotNumber\":1000001,\"allowedToOperate\":\"Y\",\"statusCode\":\"A\",\"oosDate\":null,"
        "\"safetyRating\":\"S\",\"totalPowerUnits\":12,\"totalDrivers\":\"15\",\"phyCity\":"
        "\"TULSA\",\"phyState\":\"OK\",\"telephone\":\"(918) 555-0100\"}}}";
    wh_arena a;
    wh_error e;
    wh_fmcsa_carrier c;
    bool found = false;
    (void)state;
    wh_arena_init(&a);
    wh_error_init(&e);
    assert_int_equal(wh_fmcsa_parse(&a, body, strlen(body), false, &c, &found, &e), WH_OK);
    assert_true(found);
    assert_string_equal(c.legal_name, "ACME TRUCKING LLC");
    assert_string_equal(c.dba_name, "ACME");
    assert_string_equal(c.dot_number, "1000001");
    assert_string_equal(c.status, "ACTIVE");
    assert_true(c.authorized);
    assert_true(c.has_power_units);
    assert_int_equal(c.power_units, 12);
    assert_int_equal(c.drivers, 15);
    assert_string_equal(c.city, "TULSA");
    wh_arena_cleanup(&a);
}

static void parses_a_docket_lookup_and_empty_answers(void **state)
{
    const char *docket = "{\"content\":[{\"carrier\":{\"legalName\":\"X\",\"dotNumber\":7,"
                         "\"allowedToOperate\":\"N\"}}]}";
    const char *empty[] = {"{\"content\":null}", "{\"content\":[]}", "{\"content\":{}}"};
    wh_arena a;
    wh_error e;
    wh_fmcsa_carrier c;
    bool found = false;
    (void)state;
    wh_arena_init(&a);
    wh_error_init(&e);
    assert_int_equal(wh_fmcsa_parse(&a, docket, strlen(docket), true, &c, &found, &e), WH_OK);
    assert_true(found);
    assert_string_equal(c.status, "NOT_AUTHORIZED");
    assert_false(c.authorized);
    for (size_t i = 0; i < 3; i++) {
        found = true;
        assert_int_equal(wh_fmcsa_parse(&a, empty[i], strlen(empty[i]), i == 1, &c, &found, &e),
                         WH_OK);
        assert_false(found);
    }
    assert_int_not_equal(wh_fmcsa_parse(&a, "<html>", 6, false, &c, &found, &e), WH_OK);
    assert_int_equal(e.status, 503);
    wh_arena_cleanup(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(normalisation_follows_domain_rules),
        cmocka_unit_test(parses_a_dot_lookup),
        cmocka_unit_test(parses_a_docket_lookup_and_empty_answers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
