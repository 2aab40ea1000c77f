/* Clock, RFC 3339 rendering and parsing, business-zone days. Uses only the _r forms of the
 * time functions. */
#define _GNU_SOURCE
#include "core/clock.h"
#include "core/limits.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static _Atomic unsigned zone_gen; /* grows with every wh_clock_set_zone */

int64_t wh_clock_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t wh_clock_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t wh_clock_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d);

/* v (>= 0, < 10^width) as width decimal digits, zero-padded, at out (no NUL): what printf's
 * %0<width>d writes for the dates and times rendered on every list page and request. */
static void put_digits(char *out, int v, int width)
{
    for (int i = width - 1; i >= 0; i--, v /= 10)
        out[i] = (char)('0' + v % 10);
}

void wh_clock_render_ms(int64_t ms, char *out, size_t cap)
{
    /* UTC by arithmetic, not gmtime_r, which takes the process's zone lock (a list page renders
     * a hundred instants) */
    int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
    int frac = (int)(ms - secs * 1000);
    int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
    int rem = (int)(secs - days * 86400);
    int year, month, day;
    civil_from_days(days, &year, &month, &day);
    int hour = rem / 3600, min = rem / 60 % 60, sec = rem % 60;
    if (year < 0 || year > 9999 || cap < 25) {
        snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", year, month, day, hour, min, sec,
                 frac);
        return;
    }
    /* the same text without printf, which is most of the cost of rendering a list's instants */
    memcpy(out, "0000-00-00T00:00:00.000Z", 25);
    put_digits(out, year, 4);
    put_digits(out + 5, month, 2);
    put_digits(out + 8, day, 2);
    put_digits(out + 11, hour, 2);
    put_digits(out + 14, min, 2);
    put_digits(out + 17, sec, 2);
    put_digits(out + 20, frac, 3);
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool valid_day(int y, int m, int d)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || m < 1 || m > 12 || d < 1)
        return false;
    return d <= mdays[m - 1] + (m == 2 && leap(y));
}

bool wh_clock_parse_date(const char *s, int *y, int *m, int *d)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    *y = digits(s, 4);
    *m = digits(s + 5, 2);
    *d = digits(s + 8, 2);
    return valid_day(*y, *m, *d);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

bool wh_clock_parse_rfc3339(const char *s, int64_t *ms)
{
    char day[11];
    int y, mo, d;
    size_t n = strlen(s);
    if (n < 20 || (s[10] != 'T' && s[10] != 't' && s[10] != ' '))
        return false;
    memcpy(day, s, 10);
    day[10] = '\0';
    if (!wh_clock_parse_date(day, &y, &mo, &d) || s[13] != ':' || s[16] != ':')
        return false;
    int hh = digits(s + 11, 2), mi = digits(s + 14, 2), ss = digits(s + 17, 2);
    if (hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 60)
        return false;
    const char *p = s + 19;
    int64_t frac_ms = 0;
    if (*p == '.') {
        int nd = 0;
        p++;
        while (*p >= '0' && *p <= '9') {
            if (nd < 3)
                frac_ms = frac_ms * 10 + (*p - '0');
            nd++;
            p++;
        }
        if (nd == 0)
            return false;
        for (int k = nd; k < 3; k++)
            frac_ms *= 10;
    }
    int64_t offset_min = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
        int oh = digits(p + 1, 2), om = digits(p + 4, 2);
        if (oh < 0 || oh > 23 || om < 0 || om > 59)
            return false;
        offset_min = (oh * 60 + om) * (*p == '-' ? -1 : 1);
        p += 6;
    } else {
        return false;
    }
    if (*p != '\0')
        return false;
    int64_t secs = days_from_civil(y, mo, d) * 86400 + hh * 3600 + mi * 60 + ss - offset_min * 60;
    /* an offset may not carry the instant outside years 1..9999 UTC: it could not be rendered
     * back as text this parser accepts */
    if (secs < days_from_civil(1, 1, 1) * 86400 || secs >= days_from_civil(10000, 1, 1) * 86400)
        return false;
    *ms = secs * 1000 + frac_ms;
    return true;
}

bool wh_clock_set_zone(const char *tz)
{
    char path[512];
    if (!tz || !*tz || strstr(tz, ".."))
        return false;
    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", tz);
    FILE *f = fopen(path, "rb");
    if (!f && strcmp(tz, "UTC") != 0)
        return false;
    if (f)
        fclose(f);
    setenv("TZ", tz, 1);
    tzset();
    atomic_fetch_add(&zone_gen, 1);
    return true;
}

void wh_clock_day_of(int64_t ms, char *out, size_t cap)
{
    /* each thread keeps the last second it converted: a request asks for today's date, and
     * localtime_r takes the process's zone lock; a zone set since invalidates it */
    static _Thread_local struct {
        time_t secs;
        unsigned gen;
        bool set;
        char day[11];
    } last;
    time_t secs = (time_t)(ms / 1000);
    unsigned gen = atomic_load(&zone_gen);
    if (!last.set || last.secs != secs || last.gen != gen) {
        struct tm tm;
        localtime_r(&secs, &tm);
        int year = tm.tm_year + 1900;
        if (year < 0 || year > 9999) {
            snprintf(out, cap, "%04d-%02d-%02d", year, tm.tm_mon + 1, tm.tm_mday);
            return;
        }
        memcpy(last.day, "0000-00-00", 11);
        put_digits(last.day, year, 4);
        put_digits(last.day + 5, tm.tm_mon + 1, 2);
        put_digits(last.day + 8, tm.tm_mday, 2);
        last.secs = secs;
        last.gen = gen;
        last.set = true;
    }
    if (cap >= sizeof last.day) {
        memcpy(out, last.day, sizeof last.day);
    } else if (cap > 0) { /* cut short, as snprintf would */
        memcpy(out, last.day, cap - 1);
        out[cap - 1] = '\0';
    }
}

/* Civil date of a day count since 1970-01-01 (inverse of days_from_civil). */
static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static bool day_number(const char *day, int64_t *n)
{
    int y, m, d;
    if (!wh_clock_parse_date(day, &y, &m, &d))
        return false;
    *n = days_from_civil(y, m, d);
    return true;
}

/* Renders day number n; false when it falls outside 0001-01-01..9999-12-31, which no
 * "YYYY-MM-DD" text can hold (year 10000 would not even fit the 11 bytes). */
static bool render_day(int64_t n, char *out, size_t cap)
{
    int y, m, d;
    if (n < days_from_civil(1, 1, 1) || n > days_from_civil(9999, 12, 31))
        return false;
    civil_from_days(n, &y, &m, &d);
    snprintf(out, cap, "%04d-%02d-%02d", y, m, d);
    return true;
}

bool wh_clock_day_add(const char *day, int days, char *out, size_t cap)
{
    int64_t n;
    return day_number(day, &n) && render_day(n + days, out, cap);
}

bool wh_clock_monday_of(const char *day, char *out, size_t cap)
{
    int64_t n;
    if (!day_number(day, &n))
        return false;
    int64_t weekday = ((n % 7) + 7 + 3) % 7; /* 1970-01-01 was a Thursday: 0 = Monday */
    return render_day(n - weekday, out, cap);
}

bool wh_clock_days_between(const char *a, const char *b, int64_t *days)
{
    int64_t na, nb;
    if (!day_number(a, &na) || !day_number(b, &nb))
        return false;
    *days = nb - na;
    return true;
}

void wh_clock_deadline(clockid_t id, int64_t ms, struct timespec *out)
{
    clock_gettime(id, out);
    int64_t ns = out->tv_nsec + (ms % 1000) * 1000000L;
    out->tv_sec += (time_t)(ms / 1000 + ns / 1000000000L);
    out->tv_nsec = (long)(ns % 1000000000L);
}

bool wh_clock_day_near(const char *day, int64_t now_ms)
{
    char today[32], last[32];
    wh_clock_day_of(now_ms, today, sizeof today);
    if (!wh_clock_day_add(today, WH_LIMIT_DAYS_AHEAD, last, sizeof last))
        return true; /* today is 9999-12-31: nothing lies after it */
    return strcmp(day, last) <= 0;
}

int64_t wh_clock_day_start(const char *day)
{
    int64_t days = 0;
    char d[32];
    if (!wh_clock_days_between("1970-01-01", day, &days))
        return 0;
    /* a zone's midnight is within 26 hours of UTC's: the first instant whose day is day */
    int64_t lo = days * 86400000 - 26 * 3600000LL, hi = days * 86400000 + 26 * 3600000LL;
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        wh_clock_day_of(mid, d, sizeof d);
        if (strcmp(d, day) >= 0)
            hi = mid;
        else
            lo = mid;
    }
    return hi;
}
