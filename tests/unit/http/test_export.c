/* The CSV record writer of exports (docs/export.md, RFC 4180): nulls, booleans, numbers,
 * quoting, doubled quotes, the formula guard of strings (never of numbers), objects and arrays as
 * compact JSON, CRLF after every record; the header record; and Accept weights for text/csv. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "http/http_int.h"

#include <string.h>

/* The field v renders to (v is released). */
static void expect_field(json_t *v, const char *want)
{
    wh_buf b;
    wh_buf_init(&b, 4096);
    assert_int_equal(wh_http_csv_field(&b, v), WH_OK);
    const char *got = b.data ? b.data : "";
    if (strcmp(got, want) != 0)
        fail_msg("field: got [%s], want [%s]", got, want);
    json_decref(v);
    wh_buf_cleanup(&b);
}

static void test_scalars(void **state)
{
    (void)state;
    expect_field(json_null(), "");
    expect_field(json_true(), "true");
    expect_field(json_false(), "false");
    expect_field(json_integer(-42), "-42"); /* a number: no guard */
    expect_field(json_integer(1234567890123LL), "1234567890123");
    expect_field(json_real(7.33), "7.33");
    expect_field(json_string(""), "");
    expect_field(json_string("plain text"), "plain text");
    expect_field(json_string("Zoë ✓"), "Zoë ✓");
}

static void test_quoting(void **state)
{
    (void)state;
    expect_field(json_string("a,b"), "\"a,b\"");
    expect_field(json_string("say \"hi\""), "\"say \"\"hi\"\"\"");
    expect_field(json_string("two\nlines"), "\"two\nlines\"");
    expect_field(json_string("cr\rhere"), "\"cr\rhere\"");
    expect_field(json_string(" lead"), "\" lead\"");
    expect_field(json_string("trail "), "\"trail \"");
    expect_field(json_string("in side"), "in side");
    expect_field(json_string("\""), "\"\"\"\"");
}

static void test_formula_guard(void **state)
{
    (void)state;
    expect_field(json_string("=SUM(A1:A9)"), "'=SUM(A1:A9)");
    expect_field(json_string("+1 555"), "'+1 555");
    expect_field(json_string("-5"), "'-5");
    expect_field(json_string("@cmd"), "'@cmd");
    expect_field(json_string("\tx"), "'\tx");
    expect_field(json_string("\rx"), "\"'\rx\"");   /* guarded, and quoted for its CR */
    expect_field(json_string("=a,b"), "\"'=a,b\""); /* guarded, and quoted for its comma */
    expect_field(json_string("a=b"), "a=b");        /* only the first character counts */
    expect_field(json_integer(-7), "-7");           /* numbers are never guarded */
}

static void test_json_values(void **state)
{
    (void)state;
    expect_field(json_pack("{s:i}", "a", 1), "\"{\"\"a\"\":1}\""); /* quoted: it holds quotes */
    expect_field(json_pack("[i,i]", 1, 2), "\"[1,2]\"");           /* quoted: it holds a comma */
    expect_field(json_array(), "[]");
    expect_field(json_pack("{s:s, s:n}", "k", "v", "n"),
                 "\"{\"\"k\"\":\"\"v\"\",\"\"n\"\":null}\"");
}

static void test_records(void **state)
{
    (void)state;
    static const char *const names[] = {"id", "name", "note", "missing"};
    wh_buf b;
    wh_buf_init(&b, 4096);
    assert_int_equal(wh_http_csv_record(&b, names, 4, NULL), WH_OK);
    json_t *row = json_pack("{s:i, s:s, s:s, s:s}", "id", 1, "name", "A, B", "note", "-x", "extra",
                            "not listed");
    assert_int_equal(wh_http_csv_record(&b, names, 4, row), WH_OK);
    assert_string_equal(b.data, "id,name,note,missing\r\n1,\"A, B\",'-x,\r\n");
    json_decref(row);
    wh_buf_cleanup(&b);
}

static void test_accept_weight(void **state)
{
    (void)state;
    assert_true(wh_http_accept_weight("text/csv", "text/csv") > 0);
    assert_true(wh_http_accept_weight("application/json, TEXT/CSV;q=0.5", "text/csv") == 500);
    assert_int_equal(wh_http_accept_weight("text/csv;q=0", "text/csv"), 0);
    assert_int_equal(wh_http_accept_weight("*/*", "text/csv"), -1);
    assert_int_equal(wh_http_accept_weight(NULL, "text/csv"), -1);
    assert_int_equal(wh_http_accept_weight("text/csvx", "text/csv"), -1);
}

/* wh_sqlb_repage: the statement ended again from another row, conditions kept. */
static void test_repage(void **state)
{
    (void)state;
    wh_sqlb b;
    wh_keyset ks = {.type = WH_KEY_TEXT, .key = "", .limit = 51};
    wh_sqlb_init(&b, "SELECT id FROM t");
    wh_sqlb_and(&b, "venture_id = ?", WH_PI(3));
    wh_sqlb_page(&b, "name", "id", false, &ks);
    assert_string_equal(b.sql, "SELECT id FROM t WHERE (venture_id = $1) ORDER BY name ASC, id ASC"
                               " LIMIT $2");
    wh_keyset next = {.after = true, .type = WH_KEY_TEXT, .key = "m", .id = 9, .limit = 5};
    wh_sqlb_repage(&b, &next);
    assert_string_equal(b.sql, "SELECT id FROM t WHERE (venture_id = $1) AND ((name, id) > ($2,"
                               " $3)) ORDER BY name ASC, id ASC LIMIT $4");
    assert_int_equal(b.n, 4);
    assert_string_equal(b.params[1].s, "m");
    assert_int_equal(b.params[2].i, 9);
    assert_int_equal(b.params[3].i, 5);
    wh_sqlb_repage(&b, &ks); /* back to the first page */
    assert_int_equal(b.n, 2);
    assert_int_equal(b.params[1].i, 51);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalars),       cmocka_unit_test(test_quoting),
        cmocka_unit_test(test_formula_guard), cmocka_unit_test(test_json_values),
        cmocka_unit_test(test_records),       cmocka_unit_test(test_accept_weight),
        cmocka_unit_test(test_repage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
