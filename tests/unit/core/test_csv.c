/* The streaming CSV reader (core/csv.c): quotes, doubled quotes, line breaks inside quotes,
 * CRLF and LF, the byte-order mark, blank lines, trimming, UTF-8 checking with the bad byte's
 * line, bad records, and the same records whatever the chunks the input arrives in. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/csv.h"

#include <stdio.h>
#include <string.h>

/* Renders each record as "LINE:[f1|f2]" (a quoted field as "q"), or "LINE:!error". */
static bool collect(void *ctx, const wh_csv_record *rec)
{
    wh_buf *out = ctx;
    if (rec->error)
        return wh_buf_printf(out, "%lld:!%s\n", (long long)rec->line, rec->error) == WH_OK;
    if (wh_buf_printf(out, "%lld:[", (long long)rec->line) != WH_OK)
        return false;
    for (size_t i = 0; i < rec->n; i++)
        if (wh_buf_printf(out, "%s%s%s%s", i ? "|" : "", rec->quoted[i] ? "\"" : "", rec->field[i],
                          rec->quoted[i] ? "\"" : "") != WH_OK)
            return false;
    return wh_buf_printf(out, "]\n") == WH_OK;
}

/* Reads in (n bytes) in chunks of `chunk` bytes (0: whole); the records, then the status. */
static void run(const char *in, size_t n, size_t chunk, char *out, size_t cap)
{
    wh_buf b;
    wh_csv p;
    wh_buf_init(&b, 1 << 20);
    if (wh_buf_printf(&b, "%s", "") != WH_OK)
        fail();
    wh_csv_init(&p, collect, &b);
    for (size_t i = 0; i < n;) {
        size_t k = chunk && n - i > chunk ? chunk : n - i;
        (void)wh_csv_feed(&p, in + i, k);
        i += k;
    }
    wh_csv_status st = wh_csv_finish(&p);
    if (st == WH_CSV_BAD)
        snprintf(out, cap, "%sBAD %lld %s", b.data, (long long)p.error_line, p.error);
    else
        snprintf(out, cap, "%s%s", b.data, st == WH_CSV_OK ? "OK" : "STOPPED");
    wh_csv_cleanup(&p);
    wh_buf_cleanup(&b);
}

/* Every chunking gives the same answer. */
static void expect_n(const char *in, size_t n, const char *want)
{
    static const size_t chunks[] = {0, 1, 2, 3, 7};
    char got[8192];
    for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        run(in, n, chunks[i], got, sizeof got);
        if (strcmp(got, want) != 0) {
            print_error("chunk %zu:\n%s\nwanted:\n%s\n", chunks[i], got, want);
            fail();
        }
    }
}

static void expect(const char *in, const char *want)
{
    expect_n(in, strlen(in), want);
}

static void test_plain_and_line_ends(void **state)
{
    (void)state;
    expect("a,b,c\n1,2,3\n", "1:[a|b|c]\n2:[1|2|3]\nOK");
    expect("a,b\r\n1,2\r\n", "1:[a|b]\n2:[1|2]\nOK");
    expect("a,b\n1,2", "1:[a|b]\n2:[1|2]\nOK"); /* no line end at the end */
    expect("a,,\n", "1:[a||]\nOK");
    expect("", "OK");
}

static void test_quotes(void **state)
{
    (void)state;
    expect("\"a,b\",\"say \"\"hi\"\"\"\n", "1:[\"a,b\"|\"say \"hi\"\"]\nOK");
    expect("x,\"\"\n", "1:[x|\"\"]\nOK");
    expect("x, \"q\" ,y\n", "1:[x|\"q\"|y]\nOK"); /* spaces around quotes */
    expect("ab\"c,d\n", "1:[ab\"c|d]\nOK");       /* a quote inside an unquoted value */
    expect("\"a\"b,c\n2,3\n", "1:!text follows a closing quote\n2:[2|3]\nOK");
    expect("\"open\n", "BAD 1 has a quoted field that is never closed");
}

static void test_embedded_line_breaks_move_lines(void **state)
{
    (void)state;
    expect("h\n\"one\ntwo\"\nnext\n", "1:[h]\n2:[\"one\ntwo\"]\n4:[next]\nOK");
    expect("h\r\n\"a\r\nb\"\r\nc\r\n", "1:[h]\n2:[\"a\r\nb\"]\n4:[c]\nOK");
}

static void test_blank_lines_and_trimming(void **state)
{
    (void)state;
    expect("a\n\n\r\nb\n", "1:[a]\n4:[b]\nOK");
    expect("  a  ,\tb\t\n", "1:[a|b]\nOK");
    expect("   \n", "1:[]\nOK"); /* spaces are characters: a record of one empty field */
    expect("\" a \"\n", "1:[\" a \"]\nOK");
}

static void test_bom(void **state)
{
    (void)state;
    expect("\xEF\xBB\xBF"
           "a,b\n",
           "1:[a|b]\nOK");
    expect("\xEF\xBB\xBF", "OK");
    expect("\xEF\xBB", "BAD 1 is not valid UTF-8 (a character is cut off at the end)");
    expect("a,\xEF\xBB\xBF\n", "1:[a|\xEF\xBB\xBF]\nOK"); /* not at the start: data */
}

static void test_utf8(void **state)
{
    (void)state;
    expect("caf\xC3\xA9,\xE2\x82\xAC,\xF0\x9F\x98\x80\n",
           "1:[caf\xC3\xA9|\xE2\x82\xAC|\xF0\x9F\x98\x80]\nOK");
    expect("a\nb\n\xFF\n", "1:[a]\n2:[b]\nBAD 3 is not valid UTF-8");
    expect("a\n\xC0\xAF\n", "1:[a]\nBAD 2 is not valid UTF-8");     /* overlong */
    expect("a\n\xED\xA0\x80\n", "1:[a]\nBAD 2 is not valid UTF-8"); /* surrogate */
    expect("\xF4\x90\x80\x80\n", "BAD 1 is not valid UTF-8");       /* > U+10FFFF */
    expect("\"x\n\xFF\"\n", "BAD 2 is not valid UTF-8");            /* inside quotes */
    expect_n("a\0b\n", 4, "BAD 1 is not valid UTF-8");
}

static void test_limits(void **state)
{
    (void)state;
    static char in[WH_LIMIT_CSV_RECORD_BYTES + 64];
    char got[512];
    memset(in, 'x', WH_LIMIT_CSV_RECORD_BYTES + 1);
    memcpy(in + WH_LIMIT_CSV_RECORD_BYTES + 1, "\nok\n", 5);
    run(in, strlen(in), 0, got, sizeof got);
    assert_string_equal(got, "1:!the record is longer than 65536 bytes\n2:[ok]\nOK");
    char many[256];
    for (int i = 0; i < WH_LIMIT_CSV_FIELDS; i++)
        memcpy(many + 2 * i, "a,", 2);
    memcpy(many + 2 * WH_LIMIT_CSV_FIELDS, "a\n", 3);
    run(many, strlen(many), 0, got, sizeof got);
    assert_string_equal(got, "1:!the record has more than 64 fields\nOK");
}

static bool stop_first(void *ctx, const wh_csv_record *rec)
{
    (void)rec;
    (*(int *)ctx)++;
    return false;
}

static void test_stop(void **state)
{
    (void)state;
    int calls = 0;
    wh_csv p;
    wh_csv_init(&p, stop_first, &calls);
    assert_int_equal(wh_csv_feed(&p, "a\nb\nc\n", 6), WH_CSV_STOPPED);
    assert_int_equal(wh_csv_finish(&p), WH_CSV_STOPPED);
    assert_int_equal(calls, 1);
    wh_csv_cleanup(&p);
}

/* An import reads an export's values as stored: the export's formula guard comes off once. */
static void test_unguard(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"'=SUM(A1)", "=SUM(A1)"},
        {"'+1", "+1"},
        {"'-2", "-2"},
        {"'@x", "@x"},
        {"'\tx", "\tx"},
        {"'\rx", "\rx"},
        {"''=x", "''=x"}, /* a ' after the ' is not a formula character */
        {"'", "'"},
        {"'a", "'a"},
        {"it's", "it's"},
        {"=x", "=x"}, /* no guard: as given */
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_string_equal(wh_csv_unguard(cases[i][0]), cases[i][1]);
    const char *once = "''-3"; /* only one ' is a guard, and only right before the formula */
    assert_ptr_equal(wh_csv_unguard(once), once);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_and_line_ends),
        cmocka_unit_test(test_quotes),
        cmocka_unit_test(test_embedded_line_breaks_move_lines),
        cmocka_unit_test(test_blank_lines_and_trimming),
        cmocka_unit_test(test_bom),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_stop),
        cmocka_unit_test(test_unguard),
    };
    return cmocka_run_group_tests_name("unit_core_csv", tests, NULL, NULL);
}
