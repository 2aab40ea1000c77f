/*
 * Roles (DOMAIN.md §1): for each of the 16 roles, the permissions /me reports, the navigation
 * the server computes, and which Organisation routes answer 403. The expectations are written
 * below as tables copied from DOMAIN.md, independently of the server.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "harness.h"

#define NROLES 16
#define LEAD   "CEO ADMIN COO VENTURE_HEAD "
#define ALL                                                                                        \
    LEAD "OFFICE_MANAGER TEAM_LEAD EMPLOYEE CONTRACTOR AUDITOR FINANCE HR_ADMIN TEST_USER CSR "    \
         "DISPATCHER CARRIER_TEAM ACCOUNTING"

static const char *const ROLES[NROLES] = {
    "CEO",      "ADMIN",      "COO",          "VENTURE_HEAD", "OFFICE_MANAGER", "TEAM_LEAD",
    "EMPLOYEE", "CONTRACTOR", "AUDITOR",      "FINANCE",      "HR_ADMIN",       "TEST_USER",
    "CSR",      "DISPATCHER", "CARRIER_TEAM", "ACCOUNTING",
};

/* DOMAIN.md §1 Scope: the roles that see every venture without memberships. */
static const char ALL_VENTURE_ROLES[] = "CEO ADMIN COO AUDITOR HR_ADMIN TEST_USER";

/* DOMAIN.md §1 Permissions. maybe: roles for which the table is not clear-cut (CSR may hold
 * hotels.write for review responses only), where either answer is accepted. */
static const struct {
    const char *perm;
    const char *roles;
    const char *maybe;
} PERMS[] = {
    {"users.manage", "CEO ADMIN HR_ADMIN", ""},
    {"ventures.manage", "CEO ADMIN", ""},
    {"freight.read",
     LEAD "OFFICE_MANAGER TEAM_LEAD DISPATCHER CSR CARRIER_TEAM AUDITOR FINANCE EMPLOYEE", ""},
    {"freight.write", LEAD "OFFICE_MANAGER TEAM_LEAD DISPATCHER CSR EMPLOYEE", ""},
    {"carriers.write", LEAD "OFFICE_MANAGER DISPATCHER CARRIER_TEAM", ""},
    {"bpo.read", LEAD "OFFICE_MANAGER TEAM_LEAD EMPLOYEE AUDITOR FINANCE", ""},
    {"bpo.write", LEAD "OFFICE_MANAGER TEAM_LEAD EMPLOYEE", ""},
    {"hotels.read", LEAD "OFFICE_MANAGER TEAM_LEAD CSR AUDITOR FINANCE", ""},
    {"hotels.write", LEAD "OFFICE_MANAGER TEAM_LEAD", "CSR"},
    {"kpi.read", ALL, ""},
    {"kpi.write", LEAD "FINANCE ACCOUNTING", ""},
    {"incentives.read", LEAD "FINANCE", ""},
    {"incentives.manage", "CEO ADMIN", ""},
    {"payouts.approve", "CEO ADMIN FINANCE", ""},
    {"gamification.config", "CEO ADMIN COO", ""},
    {"jobs.manage", "CEO ADMIN", ""},
    {"integrations.read", "CEO ADMIN", ""},
    {"audit.read", "CEO ADMIN AUDITOR", ""},
    {"eod.write",
     LEAD "OFFICE_MANAGER TEAM_LEAD EMPLOYEE CONTRACTOR FINANCE HR_ADMIN TEST_USER CSR "
          "DISPATCHER CARRIER_TEAM ACCOUNTING",
     ""},
    /* DOMAIN-wave2 §1 */
    {"saas.read", LEAD "OFFICE_MANAGER TEAM_LEAD EMPLOYEE CSR FINANCE ACCOUNTING AUDITOR", ""},
    {"saas.write", LEAD "OFFICE_MANAGER TEAM_LEAD FINANCE ACCOUNTING", ""},
    {"holdings.read", LEAD "FINANCE ACCOUNTING AUDITOR", ""},
    {"holdings.write", LEAD "FINANCE ACCOUNTING", ""},
    {"overview.read", LEAD "FINANCE AUDITOR", ""},
    {"reports.read", LEAD "OFFICE_MANAGER TEAM_LEAD FINANCE ACCOUNTING AUDITOR", ""},
    {"tasks.read", LEAD "OFFICE_MANAGER TEAM_LEAD HR_ADMIN AUDITOR", ""},
    {"tasks.manage", LEAD "OFFICE_MANAGER TEAM_LEAD HR_ADMIN", ""},
    {"carriers.assign_pending", LEAD "OFFICE_MANAGER", ""},
    {"imports.write", LEAD "OFFICE_MANAGER FINANCE", ""},
    {"imports.read", LEAD "OFFICE_MANAGER FINANCE AUDITOR", ""},
};
#define NPERMS (sizeof PERMS / sizeof PERMS[0])

/* DOMAIN.md §1 Navigation (paths of admin items from docs/decisions.md). any: the item shows
 * when the role holds any of these permissions (NULL: signed in); only: and is one of these. */
static const struct {
    const char *section;
    const char *key;
    const char *path;
    const char *any;
    const char *only;
} NAV[] = {
    {"command_center", "my_day", "/", NULL, NULL},
    {"command_center", "leaderboard", "/leaderboard", "kpi.read", NULL},
    {"command_center", "my_incentives", "/incentives/me", NULL, NULL},
    {"command_center", "overview", "/overview", "overview.read", NULL},
    {"command_center", "tasks", "/tasks", NULL, NULL},
    {"command_center", "notifications", "/notifications", NULL, NULL},
    {"operations", "eod", "/eod", "eod.write", NULL},
    {"operations", "team_eod", "/eod/team", "kpi.read", LEAD "OFFICE_MANAGER TEAM_LEAD"},
    {"operations", "team_tasks", "/tasks/team", "tasks.read", NULL},
    {"freight", "dashboard", "/freight", "kpi.read", NULL},
    {"freight", "loads", "/freight/loads", "freight.read", NULL},
    {"freight", "carriers", "/freight/carriers", "freight.read", NULL},
    {"freight", "shippers", "/freight/shippers", "freight.read", NULL},
    {"freight", "reports", "/freight/reports", "reports.read", NULL},
    {"hospitality", "dashboard", "/hotels", "kpi.read", NULL},
    {"hospitality", "hotels", "/hotels/list", "hotels.read", NULL},
    {"hospitality", "reviews", "/hotels/reviews", "hotels.read", NULL},
    {"hospitality", "disputes", "/hotels/disputes", "hotels.read", NULL},
    {"hospitality", "reports", "/hotels/reports", "reports.read", NULL},
    {"bpo", "dashboard", "/bpo", "kpi.read", NULL},
    {"bpo", "call_logs", "/bpo/calls", "bpo.read", NULL},
    {"bpo", "campaigns", "/bpo/campaigns", "bpo.read", NULL},
    {"bpo", "agents", "/bpo/agents", "bpo.read", NULL},
    {"bpo", "reports", "/bpo/reports", "reports.read", NULL},
    {"saas", "dashboard", "/saas", "kpi.read", NULL},
    {"saas", "customers", "/saas/customers", "saas.read", NULL},
    {"saas", "subscriptions", "/saas/subscriptions", "saas.read", NULL},
    {"holdings", "dashboard", "/holdings", "holdings.read", NULL},
    {"holdings", "assets", "/holdings/assets", "holdings.read", NULL},
    {"holdings", "bank_accounts", "/holdings/bank-accounts", "holdings.read", NULL},
    {"admin", "users", "/admin/users", "users.manage", NULL},
    {"admin", "ventures", "/admin/ventures", "ventures.manage", NULL},
    {"admin", "incentive_plans", "/admin/incentive-plans", "incentives.manage payouts.approve",
     NULL},
    {"admin", "payouts", "/admin/payouts", "incentives.manage payouts.approve", NULL},
    {"admin", "gamification", "/admin/gamification", "gamification.config", NULL},
    {"admin", "jobs", "/admin/jobs", "jobs.manage", NULL},
    {"admin", "integrations", "/admin/integrations", "integrations.read", NULL},
    {"admin", "audit", "/admin/audit", "audit.read", NULL},
    {"admin", "imports", "/admin/imports", "imports.read", NULL},
};
#define NNAV (sizeof NAV / sizeof NAV[0])

static const char *const SECTIONS[] = {
    "command_center", "operations", "freight", "hospitality", "bpo", "saas", "holdings", "admin"};
#define NSECTIONS (sizeof SECTIONS / sizeof SECTIONS[0])

/* Sections that also need a venture of these types in scope. */
static const struct {
    const char *section;
    const char *types;
} SECTION_TYPES[] = {
    {"freight", "LOGISTICS TRANSPORT"},
    {"hospitality", "HOSPITALITY"},
    {"bpo", "BPO"},
    {"saas", "SAAS"},
    {"holdings", "HOLDINGS"},
};

/* ------------------------------------------------------------- expectations */

/* True when the space-separated list holds word. */
static bool has_word(const char *list, const char *word)
{
    size_t len = strlen(word);
    for (const char *p = list; *p;) {
        while (*p == ' ')
            p++;
        const char *end = strchr(p, ' ');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == len && n > 0 && strncmp(p, word, n) == 0)
            return true;
        p += n;
    }
    return false;
}

static bool role_has(const char *role, const char *perm)
{
    for (size_t i = 0; i < NPERMS; i++) {
        if (strcmp(PERMS[i].perm, perm) == 0)
            return has_word(PERMS[i].roles, role);
    }
    WHT_FAIL("unknown permission %s in the test table", perm);
    return false;
}

static bool role_has_any(const char *role, const char *perms)
{
    char one[64];
    for (const char *p = perms; *p;) {
        const char *end = strchr(p, ' ');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        snprintf(one, sizeof one, "%.*s", (int)n, p);
        if (role_has(role, one))
            return true;
        p += n + (end ? 1 : 0);
    }
    return false;
}

static bool item_allowed(size_t i, const char *role)
{
    return (!NAV[i].any || role_has_any(role, NAV[i].any)) &&
           (!NAV[i].only || has_word(NAV[i].only, role));
}

static bool section_in_scope(const char *section, const char *scope_types)
{
    for (size_t i = 0; i < sizeof SECTION_TYPES / sizeof SECTION_TYPES[0]; i++) {
        if (strcmp(SECTION_TYPES[i].section, section) != 0)
            continue;
        char type[32];
        for (const char *p = scope_types; *p;) {
            const char *end = strchr(p, ' ');
            size_t n = end ? (size_t)(end - p) : strlen(p);
            snprintf(type, sizeof type, "%.*s", (int)n, p);
            if (has_word(SECTION_TYPES[i].types, type))
                return true;
            p += n + (end ? 1 : 0);
        }
        return false;
    }
    return true;
}

/* The expected item keys of one section for a role (NULL-terminated; empty: no section). */
static size_t expected_items(const char *section, const char *role, const char *scope_types,
                             const char **out)
{
    size_t n = 0;
    if (section_in_scope(section, scope_types)) {
        for (size_t i = 0; i < NNAV; i++) {
            if (strcmp(NAV[i].section, section) == 0 && item_allowed(i, role))
                out[n++] = NAV[i].key;
        }
    }
    out[n] = NULL;
    return n;
}

static const char *nav_path(const char *section, const char *key)
{
    for (size_t i = 0; i < NNAV; i++) {
        if (strcmp(NAV[i].section, section) == 0 && strcmp(NAV[i].key, key) == 0)
            return NAV[i].path;
    }
    return NULL;
}

/* ---------------------------------------------------------------- fixture */

typedef struct fixture {
    bool ready;
    long long ventures[5]; /* LOGISTICS, HOSPITALITY, BPO, SAAS, HOLDINGS */
    long long office;      /* in the LOGISTICS venture */
    long long target;      /* a user the users.* routes act on */
    wht_user users[NROLES];
} fixture;

static fixture FX;
static const char *const FX_TYPES[] = {"LOGISTICS", "HOSPITALITY", "BPO", "SAAS", "HOLDINGS"};
static const char SCOPE_ALL_TYPES[] = "LOGISTICS HOSPITALITY BPO SAAS HOLDINGS";

static fixture *fx(void)
{
    if (!FX.ready) {
        for (size_t i = 0; i < 5; i++)
            FX.ventures[i] = wht_venture_new(FX_TYPES[i]).id;
        FX.office = wht_office_new(FX.ventures[0]);
        FX.target = wht_user_add("EMPLOYEE").id;
        wht_set_ventures(FX.target, 1, &FX.ventures[0]);
        FX.ready = true;
    }
    return &FX;
}

/* The signed-in user of a role, member of one venture of each type (all-venture roles: none). */
static const wht_user *role_user(const char *role)
{
    fixture *f = fx();
    for (size_t i = 0; i < NROLES; i++) {
        if (strcmp(ROLES[i], role) != 0)
            continue;
        if (!f->users[i].id) {
            wht_user u = wht_user_add(role);
            if (!has_word(ALL_VENTURE_ROLES, role))
                wht_set_ventures(u.id, 5, f->ventures);
            wht_resp *r = wht_login_resp(u.email, u.password);
            WHT_EXPECT(r, 200);
            snprintf(u.token, sizeof u.token, "%s", wht_str(r->json, "token"));
            f->users[i] = u;
        }
        return &f->users[i];
    }
    WHT_FAIL("unknown role %s", role);
    return NULL;
}

/* ------------------------------------------------------------------ checks */

static void check_permissions(const char *role, const char *token)
{
    wht_resp *me = wht_get(token, "/me");
    WHT_EXPECT(me, 200);
    json_t *got = json_object_get(me->json, "permissions");
    assert_true(json_is_array(got));
    for (size_t i = 0; i < NPERMS; i++) {
        bool want = has_word(PERMS[i].roles, role);
        bool maybe = has_word(PERMS[i].maybe, role);
        bool found = false;
        size_t k;
        json_t *p;
        json_array_foreach(got, k, p)
        {
            found = found ||
                    strcmp(json_string_value(p) ? json_string_value(p) : "", PERMS[i].perm) == 0;
        }
        if (found != want && !maybe)
            WHT_FAIL("role %s: permission %s %s; /me says %s", role, PERMS[i].perm,
                     want ? "expected" : "not expected", me->body);
    }
    size_t k;
    json_t *p;
    json_array_foreach(got, k, p)
    {
        bool known = false;
        for (size_t i = 0; i < NPERMS; i++)
            known =
                known || (json_is_string(p) && strcmp(json_string_value(p), PERMS[i].perm) == 0);
        if (!known)
            WHT_FAIL("role %s: /me lists a permission DOMAIN.md does not have: %s", role, me->body);
    }
}

static void check_section(const char *role, const json_t *section, const char *const *keys)
{
    const char *skey = wht_str(section, "key");
    assert_true(wht_str(section, "label")[0] != '\0');
    json_t *items = json_object_get(section, "items");
    if (!json_is_array(items))
        WHT_FAIL("role %s: section %s has no items array", role, skey);
    wht_context("role %s, section %s", role, skey);
    WHT_STR_SET(items, "key", keys);
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        const char *key = wht_str(item, "key");
        assert_true(wht_str(item, "label")[0] != '\0');
        assert_string_equal(wht_str(item, "path"), nav_path(skey, key));
    }
}

static void check_navigation(const char *role, const char *token, const char *scope_types)
{
    wht_resp *r = wht_get(token, "/me/navigation");
    WHT_EXPECT(r, 200);
    json_t *sections = json_object_get(r->json, "sections");
    assert_true(json_is_array(sections));
    const char *want_sections[NSECTIONS + 1];
    size_t nwant = 0;
    for (size_t s = 0; s < NSECTIONS; s++) {
        const char *keys[NNAV + 1];
        if (expected_items(SECTIONS[s], role, scope_types, keys) > 0)
            want_sections[nwant++] = SECTIONS[s];
    }
    want_sections[nwant] = NULL;
    wht_context("role %s with ventures of types \"%s\": the sections", role, scope_types);
    WHT_STR_SET(sections, "key", want_sections);
    size_t i;
    json_t *section;
    json_array_foreach(sections, i, section)
    {
        const char *keys[NNAV + 1];
        expected_items(wht_str(section, "key"), role, scope_types, keys);
        check_section(role, section, keys);
    }
}

/* ------------------------------------------------------ Organisation routes */

typedef wht_resp *(*route_call)(const char *token, const fixture *f);

static wht_resp *get_ventures(const char *token, const fixture *f)
{
    (void)f;
    return wht_get(token, "/ventures");
}

static wht_resp *get_venture(const char *token, const fixture *f)
{
    return wht_get(token, wht_fmt("/ventures/%lld", f->ventures[1]));
}

static wht_resp *get_offices(const char *token, const fixture *f)
{
    return wht_get(token, wht_fmt("/ventures/%lld/offices", f->ventures[0]));
}

static wht_resp *get_people(const char *token, const fixture *f)
{
    return wht_get(token, wht_fmt("/ventures/%lld/people", f->ventures[2]));
}

static wht_resp *get_me(const char *token, const fixture *f)
{
    (void)f;
    return wht_get(token, "/me");
}

static wht_resp *get_navigation(const char *token, const fixture *f)
{
    (void)f;
    return wht_get(token, "/me/navigation");
}

static wht_resp *post_venture(const char *token, const fixture *f)
{
    (void)f;
    return wht_post(token, "/ventures",
                    wht_json("{s:s, s:s, s:s}", "name", wht_unique("Role venture "), "code",
                             wht_unique_code(), "type", "TESTING"));
}

static wht_resp *patch_venture(const char *token, const fixture *f)
{
    return wht_patch(token, wht_fmt("/ventures/%lld", f->ventures[3]),
                     wht_json("{s:s}", "name", wht_unique("Renamed ")));
}

static wht_resp *post_office(const char *token, const fixture *f)
{
    return wht_post(token, wht_fmt("/ventures/%lld/offices", f->ventures[4]),
                    wht_json("{s:s}", "name", wht_unique("Role office ")));
}

static wht_resp *get_users(const char *token, const fixture *f)
{
    (void)f;
    return wht_get(token, "/users");
}

static wht_resp *post_user(const char *token, const fixture *f)
{
    (void)f;
    return wht_post(token, "/users",
                    wht_json("{s:s, s:s, s:s}", "email", wht_unique_email(), "full_name",
                             wht_unique("Role person "), "role", "CONTRACTOR"));
}

static wht_resp *get_user(const char *token, const fixture *f)
{
    return wht_get(token, wht_fmt("/users/%lld", f->target));
}

static wht_resp *patch_user(const char *token, const fixture *f)
{
    return wht_patch(token, wht_fmt("/users/%lld", f->target),
                     wht_json("{s:s}", "full_name", wht_unique("Target ")));
}

static wht_resp *put_user_ventures(const char *token, const fixture *f)
{
    return wht_put(token, wht_fmt("/users/%lld/ventures", f->target),
                   wht_json("{s:[I]}", "venture_ids", (json_int_t)f->ventures[0]));
}

static wht_resp *put_user_offices(const char *token, const fixture *f)
{
    return wht_put(token, wht_fmt("/users/%lld/offices", f->target),
                   wht_json("{s:[I]}", "office_ids", (json_int_t)f->office));
}

static wht_resp *get_audit(const char *token, const fixture *f)
{
    (void)f;
    return wht_get(token, "/audit-log");
}

/* docs/decisions.md "Organisation endpoints": the permission of each route (NULL: signed in). */
static const struct {
    const char *name;
    const char *perm;
    long ok;
    route_call call;
} ROUTES[] = {
    {"GET /ventures", NULL, 200, get_ventures},
    {"GET /ventures/{id}", NULL, 200, get_venture},
    {"GET /ventures/{id}/offices", NULL, 200, get_offices},
    {"GET /ventures/{id}/people", NULL, 200, get_people},
    {"GET /me", NULL, 200, get_me},
    {"GET /me/navigation", NULL, 200, get_navigation},
    {"POST /ventures", "ventures.manage", 201, post_venture},
    {"PATCH /ventures/{id}", "ventures.manage", 200, patch_venture},
    {"POST /ventures/{id}/offices", "ventures.manage", 201, post_office},
    {"GET /users", "users.manage", 200, get_users},
    {"POST /users", "users.manage", 201, post_user},
    {"GET /users/{id}", "users.manage", 200, get_user},
    {"PATCH /users/{id}", "users.manage", 200, patch_user},
    {"PUT /users/{id}/ventures", "users.manage", 200, put_user_ventures},
    {"PUT /users/{id}/offices", "users.manage", 200, put_user_offices},
    {"GET /audit-log", "audit.read", 200, get_audit},
};

static void check_routes(const char *role, const char *token)
{
    const fixture *f = fx();
    for (size_t i = 0; i < sizeof ROUTES / sizeof ROUTES[0]; i++) {
        bool allowed = !ROUTES[i].perm || role_has(role, ROUTES[i].perm);
        long long head = wht_audit_head();
        wht_resp *r = ROUTES[i].call(token, f);
        wht_context("role %s, %s (%s)", role, ROUTES[i].name, allowed ? "allowed" : "forbidden");
        if (allowed) {
            WHT_EXPECT(r, ROUTES[i].ok);
        } else {
            WHT_PROBLEM(r, 403, "forbidden", NULL);
            assert_int_equal(wht_audit_head(), head);
        }
    }
}

/* ------------------------------------------------------------------- tests */

static void test_permissions(void **state)
{
    const char *role = *state;
    check_permissions(role, role_user(role)->token);
}

static void test_navigation(void **state)
{
    const char *role = *state;
    check_navigation(role, role_user(role)->token, SCOPE_ALL_TYPES);
}

static void test_organisation_routes(void **state)
{
    const char *role = *state;
    check_routes(role, role_user(role)->token);
}

/* The navigation of a user whose only venture is one of the given type. */
static void check_single_venture_navigation(const char *role, const char *type)
{
    wht_venture v = wht_venture_new(type);
    wht_user u = wht_user_add(role);
    wht_set_ventures(u.id, 1, &v.id);
    const char *token = wht_login(u.email, u.password);
    const char *scope = strcmp(type, "TESTING") == 0 ? "" : type;
    check_navigation(role, token, scope);
}

static void test_bpo_only_user_has_no_freight_section(void **state)
{
    (void)state;
    wht_venture v = wht_venture_new("BPO");
    wht_user u = wht_user_add("EMPLOYEE");
    wht_set_ventures(u.id, 1, &v.id);
    const char *token = wht_login(u.email, u.password);
    wht_resp *r = wht_get(token, "/me/navigation");
    WHT_EXPECT(r, 200);
    const char *sections[] = {"command_center", "operations", "bpo", NULL};
    WHT_STR_SET(json_object_get(r->json, "sections"), "key", sections);
    check_single_venture_navigation("EMPLOYEE", "BPO");
    check_single_venture_navigation("TEAM_LEAD", "BPO");
}

static void test_single_venture_types_choose_sections(void **state)
{
    (void)state;
    check_single_venture_navigation("DISPATCHER", "TRANSPORT");
    check_single_venture_navigation("CSR", "HOSPITALITY");
    check_single_venture_navigation("VENTURE_HEAD", "SAAS");
    check_single_venture_navigation("FINANCE", "HOLDINGS");
    check_single_venture_navigation("EMPLOYEE", "TESTING");
}

static void test_user_without_ventures_gets_only_personal_sections(void **state)
{
    (void)state;
    wht_user u = wht_user_new("EMPLOYEE");
    wht_resp *r = wht_get(u.token, "/me/navigation");
    WHT_EXPECT(r, 200);
    const char *sections[] = {"command_center", "operations", NULL};
    WHT_STR_SET(json_object_get(r->json, "sections"), "key", sections);
}

int main(void)
{
    static char names[3 * NROLES][64];
    struct CMUnitTest tests[3 * NROLES + 3];
    size_t n = 0;
    for (size_t i = 0; i < NROLES; i++) {
        static const struct {
            const char *what;
            CMUnitTestFunction fn;
        } kinds[] = {{"permissions", test_permissions},
                     {"navigation", test_navigation},
                     {"organisation_routes", test_organisation_routes}};
        for (size_t k = 0; k < 3; k++) {
            snprintf(names[n], sizeof names[n], "%s_%s", kinds[k].what, ROLES[i]);
            tests[n] = (struct CMUnitTest){names[n], kinds[k].fn, NULL, wht_test_teardown,
                                           (void *)ROLES[i]};
            n++;
        }
    }
    tests[n++] = (struct CMUnitTest)WHT_TEST(test_bpo_only_user_has_no_freight_section);
    tests[n++] = (struct CMUnitTest)WHT_TEST(test_single_venture_types_choose_sections);
    tests[n++] =
        (struct CMUnitTest)WHT_TEST(test_user_without_ventures_gets_only_personal_sections);
    wht_init();
    return wht_finish(cmocka_run_group_tests_name("api_roles", tests, NULL, NULL));
}
