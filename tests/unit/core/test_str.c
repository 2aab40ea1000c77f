/* UTF-8 hygiene for text that reaches a client or a log (core/str.c, core/json.c): validation as
 * strict as jansson's, a cut moved back to a character boundary, a clean copy with invalid bytes
 * replaced (U+FFFD) or escaped (%XX), capped without splitting a character or an escape, and the
 * JSON string made from it, which jansson always accepts. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/err.h"
#include "core/json.h"
#include "core/str.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define FFFD "\xEF\xBF\xBD"

static void test_valid_matches_jansson(void **state)
{
    (void)state;
    static const char *const good[] = {"",
                                       "plain",
                                       "caf\xC3\xA9",
                                       "\xE2\x82\xAC",
                                       "\xF0\x9F\x9A\x9A",
                                       "\xF4\x8F\xBF\xBF",
                                       "\xED\x9F\xBF"};
    static const char *const bad[] = {"\xFF",
                                      "\xC3",
                                      "\xC0\xAF",
                                      "\xE0\x80\xAF",
                                      "\xED\xA0\x80",
                                      "\xF4\x90\x80\x80",
                                      "\xF5\x80\x80\x80",
                                      "\x80",
                                      "a\xE2\x82"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        assert_true(wh_str_utf8_valid(good[i], strlen(good[i])));
        json_t *j = json_string(good[i]);
        assert_non_null(j);
        json_decref(j);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(wh_str_utf8_valid(bad[i], strlen(bad[i])));
        assert_null(json_string(bad[i])); /* what made problem members vanish */
    }
    assert_false(wh_str_utf8_valid("a\0b", 3));
}

static void test_cut_drops_a_character_cut_short(void **state)
{
    (void)state;
    const char *s = "ab\xE2\x82\xAC"; /* "ab€" */
    assert_int_equal(wh_str_utf8_cut(s, 5), 5);
    assert_int_equal(wh_str_utf8_cut(s, 4), 2);
    assert_int_equal(wh_str_utf8_cut(s, 3), 2);
    assert_int_equal(wh_str_utf8_cut(s, 2), 2);
    assert_int_equal(wh_str_utf8_cut("\xF0\x9F\x9A", 3), 0);
    assert_int_equal(wh_str_utf8_cut("", 0), 0);
    /* invalid bytes that are not a cut are left alone (wh_str_utf8_clean deals with them) */
    assert_int_equal(wh_str_utf8_cut("a\x80\x80\x80\x80", 5), 5);
    assert_int_equal(wh_str_utf8_cut("\xC3\xA9\x80", 3), 3);
}

static void test_clean_replaces_invalid_bytes(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(wh_str_utf8_clean("caf\xC3\xA9", 5, out, sizeof out, WH_UTF8_REPLACE), 5);
    assert_string_equal(out, "caf\xC3\xA9");
    wh_str_utf8_clean("/api/v1/\xFF\xFE", 10, out, sizeof out, WH_UTF8_REPLACE);
    assert_string_equal(out, "/api/v1/" FFFD FFFD);
    /* an overlong slash, a surrogate, a NUL and a truncated character: one U+FFFD per byte */
    wh_str_utf8_clean("\xC0\xAF|\xED\xA0\x80|a\0b|\xE2\x82", 13, out, sizeof out, WH_UTF8_REPLACE);
    assert_string_equal(out, FFFD FFFD "|" FFFD FFFD FFFD "|a" FFFD "b|" FFFD FFFD);
    assert_true(wh_str_utf8_valid(out, strlen(out)));
    /* '%' and control bytes are text here */
    wh_str_utf8_clean("100%\n", 5, out, sizeof out, WH_UTF8_REPLACE);
    assert_string_equal(out, "100%\n");
}

static void test_clean_escapes_for_paths(void **state)
{
    (void)state;
    char out[64];
    wh_str_utf8_clean("/api/v1/\xFF\xFE", 10, out, sizeof out, WH_UTF8_ESCAPE);
    assert_string_equal(out, "/api/v1/%FF%FE");
    /* '%' itself and control bytes are escaped too, so the escape is unambiguous */
    wh_str_utf8_clean("/a%FF\n\x7F/caf\xC3\xA9", 13, out, sizeof out, WH_UTF8_ESCAPE);
    assert_string_equal(out, "/a%25FF%0A%7F/caf\xC3\xA9");
}

static void test_clean_cuts_on_boundaries(void **state)
{
    (void)state;
    char out[8];
    /* "ab€€": 8 bytes do not fit in 7 + NUL; the second € is dropped whole */
    assert_int_equal(
        wh_str_utf8_clean("ab\xE2\x82\xAC\xE2\x82\xAC", 8, out, sizeof out, WH_UTF8_REPLACE), 5);
    assert_string_equal(out, "ab\xE2\x82\xAC");
    /* a replacement or an escape is never split either */
    assert_int_equal(wh_str_utf8_clean("abcde\xFF", 6, out, 8, WH_UTF8_REPLACE), 5);
    assert_string_equal(out, "abcde");
    assert_int_equal(wh_str_utf8_clean("abcde\xFF", 6, out, 8, WH_UTF8_ESCAPE), 5);
    assert_string_equal(out, "abcde");
    assert_int_equal(wh_str_utf8_clean("abc", 3, out, 1, WH_UTF8_REPLACE), 0);
    assert_string_equal(out, "");
}

static void test_json_text_is_never_refused(void **state)
{
    (void)state;
    json_t *j = wh_json_text("/api/v1/\xFF\xFE", 1024, WH_UTF8_REPLACE);
    assert_non_null(j);
    assert_string_equal(json_string_value(j), "/api/v1/" FFFD FFFD);
    char *dump = json_dumps(j, JSON_ENCODE_ANY);
    assert_non_null(dump);
    json_t *back = json_loads(dump, JSON_DECODE_ANY, NULL);
    assert_true(json_equal(j, back));
    free(dump);
    json_decref(back);
    json_decref(j);
    j = wh_json_text(NULL, 16, WH_UTF8_ESCAPE);
    assert_string_equal(json_string_value(j), "");
    json_decref(j);
    j = wh_json_text("\xE2\x82\xAC\xE2\x82\xAC", 6, WH_UTF8_ESCAPE); /* room for one € */
    assert_string_equal(json_string_value(j), "\xE2\x82\xAC");
    json_decref(j);
}

/* A wh_error filled past its fixed buffers keeps whole characters only. */
static void test_error_texts_cut_on_boundaries(void **state)
{
    (void)state;
    wh_error e;
    char field[80];
    wh_error_init(&e);
    memset(field, 'a', 62);
    memcpy(field + 62, "\xC3\xA9\xC3\xA9", 5); /* byte 63 would be half an é */
    (void)wh_error_field(&e, field, "is not a known field");
    assert_int_equal(strlen(e.fields[0].field), 62);
    assert_true(wh_str_utf8_valid(e.fields[0].field, 62));
    char detail[300];
    memset(detail, 'x', 254);
    memcpy(detail + 254, "\xE2\x82\xAC", 4);
    (void)wh_fail(&e, WH_ERR_NOT_FOUND, "%s", detail);
    assert_int_equal(strlen(e.detail), 254);
    /* text that fits is untouched */
    (void)wh_fail(&e, WH_ERR_NOT_FOUND, "No such path: /caf\xC3\xA9");
    assert_string_equal(e.detail, "No such path: /caf\xC3\xA9");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_matches_jansson),
        cmocka_unit_test(test_cut_drops_a_character_cut_short),
        cmocka_unit_test(test_clean_replaces_invalid_bytes),
        cmocka_unit_test(test_clean_escapes_for_paths),
        cmocka_unit_test(test_clean_cuts_on_boundaries),
        cmocka_unit_test(test_json_text_is_never_refused),
        cmocka_unit_test(test_error_texts_cut_on_boundaries),
    };
    return cmocka_run_group_tests_name("unit_core_str", tests, NULL, NULL);
}
