/* Cursor signing: round trips (UTF-8 and ':' in the sort key), base64url without padding,
 * binding to one list and one key, and refusal of edited, empty, over-long and garbage input. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/arena.h"
#include "core/crypto.h"
#include "core/limits.h"
#include "http/http.h"

#include <stdio.h>
#include <string.h>

#define CAP (WH_LIMIT_CURSOR_CHARS + 1)

static const char b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static const unsigned char key1[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11,
                                       12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                                       23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

static int setup(void **state)
{
    (void)state;
    return wh_crypto_init() == WH_OK ? 0 : -1;
}

/* Decodes with a fresh arena and checks the result against the expectation. */
static void expect_round_trip(const unsigned char key[32], const char *list, const char *sort_key,
                              int64_t id)
{
    char cur[CAP];
    wh_arena a;
    const char *got_key = NULL;
    int64_t got_id = -1;
    wh_arena_init(&a);
    wh_cursor_encode(key, list, sort_key, id, cur, sizeof cur);
    assert_true(strlen(cur) > 0);
    if (!wh_cursor_decode(key, list, cur, &a, &got_key, &got_id))
        fail_msg("cursor for (%s, %lld) did not decode: %s", sort_key, (long long)id, cur);
    assert_non_null(got_key);
    assert_string_equal(got_key, sort_key);
    assert_true(got_id == id);
    wh_arena_cleanup(&a);
}

static bool decodes(const unsigned char key[32], const char *list, const char *cursor)
{
    wh_arena a;
    const char *k = NULL;
    int64_t id = 0;
    wh_arena_init(&a);
    bool ok = wh_cursor_decode(key, list, cursor, &a, &k, &id);
    wh_arena_cleanup(&a);
    return ok;
}

static void test_round_trip_plain(void **state)
{
    (void)state;
    expect_round_trip(key1, "ventures", "Acme Freight", 42);
    expect_round_trip(key1, "ventures", "", 1);
    expect_round_trip(key1, "users", "2026-11-28T19:04:50.123Z", 0);
    expect_round_trip(key1, "users", "x", INT64_MAX);
}

static void test_round_trip_utf8_and_colons(void **state)
{
    (void)state;
    /* ':' separates id and key inside the payload, so keys full of colons are the risk */
    expect_round_trip(key1, "ventures", "Z\xC3\xBCrich: \xE6\x9D\xB1\xE4\xBA\xAC \xF0\x9F\x9A\x9A",
                      7);
    expect_round_trip(key1, "ventures", ":", 8);
    expect_round_trip(key1, "ventures", "::a::b::", 9);
    expect_round_trip(key1, "ventures", "12:34", 10);
    expect_round_trip(key1, "ventures", "quote\" back\\slash 'single' %s %n", 11);
}

static void test_round_trip_long_key(void **state)
{
    (void)state;
    /* the longest name (WH_LIMIT_NAME_CHARS characters) of 4-byte code points */
    char key[WH_LIMIT_NAME_CHARS * 4 + 1];
    for (int i = 0; i < WH_LIMIT_NAME_CHARS; i++)
        memcpy(key + i * 4, "\xF0\x9F\x9A\x9A", 4);
    key[WH_LIMIT_NAME_CHARS * 4] = '\0';
    expect_round_trip(key1, "ventures", key, INT64_MAX);

    char cur[CAP];
    wh_cursor_encode(key1, "ventures", key, INT64_MAX, cur, sizeof cur);
    assert_true(strlen(cur) <= WH_LIMIT_CURSOR_CHARS);
}

static void test_output_is_base64url_unpadded(void **state)
{
    (void)state;
    const char *keys[] = {"", "a", "ab", "abc", "abcd", "\xC3\xBC\xC3\xBC? >>>", "~~~?!?///+++"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        for (int64_t id = 1; id < 400; id += 37) {
            char cur[CAP];
            wh_cursor_encode(key1, "ventures", keys[i], id, cur, sizeof cur);
            size_t n = strlen(cur);
            assert_true(n > 0);
            assert_int_equal(strspn(cur, b64url_alphabet), n);
            assert_null(strchr(cur, '='));
            /* unpadded base64 never has a length of 1 mod 4 */
            assert_int_not_equal(n % 4, 1);
        }
    }
}

static void test_deterministic(void **state)
{
    (void)state;
    char a[CAP], b[CAP];
    wh_cursor_encode(key1, "ventures", "Acme", 5, a, sizeof a);
    wh_cursor_encode(key1, "ventures", "Acme", 5, b, sizeof b);
    assert_string_equal(a, b);
    wh_cursor_encode(key1, "ventures", "Acme", 6, b, sizeof b);
    assert_string_not_equal(a, b);
}

static void test_bound_to_list(void **state)
{
    (void)state;
    char cur[CAP];
    wh_cursor_encode(key1, "ventures", "Acme", 5, cur, sizeof cur);
    assert_true(decodes(key1, "ventures", cur));
    assert_false(decodes(key1, "users", cur));
    assert_false(decodes(key1, "venture", cur));
    assert_false(decodes(key1, "ventures2", cur));
    assert_false(decodes(key1, "", cur));

    wh_cursor_encode(key1, "", "Acme", 5, cur, sizeof cur);
    assert_true(decodes(key1, "", cur));
    assert_false(decodes(key1, "ventures", cur));
}

static void test_bound_to_key(void **state)
{
    (void)state;
    unsigned char key2[32];
    char cur[CAP];
    memcpy(key2, key1, sizeof key2);
    key2[31] ^= 0x01; /* one bit apart */
    wh_cursor_encode(key1, "ventures", "Acme", 5, cur, sizeof cur);
    assert_false(decodes(key2, "ventures", cur));
    wh_cursor_encode(key2, "ventures", "Acme", 5, cur, sizeof cur);
    assert_true(decodes(key2, "ventures", cur));
    assert_false(decodes(key1, "ventures", cur));
}

static void test_any_changed_character_refused(void **state)
{
    (void)state;
    const char *keys[] = {"Acme: Freight \xE2\x9C\x93", "", "ab"};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        char cur[CAP];
        wh_cursor_encode(key1, "ventures", keys[k], 123456, cur, sizeof cur);
        size_t n = strlen(cur);
        for (size_t i = 0; i < n; i++) {
            char orig = cur[i];
            for (const char *c = b64url_alphabet; *c; c++) {
                if (*c == orig)
                    continue;
                cur[i] = *c;
                if (decodes(key1, "ventures", cur))
                    fail_msg("cursor with position %zu changed to '%c' was accepted: %s", i, *c,
                             cur);
            }
            cur[i] = orig;
        }
        assert_true(decodes(key1, "ventures", cur)); /* restored: valid again */
    }
}

static void test_truncated_and_extended_refused(void **state)
{
    (void)state;
    char cur[CAP];
    char edit[CAP + 2];
    wh_cursor_encode(key1, "ventures", "Acme", 5, cur, sizeof cur);
    size_t n = strlen(cur);
    for (size_t len = 1; len < n; len++) {
        snprintf(edit, sizeof edit, "%.*s", (int)len, cur);
        if (decodes(key1, "ventures", edit))
            fail_msg("prefix of %zu characters accepted", len);
    }
    snprintf(edit, sizeof edit, "%sA", cur);
    assert_false(decodes(key1, "ventures", edit));
    snprintf(edit, sizeof edit, "%s=", cur);
    assert_false(decodes(key1, "ventures", edit));
    snprintf(edit, sizeof edit, " %s", cur);
    assert_false(decodes(key1, "ventures", edit));
}

static void test_garbage_refused(void **state)
{
    (void)state;
    char longest[WH_LIMIT_CURSOR_CHARS + 2];
    const char *bad[] = {
        "",     "A",    "AA",   "AAAA", "====",      "abc=", "!!!!!!!!", "a b c d",
        "a+/b", "null", "\x01", "%00",  "\xC3\xBC~", "....", "-",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (decodes(key1, "ventures", bad[i]))
            fail_msg("garbage cursor accepted: \"%s\"", bad[i]);

    /* over-long: one more than WH_LIMIT_CURSOR_CHARS of valid base64url */
    memset(longest, 'A', sizeof longest - 1);
    longest[sizeof longest - 1] = '\0';
    assert_int_equal(strlen(longest), WH_LIMIT_CURSOR_CHARS + 1);
    assert_false(decodes(key1, "ventures", longest));
}

/* Builds a cursor in the documented wire form (page.c: base64url(HMAC(key, list NUL
 * payload)[0..16] || payload)) around an arbitrary payload, so the decoder's checks behind the
 * signature can be exercised. */
static void forge(const unsigned char key[32], const char *list, const char *payload, char *out,
                  size_t cap)
{
    unsigned char msg[256], raw[256], mac[WH_CRYPTO_HMAC_BYTES];
    size_t ll = strlen(list), pl = strlen(payload);
    memcpy(msg, list, ll + 1);
    memcpy(msg + ll + 1, payload, pl);
    wh_crypto_hmac(key, 32, msg, ll + 1 + pl, mac);
    memcpy(raw, mac, 16);
    memcpy(raw + 16, payload, pl);
    wh_crypto_b64url_encode(raw, 16 + pl, out, cap);
}

static void test_signed_but_malformed_payload_refused(void **state)
{
    (void)state;
    char cur[CAP];
    wh_arena a;
    const char *k = NULL;
    int64_t id = 0;

    /* the forge matches the encoder, or the negative cases below would prove nothing */
    forge(key1, "ventures", "5:Acme", cur, sizeof cur);
    wh_arena_init(&a);
    assert_true(wh_cursor_decode(key1, "ventures", cur, &a, &k, &id));
    assert_string_equal(k, "Acme");
    assert_true(id == 5);
    wh_arena_cleanup(&a);

    const char *bad[] = {
        "no colon", ":Acme", "-5:Acme", "5x:Acme", "+5:Acme", " 5:Acme", "99999999999999999999:x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        forge(key1, "ventures", bad[i], cur, sizeof cur);
        if (decodes(key1, "ventures", cur))
            fail_msg("signed cursor with payload \"%s\" accepted", bad[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_plain),
        cmocka_unit_test(test_round_trip_utf8_and_colons),
        cmocka_unit_test(test_round_trip_long_key),
        cmocka_unit_test(test_output_is_base64url_unpadded),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_bound_to_list),
        cmocka_unit_test(test_bound_to_key),
        cmocka_unit_test(test_any_changed_character_refused),
        cmocka_unit_test(test_truncated_and_extended_refused),
        cmocka_unit_test(test_garbage_refused),
        cmocka_unit_test(test_signed_but_malformed_payload_refused),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
