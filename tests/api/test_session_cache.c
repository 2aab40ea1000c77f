/* The session cache (docs/architecture.md, Identity and access): a cached session costs no
 * query, and every change that ends a session or changes its user takes effect at the next
 * request on every instance. On PostgreSQL, A and B are two instances on one database; on
 * SQLite (one serving process by design) B is the main server too, so the same checks prove the
 * in-process invalidation at commit. Without the notifications these fail: B keeps serving the
 * session it cached before the change (its second GET /me made no session query). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "harness.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

static bool pg(void)
{
    return strcmp(wht_engine(), "postgres") == 0;
}

/* GET /me on s with a fault plan that never fires, so the answer counts its db calls. */
static wht_resp *me(const wht_server *s, const char *token)
{
    const char *headers[] = {"X-Wh-Fault: db=1000000", NULL};
    wht_request q = {
        .method = "GET", .path = WHT_API "/me", .token = token, .headers = headers, .server = s};
    return wht_do(&q);
}

static long db_calls(const wht_resp *r)
{
    const char *h = wht_header(r, "X-Wh-Fault-Calls");
    assert_non_null(h);
    assert_true(strncmp(h, "db=", 3) == 0);
    return strtol(h + 3, NULL, 10);
}

static int log_count(const wht_server *s, const char *needle)
{
    int n = 0;
    for (const char *p = wht_server_log(s); (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

/* Waits (up to 30 s) until s has logged needle at least n times. */
static void wait_log_count(const wht_server *s, const char *needle, int n)
{
    for (int i = 0; i < 600 && log_count(s, needle) < n; i++)
        wht_sleep_ms(50);
    assert_true(log_count(s, needle) >= n);
}

/* Signs u in on s; returns the token (harness-owned). */
static const char *login_on(const wht_server *s, const wht_user *u)
{
    wht_resp *r = wht_send_on(s, "POST", NULL, "/auth/login",
                              wht_json("{s:s, s:s}", "email", u->email, "password", u->password));
    WHT_EXPECT(r, 200);
    return wht_str(r->json, "token");
}

/* GET /me's own queries (the caller's ventures and offices): all a cached session costs. */
#define ME_HIT_CALLS 2

/* Makes s cache token's session, and proves it did: a GET /me made no session query. A
 * notification not yet applied (another test's, or the writer's echo) makes a request read
 * through, so this asks a few times. */
static void warm(const wht_server *s, const char *token)
{
    for (int i = 0; i < 50; i++) {
        wht_resp *r = me(s, token);
        WHT_EXPECT(r, 200);
        if (db_calls(r) == ME_HIT_CALLS)
            return;
        wht_sleep_ms(20);
    }
    fail_msg("the session was never served from the cache");
}

/* The other instance: a second server on PostgreSQL (listening), the main one on SQLite. */
static wht_server *instance_b(void)
{
    wht_server *b = pg() ? wht_server_start(NULL) : NULL;
    wait_log_count(b, "session cache: on", 1);
    wait_log_count(NULL, "session cache: on", 1);
    return b;
}

static void test_a_cached_session_makes_no_session_query(void **state)
{
    (void)state;
    wait_log_count(NULL, "session cache: on", 1);
    wht_user u = wht_user_add("EMPLOYEE");
    const char *token = login_on(NULL, &u);
    wht_resp *miss = me(NULL, token), *hit = me(NULL, token);
    WHT_EXPECT(miss, 200);
    assert_int_equal(db_calls(miss), ME_HIT_CALLS + 1); /* the session query */
    assert_int_equal(db_calls(hit), ME_HIT_CALLS);
    WHT_EXPECT(hit, 200);
    assert_string_equal(wht_str(json_object_get(hit->json, "user"), "email"), u.email);
}

static void test_logout_on_a_ends_the_session_on_b(void **state)
{
    (void)state;
    wht_server *b = instance_b();
    wht_user u = wht_user_add("EMPLOYEE");
    const char *token = login_on(NULL, &u), *other = login_on(b, &u);
    warm(b, token);
    warm(b, other);
    WHT_EXPECT(wht_post(token, "/auth/logout", NULL), 204);
    WHT_PROBLEM(me(b, token), 401, "unauthenticated", NULL);
    WHT_EXPECT(me(b, other), 200); /* only that session ended */
    wht_server_stop(b);
}

static void test_user_changes_on_a_take_effect_on_b(void **state)
{
    (void)state;
    wht_server *b = instance_b();
    wht_user u = wht_user_add("EMPLOYEE");
    const char *path = wht_fmt("/users/%lld", u.id);
    const char *token = login_on(b, &u);
    warm(b, token);
    /* a new name keeps the session: B answers with the new name at once */
    WHT_EXPECT(wht_patch(wht_admin_token(), path, wht_json("{s:s}", "full_name", "Renamed")), 200);
    wht_resp *r = me(b, token);
    WHT_EXPECT(r, 200);
    assert_string_equal(wht_str(json_object_get(r->json, "user"), "full_name"), "Renamed");
    /* a role change ends the sessions */
    warm(b, token);
    WHT_EXPECT(wht_patch(wht_admin_token(), path, wht_json("{s:s}", "role", "DISPATCHER")), 200);
    WHT_PROBLEM(me(b, token), 401, "unauthenticated", NULL);
    /* and so does deactivation */
    token = login_on(b, &u);
    warm(b, token);
    assert_string_equal(wht_str(json_object_get(me(b, token)->json, "user"), "role"), "DISPATCHER");
    WHT_EXPECT(wht_patch(wht_admin_token(), path, wht_json("{s:b}", "active", 0)), 200);
    WHT_PROBLEM(me(b, token), 401, "unauthenticated", NULL);
    wht_server_stop(b);
}

static void test_password_change_on_a_ends_the_other_sessions_on_b(void **state)
{
    (void)state;
    wht_server *b = instance_b();
    wht_user u = wht_user_add("EMPLOYEE");
    const char *mine = login_on(NULL, &u), *other = login_on(b, &u);
    warm(b, mine);
    warm(b, other);
    WHT_EXPECT(wht_put(mine, "/me/password",
                       wht_json("{s:s, s:s}", "current_password", u.password, "new_password",
                                "another long password 1")),
               204);
    WHT_PROBLEM(me(b, other), 401, "unauthenticated", NULL);
    WHT_EXPECT(me(b, mine), 200); /* the session that changed it stays */
    wht_server_stop(b);
}

static bool lists_venture(const wht_server *s, const char *token, long long venture_id)
{
    wht_resp *r = wht_send_on(s, "GET", token, "/ventures", NULL);
    WHT_EXPECT(r, 200);
    return wht_find_by_id(wht_items(r), venture_id) != NULL;
}

static void test_membership_change_on_a_takes_effect_on_b(void **state)
{
    (void)state;
    wht_server *b = instance_b();
    long long v = wht_venture_new("LOGISTICS").id;
    wht_user u = wht_user_add("EMPLOYEE");
    wht_set_ventures(u.id, 1, &v);
    const char *token = login_on(b, &u);
    warm(b, token);
    assert_true(lists_venture(b, token, v));
    wht_set_ventures(u.id, 0, NULL);
    assert_false(lists_venture(b, token, v));
    wht_set_ventures(u.id, 1, &v);
    assert_true(lists_venture(b, token, v));
    wht_server_stop(b);
}

/* PostgreSQL only (SQLite has no listening connection: its one process hears its own commits).
 * B is paused while its listening connection is killed and a session ends on A, so the
 * notification is lost for B: on waking, B must not answer from what it cached, then it must
 * listen again and cache again. */
static void test_a_dropped_listener_reads_through_then_recovers(void **state)
{
    (void)state;
    if (!pg())
        return;
    wht_server *b = instance_b();
    wht_user u = wht_user_add("EMPLOYEE");
    const char *token = login_on(NULL, &u);
    warm(b, token);
    wht_server_signal(b, SIGSTOP);
    /* each waits (up to 5 s) until its backend is gone: the socket is closed by then */
    long long killed =
        wht_sql("SELECT COUNT(*) FROM (SELECT pid FROM pg_stat_activity WHERE"
                " datname = current_database() AND application_name ="
                " 'wh_listener' OFFSET 0) l WHERE pg_terminate_backend(l.pid, 5000)");
    assert_true(killed >= 2); /* the main server's and B's */
    WHT_EXPECT(wht_post(token, "/auth/logout", NULL), 204);
    wht_server_signal(b, SIGCONT);
    WHT_PROBLEM(me(b, token), 401, "unauthenticated", NULL);
    /* B noticed, dropped its cache and listens again (the main server too) */
    wait_log_count(b, "session cache: off", 1);
    wait_log_count(b, "session cache: on", 2);
    wait_log_count(NULL, "session cache: on", 2);
    token = login_on(NULL, &u);
    warm(b, token);
    WHT_EXPECT(wht_post(token, "/auth/logout", NULL), 204);
    WHT_PROBLEM(me(b, token), 401, "unauthenticated", NULL);
    wht_server_stop(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        WHT_TEST(test_a_cached_session_makes_no_session_query),
        WHT_TEST(test_logout_on_a_ends_the_session_on_b),
        WHT_TEST(test_user_changes_on_a_take_effect_on_b),
        WHT_TEST(test_password_change_on_a_ends_the_other_sessions_on_b),
        WHT_TEST(test_membership_change_on_a_takes_effect_on_b),
        WHT_TEST(test_a_dropped_listener_reads_through_then_recovers),
    };
    const char *env[] = {"WH_FAULT_INJECTION=1", NULL};
    wht_init_env(env);
    return wht_finish(cmocka_run_group_tests_name("api_session_cache", tests, NULL, NULL));
}
