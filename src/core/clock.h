/* Time as an input: the clock is read once per request or job run and passed on. Instants are
 * int64 Unix milliseconds; days are "YYYY-MM-DD" in the business time zone, which is installed
 * once at start-up (wh_clock_set_zone) before threads start. */
#ifndef WH_CORE_CLOCK_H
#define WH_CORE_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

int64_t wh_clock_now_ms(void);
/* Monotonic milliseconds, for durations. */
int64_t wh_clock_mono_ms(void);
/* Monotonic microseconds, for request latencies. */
int64_t wh_clock_mono_us(void);
/* The instant ms milliseconds from now on clock id (CLOCK_REALTIME or CLOCK_MONOTONIC), as a
 * pthread_cond_timedwait deadline for a condition variable on that clock. */
void wh_clock_deadline(clockid_t id, int64_t ms, struct timespec *out);
/* RFC 3339 UTC with milliseconds: "2026-11-28T19:04:50.123Z" (needs 25 bytes). */
void wh_clock_render_ms(int64_t ms, char *out, size_t cap);
/* Parses any RFC 3339 date-time (fraction optional, Z or +hh:mm offset). */
bool wh_clock_parse_rfc3339(const char *s, int64_t *ms);
/* Validates "YYYY-MM-DD" as a real calendar day. */
bool wh_clock_parse_date(const char *s, int *y, int *m, int *d);
/* Sets the business time zone (an IANA name); false when unknown. Not thread-safe. */
bool wh_clock_set_zone(const char *tz);
/* The business-zone calendar day of an instant, "YYYY-MM-DD" (needs 11 bytes). */
void wh_clock_day_of(int64_t ms, char *out, size_t cap);

/* The first instant (ms) of day in the business time zone: 00:00, or the first instant after a
 * DST gap at midnight. day must be a valid day. */
int64_t wh_clock_day_start(const char *day);

/* Day arithmetic on "YYYY-MM-DD" (proleptic Gregorian, no time zone involved). false when day
 * is not a valid date or the result falls outside 0001-01-01..9999-12-31 (out is then not
 * written). out needs 11 bytes. */
bool wh_clock_day_add(const char *day, int days, char *out, size_t cap);
/* The Monday of day's week (weeks run Monday to Sunday). */
bool wh_clock_monday_of(const char *day, char *out, size_t cap);
/* b - a in days; false when either is invalid. */
bool wh_clock_days_between(const char *a, const char *b, int64_t *days);
/* Is the valid day at most WH_LIMIT_DAYS_AHEAD days after the business day of now_ms? Business
 * dates (a call's start, a hotel's daily entry) past that are refused: nobody books tomorrow's
 * figures today, and 9999-12-31 would sit at the top of every list and range. */
bool wh_clock_day_near(const char *day, int64_t now_ms);

#endif
