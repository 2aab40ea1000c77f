/* The buffered log output of serve (core/log.c): an info line waits in the buffer until the flush
 * interval, a warn or error line (and everything before it, in order) is written at once,
 * wh_log_buffer_stop writes what waits, and lines logged from many threads at once come out
 * whole, every one of them, in each thread's order. stderr is redirected to a file to read. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/clock.h"
#include "core/json.h"
#include "core/limits.h"
#include "core/log.h"

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char path[] = "/tmp/wh-test-log-XXXXXX";

/* What was written to stderr so far (malloc'd). */
static char *written(void)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[4 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strdup(buf);
}

static bool has(const char *needle)
{
    char *w = written();
    bool yes = strstr(w, needle) != NULL;
    free(w);
    return yes;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void test_unbuffered_lines_are_written_at_once(void **state)
{
    (void)state;
    wh_log(WH_LOG_INFO, "plain-one");
    assert_true(has("plain-one"));
}

static void test_info_waits_error_writes_everything_in_order(void **state)
{
    (void)state;
    wh_log_buffer_start(60000);
    wh_log(WH_LOG_INFO, "buffered-two");
    assert_false(has("buffered-two"));
    wh_log(WH_LOG_ERROR, "error-three");
    char *w = written();
    const char *two = strstr(w, "buffered-two"), *three = strstr(w, "error-three");
    assert_non_null(two);
    assert_non_null(three);
    assert_true(two < three);
    free(w);
    wh_log(WH_LOG_INFO, "buffered-four");
    assert_false(has("buffered-four"));
    wh_log_buffer_stop(); /* a clean exit loses nothing */
    assert_true(has("buffered-four"));
    wh_log(WH_LOG_INFO, "plain-five"); /* unbuffered again */
    assert_true(has("plain-five"));
}

static void test_the_interval_flushes(void **state)
{
    (void)state;
    wh_log_buffer_start(50);
    wh_log(WH_LOG_INFO, "interval-six");
    bool seen = false;
    for (int i = 0; i < 250 && !(seen = has("interval-six")); i++)
        sleep_ms(20);
    assert_true(seen);
    wh_log_buffer_stop();
}

enum { THREADS = 8, LINES = 2000 };

static void *writer(void *arg)
{
    long t = (long)(intptr_t)arg;
    for (int i = 0; i < LINES; i++)
        wh_log(WH_LOG_INFO, "thread %ld line %d %s", t, i, "padding-padding-padding-padding");
    return NULL;
}

static void test_threads_lines_stay_whole_and_all_arrive(void **state)
{
    (void)state;
    pthread_t th[THREADS];
    int next[THREADS] = {0};
    wh_log_buffer_start(1000);
    for (long t = 0; t < THREADS; t++)
        assert_int_equal(pthread_create(&th[t], NULL, writer, (void *)(intptr_t)t), 0);
    for (int t = 0; t < THREADS; t++)
        pthread_join(th[t], NULL);
    wh_log_buffer_stop();
    int total = 0;
    char *w = written();
    for (char *p = w, *nl; *p; p = nl + 1) {
        nl = strchr(p, '\n');
        assert_non_null(nl); /* every line ends */
        json_error_t err;
        json_t *j = json_loadb(p, (size_t)(nl - p), 0, &err);
        assert_non_null(j); /* and is whole */
        const char *msg = json_string_value(json_object_get(j, "msg"));
        if (msg && strncmp(msg, "thread ", 7) == 0) {
            char *end = NULL;
            long t = strtol(msg + 7, &end, 10);
            assert_true(t >= 0 && t < THREADS && strncmp(end, " line ", 6) == 0);
            long i = strtol(end + 6, NULL, 10);
            assert_int_equal(i, next[t]); /* each thread's lines in order */
            next[t]++;
            total++;
        }
        json_decref(j);
    }
    free(w);
    assert_int_equal(total, THREADS * LINES);
}

static int setup(void **state)
{
    (void)state;
    int fd = mkstemp(path);
    if (fd < 0 || dup2(fd, STDERR_FILENO) < 0)
        return -1;
    close(fd);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    return 0;
}

/* The access line written as text is byte for byte the line the JSON object made before it
 * (wh_log_json's fields in the same order, the same cleaning), for plain and hostile paths. */
static char *reference_line(int64_t now_ms, const wh_log_access_line *l)
{
    char ts[32];
    wh_clock_render_ms(now_ms, ts, sizeof ts);
    json_t *line = json_pack("{s:s, s:s, s:s}", "ts", ts, "level", "info", "msg", "request");
    json_t *f = json_pack("{s:o, s:o, s:s, s:i, s:I, s:s}", "method",
                          wh_json_text(l->method, WH_LIMIT_ECHO_BYTES, WH_UTF8_ESCAPE), "path",
                          wh_json_text(l->path, WH_LIMIT_ECHO_BYTES, WH_UTF8_ESCAPE), "route",
                          l->route, "status", l->status, "duration_ms", (json_int_t)l->duration_ms,
                          "request_id", l->request_id);
    if (l->has_user)
        json_object_set_new(f, "user_id", json_integer(l->user_id));
    json_object_update(line, f);
    char *text = json_dumps(line, JSON_COMPACT);
    json_decref(f);
    json_decref(line);
    return text;
}

static void test_access_line_is_the_json_objects_text(void **state)
{
    (void)state;
    static char long_path[3000];
    memset(long_path, 'a', sizeof long_path - 1);
    memcpy(long_path, "/\xC3\xA9\"", 4);
    long_path[1500] = '\x80';
    static const char *const paths[] = {"/api/v1/loads",
                                        "/api/v1/loads/\"quoted\"\\back",
                                        "/bad/\xFF\xFE/%41\t\x01",
                                        "/caf\xC3\xA9/\xE2\x82\xAC",
                                        long_path,
                                        ""};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        wh_log_access_line l = {.method = i % 2 ? "GET" : "P\xFFST",
                                .path = paths[i],
                                .route = i % 3 ? "/api/v1/loads/{id}" : "-",
                                .request_id = "0123456789abcdef0123456789abcdef",
                                .status = 200 + (int)i,
                                .duration_ms = (int64_t)i * 1000003,
                                .has_user = i % 2 == 0,
                                .user_id = -7 + (int64_t)i * 100000000000LL};
        int64_t now = 1764720000123LL + (int64_t)i;
        wh_buf b;
        wh_buf_init(&b, 1 << 20);
        assert_int_equal(wh_log_access_render(&b, now, WH_LOG_INFO, &l), WH_OK);
        char *want = reference_line(now, &l);
        assert_non_null(want);
        assert_string_equal(b.data, want);
        free(want);
        wh_buf_cleanup(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unbuffered_lines_are_written_at_once),
        cmocka_unit_test(test_info_waits_error_writes_everything_in_order),
        cmocka_unit_test(test_the_interval_flushes),
        cmocka_unit_test(test_threads_lines_stay_whole_and_all_arrive),
        cmocka_unit_test(test_access_line_is_the_json_objects_text),
    };
    return cmocka_run_group_tests_name("core_log", tests, setup, teardown);
}
