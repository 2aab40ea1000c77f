/* Read replicas (docs/architecture.md "Read replicas") on a real streaming replica: scripts/test
 * starts one beside the throwaway primary (scripts/pg-throwaway replica) and names it in
 * WH_TEST_PG_REPLICA_URL (its superuser URL) and WH_TEST_PG_REPLICA_DIR (to stop and restart
 * it). Server B runs with WH_DATABASE_REPLICA_URLS naming it; where each read went is read from
 * B's /metrics (wh_db_reads_total, wh_db_replica_up). Replay is paused with
 * pg_wal_replay_pause() to make the replica lag on purpose: then a session that writes must still
 * read its write at once (from the primary), another session reads the replica's older state,
 * and once the lag passes WH_REPLICA_MAX_LAG_MS every read goes to the primary until replay
 * resumes. A stopped replica costs no request. On SQLite, replicas are refused at start. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "harness.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LAG_MS 3000

static wht_server *b;
static char writer[512], reader[512]; /* two admin sessions' tokens */

static bool pg(void)
{
    return strcmp(wht_engine(), "postgres") == 0;
}

/* One statement on the replica as its superuser (pause, resume, state). */
static const char *replica_sql(const char *sql)
{
    PGconn *c = PQconnectdb(getenv("WH_TEST_PG_REPLICA_URL"));
    PGresult *res = PQstatus(c) == CONNECTION_OK ? PQexec(c, sql) : NULL;
    const char *out = NULL;
    if (res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
        out = wht_fmt("%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    PQfinish(c);
    if (!out)
        WHT_FAIL("on the replica: %s failed", sql);
    return out;
}

static void pause_replay(void)
{
    replica_sql("SELECT pg_wal_replay_pause()");
    for (int i = 0; i < 200; i++) {
        if (strcmp(replica_sql("SELECT pg_get_wal_replay_pause_state()"), "paused") == 0)
            return;
        wht_sleep_ms(20);
    }
    WHT_FAIL("the replica never paused its replay");
}

static void resume_replay(void)
{
    replica_sql("SELECT pg_wal_replay_resume()");
}

/* The value of one line of B's /metrics ("name{labels}"), or the sum of every series of name
 * whose labels do not contain skip. */
static long long metric(const char *series, const char *skip)
{
    wht_request q = {.method = "GET", .path = "/metrics", .server = b};
    wht_resp *r = wht_do(&q);
    WHT_EXPECT(r, 200);
    long long sum = 0;
    size_t n = strlen(series);
    for (const char *p = r->body; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        const char *sp = strchr(p, ' ');
        const char *nl = strchr(p, '\n');
        if (!sp || (nl && sp > nl) || strncmp(p, series, n) != 0)
            continue;
        if (skip && strstr(p, skip) && strstr(p, skip) < sp)
            continue;
        sum += (long long)strtod(sp + 1, NULL);
    }
    return sum;
}

static long long to_primary(void)
{
    return metric("wh_db_reads_total{to=\"primary\"}", NULL);
}

static long long to_replica(void)
{
    return metric("wh_db_reads_total{", "\"primary\"");
}

/* Waits up to 10 s for B to see the replica up (or down). */
static void wait_replica(bool up)
{
    for (int i = 0; i < 500; i++) {
        if (metric("wh_db_replica_up{", NULL) == (up ? 1 : 0))
            return;
        wht_sleep_ms(20);
    }
    WHT_FAIL("B never saw the replica %s", up ? "up" : "down");
}

/* A GET on B as token until it is served from the session cache (no primary connection held
 * for the session), so its reads are routed like any other. */
static void warm(const char *token)
{
    for (int i = 0; i < 3; i++)
        WHT_EXPECT(wht_send_on(b, "GET", token, "/me", NULL), 200);
}

/* Five venture lists as the reader, which writes nothing: all five read the replica. */
static void reads_on_the_replica(void)
{
    long long before = to_replica();
    for (int i = 0; i < 5; i++)
        WHT_EXPECT(wht_send_on(b, "GET", reader, "/ventures", NULL), 200);
    assert_true(to_replica() >= before + 5);
}

static long long new_venture_on_b(void)
{
    json_t *body = wht_json("{s:s, s:s, s:s}", "name", wht_unique("Replica "), "code",
                            wht_unique_code(), "type", "LOGISTICS");
    wht_resp *r = wht_send_on(b, "POST", writer, "/ventures", body);
    WHT_EXPECT(r, 201);
    return wht_int(r->json, "id");
}

static void test_reads_go_to_the_replica(void **state)
{
    (void)state;
    wait_replica(true);
    warm(reader);
    reads_on_the_replica();
}

/* Replay paused, the replica holds nothing newer, yet lags less than the limit (it still takes
 * reads): the writer reads its new venture at once, from the primary, while the other session,
 * which wrote nothing, reads the replica, which does not have it yet. After resume it does. */
static void test_a_session_reads_its_own_writes(void **state)
{
    (void)state;
    wait_replica(true);
    warm(writer);
    warm(reader);
    pause_replay();
    for (int i = 0; i < 2; i++) {
        long long id = new_venture_on_b(), replica = to_replica();
        WHT_EXPECT(wht_send_on(b, "GET", writer, wht_fmt("/ventures/%lld", id), NULL), 200);
        assert_int_equal(to_replica(), replica); /* the writer read the primary */
        WHT_PROBLEM(wht_send_on(b, "GET", reader, wht_fmt("/ventures/%lld", id), NULL), 404,
                    "not_found", NULL);
        assert_int_equal(to_replica(), replica + 1);
    }
    resume_replay();
    long long id = new_venture_on_b();
    for (int i = 0; i < 250; i++) {
        if (wht_send_on(b, "GET", reader, wht_fmt("/ventures/%lld", id), NULL)->status == 200)
            return;
        wht_sleep_ms(20);
    }
    WHT_FAIL("the replica never showed the venture after replay resumed");
}

/* Replay paused while the primary moves on: past WH_REPLICA_MAX_LAG_MS the replica is skipped
 * and every read goes to the primary; after resume it takes reads again. */
static void test_a_lagging_replica_is_skipped_until_it_catches_up(void **state)
{
    (void)state;
    wait_replica(true);
    warm(reader);
    pause_replay();
    (void)new_venture_on_b(); /* the primary moves past what the replica has */
    wait_replica(false);
    long long primary = to_primary(), replica = to_replica();
    for (int i = 0; i < 5; i++)
        WHT_EXPECT(wht_send_on(b, "GET", reader, "/ventures", NULL), 200);
    assert_int_equal(to_primary(), primary + 5);
    assert_int_equal(to_replica(), replica);
    resume_replay();
    wait_replica(true);
    reads_on_the_replica();
}

static void replica_ctl(const char *verb)
{
    const char *dir = getenv("WH_TEST_PG_REPLICA_DIR");
    const char *cmd = wht_fmt("%s/scripts/pg-throwaway %s '%s'", WH_SOURCE_DIR, verb, dir);
    if (system(cmd) != 0)
        WHT_FAIL("%s failed", cmd);
}

/* The replica stops under B's pooled connections: every read still answers (the failed ones run
 * again on the primary); once it is back, reads return to it. */
static void test_a_stopped_replica_fails_no_request(void **state)
{
    (void)state;
    wait_replica(true);
    warm(reader);
    for (int i = 0; i < 4; i++) /* B's pool holds replica connections */
        WHT_EXPECT(wht_send_on(b, "GET", reader, "/ventures", NULL), 200);
    replica_ctl("stop");
    for (int i = 0; i < 20; i++) {
        WHT_EXPECT(wht_send_on(b, "GET", reader, "/ventures", NULL), 200);
        WHT_EXPECT(wht_send_on(b, "GET", writer, "/me", NULL), 200);
        wht_sleep_ms(25);
    }
    wait_replica(false);
    long long id = new_venture_on_b();
    WHT_EXPECT(wht_send_on(b, "GET", reader, wht_fmt("/ventures/%lld", id), NULL), 200);
    wht_request ready = {.method = "GET", .path = "/readyz", .server = b};
    WHT_EXPECT(wht_do(&ready), 200);
    replica_ctl("restart");
    wait_replica(true);
    reads_on_the_replica();
}

/* Whatever a test left: replay resumed and the replica running. */
static int restore(void **state)
{
    if (pg()) {
        replica_ctl("restart"); /* nothing when it runs */
        resume_replay();
    }
    return wht_test_teardown(state);
}

static void test_sqlite_refuses_replicas(void **state)
{
    (void)state;
    const char *args[] = {"migrate", NULL};
    const char *env[] = {"WH_DATABASE_REPLICA_URLS=postgres://nobody@127.0.0.1:1/none", NULL};
    const char *out = NULL;
    assert_int_not_equal(wht_cli(args, env, &out), 0);
    assert_non_null(strstr(out, "WH_DATABASE_REPLICA_URLS"));
}

int main(void)
{
    const struct CMUnitTest pg_tests[] = {
        cmocka_unit_test_teardown(test_reads_go_to_the_replica, restore),
        cmocka_unit_test_teardown(test_a_session_reads_its_own_writes, restore),
        cmocka_unit_test_teardown(test_a_lagging_replica_is_skipped_until_it_catches_up, restore),
        cmocka_unit_test_teardown(test_a_stopped_replica_fails_no_request, restore),
    };
    const struct CMUnitTest sqlite_tests[] = {WHT_TEST(test_sqlite_refuses_replicas)};
    wht_init();
    if (!pg())
        return wht_finish(cmocka_run_group_tests_name("api_replica", sqlite_tests, NULL, NULL));
    const char *url = getenv("WH_TEST_PG_REPLICA_URL");
    if (!url || !*url || !getenv("WH_TEST_PG_REPLICA_DIR")) {
        fprintf(stderr, "api_replica: WH_TEST_PG_REPLICA_URL and WH_TEST_PG_REPLICA_DIR are"
                        " needed (scripts/test starts the replica)\n");
        return wht_finish(1);
    }
    /* the replica's URL for the test's database: the admin URL's, with its name */
    const char *slash = strrchr(url, '/');
    const char *replica =
        wht_fmt("WH_DATABASE_REPLICA_URLS=%.*s/%s", (int)(slash - url), url, wht_pg_database());
    const char *lag = wht_fmt("WH_REPLICA_MAX_LAG_MS=%d", MAX_LAG_MS);
    const char *env[] = {replica, lag, NULL};
    b = wht_server_start(env);
    snprintf(writer, sizeof writer, "%s", wht_admin_token());
    wht_user other = wht_user_new("ADMIN");
    snprintf(reader, sizeof reader, "%s", other.token);
    return wht_finish(cmocka_run_group_tests_name("api_replica", pg_tests, NULL, NULL));
}
