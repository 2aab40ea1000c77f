/* wh_http_accepts_gzip: Accept-Encoding read with its q-values (RFC 9110 §12.5.3), so a client
 * that refuses gzip (gzip;q=0, or *;q=0 without naming gzip) never gets it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "http/http_int.h"

static void test_accepts(void **state)
{
    (void)state;
    static const char *const yes[] = {"gzip",
                                      "GZIP",
                                      "gzip, deflate, br",
                                      "br;q=1.0, gzip;q=0.8, *;q=0.1",
                                      "x-gzip",
                                      "gzip;q=0.001",
                                      "gzip ; q=1",
                                      "gzip;Q=0.5",
                                      "*",
                                      "*;q=0.5",
                                      "identity, *;q=1",
                                      "deflate, gzip;level=1",
                                      "gzip;q=1.000",
                                      "gzip;q=1."};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        if (!wh_http_accepts_gzip(yes[i]))
            fail_msg("should accept gzip: \"%s\"", yes[i]);
}

static void test_refuses(void **state)
{
    (void)state;
    static const char *const no[] = {NULL,
                                     "",
                                     "identity",
                                     "deflate, br",
                                     "gzip;q=0",
                                     "gzip; q=0.000",
                                     "GZIP;Q=0",
                                     "*;q=0",
                                     "deflate, *;q=0",
                                     "gzip;q=0, *",
                                     "*, gzip;q=0",
                                     "gzip;q=0.5, gzip;q=0",
                                     "gzip;q=2",
                                     "gzip;q=1.5",
                                     "gzip;q=-1",
                                     "gzip;q=abc",
                                     "gzip;q=",
                                     "gzip;q=0.0001",
                                     "gzipx",
                                     "xgzip",
                                     "x-gzip;q=0",
                                     "identity;q=1, *;q=0"};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        if (wh_http_accepts_gzip(no[i]))
            fail_msg("should refuse gzip: \"%s\"", no[i] ? no[i] : "(none)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepts),
        cmocka_unit_test(test_refuses),
    };
    return cmocka_run_group_tests_name("unit_http_compress", tests, NULL, NULL);
}
