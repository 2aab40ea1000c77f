/* Demo data: a venture of every type with an office or two, and one user per role whose
 * memberships make every screen of the navigation reachable by someone. */
#include "seed.h"
#include "core/clock.h"
#include "ventures/ventures.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *code, *name, *type, *offices[2];
} demo_ventures[] = {
    {"FRT", "Northstar Freight", "LOGISTICS", {"Chicago", "Dallas"}},
    {"TRN", "Northstar Fleet", "TRANSPORT", {"Gary", NULL}},
    {"HTL", "Harbor Hotels", "HOSPITALITY", {"Savannah", NULL}},
    {"BPO", "Bright Voice BPO", "BPO", {"Manila", "Cebu"}},
    {"SAAS", "Ledgerly", "SAAS", {"Remote", NULL}},
    {"HLD", "Northstar Holdings", "HOLDINGS", {"Head office", NULL}},
    {"TST", "Sandbox", "TESTING", {"Lab", NULL}},
};

/* Venture codes each member role belongs to (all-venture roles need none). */
static const struct {
    wh_role role;
    const char *codes;
} demo_members[] = {
    {WH_ROLE_VENTURE_HEAD, "FRT TRN"}, {WH_ROLE_OFFICE_MANAGER, "FRT"},
    {WH_ROLE_TEAM_LEAD, "BPO"},        {WH_ROLE_EMPLOYEE, "BPO FRT"},
    {WH_ROLE_CONTRACTOR, "SAAS"},      {WH_ROLE_FINANCE, "FRT HTL BPO SAAS HLD"},
    {WH_ROLE_CSR, "HTL FRT"},          {WH_ROLE_DISPATCHER, "FRT TRN"},
    {WH_ROLE_CARRIER_TEAM, "FRT"},     {WH_ROLE_ACCOUNTING, "HLD FRT"},
};

static wh_err seed_ventures(wh_conn *c, wh_arena *a, int64_t now, wh_error *e)
{
    wh_err rc = WH_OK;
    for (size_t i = 0; rc == WH_OK && i < sizeof demo_ventures / sizeof demo_ventures[0]; i++) {
        wh_venture_input in = {.name = demo_ventures[i].name,
                               .code = demo_ventures[i].code,
                               .type = demo_ventures[i].type};
        wh_venture v;
        wh_rows *have = NULL;
        rc = wh_db_query(c, a, "SELECT id FROM ventures WHERE code = $1", WH_ARGS(WH_PT(in.code)),
                         &have, e);
        if (rc != WH_OK || wh_rows_count(have) > 0) /* already seeded */
            continue;
        rc = wh_venture_create(c, a, &in, now, &v, e);
        for (int k = 0; rc == WH_OK && k < 2 && demo_ventures[i].offices[k]; k++) {
            wh_office o = {.venture_id = v.id,
                           .name = demo_ventures[i].offices[k],
                           .city = demo_ventures[i].offices[k]};
            wh_office out;
            rc = wh_office_create(c, a, &o, now, &out, e);
        }
    }
    return rc;
}

static wh_err add_memberships(wh_conn *c, wh_arena *a, int64_t user_id, const char *codes,
                              int64_t now, wh_error *e)
{
    return wh_db_query(c, a,
                       "INSERT INTO venture_users (user_id, venture_id, created_at) SELECT $1,"
                       " id, $3 FROM ventures WHERE ' ' || $2 || ' ' LIKE '% ' || code || ' %'"
                       " ON CONFLICT (user_id, venture_id) DO NOTHING",
                       WH_ARGS(WH_PI(user_id), WH_PT(codes), WH_PI(now)), NULL, e);
}

/* Office-scoped roles also get the first office of each of their ventures. */
static wh_err add_offices(wh_conn *c, wh_arena *a, int64_t user_id, int64_t now, wh_error *e)
{
    return wh_db_query(c, a,
                       "INSERT INTO office_users (user_id, office_id, created_at) SELECT $1,"
                       " MIN(o.id), $2 FROM offices o JOIN venture_users vu ON vu.venture_id ="
                       " o.venture_id WHERE vu.user_id = $1 GROUP BY o.venture_id"
                       " ON CONFLICT (user_id, office_id) DO NOTHING",
                       WH_ARGS(WH_PI(user_id), WH_PI(now)), NULL, e);
}

static const char *codes_of(wh_role role)
{
    for (size_t i = 0; i < sizeof demo_members / sizeof demo_members[0]; i++)
        if (demo_members[i].role == role)
            return demo_members[i].codes;
    return NULL;
}

static wh_err seed_users(wh_conn *c, wh_arena *a, int64_t now, wh_error *e)
{
    wh_err rc = WH_OK;
    for (int role = 0; rc == WH_OK && role < WH_ROLE_COUNT; role++) {
        const char *name = wh_role_name((wh_role)role);
        char email[80], full[80];
        size_t k = 0;
        for (; name[k] && k < 40; k++)
            email[k] = (char)(name[k] == '_' ? '.' : name[k] | 0x20);
        snprintf(email + k, sizeof email - k, "@demo.wheelhouse.test");
        snprintf(full, sizeof full, "Demo %s", name);
        wh_user_input in = {.email = email,
                            .full_name = full,
                            .password = WH_SEED_DEMO_PASSWORD,
                            .has_role = true,
                            .role = (wh_role)role};
        wh_user u;
        const char *hash = NULL;
        bool found = false;
        rc = wh_user_find_by_email(c, a, email, &u, &hash, &found, e);
        if (rc == WH_OK && !found)
            rc = wh_user_create(c, a, &in, now, &u, e);
        if (rc == WH_OK && !found && codes_of((wh_role)role))
            rc = add_memberships(c, a, u.id, codes_of((wh_role)role), now, e);
        if (rc == WH_OK && !found && wh_role_office_scoped((wh_role)role))
            rc = add_offices(c, a, u.id, now, e);
        if (rc == WH_OK)
            printf("  %-16s %s\n", name, email);
    }
    return rc;
}

wh_err wh_seed_demo(wh_app *app, wh_error *e)
{
    wh_conn *c = NULL;
    wh_arena a;
    int64_t now = wh_clock_now_ms();
    wh_arena_init(&a);
    printf("Demo logins (password: %s):\n", WH_SEED_DEMO_PASSWORD);
    wh_err rc = wh_db_acquire(app->db, &c, e);
    if (rc == WH_OK)
        rc = wh_db_begin(c, e);
    if (rc == WH_OK)
        rc = seed_ventures(c, &a, now, e);
    if (rc == WH_OK)
        rc = seed_users(c, &a, now, e);
    if (rc == WH_OK)
        rc = wh_db_commit(c, e);
    wh_db_release(app->db, c);
    wh_arena_cleanup(&a);
    return rc;
}
