/* Demo data: a venture of every type with an office or two, one user per role whose
 * memberships make every screen of the navigation reachable by someone, and what the daily-work
 * screens need on a first start (demo carriers, a shipper, a BPO campaign with the EMPLOYEE as
 * its agent, a hotel with a review waiting for an answer), then the demo month of seed_month.c.
 * Idempotent: each item is looked up by its natural key first and left alone when it exists. */
#include "seed.h"
#include "seed_int.h"
#include "bpo/bpo.h"
#include "core/clock.h"
#include "freight/freight.h"
#include "hotels/hotels.h"
#include "integrations/integrations.h"
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

wh_err wh_seed_add_member(wh_conn *c, wh_arena *a, int64_t user_id, wh_role role, const char *codes,
                          int64_t now, wh_error *e)
{
    wh_err rc = add_memberships(c, a, user_id, codes, now, e);
    if (rc == WH_OK && wh_role_office_scoped(role))
        rc = add_offices(c, a, user_id, now, e);
    return rc;
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
            rc = wh_seed_add_member(c, a, u.id, (wh_role)role, codes_of((wh_role)role), now, e);
        else if (rc == WH_OK && !found && wh_role_office_scoped((wh_role)role))
            rc = add_offices(c, a, u.id, now, e);
        if (rc == WH_OK)
            printf("  %-16s %s\n", name, email);
    }
    return rc;
}

/* Recorded answers in FMCSA's QCMobile format for four fictional carriers, read by the same
 * parser as a live lookup. They are demo data, never checked with FMCSA, and say so in
 * fmcsa_error; the second is out of service, so the screens show a carrier that cannot be
 * used. fmcsa_sync re-checks them when FMCSA is configured. */
static const char *const demo_carriers[] = {
    "{\"content\":{\"carrier\":{\"legalName\":\"LAKESIDE HAULERS LLC (DEMO DATA)\","
    "\"dbaName\":\"Lakeside Haulers (demo)\",\"dotNumber\":9000001,\"phyCity\":\"JOLIET\","
    "\"phyState\":\"IL\",\"telephone\":\"(815) 555-0101\",\"totalPowerUnits\":24,"
    "\"totalDrivers\":27,\"safetyRating\":\"S\",\"allowedToOperate\":\"Y\","
    "\"statusCode\":\"A\"}}}",
    "{\"content\":{\"carrier\":{\"legalName\":\"RUSTY WHEELS TRUCKING INC (DEMO DATA)\","
    "\"dotNumber\":9000002,\"phyCity\":\"GARY\",\"phyState\":\"IN\","
    "\"totalPowerUnits\":3,\"totalDrivers\":3,\"allowedToOperate\":\"N\","
    "\"statusCode\":\"I\",\"oosDate\":\"2026-06-01\"}}}",
    "{\"content\":{\"carrier\":{\"legalName\":\"PRAIRIE LINE EXPRESS INC (DEMO DATA)\","
    "\"dotNumber\":9000003,\"phyCity\":\"PEORIA\",\"phyState\":\"IL\","
    "\"totalPowerUnits\":41,\"totalDrivers\":45,\"safetyRating\":\"S\","
    "\"allowedToOperate\":\"Y\",\"statusCode\":\"A\"}}}",
    "{\"content\":{\"carrier\":{\"legalName\":\"GULF COAST REEFER LLC (DEMO DATA)\","
    "\"dotNumber\":9000004,\"phyCity\":\"HOUSTON\",\"phyState\":\"TX\","
    "\"totalPowerUnits\":12,\"totalDrivers\":14,\"allowedToOperate\":\"Y\","
    "\"statusCode\":\"A\"}}}",
};

static wh_err seed_carriers(wh_conn *c, wh_arena *a, int64_t now, wh_error *e)
{
    wh_err rc = WH_OK;
    for (size_t i = 0; rc == WH_OK && i < sizeof demo_carriers / sizeof demo_carriers[0]; i++) {
        wh_fmcsa_carrier f;
        wh_carrier out;
        bool found = false, known = false;
        rc = wh_fmcsa_parse(a, demo_carriers[i], strlen(demo_carriers[i]), false, &f, &found, e);
        if (rc == WH_OK && !found)
            rc = wh_fail(e, WH_ERR_INTERNAL, "a demo carrier does not parse");
        if (rc == WH_OK)
            rc = wh_carrier_find_number(c, a, f.dot_number, NULL, &out, &known, e);
        if (rc != WH_OK || known)
            continue;
        rc = wh_carrier_insert(c, a, &f, now, &out, e);
        if (rc == WH_OK)
            rc = wh_carrier_record_error(c, a, out.id,
                                         "Demo data: a recorded sample answer, never checked"
                                         " with FMCSA.",
                                         now, &out, e);
    }
    return rc;
}

static wh_err seed_shipper(wh_conn *c, wh_arena *a, int64_t now, wh_error *e)
{
    int64_t venture = 0, have = 0;
    wh_err rc = wh_seed_id_of(c, a, "SELECT id FROM ventures WHERE code = $1", "FRT", &venture, e);
    if (rc == WH_OK && venture)
        rc = wh_seed_id_of(c, a,
                           "SELECT s.id FROM shippers s JOIN ventures v ON v.id = s.venture_id"
                           " WHERE v.code = 'FRT' AND s.code = $1",
                           "ACME", &have, e);
    if (rc != WH_OK || !venture || have)
        return rc;
    wh_shipper s = {.venture_id = venture,
                    .name = "Acme Foods (demo)",
                    .code = "ACME",
                    .contact_name = "Dana Shipley",
                    .email = "logistics@acme-foods.example",
                    .active = true},
               out;
    return wh_shipper_create(c, a, &s, now, &out, e);
}

/* A campaign in the BPO venture with the EMPLOYEE demo user as its agent, so "Log a call"
 * works for them at once. */
static wh_err seed_campaign(wh_conn *c, wh_arena *a, int64_t now, wh_error *e)
{
    int64_t venture = 0, campaign = 0, user = 0, agent = 0;
    wh_err rc = wh_seed_id_of(c, a, "SELECT id FROM ventures WHERE code = $1", "BPO", &venture, e);
    if (rc == WH_OK && venture)
        rc = wh_seed_id_of(
            c, a,
            "SELECT cp.id FROM bpo_campaigns cp JOIN ventures v ON v.id = cp.venture_id"
            " WHERE v.code = 'BPO' AND cp.name = $1",
            "Inbound sales (demo)", &campaign, e);
    if (rc == WH_OK && venture && !campaign) {
        wh_bpo_campaign_input in = {.venture_id = venture,
                                    .name = "Inbound sales (demo)",
                                    .client_name = "Ledgerly",
                                    .has_client = true};
        wh_bpo_campaign out;
        rc = wh_bpo_campaign_create(c, a, &in, now, &out, e);
        campaign = out.id;
    }
    if (rc == WH_OK)
        rc = wh_seed_id_of(c, a, "SELECT id FROM users WHERE email = $1",
                           "employee@demo.wheelhouse.test", &user, e);
    wh_rows *r = NULL;
    if (rc == WH_OK && user)
        rc = wh_db_query(c, a, "SELECT id FROM bpo_agents WHERE venture_id = $1 AND user_id = $2",
                         WH_ARGS(WH_PI(venture), WH_PI(user)), &r, e);
    agent = rc == WH_OK && r && wh_rows_count(r) > 0;
    if (rc != WH_OK || !venture || !user || agent)
        return rc;
    wh_bpo_agent in = {.user_id = user,
                       .venture_id = venture,
                       .campaign_id = campaign,
                       .active = true},
                 out;
    return wh_bpo_agent_create(c, a, &in, now, &out, e);
}

/* A hotel with one review that nobody has answered yet (the CSR's first task). */
static wh_err seed_hotel(wh_conn *c, wh_arena *a, int64_t now, wh_error *e)
{
    int64_t venture = 0, hotel = 0;
    char day[11];
    wh_err rc = wh_seed_id_of(c, a, "SELECT id FROM ventures WHERE code = $1", "HTL", &venture, e);
    if (rc == WH_OK && venture)
        rc = wh_seed_id_of(c, a, "SELECT id FROM hotels WHERE code = $1", "SAV1", &hotel, e);
    if (rc != WH_OK || !venture || hotel)
        return rc;
    wh_hotel_input in = {.venture_id = venture,
                         .rooms = 80,
                         .name = "Harbor Inn Savannah",
                         .code = "SAV1",
                         .status = "ACTIVE",
                         .has_city = true,
                         .city = "Savannah",
                         .has_state = true,
                         .state = "GA"};
    wh_hotel h;
    wh_hotel_review rv = {0}, out;
    rc = wh_hotel_create(c, a, &in, now, &h, e);
    wh_clock_day_of(now, day, sizeof day);
    rv.hotel_id = h.id;
    rv.venture_id = venture;
    rv.rating = 3;
    rv.source = "GOOGLE";
    rv.text = "Friendly staff, but the room was not ready at check-in time.";
    rv.review_date = day;
    if (rc == WH_OK)
        rc = wh_hotel_review_create(c, a, &rv, now, &out, e);
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
        rc = seed_carriers(c, &a, now, e);
    if (rc == WH_OK)
        rc = seed_shipper(c, &a, now, e);
    if (rc == WH_OK)
        rc = seed_campaign(c, &a, now, e);
    if (rc == WH_OK)
        rc = seed_hotel(c, &a, now, e);
    if (rc == WH_OK)
        rc = wh_db_commit(c, e);
    wh_db_release(app->db, c);
    wh_arena_cleanup(&a);
    return rc == WH_OK ? wh_seed_month_add(app, e) : rc;
}
