/* Date and time parsing (src/core/clock.c). The first two input bytes are a day offset k, the
 * rest up to a NUL is the text. Properties:
 *  - a day wh_clock_parse_date accepts re-renders to the same text (wh_clock_day_add by 0);
 *  - wh_clock_day_add by k either refuses or gives a valid day d2 with days_between = k, and
 *    adding -k to d2 gives the day back; the Monday of the day is a Monday at most 6 days before
 *    it;
 *  - an instant wh_clock_parse_rfc3339 accepts renders (wh_clock_render_ms) to text that parses
 *    back to the same instant, and to the very same text when the input was already canonical
 *    (UTC "Z", milliseconds, no leap second). */
#include "fuzz.h"

#include "core/clock.h"

static void check_day(const char *s, int k)
{
    char out[16], back[16], monday[16];
    int y, m, d;
    int64_t between = 0;
    if (!wh_clock_parse_date(s, &y, &m, &d))
        return;
    FUZZ_CHECK(y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= 31);
    FUZZ_CHECK(wh_clock_day_add(s, 0, out, 11) && strcmp(out, s) == 0);
    if (wh_clock_day_add(s, k, out, 11)) {
        FUZZ_CHECK(wh_clock_parse_date(out, &y, &m, &d));
        FUZZ_CHECK(wh_clock_days_between(s, out, &between) && between == k);
        FUZZ_CHECK(wh_clock_day_add(out, -k, back, 11) && strcmp(back, s) == 0);
    }
    if (wh_clock_monday_of(s, monday, 11)) {
        FUZZ_CHECK(wh_clock_parse_date(monday, &y, &m, &d));
        FUZZ_CHECK(wh_clock_days_between(monday, s, &between) && between >= 0 && between <= 6);
        FUZZ_CHECK(wh_clock_monday_of(monday, out, 11) && strcmp(out, monday) == 0);
    }
}

static bool canonical(const char *s)
{
    return strlen(s) == 24 && s[10] == 'T' && s[19] == '.' && s[23] == 'Z' && s[17] <= '5';
}

static void check_instant(const char *s)
{
    int64_t ms = 0, again = 0;
    char out[64];
    if (!wh_clock_parse_rfc3339(s, &ms))
        return;
    wh_clock_render_ms(ms, out, sizeof out);
    /* offsets can move 0001-01-01 or 9999-12-31 into years 0 and 10000, which no day holds */
    if (wh_clock_parse_rfc3339(out, &again))
        FUZZ_CHECK(again == ms);
    else
        FUZZ_CHECK(ms < INT64_C(-62135596800000) || ms >= INT64_C(253402300800000));
    if (canonical(s))
        FUZZ_CHECK(strcmp(out, s) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    int k = (int16_t)(data[0] | data[1] << 8);
    char *s = fuzz_cstr(data + 2, size - 2);
    check_day(s, k);
    check_instant(s);
    free(s);
    return 0;
}
