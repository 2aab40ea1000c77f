/* Roles, the permission table and navigation of DOMAIN.md §1. The expected table is written out
 * here from the document, independently of src/auth/rbac.c, and compared cell by cell. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "auth/auth.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

/* The 16 roles of DOMAIN.md §1, in wh_role order. */
static const char *const roles[WH_ROLE_COUNT] = {
    "CEO",      "ADMIN",      "COO",          "VENTURE_HEAD", "OFFICE_MANAGER", "TEAM_LEAD",
    "EMPLOYEE", "CONTRACTOR", "AUDITOR",      "FINANCE",      "HR_ADMIN",       "TEST_USER",
    "CSR",      "DISPATCHER", "CARRIER_TEAM", "ACCOUNTING",
};

#define LEADERSHIP "CEO ADMIN COO VENTURE_HEAD "
#define EVERY_ROLE                                                                                 \
    "CEO ADMIN COO VENTURE_HEAD OFFICE_MANAGER TEAM_LEAD EMPLOYEE CONTRACTOR AUDITOR FINANCE "     \
    "HR_ADMIN TEST_USER CSR DISPATCHER CARRIER_TEAM ACCOUNTING"

/* DOMAIN.md §1 "Permissions": permission -> the roles that hold it (space separated). */
static const struct {
    wh_perm perm;
    const char *name; /* NULL: not a named permission of the table */
    const char *roles;
} table[] = {
    {WH_PERM_PUBLIC, NULL, EVERY_ROLE},
    {WH_PERM_SIGNED_IN, NULL, EVERY_ROLE},
    {WH_PERM_USERS_MANAGE, "users.manage", "CEO ADMIN HR_ADMIN"},
    {WH_PERM_VENTURES_MANAGE, "ventures.manage", "CEO ADMIN"},
    {WH_PERM_FREIGHT_READ, "freight.read",
     LEADERSHIP "OFFICE_MANAGER TEAM_LEAD DISPATCHER CSR CARRIER_TEAM AUDITOR FINANCE EMPLOYEE"},
    {WH_PERM_FREIGHT_WRITE, "freight.write",
     LEADERSHIP "OFFICE_MANAGER TEAM_LEAD DISPATCHER CSR EMPLOYEE"},
    {WH_PERM_CARRIERS_WRITE, "carriers.write", LEADERSHIP "OFFICE_MANAGER DISPATCHER CARRIER_TEAM"},
    {WH_PERM_BPO_READ, "bpo.read", LEADERSHIP "OFFICE_MANAGER TEAM_LEAD EMPLOYEE AUDITOR FINANCE"},
    {WH_PERM_BPO_WRITE, "bpo.write", LEADERSHIP "OFFICE_MANAGER TEAM_LEAD EMPLOYEE"},
    {WH_PERM_HOTELS_READ, "hotels.read", LEADERSHIP "OFFICE_MANAGER TEAM_LEAD CSR AUDITOR FINANCE"},
    {WH_PERM_HOTELS_WRITE, "hotels.write", LEADERSHIP "OFFICE_MANAGER TEAM_LEAD"},
    /* "hotels.write ...; CSR for review responses" */
    {WH_PERM_HOTELS_RESPOND, NULL, LEADERSHIP "OFFICE_MANAGER TEAM_LEAD CSR"},
    {WH_PERM_KPI_READ, "kpi.read", EVERY_ROLE},
    {WH_PERM_KPI_WRITE, "kpi.write", LEADERSHIP "FINANCE ACCOUNTING"},
    {WH_PERM_INCENTIVES_READ, "incentives.read", LEADERSHIP "FINANCE"},
    {WH_PERM_INCENTIVES_MANAGE, "incentives.manage", "CEO ADMIN"},
    {WH_PERM_PAYOUTS_APPROVE, "payouts.approve", "CEO ADMIN FINANCE"},
    {WH_PERM_GAMIFICATION_CONFIG, "gamification.config", "CEO ADMIN COO"},
    {WH_PERM_JOBS_MANAGE, "jobs.manage", "CEO ADMIN"},
    {WH_PERM_INTEGRATIONS_READ, "integrations.read", "CEO ADMIN"},
    {WH_PERM_AUDIT_READ, "audit.read", "CEO ADMIN AUDITOR"},
    {WH_PERM_EOD_WRITE, "eod.write",
     "CEO ADMIN COO VENTURE_HEAD OFFICE_MANAGER TEAM_LEAD EMPLOYEE CONTRACTOR FINANCE HR_ADMIN "
     "TEST_USER CSR DISPATCHER CARRIER_TEAM ACCOUNTING"},
    /* DOMAIN-wave2 §1 */
    {WH_PERM_SAAS_READ, "saas.read",
     LEADERSHIP "OFFICE_MANAGER TEAM_LEAD EMPLOYEE CSR FINANCE ACCOUNTING AUDITOR"},
    {WH_PERM_SAAS_WRITE, "saas.write", LEADERSHIP "OFFICE_MANAGER TEAM_LEAD FINANCE ACCOUNTING"},
    {WH_PERM_HOLDINGS_READ, "holdings.read", LEADERSHIP "FINANCE ACCOUNTING AUDITOR"},
    {WH_PERM_HOLDINGS_WRITE, "holdings.write", LEADERSHIP "FINANCE ACCOUNTING"},
    {WH_PERM_OVERVIEW_READ, "overview.read", LEADERSHIP "FINANCE AUDITOR"},
    {WH_PERM_REPORTS_READ, "reports.read",
     LEADERSHIP "OFFICE_MANAGER TEAM_LEAD FINANCE ACCOUNTING AUDITOR"},
    {WH_PERM_TASKS_READ, "tasks.read", LEADERSHIP "OFFICE_MANAGER TEAM_LEAD HR_ADMIN AUDITOR"},
    {WH_PERM_TASKS_MANAGE, "tasks.manage", LEADERSHIP "OFFICE_MANAGER TEAM_LEAD HR_ADMIN"},
    {WH_PERM_CARRIERS_ASSIGN_PENDING, "carriers.assign_pending", LEADERSHIP "OFFICE_MANAGER"},
    {WH_PERM_IMPORTS_WRITE, "imports.write", LEADERSHIP "OFFICE_MANAGER FINANCE"},
    {WH_PERM_IMPORTS_READ, "imports.read", LEADERSHIP "OFFICE_MANAGER FINANCE AUDITOR"},
};

#define NTABLE (sizeof table / sizeof table[0])

/* True when the space-separated list holds the word exactly. */
static bool listed(const char *list, const char *word)
{
    size_t wl = strlen(word);
    for (const char *p = list; *p;) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (n == wl && strncmp(p, word, wl) == 0)
            return true;
        p += n;
    }
    return false;
}

static bool expected(wh_perm perm, wh_role role)
{
    for (size_t i = 0; i < NTABLE; i++)
        if (table[i].perm == perm)
            return listed(table[i].roles, roles[role]);
    fail_msg("permission %d missing from the test table", (int)perm);
    return false;
}

static bool role_is(wh_role role, const char *list)
{
    return listed(list, roles[role]);
}

static void test_table_covers_every_permission(void **state)
{
    (void)state;
    assert_int_equal(NTABLE, WH_PERM_COUNT);
    for (int p = 0; p < WH_PERM_COUNT; p++) {
        bool found = false;
        for (size_t i = 0; i < NTABLE; i++)
            found = found || table[i].perm == (wh_perm)p;
        if (!found)
            fail_msg("permission %d missing from the test table", p);
    }
    /* every role name in the table is a real role (catches typos in the expectations) */
    for (size_t i = 0; i < NTABLE; i++) {
        char copy[512];
        snprintf(copy, sizeof copy, "%s", table[i].roles);
        for (const char *p = copy; *p;) {
            while (*p == ' ')
                p++;
            size_t n = strcspn(p, " ");
            bool ok = n == 0;
            for (int r = 0; r < WH_ROLE_COUNT && !ok; r++)
                ok = strlen(roles[r]) == n && strncmp(roles[r], p, n) == 0;
            if (!ok)
                fail_msg("unknown role in test table: %.*s", (int)n, p);
            p += n;
        }
    }
}

static void test_rbac_matrix(void **state)
{
    (void)state;
    int mismatches = 0;
    for (int r = 0; r < WH_ROLE_COUNT; r++)
        for (int p = 0; p < WH_PERM_COUNT; p++) {
            bool want = expected((wh_perm)p, (wh_role)r);
            bool got = wh_rbac_allows((wh_role)r, (wh_perm)p);
            if (want != got) {
                const char *pn = wh_perm_name((wh_perm)p);
                print_error("role %s, permission %s (%d): want %d, got %d\n", roles[r],
                            pn ? pn : "-", p, want, got);
                mismatches++;
            }
        }
    assert_int_equal(mismatches, 0);
}

static void test_perm_names(void **state)
{
    (void)state;
    for (size_t i = 0; i < NTABLE; i++) {
        const char *got = wh_perm_name(table[i].perm);
        if (table[i].name) {
            if (!got)
                fail_msg("wh_perm_name(%d) is NULL, want %s", (int)table[i].perm, table[i].name);
            assert_string_equal(got, table[i].name);
        }
    }
    assert_null(wh_perm_name(WH_PERM_PUBLIC));
    assert_null(wh_perm_name(WH_PERM_SIGNED_IN));
    assert_null(wh_perm_name(WH_PERM_COUNT));
}

static void test_out_of_range(void **state)
{
    (void)state;
    assert_false(wh_rbac_allows(WH_ROLE_COUNT, WH_PERM_SIGNED_IN));
    assert_false(wh_rbac_allows(WH_ROLE_CEO, WH_PERM_COUNT));
    /* an out-of-range role has a printable name that is no real role's */
    const char *n = wh_role_name(WH_ROLE_COUNT);
    wh_role r;
    assert_non_null(n);
    assert_false(wh_role_parse(n, &r));
}

static void test_auditor_never_writes(void **state)
{
    (void)state;
    static const char *const verbs[] = {".write", ".manage", ".approve", ".config"};
    for (int p = 0; p < WH_PERM_COUNT; p++) {
        const char *n = wh_perm_name((wh_perm)p);
        if (!n)
            continue;
        for (size_t v = 0; v < sizeof verbs / sizeof verbs[0]; v++)
            if (strstr(n, verbs[v]) && wh_rbac_allows(WH_ROLE_AUDITOR, (wh_perm)p))
                fail_msg("AUDITOR holds %s", n);
    }
    assert_false(wh_rbac_allows(WH_ROLE_AUDITOR, WH_PERM_HOTELS_RESPOND));
    assert_false(wh_rbac_allows(WH_ROLE_AUDITOR, WH_PERM_EOD_WRITE));
}

static void test_role_names_round_trip(void **state)
{
    (void)state;
    for (int r = 0; r < WH_ROLE_COUNT; r++) {
        wh_role got = WH_ROLE_COUNT;
        assert_string_equal(wh_role_name((wh_role)r), roles[r]);
        assert_non_null(wh_role_names[r]);
        assert_string_equal(wh_role_names[r], roles[r]);
        assert_true(wh_role_parse(roles[r], &got));
        assert_int_equal(got, r);
        assert_true(wh_role_parse(wh_role_name((wh_role)r), &got));
        assert_int_equal(got, r);
    }
    assert_null(wh_role_names[WH_ROLE_COUNT]);
}

static void test_unknown_role_names(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",        "ceo",   "Ceo", "CEO ", " CEO", "SUPERUSER", "ADMINS", "ADM", "OFFICE MANAGER",
        "UNKNOWN", "CEO\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        wh_role got = (wh_role)99;
        if (wh_role_parse(bad[i], &got))
            fail_msg("role name \"%s\" was accepted", bad[i]);
        assert_int_equal(got, 99); /* left untouched */
    }
    wh_role got = (wh_role)99;
    assert_false(wh_role_parse(NULL, &got));
}

static void test_role_classes(void **state)
{
    (void)state;
    const char *all = "CEO ADMIN COO AUDITOR HR_ADMIN TEST_USER";
    const char *office = "OFFICE_MANAGER TEAM_LEAD EMPLOYEE CONTRACTOR CSR DISPATCHER "
                         "CARRIER_TEAM ACCOUNTING FINANCE";
    const char *leaders = "CEO ADMIN COO VENTURE_HEAD";
    for (int r = 0; r < WH_ROLE_COUNT; r++) {
        if (wh_role_all_ventures((wh_role)r) != role_is((wh_role)r, all))
            fail_msg("wh_role_all_ventures(%s) is wrong", roles[r]);
        if (wh_role_office_scoped((wh_role)r) != role_is((wh_role)r, office))
            fail_msg("wh_role_office_scoped(%s) is wrong", roles[r]);
        if (wh_role_leadership((wh_role)r) != role_is((wh_role)r, leaders))
            fail_msg("wh_role_leadership(%s) is wrong", roles[r]);
    }
}

/* ---- navigation ---- */

enum {
    T_LOGISTICS = 1u << 0,
    T_TRANSPORT = 1u << 1,
    T_HOSPITALITY = 1u << 2,
    T_BPO = 1u << 3,
    T_SAAS = 1u << 4,
    T_HOLDINGS = 1u << 5,
    T_TESTING = 1u << 6,
    T_ALL = (1u << 7) - 1,
};

static void test_nav_type_bits(void **state)
{
    (void)state;
    assert_int_equal(wh_nav_type_bit("LOGISTICS"), T_LOGISTICS);
    assert_int_equal(wh_nav_type_bit("TRANSPORT"), T_TRANSPORT);
    assert_int_equal(wh_nav_type_bit("HOSPITALITY"), T_HOSPITALITY);
    assert_int_equal(wh_nav_type_bit("BPO"), T_BPO);
    assert_int_equal(wh_nav_type_bit("SAAS"), T_SAAS);
    assert_int_equal(wh_nav_type_bit("HOLDINGS"), T_HOLDINGS);
    assert_int_equal(wh_nav_type_bit("TESTING"), T_TESTING);
    assert_int_equal(wh_nav_type_bit("logistics"), 0);
    assert_int_equal(wh_nav_type_bit(""), 0);
    assert_int_equal(wh_nav_type_bit("FREIGHT"), 0);
    assert_int_equal(wh_nav_type_bit(NULL), 0);
}

/* Renders a navigation as "section:item,item|section:item", checking its shape on the way:
 * every section and item has a non-empty key and label, every item a path starting with '/'. */
static void nav_summary(json_t *nav, char *out, size_t cap)
{
    size_t off = 0;
    out[0] = '\0';
    assert_true(json_is_object(nav));
    assert_int_equal(json_object_size(nav), 1);
    json_t *sections = json_object_get(nav, "sections");
    assert_true(json_is_array(sections));
    size_t i, j;
    json_t *sec, *it;
    json_array_foreach(sections, i, sec)
    {
        const char *key = json_string_value(json_object_get(sec, "key"));
        const char *label = json_string_value(json_object_get(sec, "label"));
        json_t *items = json_object_get(sec, "items");
        assert_non_null(key);
        assert_non_null(label);
        assert_true(strlen(label) > 0);
        assert_true(json_is_array(items));
        assert_true(json_array_size(items) > 0); /* empty sections are left out */
        off += (size_t)snprintf(out + off, cap - off, "%s%s:", i ? "|" : "", key);
        json_array_foreach(items, j, it)
        {
            const char *ik = json_string_value(json_object_get(it, "key"));
            const char *il = json_string_value(json_object_get(it, "label"));
            const char *ip = json_string_value(json_object_get(it, "path"));
            assert_non_null(ik);
            assert_non_null(il);
            assert_true(strlen(il) > 0);
            assert_non_null(ip);
            assert_int_equal(ip[0], '/');
            off += (size_t)snprintf(out + off, cap - off, "%s%s", j ? "," : "", ik);
        }
        assert_true(off < cap);
    }
}

static void expect_nav(wh_role role, unsigned bits, const char *want)
{
    char got[1024];
    json_t *nav = wh_nav_build(role, bits);
    assert_non_null(nav);
    nav_summary(nav, got, sizeof got);
    json_decref(nav);
    if (strcmp(got, want) != 0)
        fail_msg("navigation of %s with types 0x%x:\n  want %s\n  got  %s", roles[role], bits, want,
                 got);
}

#define CC_BASE   "command_center:my_day,leaderboard,my_incentives"
#define CC        CC_BASE ",tasks,notifications"
#define CC_OV     CC_BASE ",overview,tasks,notifications"
#define OPS       "|operations:eod"
#define OPS_TEAM  "|operations:eod,team_eod,team_tasks"
#define FREIGHT   "|freight:dashboard,loads,carriers,shippers"
#define HOTELS    "|hospitality:dashboard,hotels,reviews,disputes"
#define BPO       "|bpo:dashboard,call_logs,campaigns,agents"
#define FREIGHT_R FREIGHT ",reports"
#define HOTELS_R  HOTELS ",reports"
#define BPO_R     BPO ",reports"
#define SAAS      "|saas:dashboard,customers,subscriptions"
#define SAAS_DASH "|saas:dashboard"
#define HOLDINGS  "|holdings:dashboard,assets,bank_accounts"

static void test_nav_leadership(void **state)
{
    (void)state;
    expect_nav(WH_ROLE_CEO, T_ALL,
               CC_OV OPS_TEAM FREIGHT_R HOTELS_R BPO_R SAAS HOLDINGS
               "|admin:users,ventures,incentive_plans,payouts,gamification,jobs,integrations,"
               "audit,imports");
    expect_nav(WH_ROLE_ADMIN, 0,
               CC_OV OPS_TEAM "|admin:users,ventures,incentive_plans,payouts,gamification,jobs,"
                              "integrations,audit,imports");
    /* TESTING ventures have no section of their own */
    expect_nav(WH_ROLE_COO, T_TESTING, CC_OV OPS_TEAM "|admin:gamification,imports");
    expect_nav(WH_ROLE_VENTURE_HEAD, T_LOGISTICS | T_SAAS,
               CC_OV OPS_TEAM FREIGHT_R SAAS "|admin:imports");
}

static void test_nav_auditor(void **state)
{
    (void)state;
    /* no eod.write and not a team leader: of operations only team tasks (tasks.read) */
    expect_nav(WH_ROLE_AUDITOR, T_ALL,
               CC_OV "|operations:team_tasks" FREIGHT_R HOTELS_R BPO_R SAAS HOLDINGS
                     "|admin:audit,imports");
    expect_nav(WH_ROLE_AUDITOR, 0, CC_OV "|operations:team_tasks|admin:audit,imports");
}

static void test_nav_by_venture_type(void **state)
{
    (void)state;
    /* only a BPO venture: no freight section, whatever freight.read says */
    expect_nav(WH_ROLE_EMPLOYEE, T_BPO, CC OPS BPO);
    expect_nav(WH_ROLE_EMPLOYEE, T_TRANSPORT, CC OPS FREIGHT);
    expect_nav(WH_ROLE_DISPATCHER, T_LOGISTICS, CC OPS FREIGHT);
    expect_nav(WH_ROLE_DISPATCHER, T_BPO | T_HOSPITALITY,
               CC OPS "|hospitality:dashboard|bpo:dashboard");
    expect_nav(WH_ROLE_TEAM_LEAD, T_TRANSPORT | T_HOSPITALITY, CC OPS_TEAM FREIGHT_R HOTELS_R);
    /* no saas.read, no holdings.read: the SaaS dashboard only, no holdings section */
    expect_nav(WH_ROLE_CONTRACTOR, T_SAAS | T_HOLDINGS | T_TESTING, CC OPS SAAS_DASH);
    expect_nav(WH_ROLE_CONTRACTOR, T_ALL,
               CC OPS "|freight:dashboard|hospitality:dashboard|bpo:dashboard" SAAS_DASH);
    expect_nav(WH_ROLE_CSR, T_HOSPITALITY | T_BPO, CC OPS HOTELS "|bpo:dashboard");
    expect_nav(WH_ROLE_CARRIER_TEAM, T_HOSPITALITY | T_LOGISTICS,
               CC OPS FREIGHT "|hospitality:dashboard");
    expect_nav(WH_ROLE_OFFICE_MANAGER, T_LOGISTICS, CC OPS_TEAM FREIGHT_R "|admin:imports");
}

static void test_nav_admin_items_per_permission(void **state)
{
    (void)state;
    expect_nav(WH_ROLE_FINANCE, 0, CC_OV OPS "|admin:incentive_plans,payouts,imports");
    expect_nav(WH_ROLE_FINANCE, T_SAAS | T_HOLDINGS,
               CC_OV OPS SAAS HOLDINGS "|admin:incentive_plans,payouts,imports");
    expect_nav(WH_ROLE_ACCOUNTING, T_HOLDINGS, CC OPS HOLDINGS);
    expect_nav(WH_ROLE_HR_ADMIN, 0, CC "|operations:eod,team_tasks|admin:users");
    expect_nav(WH_ROLE_ACCOUNTING, 0, CC OPS);
    expect_nav(WH_ROLE_TEST_USER, T_ALL,
               CC OPS "|freight:dashboard|hospitality:dashboard|bpo:dashboard" SAAS_DASH);
}

/* DOMAIN.md §1 navigation, written out: section, required types, items with their paths and
 * the permission names that grant them ("" = signed in; "a|b" = either). */
typedef struct {
    const char *key, *path, *perms;
    bool leaders_only;
} nav_item;

static const struct {
    const char *key;
    unsigned types;
    nav_item items[10]; /* the longest section (admin, 9) and the end mark */
} domain_nav[] = {
    {"command_center",
     0,
     {{"my_day", "/", "", false},
      {"leaderboard", "/leaderboard", "kpi.read", false},
      {"my_incentives", "/incentives/me", "", false},
      {"overview", "/overview", "overview.read", false},

      {"tasks", "/tasks", "", false},
      {"notifications", "/notifications", "", false}}},
    {"operations",
     0,
     {{"eod", "/eod", "eod.write", false},
      {"team_eod", "/eod/team", "kpi.read", true},
      {"team_tasks", "/tasks/team", "tasks.read", false}}},
    {"freight",
     T_LOGISTICS | T_TRANSPORT,
     {{"dashboard", "/freight", "kpi.read", false},
      {"loads", "/freight/loads", "freight.read", false},
      {"carriers", "/freight/carriers", "freight.read", false},
      {"shippers", "/freight/shippers", "freight.read", false},
      {"reports", "/freight/reports", "reports.read", false}}},
    {"hospitality",
     T_HOSPITALITY,
     {{"dashboard", "/hotels", "kpi.read", false},
      {"hotels", "/hotels/list", "hotels.read", false},
      {"reviews", "/hotels/reviews", "hotels.read", false},
      {"disputes", "/hotels/disputes", "hotels.read", false},
      {"reports", "/hotels/reports", "reports.read", false}}},
    {"bpo",
     T_BPO,
     {{"dashboard", "/bpo", "kpi.read", false},
      {"call_logs", "/bpo/calls", "bpo.read", false},
      {"campaigns", "/bpo/campaigns", "bpo.read", false},
      {"agents", "/bpo/agents", "bpo.read", false},
      {"reports", "/bpo/reports", "reports.read", false}}},
    {"saas",
     T_SAAS,
     {{"dashboard", "/saas", "kpi.read", false},
      {"customers", "/saas/customers", "saas.read", false},
      {"subscriptions", "/saas/subscriptions", "saas.read", false}}},
    {"holdings",
     T_HOLDINGS,
     {{"dashboard", "/holdings", "holdings.read", false},
      {"assets", "/holdings/assets", "holdings.read", false},
      {"bank_accounts", "/holdings/bank-accounts", "holdings.read", false}}},
    {"admin",
     0,
     {{"users", NULL, "users.manage", false},
      {"ventures", NULL, "ventures.manage", false},
      {"incentive_plans", NULL, "incentives.manage|payouts.approve", false},
      {"payouts", NULL, "incentives.manage|payouts.approve", false},
      {"gamification", NULL, "gamification.config", false},
      {"jobs", NULL, "jobs.manage", false},
      {"integrations", NULL, "integrations.read", false},
      {"audit", NULL, "audit.read", false},
      {"imports", NULL, "imports.read", false}}},
};

/* Does the role hold one of the '|'-separated permission names, per the test's own table? */
static bool role_holds_any(wh_role role, const char *perms)
{
    if (!*perms)
        return true;
    char copy[128];
    snprintf(copy, sizeof copy, "%s", perms);
    for (char *p = copy; *p;) {
        size_t n = strcspn(p, "|");
        char save = p[n];
        p[n] = '\0';
        for (size_t i = 0; i < NTABLE; i++)
            if (table[i].name && strcmp(table[i].name, p) == 0 &&
                listed(table[i].roles, roles[role]))
                return true;
        p[n] = save;
        p += n + (save ? 1 : 0);
    }
    return false;
}

static void domain_summary(wh_role role, unsigned bits, char *out, size_t cap)
{
    size_t off = 0;
    bool first = true;
    out[0] = '\0';
    for (size_t s = 0; s < sizeof domain_nav / sizeof domain_nav[0]; s++) {
        if (domain_nav[s].types && !(domain_nav[s].types & bits))
            continue;
        char items[256];
        size_t io = 0;
        items[0] = '\0';
        for (const nav_item *it = domain_nav[s].items; it->key; it++) {
            if (!role_holds_any(role, it->perms))
                continue;
            if (it->leaders_only &&
                !role_is(role, "CEO ADMIN COO VENTURE_HEAD OFFICE_MANAGER TEAM_LEAD"))
                continue;
            io += (size_t)snprintf(items + io, sizeof items - io, "%s%s", io ? "," : "", it->key);
        }
        if (io == 0)
            continue;
        off += (size_t)snprintf(out + off, cap - off, "%s%s:%s", first ? "" : "|",
                                domain_nav[s].key, items);
        first = false;
    }
}

static void test_nav_every_role_and_type_set(void **state)
{
    (void)state;
    for (int r = 0; r < WH_ROLE_COUNT; r++)
        for (unsigned bits = 0; bits <= T_ALL; bits++) {
            char want[1024];
            domain_summary((wh_role)r, bits, want, sizeof want);
            expect_nav((wh_role)r, bits, want);
        }
}

static void test_nav_paths(void **state)
{
    (void)state;
    json_t *nav = wh_nav_build(WH_ROLE_CEO, T_ALL);
    json_t *sections = json_object_get(nav, "sections");
    size_t checked = 0;
    for (size_t s = 0; s < sizeof domain_nav / sizeof domain_nav[0]; s++) {
        json_t *sec = json_array_get(sections, s);
        assert_string_equal(json_string_value(json_object_get(sec, "key")), domain_nav[s].key);
        json_t *items = json_object_get(sec, "items");
        for (size_t i = 0; domain_nav[s].items[i].key; i++) {
            json_t *it = json_array_get(items, i);
            assert_string_equal(json_string_value(json_object_get(it, "key")),
                                domain_nav[s].items[i].key);
            if (!domain_nav[s].items[i].path)
                continue; /* DOMAIN.md gives no paths for admin items */
            assert_string_equal(json_string_value(json_object_get(it, "path")),
                                domain_nav[s].items[i].path);
            checked++;
        }
    }
    assert_int_equal(checked, 30); /* 19 of DOMAIN.md, 5 of DOMAIN-wave2 (SaaS, holdings, overview),
                                    * 3 (tasks), 3 (reports) */
    json_decref(nav);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_covers_every_permission),
        cmocka_unit_test(test_rbac_matrix),
        cmocka_unit_test(test_perm_names),
        cmocka_unit_test(test_out_of_range),
        cmocka_unit_test(test_auditor_never_writes),
        cmocka_unit_test(test_role_names_round_trip),
        cmocka_unit_test(test_unknown_role_names),
        cmocka_unit_test(test_role_classes),
        cmocka_unit_test(test_nav_type_bits),
        cmocka_unit_test(test_nav_leadership),
        cmocka_unit_test(test_nav_auditor),
        cmocka_unit_test(test_nav_by_venture_type),
        cmocka_unit_test(test_nav_admin_items_per_permission),
        cmocka_unit_test(test_nav_every_role_and_type_set),
        cmocka_unit_test(test_nav_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
