/* The session cache (auth/sesscache.c): nothing is trusted before listening or after it stops,
 * the size stays bounded with the least recently used entry of a set evicted, notes drop one
 * session, a user's sessions or everything, and an entry read before a drop is not stored. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "auth/auth.h"
#include "core/arena.h"

#include <stdio.h>
#include <string.h>

/* A 64-digit hex key whose set-choosing first 8 digits are set and whose tail is n. */
static const char *key(char buf[65], unsigned set, unsigned n)
{
    snprintf(buf, 65, "%08x%056x", set, n);
    return buf;
}

static wh_sesscache_entry entry(int64_t user_id)
{
    return (wh_sesscache_entry){.user_id = user_id,
                                .session_id = user_id * 10,
                                .created_ms = 1000,
                                .expires_ms = 5000,
                                .email = "a@b.test",
                                .full_name = "A B",
                                .role = WH_ROLE_EMPLOYEE};
}

/* Stores e under k with a fresh generation. */
static void put(wh_sesscache *sc, const char *k, wh_sesscache_entry e)
{
    wh_arena a;
    wh_sesscache_entry out;
    uint64_t gen;
    wh_arena_init(&a);
    (void)wh_sesscache_find(sc, k, &a, &out, &gen);
    wh_sesscache_put(sc, k, &e, gen);
    wh_arena_cleanup(&a);
}

static bool has(wh_sesscache *sc, const char *k)
{
    wh_arena a;
    wh_sesscache_entry out;
    uint64_t gen;
    wh_arena_init(&a);
    bool hit = wh_sesscache_find(sc, k, &a, &out, &gen);
    wh_arena_cleanup(&a);
    return hit;
}

static void test_nothing_is_trusted_unless_listening(void **state)
{
    (void)state;
    char k[65];
    wh_sesscache *sc = wh_sesscache_new(64);
    put(sc, key(k, 1, 1), entry(1));
    assert_false(has(sc, k)); /* not listening yet: refused */
    wh_sesscache_listening(sc, true);
    put(sc, k, entry(1));
    assert_true(has(sc, k));
    wh_sesscache_listening(sc, false); /* the listener dropped: everything goes */
    assert_false(has(sc, k));
    assert_int_equal(wh_sesscache_count(sc), 0);
    wh_sesscache_free(sc);
}

static void test_a_hit_copies_the_entry(void **state)
{
    (void)state;
    char k[65];
    wh_arena a;
    wh_sesscache_entry out;
    uint64_t gen;
    wh_sesscache *sc = wh_sesscache_new(64);
    wh_sesscache_listening(sc, true);
    put(sc, key(k, 2, 1), entry(7));
    wh_sesscache_touched(sc, k, 9000);
    wh_arena_init(&a);
    assert_true(wh_sesscache_find(sc, k, &a, &out, &gen));
    assert_int_equal(out.user_id, 7);
    assert_int_equal(out.session_id, 70);
    assert_int_equal(out.expires_ms, 9000);
    assert_string_equal(out.email, "a@b.test");
    assert_string_equal(out.full_name, "A B");
    wh_arena_cleanup(&a);
    wh_sesscache_free(sc);
}

static void test_bounded_with_the_least_recently_used_evicted(void **state)
{
    (void)state;
    char k[65], first[65], second[65];
    wh_sesscache *sc = wh_sesscache_new(16); /* two sets of 8 */
    wh_sesscache_listening(sc, true);
    for (unsigned i = 0; i < 8; i++)
        put(sc, key(k, 0, i), entry(i + 1)); /* every one in set 0 */
    key(first, 0, 0);
    key(second, 0, 1);
    assert_true(has(sc, first)); /* first is now more recently used than second */
    put(sc, key(k, 0, 100), entry(100));
    assert_false(has(sc, second));
    assert_true(has(sc, first));
    assert_true(has(sc, k));
    for (unsigned i = 0; i < 1000; i++)
        put(sc, key(k, i, i + 1000), entry(i + 1000));
    assert_true(wh_sesscache_count(sc) <= 16);
    wh_sesscache_free(sc);
}

static void test_notes_drop_a_session_a_user_or_everything(void **state)
{
    (void)state;
    char a1[65], a2[65], b1[65], note[80];
    wh_sesscache *sc = wh_sesscache_new(64);
    wh_sesscache_listening(sc, true);
    put(sc, key(a1, 1, 1), entry(1));
    put(sc, key(a2, 2, 2), entry(1));
    put(sc, key(b1, 3, 3), entry(2));
    snprintf(note, sizeof note, "s:%s", a1);
    wh_sesscache_note(sc, note);
    assert_false(has(sc, a1));
    assert_true(has(sc, a2));
    put(sc, a1, entry(1));
    wh_sesscache_note(sc, "u:1");
    assert_false(has(sc, a1));
    assert_false(has(sc, a2));
    assert_true(has(sc, b1));
    wh_sesscache_note(sc, "*");
    assert_false(has(sc, b1));
    wh_sesscache_free(sc);
}

/* A request read the session, then a note came before it stored it: its row may predate the
 * change, so it is not stored. */
static void test_an_entry_read_before_a_drop_is_not_stored(void **state)
{
    (void)state;
    char k[65];
    wh_arena a;
    wh_sesscache_entry out, e = entry(5);
    uint64_t gen;
    wh_sesscache *sc = wh_sesscache_new(64);
    wh_sesscache_listening(sc, true);
    wh_arena_init(&a);
    assert_false(wh_sesscache_find(sc, key(k, 4, 4), &a, &out, &gen));
    wh_sesscache_note(sc, "u:5");
    wh_sesscache_put(sc, k, &e, gen);
    assert_false(has(sc, k));
    wh_arena_cleanup(&a);
    wh_sesscache_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nothing_is_trusted_unless_listening),
        cmocka_unit_test(test_a_hit_copies_the_entry),
        cmocka_unit_test(test_bounded_with_the_least_recently_used_evicted),
        cmocka_unit_test(test_notes_drop_a_session_a_user_or_everything),
        cmocka_unit_test(test_an_entry_read_before_a_drop_is_not_stored),
    };
    return cmocka_run_group_tests_name("unit_auth_sesscache", tests, NULL, NULL);
}
