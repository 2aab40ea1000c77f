/* Fault injection: the frozen on/off flag, the process plan, the per-thread binding and the
 * counting step the db and outbound-HTTP hooks call. See fault.h for who binds what.
 * Invariant: while wh_fault_enabled is false no plan exists and nothing here is reached. */
#include "core/fault.h"
#include "core/log.h"
#include "core/str.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

bool wh_fault_enabled = false;

static wh_fault process_plan;
static _Thread_local wh_fault *bound;

static const char *const kind_names[WH_FAULT_KINDS] = {"db", "http"};

void wh_fault_enable(int64_t db_nth, int64_t http_nth, int64_t stall_ms)
{
    process_plan.nth[WH_FAULT_DB] = db_nth;
    process_plan.nth[WH_FAULT_HTTP] = http_nth;
    process_plan.stall_ms = stall_ms;
    wh_fault_enabled = true;
    wh_log(WH_LOG_WARN,
           "FAULT INJECTION IS ON (WH_FAULT_INJECTION=1): X-Wh-Fault headers can fail database "
           "and outbound calls; never run a production server like this (process plan: db=%lld "
           "http=%lld stall_ms=%lld)",
           (long long)db_nth, (long long)http_nth, (long long)stall_ms);
}

wh_fault *wh_fault_process(void)
{
    return wh_fault_enabled ? &process_plan : NULL;
}

/* One "name=value" item of an X-Wh-Fault header. */
static bool parse_item(const char *item, size_t len, wh_fault *out)
{
    const char *eq = memchr(item, '=', len);
    int64_t v = 0;
    size_t nl = eq ? (size_t)(eq - item) : 0;
    bool stall = nl == 8 && memcmp(item, "stall_ms", 8) == 0;
    if (!eq || !wh_str_to_i64((wh_str){eq + 1, len - nl - 1}, 1,
                              stall ? WH_FAULT_STALL_MAX_MS : INT64_MAX, &v))
        return false;
    if (nl == 2 && memcmp(item, "db", 2) == 0)
        out->nth[WH_FAULT_DB] = v;
    else if (nl == 4 && memcmp(item, "http", 4) == 0)
        out->nth[WH_FAULT_HTTP] = v;
    else if (stall)
        out->stall_ms = v;
    else
        return false;
    return true;
}

bool wh_fault_parse(const char *text, wh_fault *out)
{
    wh_fault empty = {0};
    *out = empty;
    for (const char *p = text; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t len = strcspn(p, ", ");
        if (len && !parse_item(p, len, out)) {
            *out = empty;
            return false;
        }
        p += len;
    }
    return true;
}

wh_fault *wh_fault_bind(wh_fault *plan)
{
    wh_fault *was = bound;
    bound = plan;
    return was;
}

static void stall(wh_fault_kind kind, int64_t n, int64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    wh_log(WH_LOG_WARN, "fault injection: stalling %lld ms at %s call %lld", (long long)ms,
           kind_names[kind], (long long)n);
    while (nanosleep(&ts, &ts) != 0)
        continue;
}

bool wh_fault_step(wh_fault_kind kind)
{
    wh_fault *f = bound;
    if (!f)
        return false;
    int64_t n = atomic_fetch_add(&f->calls[kind], 1) + 1;
    if (n != f->nth[kind])
        return false;
    atomic_store(&f->fired[kind], true);
    if (f->stall_ms > 0) {
        stall(kind, n, f->stall_ms);
        return false;
    }
    wh_log(WH_LOG_WARN, "fault injection: failing %s call %lld", kind_names[kind], (long long)n);
    return true;
}

void wh_fault_render(const wh_fault *plan, char *out, unsigned long cap)
{
    const char *fired = "none";
    if (atomic_load(&plan->fired[WH_FAULT_DB]))
        fired = "db";
    else if (atomic_load(&plan->fired[WH_FAULT_HTTP]))
        fired = "http";
    snprintf(out, cap, "db=%lld,http=%lld,fired=%s",
             (long long)atomic_load(&plan->calls[WH_FAULT_DB]),
             (long long)atomic_load(&plan->calls[WH_FAULT_HTTP]), fired);
}
