/* The pure rules of gamification: the default points of DOMAIN.md §6, the shape of an event
 * type, the points of a type under a venture's overrides, competition ranking, who reads a
 * venture's events (the own-events rule) and the namespace of manual keys. No I/O. */
#include "gamification/gamification.h"

#include <string.h>

const char *const wh_gami_builtin_types[] = {
    WH_EVENT_FIRST_DAILY_LOGIN,      WH_EVENT_BPO_CALL_COMPLETED,
    WH_EVENT_HOTEL_REVIEW_RESPONDED, WH_EVENT_HOTEL_DISPUTE_RESOLVED,
    WH_EVENT_PERFECT_WEEK_EOD,       WH_EVENT_EOD_REPORT_SUBMITTED,
    WH_EVENT_LOAD_COMPLETED,         NULL,
};

static const int64_t defaults[] = {1, 3, 8, 15, 25, 10, 25};

bool wh_gami_default_points(const char *type, int64_t *points)
{
    for (size_t i = 0; type && wh_gami_builtin_types[i]; i++) {
        if (strcmp(type, wh_gami_builtin_types[i]) == 0) {
            *points = defaults[i];
            return true;
        }
    }
    return false;
}

bool wh_gami_type_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > WH_GAMIFICATION_TYPE_CHARS || s[0] < 'A' || s[0] > 'Z')
        return false;
    return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == n;
}

bool wh_gami_points_of(const wh_gami_config *cfg, const char *type, int64_t *points)
{
    for (size_t i = 0; cfg && i < cfg->n; i++) {
        if (strcmp(cfg->types[i], type) == 0) {
            *points = cfg->points[i];
            return true;
        }
    }
    return wh_gami_default_points(type, points);
}

bool wh_gami_sees_venture_events(wh_role role)
{
    /* everyone else (EMPLOYEE, TEAM_LEAD, ...) reads only the points they earned themselves */
    return wh_role_leadership(role) || wh_rbac_allows(role, WH_PERM_GAMIFICATION_CONFIG);
}

static bool own_events_only(wh_role role)
{
    return !wh_gami_sees_venture_events(role);
}

const wh_rule wh_gami_rule_own_events = {
    "gamification_own_events", WH_RULE_OWN, own_events_only,
    "Your role reads only its own point events (others' need leadership or"
    " gamification.config)."};

const char *wh_gami_manual_key(wh_arena *a, const char *key)
{
    return wh_arena_printf(a, "%s%s", WH_GAMIFICATION_MANUAL_PREFIX, key);
}

void wh_gami_rank(const int64_t *points, size_t n, int64_t *rank)
{
    for (size_t i = 0; i < n; i++)
        rank[i] = i > 0 && points[i] == points[i - 1] ? rank[i - 1] : (int64_t)i + 1;
}

json_t *wh_gami_points_json(const wh_gami_config *cfg)
{
    json_t *o = json_object();
    for (size_t i = 0; wh_gami_builtin_types[i]; i++)
        json_object_set_new(o, wh_gami_builtin_types[i], json_integer(defaults[i]));
    for (size_t i = 0; cfg && i < cfg->n; i++)
        json_object_set_new(o, cfg->types[i], json_integer(cfg->points[i]));
    return o;
}
