/* The BPO rules that need no database: who is limited to their own calls, who manages
 * campaigns and agents, talk time, and the order of a call's instants. */
#include "bpo/bpo.h"

#include "core/clock.h"

#include <stdio.h>

bool wh_bpo_own_calls_only(wh_role role)
{
    return role == WH_ROLE_EMPLOYEE;
}

bool wh_bpo_may_manage(wh_role role)
{
    /* bpo.write holds EMPLOYEE for their own calls only, not for campaigns or agents */
    return wh_rbac_allows(role, WH_PERM_BPO_WRITE) && !wh_bpo_own_calls_only(role);
}

const wh_rule wh_bpo_rule_manager = {
    "bpo_manager", WH_RULE_REFUSE, wh_bpo_own_calls_only,
    "Your role may log its own calls but not manage campaigns or agents."};

const wh_rule wh_bpo_rule_own_calls = {
    "bpo_own_calls", WH_RULE_OWN, wh_bpo_own_calls_only,
    "Your role sees and logs only its own calls, through its own agent rows."};

int64_t wh_bpo_talk_seconds(int64_t started_at, int64_t ended_at)
{
    if (ended_at == 0 || ended_at < started_at)
        return 0;
    return (ended_at - started_at) / 1000;
}

/* Is the instant's business day at most WH_LIMIT_DAYS_AHEAD after today? */
static bool near(int64_t at, int64_t now_ms)
{
    char day[16];
    wh_clock_day_of(at, day, sizeof day);
    return wh_clock_day_near(day, now_ms);
}

wh_err wh_bpo_call_check_times(int64_t started_at, int64_t ended_at, int64_t now_ms, wh_error *e)
{
    if (!near(started_at, now_ms))
        return wh_error_field(e, "started_at", "must not be more than %d day after today",
                              WH_LIMIT_DAYS_AHEAD);
    if (ended_at != 0 && !near(ended_at, now_ms))
        return wh_error_field(e, "ended_at", "must not be more than %d day after today",
                              WH_LIMIT_DAYS_AHEAD);
    if (ended_at != 0 && ended_at < started_at)
        return wh_error_field(e, "ended_at", "must not be before started_at");
    return WH_OK;
}

void wh_bpo_call_event_key(int64_t call_id, char *out, size_t cap)
{
    snprintf(out, cap, "bpo_call:%lld", (long long)call_id);
}
