/* The task and notification rules that need no database: the lists of values, the status moves
 * of DOMAIN-wave2 §18, working days, the cut of long titles, E.164 phones, and the route rules. */
#include "tasks/tasks.h"

#include "core/clock.h"
#include "core/str.h"

#include <stdio.h>
#include <string.h>

const char *const wh_task_priorities[] = {"LOW", "MEDIUM", "HIGH", "CRITICAL", NULL};
const char *const wh_task_statuses[] = {"OPEN", "DONE", "CANCELLED", NULL};
const char *const wh_task_link_types[] = {"load",
                                          "shipper",
                                          "carrier",
                                          "hotel",
                                          "hotel_dispute",
                                          "hotel_review",
                                          "bpo_call_log",
                                          "saas_customer",
                                          "saas_subscription",
                                          "holding_asset",
                                          "bank_account",
                                          "user",
                                          NULL};
const char *const wh_notify_types[] = {"TASK_ASSIGNED", "TASK_COMPLETED", "EOD_REMINDER",
                                       "PAYOUT_STATUS", NULL};

static bool is_auditor(wh_role role)
{
    return role == WH_ROLE_AUDITOR;
}

static bool lacks_tasks_read(wh_role role)
{
    return !wh_rbac_allows(role, WH_PERM_TASKS_READ);
}

const wh_rule wh_tasks_rule_writer = {"tasks_writer", WH_RULE_REFUSE, is_auditor,
                                      "Your role reads tasks but never writes them."};

const wh_rule wh_tasks_rule_own = {
    "tasks_own", WH_RULE_OWN, lacks_tasks_read,
    "Your role sees only the tasks assigned to you or created by you."};

bool wh_task_transition_ok(const char *from, const char *to)
{
    if (strcmp(from, to) == 0)
        return true;
    if (strcmp(from, "OPEN") == 0)
        return strcmp(to, "DONE") == 0 || strcmp(to, "CANCELLED") == 0;
    return strcmp(to, "OPEN") == 0; /* DONE -> OPEN, CANCELLED -> OPEN */
}

/* 0 = Monday ... 6 = Sunday; -1 for a bad day. */
static int weekday(const char *day)
{
    char monday[16];
    int64_t n = 0;
    if (!wh_clock_monday_of(day, monday, sizeof monday) || !wh_clock_days_between(monday, day, &n))
        return -1;
    return (int)n;
}

bool wh_tasks_working_day(const char *day)
{
    int w = weekday(day);
    return w >= 0 && w < 5;
}

void wh_tasks_last_working_day(const char *day, char *out, size_t cap)
{
    char cur[16];
    snprintf(cur, sizeof cur, "%s", day);
    for (int i = 0; i < 7; i++) {
        if (!wh_clock_day_add(cur, -1, cur, sizeof cur))
            break;
        if (wh_tasks_working_day(cur))
            break;
    }
    snprintf(out, cap, "%s", cur);
}

const char *wh_tasks_ellipsis(wh_arena *a, const char *s, size_t max)
{
    size_t len = strlen(s);
    if (wh_str_utf8_len(s, len) <= max)
        return s;
    /* the byte length of the first max - 3 characters */
    size_t bytes = 0, chars = 0;
    while (bytes < len && chars < max - 3) {
        bytes++;
        while (bytes < len && ((unsigned char)s[bytes] & 0xC0) == 0x80)
            bytes++;
        chars++;
    }
    return wh_arena_printf(a, "%.*s...", (int)bytes, s);
}
