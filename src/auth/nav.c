/* Navigation of DOMAIN.md §1, computed from the role and the venture types in scope. Pure. */
#include "auth/auth.h"

#include <string.h>

enum { T_LOGISTICS, T_TRANSPORT, T_HOSPITALITY, T_BPO, T_SAAS, T_HOLDINGS, T_TESTING };

static const char *const type_names[] = {"LOGISTICS", "TRANSPORT", "HOSPITALITY", "BPO",
                                         "SAAS",      "HOLDINGS",  "TESTING"};

unsigned wh_nav_type_bit(const char *type)
{
    for (unsigned i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
        if (type && strcmp(type, type_names[i]) == 0)
            return 1u << i;
    return 0;
}

/* An item is allowed when the role has perm (and, when set, also perm2 - or either, see
 * any_of) and, when leaders_only, is leadership, OFFICE_MANAGER or TEAM_LEAD. */
typedef struct {
    const char *key, *label, *path;
    wh_perm perm, alt; /* alt: a second permission that also grants the item */
    bool leaders_only;
} item;

typedef struct {
    const char *key, *label;
    unsigned types; /* venture types of which one must be in scope; 0: none needed */
    item items[10];
} section;

#define B(t) (1u << (t))

static const section sections[] = {
    {"command_center",
     "Command center",
     0,
     {{"my_day", "My day", "/", WH_PERM_SIGNED_IN, WH_PERM_SIGNED_IN, false},
      {"leaderboard", "Leaderboard", "/leaderboard", WH_PERM_KPI_READ, WH_PERM_KPI_READ, false},
      {"my_incentives", "My incentives", "/incentives/me", WH_PERM_SIGNED_IN, WH_PERM_SIGNED_IN,
       false},
      {"overview", "Overview", "/overview", WH_PERM_OVERVIEW_READ, WH_PERM_OVERVIEW_READ, false},
      {"tasks", "Tasks", "/tasks", WH_PERM_SIGNED_IN, WH_PERM_SIGNED_IN, false},
      {"notifications", "Notifications", "/notifications", WH_PERM_SIGNED_IN, WH_PERM_SIGNED_IN,
       false}}},
    {"operations",
     "Operations",
     0,
     {{"eod", "End of day", "/eod", WH_PERM_EOD_WRITE, WH_PERM_EOD_WRITE, false},
      {"team_eod", "Team EOD", "/eod/team", WH_PERM_KPI_READ, WH_PERM_KPI_READ, true},
      {"team_tasks", "Team tasks", "/tasks/team", WH_PERM_TASKS_READ, WH_PERM_TASKS_READ, false}}},
    {"freight",
     "Freight",
     B(T_LOGISTICS) | B(T_TRANSPORT),
     {{"dashboard", "Dashboard", "/freight", WH_PERM_KPI_READ, WH_PERM_KPI_READ, false},
      {"loads", "Loads", "/freight/loads", WH_PERM_FREIGHT_READ, WH_PERM_FREIGHT_READ, false},
      {"carriers", "Carriers", "/freight/carriers", WH_PERM_FREIGHT_READ, WH_PERM_FREIGHT_READ,
       false},
      {"shippers", "Shippers", "/freight/shippers", WH_PERM_FREIGHT_READ, WH_PERM_FREIGHT_READ,
       false},
      {"reports", "Reports", "/freight/reports", WH_PERM_REPORTS_READ, WH_PERM_REPORTS_READ,
       false}}},
    {"hospitality",
     "Hospitality",
     B(T_HOSPITALITY),
     {{"dashboard", "Dashboard", "/hotels", WH_PERM_KPI_READ, WH_PERM_KPI_READ, false},
      {"hotels", "Hotels", "/hotels/list", WH_PERM_HOTELS_READ, WH_PERM_HOTELS_READ, false},
      {"reviews", "Reviews", "/hotels/reviews", WH_PERM_HOTELS_READ, WH_PERM_HOTELS_READ, false},
      {"disputes", "Disputes", "/hotels/disputes", WH_PERM_HOTELS_READ, WH_PERM_HOTELS_READ, false},
      {"reports", "Reports", "/hotels/reports", WH_PERM_REPORTS_READ, WH_PERM_REPORTS_READ,
       false}}},
    {"bpo",
     "BPO",
     B(T_BPO),
     {{"dashboard", "Dashboard", "/bpo", WH_PERM_KPI_READ, WH_PERM_KPI_READ, false},
      {"call_logs", "Call logs", "/bpo/calls", WH_PERM_BPO_READ, WH_PERM_BPO_READ, false},
      {"campaigns", "Campaigns", "/bpo/campaigns", WH_PERM_BPO_READ, WH_PERM_BPO_READ, false},
      {"agents", "Agents", "/bpo/agents", WH_PERM_BPO_READ, WH_PERM_BPO_READ, false},
      {"reports", "Reports", "/bpo/reports", WH_PERM_REPORTS_READ, WH_PERM_REPORTS_READ, false}}},
    {"saas",
     "SaaS",
     B(T_SAAS),
     {{"dashboard", "Dashboard", "/saas", WH_PERM_KPI_READ, WH_PERM_KPI_READ, false},
      {"customers", "Customers", "/saas/customers", WH_PERM_SAAS_READ, WH_PERM_SAAS_READ, false},
      {"subscriptions", "Subscriptions", "/saas/subscriptions", WH_PERM_SAAS_READ,
       WH_PERM_SAAS_READ, false}}},
    {"holdings",
     "Holdings",
     B(T_HOLDINGS),
     {{"dashboard", "Dashboard", "/holdings", WH_PERM_HOLDINGS_READ, WH_PERM_HOLDINGS_READ, false},
      {"assets", "Assets", "/holdings/assets", WH_PERM_HOLDINGS_READ, WH_PERM_HOLDINGS_READ, false},
      {"bank_accounts", "Bank accounts", "/holdings/bank-accounts", WH_PERM_HOLDINGS_READ,
       WH_PERM_HOLDINGS_READ, false}}},
    {"admin",
     "Admin",
     0,
     {{"users", "Users", "/admin/users", WH_PERM_USERS_MANAGE, WH_PERM_USERS_MANAGE, false},
      {"ventures", "Ventures", "/admin/ventures", WH_PERM_VENTURES_MANAGE, WH_PERM_VENTURES_MANAGE,
       false},
      {"incentive_plans", "Incentive plans", "/admin/incentive-plans", WH_PERM_INCENTIVES_MANAGE,
       WH_PERM_PAYOUTS_APPROVE, false},
      {"payouts", "Payouts", "/admin/payouts", WH_PERM_INCENTIVES_MANAGE, WH_PERM_PAYOUTS_APPROVE,
       false},
      {"gamification", "Gamification", "/admin/gamification", WH_PERM_GAMIFICATION_CONFIG,
       WH_PERM_GAMIFICATION_CONFIG, false},
      {"jobs", "Jobs", "/admin/jobs", WH_PERM_JOBS_MANAGE, WH_PERM_JOBS_MANAGE, false},
      {"integrations", "Integrations", "/admin/integrations", WH_PERM_INTEGRATIONS_READ,
       WH_PERM_INTEGRATIONS_READ, false},
      {"audit", "Audit log", "/admin/audit", WH_PERM_AUDIT_READ, WH_PERM_AUDIT_READ, false},
      {"imports", "Imports", "/admin/imports", WH_PERM_IMPORTS_READ, WH_PERM_IMPORTS_READ, false}}},
};

static bool item_allowed(const item *it, wh_role role)
{
    if (!wh_rbac_allows(role, it->perm) && !wh_rbac_allows(role, it->alt))
        return false;
    if (it->leaders_only && !wh_role_leadership(role) && role != WH_ROLE_OFFICE_MANAGER &&
        role != WH_ROLE_TEAM_LEAD)
        return false;
    return true;
}

json_t *wh_nav_build(wh_role role, unsigned venture_type_bits)
{
    json_t *out = json_array();
    for (size_t s = 0; s < sizeof sections / sizeof sections[0]; s++) {
        const section *sec = &sections[s];
        if (sec->types && !(sec->types & venture_type_bits))
            continue;
        json_t *items = json_array();
        for (const item *it = sec->items; it->key; it++)
            if (item_allowed(it, role))
                json_array_append_new(items, json_pack("{s:s, s:s, s:s}", "key", it->key, "label",
                                                       it->label, "path", it->path));
        if (json_array_size(items) == 0) {
            json_decref(items);
            continue;
        }
        json_array_append_new(out, json_pack("{s:s, s:s, s:o}", "key", sec->key, "label",
                                             sec->label, "items", items));
    }
    return json_pack("{s:o}", "sections", out);
}
