/* Schedule computation, pure but for the process's time zone (the business zone installed at
 * start-up). A scheduled wall time W (a day and an hour:minute in business time) is resolved to
 * an instant t with t + offset(t) = W, where offset is the zone's UTC offset (tm_gmtoff of
 * localtime_r). Around a change there are two candidate offsets (the day before's and the day
 * after's):
 *   - both fit (clocks went back, W occurs twice): the earlier instant is the slot;
 *   - neither fits (clocks went forward, W does not exist): the slot is the instant the gap
 *     ends, found by bisection between the two candidates.
 * So every wall slot maps to exactly one instant, and a daily job runs once on every day,
 * including both daylight-saving change days. mktime with tm_isdst = -1 is not used: its choice
 * inside a gap or an overlap is not specified. */
#include "jobs/jobs.h"

#include <stdio.h>
#include <time.h>

static int64_t offset_at(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    return (int64_t)tm.tm_gmtoff;
}

/* The instant (seconds) of wall time w (seconds of the wall clock read as if it were UTC). */
static int64_t resolve(int64_t w)
{
    int64_t before = offset_at(w - 86400), after = offset_at(w + 86400);
    int64_t best = INT64_MAX;
    int64_t offs[2] = {before, after};
    for (int i = 0; i < 2; i++)
        if (offset_at(w - offs[i]) == offs[i] && w - offs[i] < best)
            best = w - offs[i];
    if (best != INT64_MAX)
        return best;
    /* a gap: [lo, hi) crosses the change; find the first instant on the new offset */
    int64_t lo = w - (before > after ? before : after), hi = w - (before > after ? after : before);
    int64_t newer = offset_at(hi);
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        if (offset_at(mid) == newer)
            hi = mid;
        else
            lo = mid;
    }
    return hi;
}

/* Wall seconds of day (y, m, d + dd) at h:mi, normalised by timegm. */
static int64_t wall(const struct tm *day, int dd, int h, int mi)
{
    struct tm tm = {.tm_year = day->tm_year,
                    .tm_mon = day->tm_mon,
                    .tm_mday = day->tm_mday + dd,
                    .tm_hour = h,
                    .tm_min = mi};
    return (int64_t)timegm(&tm);
}

int64_t wh_schedule_next(const wh_schedule *s, int64_t now_ms)
{
    time_t now_s = (time_t)(now_ms >= 0 ? now_ms / 1000 : (now_ms - 999) / 1000);
    struct tm today;
    localtime_r(&now_s, &today);
    int64_t best = INT64_MAX;
    int step = s->kind == WH_SCHEDULE_DAILY ? 24 : s->hours;
    int first = s->kind == WH_SCHEDULE_DAILY ? s->hour : 0;
    for (int dd = -1; dd <= 2; dd++) {
        for (int h = first; h < 24; h += step) {
            int64_t t = resolve(wall(&today, dd, h, s->minute)) * 1000;
            if (t > now_ms && t < best)
                best = t;
        }
    }
    return best;
}

void wh_schedule_render(const wh_schedule *s, char *out, size_t cap)
{
    if (s->kind == WH_SCHEDULE_DAILY)
        snprintf(out, cap, "daily %02d:%02d", s->hour, s->minute);
    else
        snprintf(out, cap, "every %dh", s->hours);
}
