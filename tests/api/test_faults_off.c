/*
 * Fault injection is never on by accident (docs/testing.md): without WH_FAULT_INJECTION=1 an
 * X-Wh-Fault header changes nothing and is not answered, WH_FAULT_DB_NTH is ignored, a value
 * other than 0 or 1 refuses to start, and turning it on is logged loudly.
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

#include <string.h>

static void test_header_is_ignored_when_off(void **state)
{
    (void)state;
    const char *headers[] = {"X-Wh-Fault: db=1", NULL};
    const char *body = wht_fmt("{\"name\":\"%s\",\"code\":\"%s\",\"type\":\"BPO\"}",
                               wht_unique("Off "), wht_unique_code());
    wht_request req = {.method = "POST",
                       .path = WHT_API "/ventures",
                       .token = wht_admin_token(),
                       .headers = headers,
                       .body = body,
                       .body_len = strlen(body)};
    wht_resp *r = wht_do(&req);
    WHT_EXPECT(r, 201);
    assert_null(wht_header(r, "X-Wh-Fault-Calls"));
}

static void test_process_plan_is_ignored_when_off(void **state)
{
    (void)state;
    const char *args[] = {"job", "run", "cleanup", NULL};
    const char *env[] = {"WH_FAULT_DB_NTH=1", NULL};
    const char *out = NULL;
    assert_int_equal(wht_cli(args, env, &out), 0);
    assert_null(strstr(out, "fault injection"));
}

static void test_only_0_or_1_and_on_is_loud(void **state)
{
    (void)state;
    const char *args[] = {"migrate", NULL};
    const char *yes[] = {"WH_FAULT_INJECTION=yes", NULL};
    const char *on[] = {"WH_FAULT_INJECTION=1", NULL};
    const char *out = NULL;
    assert_int_not_equal(wht_cli(args, yes, &out), 0);
    assert_non_null(strstr(out, "WH_FAULT_INJECTION"));
    assert_int_equal(wht_cli(args, on, &out), 0);
    assert_non_null(strstr(out, "FAULT INJECTION IS ON"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        WHT_TEST(test_header_is_ignored_when_off),
        WHT_TEST(test_process_plan_is_ignored_when_off),
        WHT_TEST(test_only_0_or_1_and_on_is_loud),
    };
    wht_init();
    return wht_finish(cmocka_run_group_tests_name("api_faults_off", tests, NULL, NULL));
}
