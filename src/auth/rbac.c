/* Roles and the permission table of DOMAIN.md §1, as data: one bit mask of roles per
 * permission. Pure; no I/O. */
#include "auth/auth.h"

#include <string.h>

#define R(x)       (1u << WH_ROLE_##x)
#define LEADERSHIP (R(CEO) | R(ADMIN) | R(COO) | R(VENTURE_HEAD))
#define EVERY_ROLE ((1u << WH_ROLE_COUNT) - 1)

const char *const wh_role_names[] = {
    "CEO",        "ADMIN",     "COO",        "VENTURE_HEAD", "OFFICE_MANAGER",
    "TEAM_LEAD",  "EMPLOYEE",  "CONTRACTOR", "AUDITOR",      "FINANCE",
    "HR_ADMIN",   "TEST_USER", "CSR",        "DISPATCHER",   "CARRIER_TEAM",
    "ACCOUNTING", NULL,
};

static const struct {
    const char *name;
    unsigned roles;
} perms[WH_PERM_COUNT] = {
    [WH_PERM_PUBLIC] = {NULL, EVERY_ROLE},
    [WH_PERM_SIGNED_IN] = {NULL, EVERY_ROLE},
    [WH_PERM_USERS_MANAGE] = {"users.manage", R(CEO) | R(ADMIN) | R(HR_ADMIN)},
    [WH_PERM_VENTURES_MANAGE] = {"ventures.manage", R(CEO) | R(ADMIN)},
    [WH_PERM_FREIGHT_READ] = {"freight.read", LEADERSHIP | R(OFFICE_MANAGER) | R(TEAM_LEAD) |
                                                  R(DISPATCHER) | R(CSR) | R(CARRIER_TEAM) |
                                                  R(AUDITOR) | R(FINANCE) | R(EMPLOYEE)},
    [WH_PERM_FREIGHT_WRITE] = {"freight.write", LEADERSHIP | R(OFFICE_MANAGER) | R(TEAM_LEAD) |
                                                    R(DISPATCHER) | R(CSR) | R(EMPLOYEE)},
    [WH_PERM_CARRIERS_WRITE] = {"carriers.write",
                                LEADERSHIP | R(OFFICE_MANAGER) | R(DISPATCHER) | R(CARRIER_TEAM)},
    [WH_PERM_BPO_READ] = {"bpo.read", LEADERSHIP | R(OFFICE_MANAGER) | R(TEAM_LEAD) | R(EMPLOYEE) |
                                          R(AUDITOR) | R(FINANCE)},
    [WH_PERM_BPO_WRITE] = {"bpo.write",
                           LEADERSHIP | R(OFFICE_MANAGER) | R(TEAM_LEAD) | R(EMPLOYEE)},
    [WH_PERM_HOTELS_READ] = {"hotels.read", LEADERSHIP | R(OFFICE_MANAGER) | R(TEAM_LEAD) | R(CSR) |
                                                R(AUDITOR) | R(FINANCE)},
    [WH_PERM_HOTELS_WRITE] = {"hotels.write", LEADERSHIP | R(OFFICE_MANAGER) | R(TEAM_LEAD)},
    [WH_PERM_HOTELS_RESPOND] = {NULL, LEADERSHIP | R(OFFICE_MANAGER) | R(TEAM_LEAD) | R(CSR)},
    [WH_PERM_KPI_READ] = {"kpi.read", EVERY_ROLE},
    [WH_PERM_KPI_WRITE] = {"kpi.write", LEADERSHIP | R(FINANCE) | R(ACCOUNTING)},
    [WH_PERM_INCENTIVES_READ] = {"incentives.read", LEADERSHIP | R(FINANCE)},
    [WH_PERM_INCENTIVES_MANAGE] = {"incentives.manage", R(CEO) | R(ADMIN)},
    [WH_PERM_PAYOUTS_APPROVE] = {"payouts.approve", R(CEO) | R(ADMIN) | R(FINANCE)},
    [WH_PERM_GAMIFICATION_CONFIG] = {"gamification.config", R(CEO) | R(ADMIN) | R(COO)},
    [WH_PERM_JOBS_MANAGE] = {"jobs.manage", R(CEO) | R(ADMIN)},
    [WH_PERM_INTEGRATIONS_READ] = {"integrations.read", R(CEO) | R(ADMIN)},
    [WH_PERM_AUDIT_READ] = {"audit.read", R(CEO) | R(ADMIN) | R(AUDITOR)},
    [WH_PERM_EOD_WRITE] = {"eod.write", EVERY_ROLE & ~R(AUDITOR)},
    [WH_PERM_SAAS_READ] = {"saas.read", LEADERSHIP | R(OFFICE_MANAGER) | R(TEAM_LEAD) |
                                            R(EMPLOYEE) | R(CSR) | R(FINANCE) | R(ACCOUNTING) |
                                            R(AUDITOR)},
    [WH_PERM_SAAS_WRITE] = {"saas.write", LEADERSHIP | R(OFFICE_MANAGER) | R(TEAM_LEAD) |
                                              R(FINANCE) | R(ACCOUNTING)},
    [WH_PERM_HOLDINGS_READ] = {"holdings.read",
                               LEADERSHIP | R(FINANCE) | R(ACCOUNTING) | R(AUDITOR)},
    [WH_PERM_HOLDINGS_WRITE] = {"holdings.write", LEADERSHIP | R(FINANCE) | R(ACCOUNTING)},
    [WH_PERM_OVERVIEW_READ] = {"overview.read", LEADERSHIP | R(FINANCE) | R(AUDITOR)},
    [WH_PERM_REPORTS_READ] = {"reports.read", LEADERSHIP | R(OFFICE_MANAGER) | R(TEAM_LEAD) |
                                                  R(FINANCE) | R(ACCOUNTING) | R(AUDITOR)},
    [WH_PERM_TASKS_READ] = {"tasks.read", LEADERSHIP | R(OFFICE_MANAGER) | R(TEAM_LEAD) |
                                              R(HR_ADMIN) | R(AUDITOR)},
    [WH_PERM_TASKS_MANAGE] = {"tasks.manage",
                              LEADERSHIP | R(OFFICE_MANAGER) | R(TEAM_LEAD) | R(HR_ADMIN)},
    [WH_PERM_CARRIERS_ASSIGN_PENDING] = {"carriers.assign_pending", LEADERSHIP | R(OFFICE_MANAGER)},
    [WH_PERM_IMPORTS_WRITE] = {"imports.write", LEADERSHIP | R(OFFICE_MANAGER) | R(FINANCE)},
    [WH_PERM_IMPORTS_READ] = {"imports.read",
                              LEADERSHIP | R(OFFICE_MANAGER) | R(FINANCE) | R(AUDITOR)},
};

bool wh_role_parse(const char *name, wh_role *out)
{
    for (int i = 0; i < WH_ROLE_COUNT; i++)
        if (name && strcmp(name, wh_role_names[i]) == 0) {
            *out = (wh_role)i;
            return true;
        }
    return false;
}

const char *wh_role_name(wh_role role)
{
    return role < WH_ROLE_COUNT ? wh_role_names[role] : "UNKNOWN";
}

bool wh_role_all_ventures(wh_role role)
{
    unsigned all = R(CEO) | R(ADMIN) | R(COO) | R(AUDITOR) | R(HR_ADMIN) | R(TEST_USER);
    return (all & (1u << role)) != 0;
}

bool wh_role_office_scoped(wh_role role)
{
    unsigned o = R(OFFICE_MANAGER) | R(TEAM_LEAD) | R(EMPLOYEE) | R(CONTRACTOR) | R(CSR) |
                 R(DISPATCHER) | R(CARRIER_TEAM) | R(ACCOUNTING) | R(FINANCE);
    return (o & (1u << role)) != 0;
}

bool wh_role_leadership(wh_role role)
{
    return (LEADERSHIP & (1u << role)) != 0;
}

bool wh_rbac_allows(wh_role role, wh_perm perm)
{
    if (perm >= WH_PERM_COUNT || role >= WH_ROLE_COUNT)
        return false;
    return (perms[perm].roles & (1u << role)) != 0;
}

const char *wh_perm_name(wh_perm perm)
{
    return perm < WH_PERM_COUNT ? perms[perm].name : NULL;
}

const char *wh_perm_label(wh_perm perm)
{
    switch (perm) {
    case WH_PERM_PUBLIC:
        return "public";
    case WH_PERM_SIGNED_IN:
        return "signed_in";
    case WH_PERM_HOTELS_RESPOND:
        return "hotels.respond";
    default:
        return wh_perm_name(perm);
    }
}

const char *wh_rule_kind_name(wh_rule_kind kind)
{
    switch (kind) {
    case WH_RULE_REFUSE:
        return "refuse";
    case WH_RULE_OWN:
        return "own";
    default:
        return "target";
    }
}
