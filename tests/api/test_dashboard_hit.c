/*
 * A cached dashboard hit runs no SQL (issue 12, docs/cache.md): the session, the scope check
 * and the venture's data version come from the process's memory, and the body is stored gzip-
 * compressed beside the plain one. Each request is counted with a fault plan that never fires
 * (X-Wh-Fault-Calls: the statements it sent). Every change to what a hit depends on is seen by
 * the next read on every instance: a write (the data version), a membership removed (the scope),
 * on PostgreSQL with a second server on the same database (notifications at commit), on SQLite
 * with a second server on the same file and a write by another process (the WAL-index stamp).
 * A dropped listening connection reads through. Without the memos the hits cost 2 statements
 * (scope, version); without their invalidation the checks after each change fail.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "harness.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static bool pg(void)
{
    return strcmp(wht_engine(), "postgres") == 0;
}

/* GET /dashboard on s, counted; extra: one more header line or NULL. */
static wht_resp *dash(const wht_server *s, const char *token, long long v, const char *extra)
{
    const char *headers[] = {"X-Wh-Fault: db=1000000", extra, NULL};
    wht_request q = {.method = "GET",
                     .path = wht_fmt(WHT_API "/dashboard?venture_id=%lld", v),
                     .token = token,
                     .headers = headers,
                     .server = s};
    return wht_do(&q);
}

static long db_calls(const wht_resp *r)
{
    const char *h = wht_header(r, "X-Wh-Fault-Calls");
    assert_non_null(h);
    assert_true(strncmp(h, "db=", 3) == 0);
    return strtol(h + 3, NULL, 10);
}

static bool is_hit(const wht_resp *r)
{
    const char *x = wht_header(r, "X-Cache");
    return r->status == 200 && x && strcmp(x, "hit") == 0 && db_calls(r) == 0;
}

/* Asks until s answers v's dashboard as a hit without a statement (a notification not yet
 * applied, or the first reads of a fresh memo, read through); returns that answer. */
static wht_resp *warm(const wht_server *s, const char *token, long long v)
{
    for (int i = 0; i < 100; i++) {
        wht_resp *r = dash(s, token, v, NULL);
        WHT_EXPECT(r, 200);
        if (is_hit(r))
            return r;
        wht_sleep_ms(20);
    }
    fail_msg("the dashboard was never served without a statement");
    return NULL;
}

static long long inbound(const wht_resp *r)
{
    return wht_int(json_object_get(r->json, "today"), "loads_inbound");
}

static void new_load(const wht_server *on, const char *token, long long v)
{
    json_t *body = wht_json("{s:I, s:s, s:s, s:s, s:s, s:I}", "venture_id", (json_int_t)v,
                            "pickup_city", "Columbus", "pickup_state", "OH", "drop_city", "Atlanta",
                            "drop_state", "GA", "bill_cents", (json_int_t)5000);
    WHT_EXPECT(wht_send_on(on, "POST", token, "/loads", body), 201);
}

static const char *login_on(const wht_server *s, const wht_user *u)
{
    wht_resp *r = wht_send_on(s, "POST", NULL, "/auth/login",
                              wht_json("{s:s, s:s}", "email", u->email, "password", u->password));
    WHT_EXPECT(r, 200);
    return wht_str(r->json, "token");
}

static int log_count(const wht_server *s, const char *needle)
{
    int n = 0;
    for (const char *p = wht_server_log(s); (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

static void wait_log_count(const wht_server *s, const char *needle, int n)
{
    for (int i = 0; i < 600 && log_count(s, needle) < n; i++)
        wht_sleep_ms(50);
    assert_true(log_count(s, needle) >= n);
}

/* A venture with a member of it (an EMPLOYEE, so the scope check asks venture_users). */
static long long venture_with(wht_user *member)
{
    long long v = wht_venture_new("LOGISTICS").id;
    *member = wht_user_add("EMPLOYEE");
    wht_set_ventures(member->id, 1, &v);
    return v;
}

/* The gzip bytes of a response, inflated. */
static const char *gunzip(const wht_resp *r)
{
    static char out[1 << 20];
    z_stream zs = {0};
    assert_int_equal(inflateInit2(&zs, 15 + 16), Z_OK);
    zs.next_in = (Bytef *)r->body;
    zs.avail_in = (uInt)r->body_len;
    zs.next_out = (Bytef *)out;
    zs.avail_out = sizeof out - 1;
    assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
    out[zs.total_out] = '\0';
    inflateEnd(&zs);
    return out;
}

/* Manual KPI figures of the last 11 days near their maximum and a load of today billed at the
 * cap, delivered: the dashboard body passes 1 KiB, so it is compressed for a client that accepts
 * gzip. Made before the venture's dashboard is first read (the load's delivery is written
 * directly, without the server's barrier). */
static void big_figures(const char *token, long long v)
{
    for (int day = 1; day <= 11; day++) {
        json_t *body =
            json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "loads_inbound", 99999999999LL,
                      "loads_quoted", 99999999999LL, "loads_covered", 99999999999LL, "loads_lost",
                      99999999999LL, "revenue_cents", 99999999999LL, "cost_cents", 33333333333LL);
        WHT_EXPECT(
            wht_put(wht_admin_token(), wht_fmt("/kpi/freight/%lld/%s", v, wht_utc_day(-day)), body),
            201);
    }
    json_t *load =
        wht_json("{s:I, s:s, s:s, s:s, s:s, s:I, s:I}", "venture_id", (json_int_t)v, "pickup_city",
                 "Columbus", "pickup_state", "OH", "drop_city", "Atlanta", "drop_state", "GA",
                 "bill_cents", 10000000000000LL, "cost_cents", 1000000000000LL);
    WHT_EXPECT(wht_post(token, "/loads", load), 201);
    wht_sql(wht_fmt("UPDATE loads SET status = 'DELIVERED', billing_date = '%s' WHERE"
                    " venture_id = %lld",
                    wht_utc_day(0), v));
}

static void test_hits_run_no_statement(void **state)
{
    (void)state;
    wht_user u;
    long long v = venture_with(&u);
    const char *token = login_on(NULL, &u);
    big_figures(token, v);
    wht_resp *first = warm(NULL, token, v);
    for (int i = 0; i < 20; i++) {
        wht_resp *r = dash(NULL, token, v, NULL);
        assert_true(is_hit(r));
        assert_string_equal(r->body, first->body);
        assert_string_equal(wht_header(r, "ETag"), wht_header(first, "ETag"));
    }
    assert_true(first->body_len > 1024);
    /* an all-venture caller's hit is as cheap */
    warm(NULL, wht_admin_token(), v);
    /* the stored gzip body: what the client asked for, unchanged ETag, Vary on every answer */
    wht_resp *gz = dash(NULL, token, v, "Accept-Encoding: gzip");
    assert_true(is_hit(gz));
    assert_string_equal(wht_header(gz, "Content-Encoding"), "gzip");
    assert_string_equal(wht_header(gz, "Vary"), "Accept-Encoding");
    assert_string_equal(wht_header(first, "Vary"), "Accept-Encoding");
    assert_null(wht_header(first, "Content-Encoding"));
    assert_string_equal(wht_header(gz, "ETag"), wht_header(first, "ETag"));
    assert_string_equal(gunzip(gz), first->body);
    wht_resp *plain = dash(NULL, token, v, "Accept-Encoding: gzip;q=0");
    assert_true(is_hit(plain));
    assert_null(wht_header(plain, "Content-Encoding"));
    assert_string_equal(plain->body, first->body);
    wht_resp *nm = dash(NULL, token, v, wht_fmt("If-None-Match: %s", wht_header(first, "ETag")));
    WHT_EXPECT(nm, 304);
    assert_int_equal(db_calls(nm), 0);
    assert_int_equal(nm->body_len, 0);
    /* the statement counter is exposed */
    wht_request metrics = {.method = "GET", .path = "/metrics"};
    wht_resp *m = wht_do(&metrics);
    assert_non_null(strstr(m->body, "\nwh_db_statements_total "));
}

/* Another server on the same database: a PostgreSQL instance, or on SQLite a second process on
 * the same file (whose commits send no note). */
static wht_server *instance_b(void)
{
    wht_server *b = wht_server_start(NULL);
    wait_log_count(b, "session cache: on", 1);
    return b;
}

static void test_a_write_on_a_is_seen_by_the_next_read_on_b(void **state)
{
    (void)state;
    wht_server *b = instance_b();
    wht_user u;
    long long v = venture_with(&u);
    const char *token = login_on(b, &u);
    for (int round = 1; round <= 3; round++) {
        assert_int_equal(inbound(warm(b, token, v)), round - 1);
        new_load(NULL, token, v); /* on the main server */
        wht_resp *r = dash(b, token, v, NULL);
        WHT_EXPECT(r, 200);
        assert_int_equal(inbound(r), round);
    }
    /* and the other way round */
    warm(NULL, token, v);
    new_load(b, token, v);
    assert_int_equal(inbound(dash(NULL, token, v, NULL)), 4);
    wht_server_stop(b);
}

static void test_a_membership_removed_on_a_is_refused_on_b(void **state)
{
    (void)state;
    wht_server *b = instance_b();
    wht_user u;
    long long v = venture_with(&u);
    const char *token = login_on(b, &u);
    warm(b, token, v);
    wht_set_ventures(u.id, 0, NULL); /* on the main server */
    WHT_PROBLEM(dash(b, token, v, NULL), 403, "forbidden", NULL);
    wht_set_ventures(u.id, 1, &v);
    WHT_EXPECT(dash(b, token, v, NULL), 200);
    /* the same on the server that wrote */
    warm(NULL, token, v);
    wht_set_ventures(u.id, 0, NULL);
    WHT_PROBLEM(dash(NULL, token, v, NULL), 403, "forbidden", NULL);
    wht_server_stop(b);
}

/* SQLite: a write by another process (here the test's own connection to the file) is seen by
 * the next read, through the WAL-index stamp. On PostgreSQL the same write notifies through the
 * trigger, but without the writer's barrier (a statement outside the server), so it is awaited. */
static void test_a_write_by_another_process_is_seen(void **state)
{
    (void)state;
    wht_user u;
    long long v = venture_with(&u);
    const char *token = login_on(NULL, &u);
    new_load(NULL, token, v);
    assert_int_equal(inbound(warm(NULL, token, v)), 1);
    wht_sql(wht_fmt("DELETE FROM load_status_changes WHERE load_id IN (SELECT id FROM loads"
                    " WHERE venture_id = %lld)",
                    v));
    wht_sql(wht_fmt("DELETE FROM loads WHERE venture_id = %lld", v));
    long long seen = -1;
    for (int i = 0; i < (pg() ? 250 : 1) && seen != 0; i++) {
        seen = inbound(dash(NULL, token, v, NULL));
        if (seen != 0)
            wht_sleep_ms(20);
    }
    assert_int_equal(seen, 0);
}

/* PostgreSQL only: B is paused while every listening connection is killed and a load is
 * written on A, so B misses the note; on waking B must read through, then listen and hit again. */
static void test_a_dropped_listener_reads_through_then_recovers(void **state)
{
    (void)state;
    if (!pg())
        return;
    wht_server *b = instance_b();
    wht_user u;
    long long v = venture_with(&u);
    const char *token = login_on(b, &u);
    assert_int_equal(inbound(warm(b, token, v)), 0);
    wht_server_signal(b, SIGSTOP);
    long long killed =
        wht_sql("SELECT COUNT(*) FROM (SELECT pid FROM pg_stat_activity WHERE"
                " datname = current_database() AND application_name ="
                " 'wh_listener' OFFSET 0) l WHERE pg_terminate_backend(l.pid, 5000)");
    assert_true(killed >= 2);
    new_load(NULL, token, v);
    wht_server_signal(b, SIGCONT);
    assert_int_equal(inbound(dash(b, token, v, NULL)), 1);
    wait_log_count(b, "session cache: off", 1);
    wait_log_count(b, "session cache: on", 2);
    wait_log_count(NULL, "session cache: on", 2);
    assert_int_equal(inbound(warm(b, token, v)), 1);
    new_load(NULL, token, v);
    assert_int_equal(inbound(dash(b, token, v, NULL)), 2);
    wht_server_stop(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        WHT_TEST(test_hits_run_no_statement),
        WHT_TEST(test_a_write_on_a_is_seen_by_the_next_read_on_b),
        WHT_TEST(test_a_membership_removed_on_a_is_refused_on_b),
        WHT_TEST(test_a_write_by_another_process_is_seen),
        WHT_TEST(test_a_dropped_listener_reads_through_then_recovers),
    };
    const char *env[] = {"WH_FAULT_INJECTION=1", "WH_JOBS=off", "WH_TIMEZONE=UTC", NULL};
    wht_init_env(env);
    return wht_finish(cmocka_run_group_tests_name("api_dashboard_hit", tests, NULL, NULL));
}
