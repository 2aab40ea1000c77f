/* Sessions with the session cache on a real SQLite database: a resolved session is served from
 * the cache (a row deleted behind its back, without a notification, is still accepted: what
 * the notifications are for), an entry this process sees as expired is read again from the
 * database, and a session ended through wh_session_delete or wh_session_end_user is refused at
 * once after its commit (the in-process delivery of wh_db_notify). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../support/tempdb.h"

#include "auth/auth.h"

#include <string.h>

#define NOW 1795892690123LL

static const wh_session_policy POLICY = {.ttl_ms = 3600 * 1000, .max_ms = 86400 * 1000};

typedef struct {
    tempdb *t;
    wh_sesscache *sc;
    int64_t user_id;
} fixture;

static void on_note(void *arg, const char *payload)
{
    wh_sesscache_note(arg, payload);
}

static void on_lost(void *arg)
{
    wh_sesscache_listening(arg, false);
}

static void on_listening(void *arg)
{
    wh_sesscache_listening(arg, true);
}

static int setup(void **state)
{
    fixture *f = wh_calloc(1, sizeof *f);
    wh_error e;
    wh_user u;
    wh_error_init(&e);
    if (tempdb_setup((void **)&f->t) != 0)
        return -1;
    f->sc = wh_sesscache_new(64);
    wh_db_listen(f->t->db, &(wh_db_listener){on_note, on_lost, on_listening, f->sc});
    wh_user_input in = {
        .email = "s@x.test", .full_name = "S", .has_role = true, .role = WH_ROLE_EMPLOYEE};
    if (wh_user_create(f->t->conn, &f->t->arena, &in, NOW, &u, &e) != WH_OK)
        return -1;
    f->user_id = u.id;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    tempdb_teardown((void **)&f->t);
    wh_sesscache_free(f->sc);
    wh_free(f);
    return 0;
}

static const char *open_session(fixture *f, char token[WH_CRYPTO_TOKEN_CHARS + 1])
{
    wh_error e;
    int64_t expires;
    wh_error_init(&e);
    assert_int_equal(wh_session_create(f->t->conn, &f->t->arena, f->user_id, false, NOW, &POLICY,
                                       token, WH_CRYPTO_TOKEN_CHARS + 1, &expires, &e),
                     WH_OK);
    return token;
}

static wh_err resolve(fixture *f, const char *token, int64_t now)
{
    wh_principal p;
    wh_error e;
    wh_error_init(&e);
    wh_err rc = wh_session_resolve(f->t->conn, f->sc, &f->t->arena, token, now, &POLICY, &p, &e);
    if (rc == WH_OK)
        assert_int_equal(p.id, f->user_id);
    return rc;
}

static void exec(fixture *f, const char *sql)
{
    wh_error e;
    wh_error_init(&e);
    assert_int_equal(wh_db_query(f->t->conn, &f->t->arena, sql, NULL, 0, NULL, &e), WH_OK);
}

static void test_cached_then_read_again_once_expired(void **state)
{
    fixture *f = *state;
    char token[WH_CRYPTO_TOKEN_CHARS + 1];
    open_session(f, token);
    assert_int_equal(resolve(f, token, NOW + 1000), WH_OK);
    assert_int_equal(wh_sesscache_count(f->sc), 1);
    exec(f, "DELETE FROM sessions"); /* behind the cache's back: no notification */
    assert_int_equal(resolve(f, token, NOW + 2000), WH_OK);
    /* past the expiry the cache holds: asked again, the database has no such session */
    assert_int_not_equal(resolve(f, token, NOW + POLICY.ttl_ms + 1), WH_OK);
}

static void test_an_ended_session_is_refused_after_commit(void **state)
{
    fixture *f = *state;
    char one[WH_CRYPTO_TOKEN_CHARS + 1], two[WH_CRYPTO_TOKEN_CHARS + 1];
    wh_error e;
    wh_error_init(&e);
    open_session(f, one);
    open_session(f, two);
    assert_int_equal(resolve(f, one, NOW + 1000), WH_OK);
    assert_int_equal(resolve(f, two, NOW + 1000), WH_OK);
    assert_int_equal(wh_db_begin(f->t->conn, &e), WH_OK);
    assert_int_equal(wh_session_delete(f->t->conn, &f->t->arena, one, &e), WH_OK);
    assert_int_equal(wh_sesscache_count(f->sc), 2); /* not before the commit */
    assert_int_equal(wh_db_commit(f->t->conn, &e), WH_OK);
    assert_int_equal(wh_sesscache_count(f->sc), 1);
    assert_int_not_equal(resolve(f, one, NOW + 2000), WH_OK);
    assert_int_equal(wh_db_begin(f->t->conn, &e), WH_OK);
    assert_int_equal(wh_session_end_user(f->t->conn, &f->t->arena, f->user_id, 0, &e), WH_OK);
    assert_int_equal(wh_db_commit(f->t->conn, &e), WH_OK);
    assert_int_equal(wh_sesscache_count(f->sc), 0);
    assert_int_not_equal(resolve(f, two, NOW + 2000), WH_OK);
}

static void test_a_rolled_back_end_drops_nothing(void **state)
{
    fixture *f = *state;
    char token[WH_CRYPTO_TOKEN_CHARS + 1];
    wh_error e;
    wh_error_init(&e);
    open_session(f, token);
    assert_int_equal(resolve(f, token, NOW + 1000), WH_OK);
    assert_int_equal(wh_db_begin(f->t->conn, &e), WH_OK);
    assert_int_equal(wh_session_delete(f->t->conn, &f->t->arena, token, &e), WH_OK);
    wh_db_rollback(f->t->conn);
    assert_int_equal(wh_sesscache_count(f->sc), 1);
    assert_int_equal(resolve(f, token, NOW + 2000), WH_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cached_then_read_again_once_expired, setup, teardown),
        cmocka_unit_test_setup_teardown(test_an_ended_session_is_refused_after_commit, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_rolled_back_end_drops_nothing, setup, teardown),
    };
    return cmocka_run_group_tests_name("unit_auth_session", tests, NULL, NULL);
}
