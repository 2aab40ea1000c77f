/* The pure rules of end-of-day reports: the filing window (today back to WH_EOD_BACK_DAYS days,
 * never the future), the Monday-Sunday week, hours_worked in hundredths, and who may read other
 * users' reports. No I/O, no clock: "today" is an argument. */
#include "eod/eod.h"
#include "core/clock.h"

wh_eod_day wh_eod_day_check(const char *date, const char *today)
{
    int64_t back = 0;
    if (!date || !wh_clock_days_between(date, today, &back))
        return WH_EOD_DAY_INVALID;
    if (back < 0)
        return WH_EOD_DAY_FUTURE;
    if (back > WH_EOD_BACK_DAYS)
        return WH_EOD_DAY_TOO_OLD;
    return WH_EOD_DAY_OK;
}

bool wh_eod_week_of(const char *date, char monday[11], char sunday[11])
{
    return wh_clock_monday_of(date, monday, 11) && wh_clock_day_add(monday, 6, sunday, 11);
}

bool wh_eod_hours_parse(const json_t *v, int64_t *hundredths)
{
    if (!json_is_number(v))
        return false;
    double h = json_number_value(v);
    /* the negated test also refuses NaN, which jansson never produces but costs nothing */
    if (!(h >= 0.0 && h <= 24.0))
        return false;
    *hundredths = (int64_t)(h * 100.0 + 0.5);
    return true;
}

json_t *wh_eod_hours_json(bool has, int64_t hundredths)
{
    if (!has)
        return json_null();
    if (hundredths % 100 == 0)
        return json_integer(hundredths / 100);
    return json_real((double)hundredths / 100.0);
}

bool wh_eod_reads_team(wh_role role)
{
    return wh_rbac_allows(role, WH_PERM_KPI_READ) &&
           (wh_role_leadership(role) || role == WH_ROLE_OFFICE_MANAGER ||
            role == WH_ROLE_TEAM_LEAD);
}

static bool own_reports_only(wh_role role)
{
    return !wh_eod_reads_team(role);
}

const wh_rule wh_eod_rule_own_reports = {
    "eod_own_reports", WH_RULE_OWN, own_reports_only,
    "Your role reads only its own reports (others' need kpi.read and a leadership, OFFICE_MANAGER"
    " or TEAM_LEAD role)."};
