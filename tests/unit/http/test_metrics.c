/* The metrics registry and the Prometheus text it renders: label and HELP escaping, counters by
 * route, method and exact status, "unmatched" and folded methods, cumulative histogram buckets
 * with their boundaries inclusive, _sum and _count, rate-limit rejections, the series and status
 * limits (dropped, never a crash), the size cap, and exact counts under eight threads. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/limits.h"
#include "http/http.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const wh_route loads = {"GET", "/api/v1/loads/{id}", NULL, WH_PERM_PUBLIC, WH_RATE_READ, 0,
                               NULL};
static const wh_route create = {"POST", "/api/v1/loads", NULL, WH_PERM_PUBLIC, WH_RATE_WRITE, 0,
                                NULL};

/* Renders m and returns the text (malloc'd). */
static char *render(wh_metrics *m)
{
    wh_metrics_text t;
    wh_metrics_text_init(&t);
    wh_metrics_render(m, 5000, &t);
    assert_int_equal(t.rc, WH_OK);
    char *out = strdup(t.buf.data);
    wh_metrics_text_cleanup(&t);
    return out;
}

/* The value of the sample line that starts with "series " (name plus labels), exactly once;
 * -1 when there is none. */
static double value_of(const char *text, const char *series)
{
    size_t n = strlen(series);
    double v = -1;
    int found = 0;
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncmp(p, series, n) == 0 && p[n] == ' ') {
            v = strtod(p + n + 1, NULL);
            found++;
        }
    }
    if (found > 1)
        fail_msg("%s appears %d times", series, found);
    return v;
}

static void test_label_values_and_help_are_escaped(void **state)
{
    (void)state;
    wh_metrics_text t;
    wh_metrics_text_init(&t);
    wh_metrics_text_family(&t, "x_total", "counter", "a \\ b \"q\"\nnext");
    const char *labels[] = {"job", "a\\b\"c\nd", "status", "OK", NULL};
    wh_metrics_text_int(&t, "x_total", labels, 42);
    wh_metrics_text_int(&t, "x_total", NULL, -3);
    wh_metrics_text_num(&t, "y", NULL, 1.5);
    assert_int_equal(t.rc, WH_OK);
    assert_string_equal(t.buf.data, "# HELP x_total a \\\\ b \"q\"\\nnext\n"
                                    "# TYPE x_total counter\n"
                                    "x_total{job=\"a\\\\b\\\"c\\nd\",status=\"OK\"} 42\n"
                                    "x_total -3\n"
                                    "y 1.500000\n");
    wh_metrics_text_cleanup(&t);
}

static void test_counts_by_route_method_status(void **state)
{
    (void)state;
    wh_metrics *m = wh_metrics_new(1000);
    for (int i = 0; i < 3; i++)
        wh_metrics_record_request(m, &loads, "GET", 200, 100);
    wh_metrics_record_request(m, &loads, "GET", 404, 100);
    wh_metrics_record_request(m, &loads, "HEAD", 200, 100);
    wh_metrics_record_request(m, &create, "POST", 201, 100);
    wh_metrics_record_request(m, NULL, "GET", 404, 100);
    wh_metrics_record_request(m, NULL, "BREW", 405, 100);
    wh_metrics_record_request(m, NULL, "get", 405, 100);
    char *s = render(m);
    assert_non_null(strstr(s, "# TYPE wh_http_requests_total counter\n"));
    assert_true(value_of(s, "wh_http_requests_total{route=\"/api/v1/loads/{id}\",method=\"GET\","
                            "status=\"200\"}") == 3);
    assert_true(value_of(s, "wh_http_requests_total{route=\"/api/v1/loads/{id}\",method=\"GET\","
                            "status=\"404\"}") == 1);
    assert_true(value_of(s, "wh_http_requests_total{route=\"/api/v1/loads/{id}\",method=\"HEAD\","
                            "status=\"200\"}") == 1);
    assert_true(value_of(s, "wh_http_requests_total{route=\"/api/v1/loads\",method=\"POST\","
                            "status=\"201\"}") == 1);
    assert_true(value_of(s, "wh_http_requests_total{route=\"unmatched\",method=\"GET\","
                            "status=\"404\"}") == 1);
    /* unknown and lower-case methods are one "other" series */
    assert_true(value_of(s, "wh_http_requests_total{route=\"unmatched\",method=\"other\","
                            "status=\"405\"}") == 2);
    assert_null(strstr(s, "BREW"));
    assert_true(value_of(s, "wh_http_requests_dropped_total") == 0);
    assert_true(value_of(s, "wh_uptime_seconds") == 4.0);
    assert_true(value_of(s, "wh_process_start_time_seconds") == 1.0);
    assert_non_null(strstr(s, "wh_build_info{version=\""));
    free(s);
    wh_metrics_free(m);
}

static void test_histogram_is_cumulative_with_sum_and_count(void **state)
{
    (void)state;
    wh_metrics *m = wh_metrics_new(0);
    /* 1000 us is exactly the first bound: le means "less than or equal" */
    const int64_t us[] = {500, 1000, 1001, 3000, 3000, 20 * 1000 * 1000, -5};
    for (size_t i = 0; i < sizeof us / sizeof us[0]; i++)
        wh_metrics_record_request(m, &loads, "GET", i % 2 ? 500 : 200, us[i]);
    char *s = render(m);
    const char *les[] = {"0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
                         "0.25",  "0.5",    "1",     "2.5",  "5",     "10",   "+Inf"};
    const double want[] = {3, 4, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 7};
    double prev = 0;
    for (size_t i = 0; i < sizeof les / sizeof les[0]; i++) {
        char series[160];
        snprintf(series, sizeof series,
                 "wh_http_request_duration_seconds_bucket{route=\"/api/v1/loads/{id}\","
                 "method=\"GET\",le=\"%s\"}",
                 les[i]);
        double v = value_of(s, series);
        assert_true(v == want[i]);
        assert_true(v >= prev);
        prev = v;
    }
    const char *base = "{route=\"/api/v1/loads/{id}\",method=\"GET\"}";
    char name[160];
    snprintf(name, sizeof name, "wh_http_request_duration_seconds_count%s", base);
    assert_true(value_of(s, name) == 7);
    snprintf(name, sizeof name, "wh_http_request_duration_seconds_sum%s", base);
    assert_true(value_of(s, name) > 20.0085 && value_of(s, name) < 20.0086); /* 20.008501 */
    /* the counters by status add up to _count */
    assert_true(value_of(s, "wh_http_requests_total{route=\"/api/v1/loads/{id}\",method=\"GET\","
                            "status=\"200\"}") +
                    value_of(s, "wh_http_requests_total{route=\"/api/v1/loads/{id}\","
                                "method=\"GET\",status=\"500\"}") ==
                7);
    assert_non_null(strstr(s, "# TYPE wh_http_request_duration_seconds histogram\n"));
    free(s);
    wh_metrics_free(m);
}

static void test_rejections_by_class(void **state)
{
    (void)state;
    wh_metrics *m = wh_metrics_new(0);
    wh_metrics_count_rejection(m, WH_RATE_AUTH);
    wh_metrics_count_rejection(m, WH_RATE_WRITE);
    wh_metrics_count_rejection(m, WH_RATE_WRITE);
    wh_metrics_count_rejection(m, WH_RATE_NONE);
    char *s = render(m);
    assert_true(value_of(s, "wh_ratelimit_rejections_total{class=\"auth\"}") == 1);
    assert_true(value_of(s, "wh_ratelimit_rejections_total{class=\"read\"}") == 0);
    assert_true(value_of(s, "wh_ratelimit_rejections_total{class=\"write\"}") == 2);
    free(s);
    wh_metrics_free(m);
}

/* More series or statuses than the table holds are counted as dropped. */
static void test_limits_drop_and_count(void **state)
{
    (void)state;
    wh_metrics *m = wh_metrics_new(0);
    size_t n = WH_LIMIT_METRICS_SERIES + 3;
    wh_route *routes = calloc(n, sizeof *routes);
    for (size_t i = 0; i < n; i++) {
        routes[i] = loads;
        wh_metrics_record_request(m, &routes[i], "GET", 200, 10);
    }
    for (int status = 200; status < 200 + WH_LIMIT_METRICS_STATUSES + 2; status++)
        wh_metrics_record_request(m, &routes[0], "GET", status, 10);
    wh_metrics_record_request(m, &routes[0], "GET", 0, 10);
    wh_metrics_record_request(m, &loads, "GET", 200, 10);
    char *s = render(m);
    /* 3 routes past the table, 2 statuses past a series' slots, status 0, loads (one more
     * series) */
    assert_true(value_of(s, "wh_http_requests_dropped_total") == 3 + 2 + 1 + 1);
    assert_true(value_of(s, "wh_http_requests_total{route=\"/api/v1/loads/{id}\",method=\"GET\","
                            "status=\"231\"}") == 1);
    free(s);
    free(routes);
    wh_metrics_free(m);
}

static void test_text_cap_sticks(void **state)
{
    (void)state;
    wh_metrics_text t;
    wh_metrics_text_init(&t);
    char *big = malloc(WH_LIMIT_METRICS_BYTES + 1);
    memset(big, 'a', WH_LIMIT_METRICS_BYTES);
    big[WH_LIMIT_METRICS_BYTES] = '\0';
    const char *labels[] = {"v", big, NULL};
    wh_metrics_text_int(&t, "x", labels, 1);
    assert_int_not_equal(t.rc, WH_OK);
    wh_metrics_text_int(&t, "x", NULL, 1);
    assert_int_not_equal(t.rc, WH_OK);
    assert_true(t.buf.len < WH_LIMIT_METRICS_BYTES);
    wh_metrics_text_cleanup(&t);
    free(big);
}

#define THREADS 8
#define PER     20000

static void *hammer(void *arg)
{
    wh_metrics *m = arg;
    for (int i = 0; i < PER; i++)
        wh_metrics_record_request(m, i % 2 ? &loads : &create, i % 2 ? "GET" : "POST",
                                  i % 3 ? 200 : 409, i % 7 * 1000);
    return NULL;
}

static void test_threads_count_exactly(void **state)
{
    (void)state;
    wh_metrics *m = wh_metrics_new(0);
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, hammer, m), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    char *s = render(m);
    double get200 =
        value_of(s, "wh_http_requests_total{route=\"/api/v1/loads/{id}\",method=\"GET\","
                    "status=\"200\"}");
    double get409 =
        value_of(s, "wh_http_requests_total{route=\"/api/v1/loads/{id}\",method=\"GET\","
                    "status=\"409\"}");
    double post = value_of(s, "wh_http_request_duration_seconds_count{route=\"/api/v1/loads\","
                              "method=\"POST\"}");
    assert_true(get200 + get409 == THREADS * PER / 2);
    assert_true(post == THREADS * PER / 2);
    /* odd i with i % 3 == 0: i = 3, 9, 15, ... */
    int per_thread = 0;
    for (int i = 1; i < PER; i += 2)
        per_thread += i % 3 == 0;
    assert_true(get409 == THREADS * per_thread);
    assert_true(value_of(s, "wh_http_requests_dropped_total") == 0);
    free(s);
    wh_metrics_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_label_values_and_help_are_escaped),
        cmocka_unit_test(test_counts_by_route_method_status),
        cmocka_unit_test(test_histogram_is_cumulative_with_sum_and_count),
        cmocka_unit_test(test_rejections_by_class),
        cmocka_unit_test(test_limits_drop_and_count),
        cmocka_unit_test(test_text_cap_sticks),
        cmocka_unit_test(test_threads_count_exactly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
