/* core: strict integer parsing, RFC 3339 parsing and rendering, bounded buffers, the typed JSON
 * getters (wh_jin) and base64url. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/alloc.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/json.h"
#include "core/limits.h"
#include "core/str.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* ---- wh_str_to_i64 ---- */

static bool to_i64(const char *s, int64_t *out)
{
    return wh_str_to_i64(wh_str_c(s), INT64_MIN, INT64_MAX, out);
}

static void test_i64_accepts(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int64_t v;
    } ok[] = {
        {"0", 0},
        {"-0", 0},
        {"7", 7},
        {"007", 7},
        {"-42", -42},
        {"1234567890", 1234567890},
        {"9223372036854775807", INT64_MAX},
        {"-9223372036854775808", INT64_MIN},
        {"-9223372036854775807", -INT64_MAX},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int64_t v = 12345;
        if (!to_i64(ok[i].s, &v))
            fail_msg("\"%s\" refused", ok[i].s);
        assert_true(v == ok[i].v);
    }
}

/* The decimal text of an integer (wh_str_from_i64, wh_arena_i64): what printf's %lld writes,
 * and what wh_str_to_i64 reads back. */
static void test_i64_text(void **state)
{
    (void)state;
    static const long long values[] = {
        0, 7, -1, 10, -10, 1234567890, INT64_MAX, INT64_MIN, -INT64_MAX, 999999999999LL};
    wh_arena a;
    wh_arena_init(&a);
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char want[32], got[WH_STR_I64_BYTES];
        snprintf(want, sizeof want, "%lld", values[i]);
        assert_int_equal(wh_str_from_i64(values[i], got), strlen(want));
        assert_string_equal(got, want);
        assert_string_equal(wh_arena_i64(&a, values[i]), want);
        int64_t back = 0;
        assert_true(to_i64(got, &back) && back == values[i]);
    }
    assert_string_equal(wh_arena_cat(&a, "wh:", "", "cache:", wh_arena_i64(&a, -5), (char *)NULL),
                        "wh:cache:-5");
    assert_string_equal(wh_arena_cat(&a, (char *)NULL), "");
    wh_arena_cleanup(&a);
}

/* Arenas one after the other on a thread reuse its spare blocks: the memory still comes zeroed. */
static void test_arena_reuse_is_zeroed(void **state)
{
    (void)state;
    for (int round = 0; round < 4; round++) {
        wh_arena a;
        wh_arena_init(&a);
        for (int i = 0; i < 40; i++) { /* several blocks of 8 KiB */
            unsigned char *p = wh_arena_alloc(&a, 1000);
            for (int k = 0; k < 1000; k++)
                assert_int_equal(p[k], 0);
            memset(p, 0xAB, 1000);
        }
        wh_arena_cleanup(&a);
    }
}

/* The business day of an instant follows the zone set, also right after a change of zone (each
 * thread keeps the last second it converted). */
static void test_day_of_follows_the_zone(void **state)
{
    (void)state;
    int64_t ms = 0;
    char day[16];
    assert_true(wh_clock_parse_rfc3339("2026-12-03T03:30:00Z", &ms));
    assert_true(wh_clock_set_zone("UTC"));
    wh_clock_day_of(ms, day, sizeof day);
    assert_string_equal(day, "2026-12-03");
    assert_true(wh_clock_set_zone("America/New_York"));
    wh_clock_day_of(ms, day, sizeof day);
    assert_string_equal(day, "2026-12-02");
    wh_clock_day_of(ms + 3600000, day, sizeof day); /* 23:30 in New York */
    assert_string_equal(day, "2026-12-02");
    wh_clock_day_of(ms + 5400000, day, sizeof day); /* 00:00 */
    assert_string_equal(day, "2026-12-03");
    char small[5];
    wh_clock_day_of(ms, small, sizeof small); /* cut short as snprintf would */
    assert_string_equal(small, "2026");
    assert_true(wh_clock_set_zone("UTC"));
    wh_clock_day_of(ms, day, sizeof day);
    assert_string_equal(day, "2026-12-03");
}

static void test_i64_refuses(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "-",
        "+",
        "+1",
        " 1",
        "1 ",
        "1a",
        "a1",
        "0x10",
        "1.5",
        "1e3",
        "--1",
        "-+1",
        "1-",
        "9223372036854775808",   /* INT64_MAX + 1 */
        "-9223372036854775809",  /* INT64_MIN - 1 */
        "18446744073709551615",  /* UINT64_MAX */
        "18446744073709551616",  /* UINT64_MAX + 1 */
        "99999999999999999999",  /* 20 digits */
        "999999999999999999999", /* 21 digits */
        "\xEF\xBC\x91",          /* fullwidth digit one */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t v = 12345;
        if (to_i64(bad[i], &v))
            fail_msg("\"%s\" accepted as %lld", bad[i], (long long)v);
        assert_true(v == 12345); /* untouched on failure */
    }
}

static void test_i64_range_and_slice(void **state)
{
    (void)state;
    int64_t v = 0;
    assert_true(wh_str_to_i64(wh_str_c("5"), 5, 5, &v));
    assert_true(v == 5);
    v = 99;
    assert_false(wh_str_to_i64(wh_str_c("5"), 1, 4, &v));
    assert_false(wh_str_to_i64(wh_str_c("0"), 1, 4, &v));
    assert_false(wh_str_to_i64(wh_str_c("-1"), 0, INT64_MAX, &v));
    assert_true(v == 99);
    /* a slice is parsed by its length, not up to a NUL */
    wh_str s = {"12345", 3};
    assert_true(wh_str_to_i64(s, INT64_MIN, INT64_MAX, &v));
    assert_true(v == 123);
    wh_str with_nul = {"12\0"
                       "3",
                       4};
    assert_false(wh_str_to_i64(with_nul, INT64_MIN, INT64_MAX, &v));
    wh_str empty = {"123", 0};
    assert_false(wh_str_to_i64(empty, INT64_MIN, INT64_MAX, &v));
}

/* ---- RFC 3339 ---- */

static int64_t parse_ok(const char *s)
{
    int64_t ms = 0;
    if (!wh_clock_parse_rfc3339(s, &ms))
        fail_msg("\"%s\" refused", s);
    return ms;
}

static void test_rfc3339_utc(void **state)
{
    (void)state;
    assert_true(parse_ok("1970-01-01T00:00:00Z") == 0);
    assert_true(parse_ok("2026-11-28T19:04:50Z") == 1795892690000LL);
    assert_true(parse_ok("2026-11-28t19:04:50.123z") == 1795892690123LL);
    assert_true(parse_ok("1969-12-31T23:59:59.999Z") == -1);
    assert_true(parse_ok("1900-01-01T00:00:00Z") == -2208988800000LL);
}

static void test_rfc3339_offsets(void **state)
{
    (void)state;
    const int64_t want = 1795892690123LL; /* 2026-11-28T19:04:50.123Z */
    assert_true(parse_ok("2026-11-28T19:04:50.123+00:00") == want);
    assert_true(parse_ok("2026-11-28T19:04:50.123-00:00") == want);
    assert_true(parse_ok("2026-11-28T14:04:50.123-05:00") == want);
    assert_true(parse_ok("2026-11-29T00:34:50.123+05:30") == want);
    /* an offset that moves the instant across a day and a year */
    assert_true(parse_ok("2026-12-31T23:30:00-01:00") == parse_ok("2027-01-01T00:30:00Z"));
    assert_true(parse_ok("2027-01-01T00:30:00+14:00") == parse_ok("2026-12-31T10:30:00Z"));
}

static void test_rfc3339_fractions(void **state)
{
    (void)state;
    const int64_t base = 1795892690000LL;
    assert_true(parse_ok("2026-11-28T19:04:50.1Z") == base + 100);
    assert_true(parse_ok("2026-11-28T19:04:50.12Z") == base + 120);
    assert_true(parse_ok("2026-11-28T19:04:50.123Z") == base + 123);
    assert_true(parse_ok("2026-11-28T19:04:50.000Z") == base);
    /* digits beyond milliseconds are dropped */
    assert_true(parse_ok("2026-11-28T19:04:50.123999Z") == base + 123);
    assert_true(parse_ok("2026-11-28T19:04:50.999999999+01:00") == base - 3600000 + 999);
}

static void test_rfc3339_leap_days(void **state)
{
    (void)state;
    assert_true(parse_ok("2024-02-29T12:00:00Z") == 1709208000000LL);
    assert_true(parse_ok("2000-02-29T23:59:59.999Z") == 951868799999LL);
    assert_true(parse_ok("2024-03-01T00:00:00Z") - parse_ok("2024-02-28T00:00:00Z") ==
                2 * 86400000LL);
    assert_true(parse_ok("2026-03-01T00:00:00Z") - parse_ok("2026-02-28T00:00:00Z") == 86400000LL);
}

/* Found by fuzz_clock: 9999-12-31 plus 7 days rendered year 10000 into 11 bytes and answered
 * true with the text "10000-01-0". Results outside 0001-01-01..9999-12-31 are refused now. */
/* The first instant of a business day, across both DST changes of New York (imported loads are
 * dated at it). Sao Paulo once moved its clocks at midnight: that day starts at 01:00. */
static void test_day_start(void **state)
{
    (void)state;
    assert_true(wh_clock_set_zone("America/New_York"));
    int64_t ms = 0;
    assert_true(wh_clock_parse_rfc3339("2026-03-08T05:00:00Z", &ms));
    assert_int_equal(wh_clock_day_start("2026-03-08"), ms);
    assert_true(wh_clock_parse_rfc3339("2026-11-01T04:00:00Z", &ms));
    assert_int_equal(wh_clock_day_start("2026-11-01"), ms);
    assert_true(wh_clock_parse_rfc3339("2026-11-02T05:00:00Z", &ms));
    assert_int_equal(wh_clock_day_start("2026-11-02"), ms);
    assert_true(wh_clock_set_zone("America/Sao_Paulo"));
    assert_true(wh_clock_parse_rfc3339("2018-11-04T03:00:00Z", &ms)); /* 01:00 local, -02:00 */
    assert_int_equal(wh_clock_day_start("2018-11-04"), ms);
    assert_true(wh_clock_set_zone("UTC"));
}

static void test_day_arithmetic_range(void **state)
{
    (void)state;
    char out[16] = "untouched";
    assert_true(wh_clock_day_add("9999-12-24", 7, out, 11));
    assert_string_equal(out, "9999-12-31");
    assert_true(wh_clock_day_add("0001-01-08", -7, out, 11));
    assert_string_equal(out, "0001-01-01");
    snprintf(out, sizeof out, "untouched");
    assert_false(wh_clock_day_add("9999-12-31", 7, out, 11));
    assert_false(wh_clock_day_add("9999-12-31", 1, out, 11));
    assert_false(wh_clock_day_add("0001-01-01", -1, out, 11));
    assert_false(wh_clock_day_add("2026-11-28", 3000000, out, 11));
    assert_string_equal(out, "untouched");
    /* 0001-01-01 is a Monday; the Monday of 0001-01-07 is that day, and years stay 4 digits */
    assert_true(wh_clock_monday_of("0001-01-07", out, 11));
    assert_string_equal(out, "0001-01-01");
    assert_true(wh_clock_monday_of("9999-12-31", out, 11));
    assert_string_equal(out, "9999-12-27");
}

static void test_rfc3339_refuses(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "2026-11-28",
        "2026-11-28T19:04:50",  /* no zone */
        "2026-11-28T19:04Z",    /* no seconds */
        "2026-02-30T00:00:00Z", /* no such day */
        "2026-02-29T00:00:00Z", /* 2026 is not a leap year */
        "2100-02-29T00:00:00Z", /* nor is 2100 */
        "2026-04-31T00:00:00Z",
        "2026-13-01T00:00:00Z",
        "2026-00-10T00:00:00Z",
        "2026-01-00T00:00:00Z",
        "2026-01-01T24:00:00Z",
        "2026-01-01T23:60:00Z",
        "2026-01-01T23:00:61Z",
        "2026-1-01T00:00:00Z",
        "2026-01-01X00:00:00Z",
        "2026/01/01T00:00:00Z",
        "2026-01-01T00:00:00.Z",    /* a dot needs digits */
        "2026-01-01T00:00:00+0500", /* offset needs a colon */
        "2026-01-01T00:00:00+05",
        "2026-01-01T00:00:00+05:60",
        "2026-01-01T00:00:00+24:00",
        "2026-01-01T00:00:00Zjunk",
        "2026-01-01T00:00:00+01:00 ",
        " 2026-01-01T00:00:00Z",
        "2026-01-01T0a:00:00Z",
        "abcd-ef-ghTij:kl:mnZ",
        "0001-01-01T00:30:00+01:00", /* year 0 in UTC */
        "9999-12-31T23:30:00-01:00", /* year 10000 in UTC */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t ms = 4242;
        if (wh_clock_parse_rfc3339(bad[i], &ms))
            fail_msg("\"%s\" accepted as %lld", bad[i], (long long)ms);
    }
}

static void test_parse_date(void **state)
{
    (void)state;
    int y = 0, m = 0, d = 0;
    assert_true(wh_clock_parse_date("2024-02-29", &y, &m, &d));
    assert_int_equal(y, 2024);
    assert_int_equal(m, 2);
    assert_int_equal(d, 29);
    assert_false(wh_clock_parse_date("2026-02-29", &y, &m, &d));
    assert_false(wh_clock_parse_date("2026-02-30", &y, &m, &d));
    assert_false(wh_clock_parse_date("2026-2-3", &y, &m, &d));
    assert_false(wh_clock_parse_date("2026-02-03 ", &y, &m, &d));
    assert_false(wh_clock_parse_date("", &y, &m, &d));
}

static void test_render_ms(void **state)
{
    (void)state;
    char buf[32];
    wh_clock_render_ms(0, buf, sizeof buf);
    assert_string_equal(buf, "1970-01-01T00:00:00.000Z");
    wh_clock_render_ms(1795892690123LL, buf, sizeof buf);
    assert_string_equal(buf, "2026-11-28T19:04:50.123Z");
    assert_int_equal(strlen(buf), 24);
    wh_clock_render_ms(1709208000007LL, buf, sizeof buf);
    assert_string_equal(buf, "2024-02-29T12:00:00.007Z");
    wh_clock_render_ms(-1, buf, sizeof buf);
    assert_string_equal(buf, "1969-12-31T23:59:59.999Z");
    wh_clock_render_ms(-1000, buf, sizeof buf);
    assert_string_equal(buf, "1969-12-31T23:59:59.000Z");
    /* exactly 25 bytes are enough */
    char exact[25];
    wh_clock_render_ms(951868799999LL, exact, sizeof exact);
    assert_string_equal(exact, "2000-02-29T23:59:59.999Z");

    /* the arithmetic agrees with gmtime_r from year 1 to 9999, day boundaries included */
    const int64_t first = -62135596800000LL, last = 253402300799999LL;
    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int64_t ms = first + (int64_t)(x % (uint64_t)(last - first + 1));
        if (i % 4 == 0) /* a day's first and last millisecond */
            ms = ms - ((ms % 86400000 + 86400000) % 86400000) - (i % 8 == 0);
        time_t secs = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
        struct tm tm;
        gmtime_r(&secs, &tm);
        char want[96];
        snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 (int)(ms - (int64_t)secs * 1000));
        wh_clock_render_ms(ms, buf, sizeof buf);
        if (strcmp(buf, want) != 0)
            fail_msg("%lld: %s, gmtime_r says %s", (long long)ms, buf, want);
    }
}

static void test_render_parse_round_trip(void **state)
{
    (void)state;
    const int64_t vals[] = {0,
                            1,
                            999,
                            1000,
                            -1,
                            -999,
                            -1001,
                            951868799999LL,
                            1709208000000LL,
                            4102444799999LL /* 2099-12-31T23:59:59.999Z */};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        char buf[32];
        int64_t back = 0;
        wh_clock_render_ms(vals[i], buf, sizeof buf);
        assert_int_equal(strlen(buf), 24);
        assert_true(wh_clock_parse_rfc3339(buf, &back));
        if (back != vals[i])
            fail_msg("%lld rendered %s parsed back as %lld", (long long)vals[i], buf,
                     (long long)back);
    }
}

/* ---- wh_buf ---- */

static void test_buf_max(void **state)
{
    (void)state;
    wh_buf b;
    wh_buf_init(&b, 10);
    assert_null(b.data);
    assert_int_equal(wh_buf_append(&b, "0123456789", 10), WH_OK);
    assert_int_equal(b.len, 10);
    assert_string_equal(b.data, "0123456789");
    /* one byte more is refused and changes nothing */
    assert_int_equal(wh_buf_append(&b, "x", 1), WH_ERR_TOO_LARGE);
    assert_int_equal(b.len, 10);
    assert_string_equal(b.data, "0123456789");
    assert_int_equal(wh_buf_printf(&b, "%d", 1), WH_ERR_TOO_LARGE);
    assert_string_equal(b.data, "0123456789");
    /* nothing more always fits */
    assert_int_equal(wh_buf_append(&b, "", 0), WH_OK);
    assert_int_equal(b.len, 10);
    /* a length that would overflow a size_t sum is refused, not wrapped */
    assert_int_equal(wh_buf_append(&b, "x", SIZE_MAX), WH_ERR_TOO_LARGE);
    assert_int_equal(b.len, 10);
    wh_buf_cleanup(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
}

static void test_buf_refuses_in_one_piece(void **state)
{
    (void)state;
    wh_buf b;
    wh_buf_init(&b, 8);
    assert_int_equal(wh_buf_append(&b, "abc", 3), WH_OK);
    /* 6 more would pass the maximum: none of it is appended */
    assert_int_equal(wh_buf_append(&b, "defghi", 6), WH_ERR_TOO_LARGE);
    assert_string_equal(b.data, "abc");
    assert_int_equal(wh_buf_printf(&b, "%s-%d", "xy", 12345), WH_ERR_TOO_LARGE);
    assert_string_equal(b.data, "abc");
    assert_int_equal(wh_buf_printf(&b, "%s%d", "de", 4), WH_OK);
    assert_string_equal(b.data, "abcde4");
    size_t len = 0;
    char *taken = wh_buf_take(&b, &len);
    assert_int_equal(len, 6);
    assert_string_equal(taken, "abcde4");
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.max, 8); /* still bounded after take */
    wh_free(taken);
    assert_int_equal(wh_buf_append(&b, "123456789", 9), WH_ERR_TOO_LARGE);
    wh_buf_cleanup(&b);

    wh_buf z;
    wh_buf_init(&z, 0);
    assert_int_equal(wh_buf_append(&z, "a", 1), WH_ERR_TOO_LARGE);
    assert_null(z.data);
    wh_buf_cleanup(&z);
}

static void test_buf_grows(void **state)
{
    (void)state;
    wh_buf b;
    char want[5001];
    wh_buf_init(&b, 5000);
    for (int i = 0; i < 5000; i++) {
        char c = (char)('a' + i % 26);
        want[i] = c;
        assert_int_equal(wh_buf_append(&b, &c, 1), WH_OK);
    }
    want[5000] = '\0';
    assert_int_equal(b.len, 5000);
    assert_true(b.cap <= 5001);
    assert_string_equal(b.data, want);
    assert_int_equal(wh_buf_append(&b, "z", 1), WH_ERR_TOO_LARGE);
    wh_buf_cleanup(&b);
}

/* ---- wh_jin ---- */

typedef struct {
    json_t *obj;
    wh_error e;
    wh_jin in;
    wh_arena arena;
} jin_fixture;

static void jin_open(jin_fixture *f, const char *text)
{
    json_error_t jerr;
    memset(f, 0, sizeof *f);
    f->obj = json_loads(text, JSON_ALLOW_NUL, &jerr);
    if (!f->obj)
        fail_msg("test JSON does not parse: %s", jerr.text);
    wh_error_init(&f->e);
    wh_arena_init(&f->arena);
    wh_jin_init(&f->in, f->obj, &f->e);
}

static void jin_close(jin_fixture *f)
{
    json_decref(f->obj);
    wh_arena_cleanup(&f->arena);
}

/* Index of the field error for key, or -1. */
static int field_error(const wh_error *e, const char *key)
{
    for (int i = 0; i < e->nfields; i++)
        if (strcmp(e->fields[i].field, key) == 0)
            return i;
    return -1;
}

static void test_jin_unknown_fields_named(void **state)
{
    (void)state;
    jin_fixture f;
    static const char *const allowed[] = {"name", "code", NULL};
    jin_open(&f, "{\"name\": \"x\", \"bogus\": 1, \"code\": \"c\", \"is_admin\": true}");
    wh_jin_allow(&f.in, allowed);
    assert_int_equal(wh_jin_done(&f.in), WH_ERR_INVALID);
    assert_int_equal(f.e.status, 400);
    assert_string_equal(f.e.code, "validation_failed");
    assert_int_equal(f.e.nfields, 2);
    assert_true(field_error(&f.e, "bogus") >= 0);
    assert_true(field_error(&f.e, "is_admin") >= 0);
    assert_int_equal(field_error(&f.e, "name"), -1);
    assert_non_null(strstr(f.e.fields[field_error(&f.e, "bogus")].message, "not a known field"));
    jin_close(&f);

    jin_open(&f, "{\"name\": \"x\"}");
    wh_jin_allow(&f.in, allowed);
    assert_int_equal(wh_jin_done(&f.in), WH_OK);
    assert_int_equal(f.e.status, 0);
    jin_close(&f);
}

static void test_jin_required(void **state)
{
    (void)state;
    jin_fixture f;
    jin_open(&f, "{\"nothing\": null}");
    assert_null(wh_jin_str(&f.in, "name", true, 1, 10));
    assert_null(wh_jin_str(&f.in, "nothing", true, 1, 10)); /* null is missing */
    assert_null(wh_jin_str(&f.in, "optional", false, 1, 10));
    assert_true(wh_jin_int(&f.in, "count", true, 0, 10, 3) == 3);
    assert_int_equal(wh_jin_done(&f.in), WH_ERR_INVALID);
    assert_int_equal(f.e.nfields, 3);
    assert_int_equal(field_error(&f.e, "name"), 0);
    assert_int_equal(field_error(&f.e, "nothing"), 1);
    assert_int_equal(field_error(&f.e, "count"), 2);
    assert_string_equal(f.e.fields[0].message, "is required");
    assert_int_equal(field_error(&f.e, "optional"), -1);
    assert_true(wh_jin_has(&f.in, "nothing"));
    assert_true(wh_jin_is_null(&f.in, "nothing"));
    assert_false(wh_jin_has(&f.in, "name"));
    assert_false(wh_jin_is_null(&f.in, "name"));
    jin_close(&f);

    jin_open(&f, "{}");
    assert_null(wh_jin_str(&f.in, "optional", false, 1, 10));
    assert_true(wh_jin_int(&f.in, "n", false, 0, 10, 7) == 7);
    assert_true(wh_jin_bool(&f.in, "b", false, true));
    assert_int_equal(wh_jin_done(&f.in), WH_OK);
    jin_close(&f);
}

static void test_jin_strings(void **state)
{
    (void)state;
    jin_fixture f;
    jin_open(&f, "{\"city\": \"Z\\u00fcrich\", \"long\": \"abcdefghijk\", \"short\": \"\","
                 " \"num\": 5, \"nul\": \"a\\u0000b\", \"blank\": \" x \"}");
    /* characters, not bytes: Zürich is 6 characters in 7 bytes */
    const char *city = wh_jin_str(&f.in, "city", true, 6, 6);
    assert_non_null(city);
    assert_string_equal(city, "Z\xC3\xBCrich");
    assert_null(wh_jin_str(&f.in, "long", true, 1, 10));
    assert_null(wh_jin_str(&f.in, "short", true, 1, 10));
    assert_null(wh_jin_str(&f.in, "num", true, 0, 10));
    assert_null(wh_jin_str(&f.in, "nul", true, 0, 10));
    assert_string_equal(wh_jin_str(&f.in, "blank", true, 3, 3), " x ");
    assert_int_equal(wh_jin_done(&f.in), WH_ERR_INVALID);
    assert_int_equal(f.e.nfields, 4);
    assert_int_equal(field_error(&f.e, "long"), 0);
    assert_int_equal(field_error(&f.e, "short"), 1);
    assert_int_equal(field_error(&f.e, "num"), 2);
    assert_int_equal(field_error(&f.e, "nul"), 3);
    assert_non_null(strstr(f.e.fields[0].message, "10"));
    assert_non_null(strstr(f.e.fields[1].message, "1"));
    jin_close(&f);
}

static void test_jin_int_ranges(void **state)
{
    (void)state;
    jin_fixture f;
    jin_open(&f, "{\"ok\": 5, \"lo\": 0, \"hi\": 11, \"text\": \"5\", \"real\": 1.5,"
                 " \"bool\": true, \"min\": -9223372036854775808,"
                 " \"max\": 9223372036854775807, \"edge\": 10}");
    assert_true(wh_jin_int(&f.in, "ok", true, 1, 10, -1) == 5);
    assert_true(wh_jin_int(&f.in, "edge", true, 1, 10, -1) == 10);
    assert_true(wh_jin_int(&f.in, "lo", true, 1, 10, -1) == -1);
    assert_true(wh_jin_int(&f.in, "hi", true, 1, 10, -1) == -1);
    assert_true(wh_jin_int(&f.in, "text", true, 1, 10, -1) == -1);
    assert_true(wh_jin_int(&f.in, "real", true, 1, 10, -1) == -1);
    assert_true(wh_jin_int(&f.in, "bool", true, 0, 10, -1) == -1);
    assert_true(wh_jin_int(&f.in, "min", true, INT64_MIN, INT64_MAX, 0) == INT64_MIN);
    assert_true(wh_jin_int(&f.in, "max", true, INT64_MIN, INT64_MAX, 0) == INT64_MAX);
    assert_int_equal(f.e.nfields, 5);
    static const char *const order[] = {"lo", "hi", "text", "real", "bool"};
    for (int i = 0; i < 5; i++)
        assert_int_equal(field_error(&f.e, order[i]), i);
    assert_non_null(strstr(f.e.fields[0].message, "1..10"));
    assert_int_equal(wh_jin_done(&f.in), WH_ERR_INVALID);
    jin_close(&f);
}

static void test_jin_enum_and_bool(void **state)
{
    (void)state;
    jin_fixture f;
    static const char *const types[] = {"LOGISTICS", "BPO", "SAAS", NULL};
    jin_open(&f, "{\"type\": \"BPO\", \"lower\": \"bpo\", \"other\": \"FREIGHT\", \"num\": 1,"
                 " \"flag\": false, \"notbool\": 1}");
    const char *t = wh_jin_enum(&f.in, "type", true, types);
    assert_ptr_equal(t, types[1]); /* the allow-list's own string */
    assert_null(wh_jin_enum(&f.in, "lower", true, types));
    assert_null(wh_jin_enum(&f.in, "other", true, types));
    assert_null(wh_jin_enum(&f.in, "num", true, types));
    assert_null(wh_jin_enum(&f.in, "absent", false, types));
    assert_false(wh_jin_bool(&f.in, "flag", true, true));
    assert_true(wh_jin_bool(&f.in, "notbool", true, true));
    assert_int_equal(f.e.nfields, 4);
    int k = field_error(&f.e, "other");
    assert_true(k >= 0);
    assert_non_null(strstr(f.e.fields[k].message, "LOGISTICS"));
    assert_non_null(strstr(f.e.fields[k].message, "SAAS"));
    assert_true(field_error(&f.e, "notbool") >= 0);
    jin_close(&f);
}

static void test_jin_ids(void **state)
{
    (void)state;
    jin_fixture f;
    size_t n = 99;
    jin_open(&f, "{\"ids\": [3, 1, 3, 2, 1, 3], \"empty\": [], \"zero\": [1, 0],"
                 " \"neg\": [-4], \"text\": [\"1\"], \"notarr\": 5, \"many\": [1, 2, 3, 4]}");
    int64_t *ids = wh_jin_ids(&f.in, "ids", 10, &f.arena, &n);
    assert_non_null(ids);
    assert_int_equal(n, 3);
    assert_true(ids[0] == 3 && ids[1] == 1 && ids[2] == 2);
    n = 99;
    assert_non_null(wh_jin_ids(&f.in, "empty", 10, &f.arena, &n));
    assert_int_equal(n, 0);
    assert_int_equal(wh_jin_done(&f.in), WH_OK);

    static const char *const bad[] = {"zero", "neg", "text", "notarr"};
    for (size_t i = 0; i < 4; i++) {
        n = 99;
        assert_null(wh_jin_ids(&f.in, bad[i], 10, &f.arena, &n));
        assert_int_equal(field_error(&f.e, bad[i]), (int)i);
    }
    /* more than max ids */
    assert_null(wh_jin_ids(&f.in, "many", 3, &f.arena, &n));
    assert_int_equal(field_error(&f.e, "many"), 4);
    assert_int_equal(wh_jin_done(&f.in), WH_ERR_INVALID);
    jin_close(&f);
}

static void test_json_parse_object(void **state)
{
    (void)state;
    json_t *v = NULL;
    wh_error e;
    wh_error_init(&e);
    const char *good = "{\"a\": 1}";
    assert_int_equal(wh_json_parse_object(good, strlen(good), &v, &e), WH_OK);
    assert_true(json_is_object(v));
    json_decref(v);

    const char *cases[][2] = {
        {"{\"a\": ", "invalid_json"},
        {"", "invalid_json"},
        {"{\"a\": 1, \"a\": 2}", "invalid_json"}, /* duplicate member */
        {"{} {}", "invalid_json"},
        {"[1, 2]", "validation_failed"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wh_error_init(&e);
        v = (json_t *)&e;
        wh_err want = strcmp(cases[i][1], "invalid_json") == 0 ? WH_ERR_BAD_JSON : WH_ERR_INVALID;
        assert_int_equal(wh_json_parse_object(cases[i][0], strlen(cases[i][0]), &v, &e), want);
        assert_null(v);
        assert_int_equal(e.status, 400);
        if (strcmp(e.code, cases[i][1]) != 0)
            fail_msg("body %s: code %s, want %s", cases[i][0], e.code, cases[i][1]);
    }
}

/* json.h: "400 validation_failed when the top level is not an object". A scalar top level is
 * valid JSON (RFC 8259), so it is not invalid_json either. */
static void test_json_parse_scalar_top_level(void **state)
{
    (void)state;
    static const char *const scalars[] = {"\"text\"", "5", "null", "true"};
    for (size_t i = 0; i < sizeof scalars / sizeof scalars[0]; i++) {
        json_t *v = NULL;
        wh_error e;
        wh_error_init(&e);
        assert_int_equal(wh_json_parse_object(scalars[i], strlen(scalars[i]), &v, &e),
                         WH_ERR_INVALID);
        assert_null(v);
        assert_int_equal(e.status, 400);
        if (strcmp(e.code, "validation_failed") != 0)
            fail_msg("body %s: code %s (%s), want validation_failed", scalars[i], e.code, e.detail);
    }
}

/* The depth limit lives in wh_json_parse_object (moved from wh_req_json so fuzz_json parses
 * exactly as the server does): WH_LIMIT_JSON_DEPTH levels pass, one more is 400 invalid_json. */
static void test_json_parse_depth_limit(void **state)
{
    (void)state;
    for (int depth = WH_LIMIT_JSON_DEPTH; depth <= WH_LIMIT_JSON_DEPTH + 1; depth++) {
        char body[128] = "";
        size_t n = 0;
        json_t *v = NULL;
        wh_error e;
        /* {"a": [[...[1]...]]}: the object is one level, each array one more */
        n += (size_t)snprintf(body + n, sizeof body - n, "{\"a\":");
        for (int i = 1; i < depth; i++)
            body[n++] = '[';
        body[n++] = '1';
        for (int i = 1; i < depth; i++)
            body[n++] = ']';
        body[n++] = '}';
        body[n] = '\0';
        wh_error_init(&e);
        wh_err rc = wh_json_parse_object(body, n, &v, &e);
        if (depth <= WH_LIMIT_JSON_DEPTH) {
            assert_int_equal(rc, WH_OK);
            json_decref(v);
        } else {
            assert_int_equal(rc, WH_ERR_BAD_JSON);
            assert_null(v);
            assert_int_equal(e.status, 400);
            assert_string_equal(e.code, "invalid_json");
        }
    }
}

/* ---- base64url ---- */

static void test_b64url_known_vectors(void **state)
{
    (void)state;
    char out[32];
    unsigned char bin[32];
    size_t n = 0;
    wh_crypto_b64url_encode("hello", 5, out, sizeof out);
    assert_string_equal(out, "aGVsbG8");
    const unsigned char fb[] = {0xfb, 0xff, 0xbf};
    wh_crypto_b64url_encode(fb, 3, out, sizeof out);
    assert_string_equal(out, "-_-_");
    wh_crypto_b64url_encode(fb, 2, out, sizeof out);
    assert_string_equal(out, "-_8");
    wh_crypto_b64url_encode("", 0, out, sizeof out);
    assert_string_equal(out, "");

    assert_true(wh_crypto_b64url_decode("aGVsbG8", 7, bin, sizeof bin, &n));
    assert_int_equal(n, 5);
    assert_memory_equal(bin, "hello", 5);
    assert_true(wh_crypto_b64url_decode("-_-_", 4, bin, sizeof bin, &n));
    assert_int_equal(n, 3);
    assert_memory_equal(bin, fb, 3);
}

static void test_b64url_round_trip(void **state)
{
    (void)state;
    for (size_t len = 0; len <= 64; len++) {
        unsigned char bin[64], back[64];
        char enc[100];
        size_t n = 999;
        wh_crypto_random(bin, len);
        wh_crypto_b64url_encode(bin, len, enc, sizeof enc);
        size_t el = strlen(enc);
        assert_int_equal(el, (len * 4 + 2) / 3); /* unpadded length */
        assert_null(strchr(enc, '='));
        assert_null(strchr(enc, '+'));
        assert_null(strchr(enc, '/'));
        assert_true(wh_crypto_b64url_decode(enc, el, back, sizeof back, &n));
        assert_int_equal(n, len);
        if (len)
            assert_memory_equal(back, bin, len);
    }
}

static void test_b64url_refuses(void **state)
{
    (void)state;
    unsigned char bin[16];
    size_t n = 0;
    static const char *const bad[] = {
        "aGVsbG8=",                                                   /* padding */
        "aGVs bG8", "aGVsbG8+", "aGVs/G8", "a", "aGVsb!8", "aGVsbG9", /* non-zero trailing bits */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (wh_crypto_b64url_decode(bad[i], strlen(bad[i]), bin, sizeof bin, &n))
            fail_msg("\"%s\" decoded", bad[i]);
    /* a result larger than cap is refused */
    assert_false(wh_crypto_b64url_decode("aGVsbG8", 7, bin, 4, &n));
    /* only slen characters are read */
    assert_true(wh_crypto_b64url_decode("aGVsbG8!!!", 7, bin, sizeof bin, &n));
    assert_int_equal(n, 5);
}

/* wh_jw writes the bytes json_dumps(JSON_COMPACT) writes for the same object: every ASCII byte
 * alone, multi-byte UTF-8, random mixes, nulls, integers at their limits and instants. */
static void expect_jw_like_jansson(const char *s, int64_t v, bool has, int64_t ms)
{
    wh_buf b;
    wh_jw w;
    wh_buf_init(&b, 1 << 20);
    wh_jw_begin(&w, &b);
    wh_jw_str(&w, "s", s);
    wh_jw_int(&w, "v", v);
    wh_jw_int_or_null(&w, "o", has, v);
    wh_jw_id(&w, "id", v);
    wh_jw_time(&w, "at", ms);
    wh_jw_bool(&w, "b", has);
    assert_int_equal(wh_jw_end(&w), WH_OK);
    json_t *o = json_object();
    json_object_set_new(o, "s", s ? json_string(s) : json_null());
    json_object_set_new(o, "v", json_integer(v));
    json_object_set_new(o, "o", has ? json_integer(v) : json_null());
    json_object_set_new(o, "id", v ? json_integer(v) : json_null());
    json_object_set_new(o, "at", wh_json_time(ms));
    json_object_set_new(o, "b", json_boolean(has));
    char *want = json_dumps(o, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
    if (strcmp(b.data, want) != 0)
        fail_msg("wh_jw wrote %s, jansson %s", b.data, want);
    json_t *back = wh_jw_parse(b.data, b.len);
    assert_true(json_equal(back, o));
    json_decref(back);
    free(want);
    json_decref(o);
    wh_buf_cleanup(&b);
}

static void test_jw_matches_jansson(void **state)
{
    (void)state;
    char one[2] = {0, 0};
    for (int c = 1; c < 128; c++) {
        one[0] = (char)c;
        expect_jw_like_jansson(one, c, c % 2 == 0, c * 1000003LL);
    }
    expect_jw_like_jansson("", 0, false, 0);
    expect_jw_like_jansson(NULL, INT64_MIN, true, -1);
    expect_jw_like_jansson("caf\u00e9 \u20ac \U0001F69A \u2028", INT64_MAX, true, 4102444799999LL);
    static const char *const pieces[] = {
        "a",    "Z",    "\"",   "\\", "/",      "\n",     "\r",         "\t",       "\b", "\f",
        "\x01", "\x1f", "\x7f", " ",  "\u00e9", "\u20ac", "\U0001F69A", "=SUM(A1)", ","};
    unsigned seed = 12345;
    for (int k = 0; k < 2000; k++) {
        char s[256];
        size_t n = 0;
        int parts = (int)(seed % 12);
        for (int i = 0; i < parts; i++) {
            seed = seed * 1103515245u + 12345u;
            const char *p = pieces[(seed >> 16) % (sizeof pieces / sizeof pieces[0])];
            memcpy(s + n, p, strlen(p));
            n += strlen(p);
        }
        s[n] = '\0';
        seed = seed * 1103515245u + 12345u;
        expect_jw_like_jansson(s, (int64_t)seed - 2147483648LL, seed % 3 != 0,
                               (int64_t)(seed % 4102444800u) * 1000 + k % 1000);
    }
}

/* A failed append (the buffer's maximum) is kept and answered by wh_jw_end. */
static void test_jw_over_the_maximum(void **state)
{
    (void)state;
    wh_buf b;
    wh_jw w;
    wh_buf_init(&b, 16);
    wh_jw_begin(&w, &b);
    wh_jw_str(&w, "name", "longer than sixteen bytes");
    wh_jw_int(&w, "n", 1);
    assert_int_equal(wh_jw_end(&w), WH_ERR_TOO_LARGE);
    assert_true(b.len <= 16);
    wh_buf_cleanup(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_i64_accepts),
        cmocka_unit_test(test_i64_refuses),
        cmocka_unit_test(test_i64_text),
        cmocka_unit_test(test_arena_reuse_is_zeroed),
        cmocka_unit_test(test_day_of_follows_the_zone),
        cmocka_unit_test(test_i64_range_and_slice),
        cmocka_unit_test(test_rfc3339_utc),
        cmocka_unit_test(test_rfc3339_offsets),
        cmocka_unit_test(test_rfc3339_fractions),
        cmocka_unit_test(test_rfc3339_leap_days),
        cmocka_unit_test(test_day_arithmetic_range),
        cmocka_unit_test(test_day_start),
        cmocka_unit_test(test_rfc3339_refuses),
        cmocka_unit_test(test_parse_date),
        cmocka_unit_test(test_render_ms),
        cmocka_unit_test(test_render_parse_round_trip),
        cmocka_unit_test(test_buf_max),
        cmocka_unit_test(test_buf_refuses_in_one_piece),
        cmocka_unit_test(test_buf_grows),
        cmocka_unit_test(test_jin_unknown_fields_named),
        cmocka_unit_test(test_jin_required),
        cmocka_unit_test(test_jin_strings),
        cmocka_unit_test(test_jin_int_ranges),
        cmocka_unit_test(test_jin_enum_and_bool),
        cmocka_unit_test(test_jin_ids),
        cmocka_unit_test(test_json_parse_object),
        cmocka_unit_test(test_jw_matches_jansson),
        cmocka_unit_test(test_jw_over_the_maximum),
        cmocka_unit_test(test_json_parse_scalar_top_level),
        cmocka_unit_test(test_json_parse_depth_limit),
        cmocka_unit_test(test_b64url_known_vectors),
        cmocka_unit_test(test_b64url_round_trip),
        cmocka_unit_test(test_b64url_refuses),
    };
    if (wh_crypto_init() != WH_OK)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
