/* The memo of core/memo.h: trusted only while listening; a value read before a drop is not
 * stored after it; dropping an owner drops only its entries; a changed commit stamp (or one that
 * cannot be read) drops everything before a lookup; not quiet reads through; bounded. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/memo.h"

static bool put_find(wh_memo *m, int64_t owner, int64_t key, int64_t value, int64_t *got)
{
    uint64_t gen = 0;
    (void)wh_memo_find(m, owner, key, got, &gen);
    wh_memo_put(m, owner, key, value, gen);
    return wh_memo_find(m, owner, key, got, NULL);
}

static void test_only_while_listening(void **state)
{
    (void)state;
    int64_t v = 0;
    wh_memo *m = wh_memo_new(64);
    assert_false(put_find(m, 1, 2, 3, &v)); /* not listening yet: refused */
    wh_memo_listening(m, true);
    assert_true(put_find(m, 1, 2, 3, &v));
    assert_int_equal(v, 3);
    wh_memo_listening(m, false); /* lost: everything dropped, nothing stored */
    assert_false(wh_memo_find(m, 1, 2, &v, NULL));
    assert_false(put_find(m, 1, 2, 3, &v));
    assert_int_equal(wh_memo_count(m), 0);
    wh_memo_free(m);
}

static void test_a_drop_refuses_an_older_read(void **state)
{
    (void)state;
    int64_t v = 0;
    uint64_t gen = 0;
    wh_memo *m = wh_memo_new(64);
    wh_memo_listening(m, true);
    (void)wh_memo_find(m, 7, 0, &v, &gen);
    wh_memo_drop(m, 7); /* a note arrives while the reader is at the database */
    wh_memo_put(m, 7, 0, 41, gen);
    assert_false(wh_memo_find(m, 7, 0, &v, NULL));
    assert_true(put_find(m, 7, 0, 42, &v));
    assert_int_equal(v, 42);
    wh_memo_free(m);
}

static void test_drop_is_per_owner(void **state)
{
    (void)state;
    int64_t v = 0;
    wh_memo *m = wh_memo_new(64);
    wh_memo_listening(m, true);
    assert_true(put_find(m, 1, 10, 1, &v));
    assert_true(put_find(m, 1, 11, 1, &v));
    assert_true(put_find(m, 2, 10, 5, &v));
    wh_memo_drop(m, 1);
    assert_false(wh_memo_find(m, 1, 10, &v, NULL));
    assert_false(wh_memo_find(m, 1, 11, &v, NULL));
    assert_true(wh_memo_find(m, 2, 10, &v, NULL));
    assert_int_equal(v, 5);
    wh_memo_clear(m);
    assert_false(wh_memo_find(m, 2, 10, &v, NULL));
    wh_memo_free(m);
}

static uint64_t stamp_now = 1;
static bool stamp_ok = true;
static bool stamp(void *arg, uint64_t *out)
{
    (void)arg;
    *out = stamp_now;
    return stamp_ok;
}

static void test_a_changed_stamp_drops_everything(void **state)
{
    (void)state;
    int64_t v = 0;
    wh_memo *m = wh_memo_new(64);
    wh_memo_stamp(m, stamp, NULL);
    wh_memo_listening(m, true);
    assert_true(put_find(m, 3, 0, 9, &v));
    stamp_now++; /* another process committed */
    assert_false(wh_memo_find(m, 3, 0, &v, NULL));
    assert_true(put_find(m, 3, 0, 10, &v));
    stamp_ok = false; /* unreadable: nothing trusted */
    assert_false(wh_memo_find(m, 3, 0, &v, NULL));
    assert_false(put_find(m, 3, 0, 10, &v));
    stamp_ok = true;
    wh_memo_free(m);
}

static bool loud(void *arg)
{
    (void)arg;
    return false;
}

static void test_not_quiet_reads_through(void **state)
{
    (void)state;
    int64_t v = 0;
    wh_memo *m = wh_memo_new(64);
    wh_memo_listening(m, true);
    assert_true(put_find(m, 4, 0, 1, &v));
    wh_memo_probe(m, loud, NULL);
    assert_false(wh_memo_find(m, 4, 0, &v, NULL));
    wh_memo_free(m);
}

static void test_bounded(void **state)
{
    (void)state;
    int64_t v = 0;
    wh_memo *m = wh_memo_new(16);
    wh_memo_listening(m, true);
    for (int64_t owner = 1; owner <= 1000; owner++)
        for (int64_t key = 0; key < 20; key++)
            (void)put_find(m, owner, key, key, &v);
    assert_true(wh_memo_count(m) <= 16);
    assert_true(wh_memo_find(m, 1000, 19, &v, NULL)); /* the latest stays */
    wh_memo_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_only_while_listening),
        cmocka_unit_test(test_a_drop_refuses_an_older_read),
        cmocka_unit_test(test_drop_is_per_owner),
        cmocka_unit_test(test_a_changed_stamp_drops_everything),
        cmocka_unit_test(test_not_quiet_reads_through),
        cmocka_unit_test(test_bounded),
    };
    return cmocka_run_group_tests_name("core_memo", tests, NULL, NULL);
}
