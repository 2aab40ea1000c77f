/* The demo month's freight: shippers, and loads created on business days (more on weekdays)
 * that move along the status machine as a dispatcher would move them through
 * POST /loads/{id}/status: the same rules (wh_load_move_apply), the update, the status history
 * row, the audit entry and, on delivery, LOAD_COMPLETED to the load's creator. Old loads mostly
 * ended (DELIVERED, LOST, DORMANT); recent ones are in every open status. Covered loads use the
 * assignable demo carriers (recorded FMCSA answers, marked as demo data by seed.c). */
#include "seed_int.h"
#include "core/clock.h"
#include "freight/freight.h"

#include <stdio.h>
#include <string.h>

#define MAX_CARRIERS 8

static const struct {
    const char *from, *from_state, *to, *to_state, *equipment;
    int64_t miles;
} lanes[] = {
    {"Chicago", "IL", "Dallas", "TX", "DRY_VAN", 925},
    {"Chicago", "IL", "Atlanta", "GA", "DRY_VAN", 717},
    {"Dallas", "TX", "Phoenix", "AZ", "REEFER", 1065},
    {"Joliet", "IL", "Columbus", "OH", "DRY_VAN", 360},
    {"Houston", "TX", "Memphis", "TN", "FLATBED", 585},
    {"Gary", "IN", "Detroit", "MI", "FLATBED", 265},
    {"Dallas", "TX", "Denver", "CO", "REEFER", 795},
    {"Peoria", "IL", "Kansas City", "MO", "DRY_VAN", 390},
};

static const struct {
    const char *code, *name, *contact;
} shippers[] = {
    {"GLPAPER", "Great Lakes Paper (demo)", "Ron Miller"},
    {"SUNPROD", "Sunbelt Produce (demo)", "Ana Ortiz"},
    {"PRSTEEL", "Prairie Steel (demo)", "Lee Novak"},
};

/* Status paths from OPEN to each final status. */
static const struct {
    const char *final, *path[5];
} paths[] = {
    {WH_LOAD_DELIVERED, {WH_LOAD_WORKING, WH_LOAD_COVERED, WH_LOAD_IN_TRANSIT, WH_LOAD_DELIVERED}},
    {WH_LOAD_IN_TRANSIT, {WH_LOAD_WORKING, WH_LOAD_COVERED, WH_LOAD_IN_TRANSIT}},
    {WH_LOAD_COVERED, {WH_LOAD_QUOTED, WH_LOAD_COVERED}},
    {WH_LOAD_LOST, {WH_LOAD_WORKING, WH_LOAD_QUOTED, WH_LOAD_LOST}},
    {WH_LOAD_AT_RISK, {WH_LOAD_WORKING, WH_LOAD_AT_RISK}},
    {WH_LOAD_FELL_OFF, {WH_LOAD_WORKING, WH_LOAD_COVERED, WH_LOAD_FELL_OFF}},
    {WH_LOAD_DORMANT, {WH_LOAD_DORMANT}},
    {WH_LOAD_QUOTED, {WH_LOAD_QUOTED}},
    {WH_LOAD_WORKING, {WH_LOAD_WORKING}},
    {WH_LOAD_OPEN, {NULL}},
};

/* Chances (percent, in paths order) of each final status by the load's age. */
static const int old_odds[] = {72, 0, 0, 14, 0, 4, 10, 0, 0, 0};
static const int mid_odds[] = {45, 15, 10, 10, 5, 5, 5, 5, 0, 0};
static const int new_odds[] = {0, 10, 15, 5, 10, 5, 0, 15, 20, 20};

static const char *const lost_reasons[] = {"Rate too high for the shipper", "Shipper cancelled",
                                           "No capacity on the lane"};

typedef struct {
    wh_seed_month *sm;
    int64_t creators[3], offices[2], shippers[4];
    wh_carrier carriers[MAX_CARRIERS];
    size_t ncarriers;
} freight;

static wh_err add_shippers(freight *f, wh_error *e)
{
    wh_err rc = WH_OK;
    for (size_t i = 0; rc == WH_OK && i < sizeof shippers / sizeof shippers[0]; i++) {
        int64_t have = 0;
        rc = wh_seed_id_of(f->sm->c, f->sm->a,
                           "SELECT s.id FROM shippers s JOIN ventures v ON v.id = s.venture_id"
                           " WHERE v.code = 'FRT' AND s.code = $1",
                           shippers[i].code, &have, e);
        if (rc != WH_OK || have)
            continue;
        wh_shipper s = {.venture_id = f->sm->frt,
                        .name = shippers[i].name,
                        .code = shippers[i].code,
                        .contact_name = shippers[i].contact,
                        .active = true},
                   out;
        rc = wh_shipper_create(f->sm->c, f->sm->a, &s, f->sm->now, &out, e);
    }
    return rc;
}

/* The first n ids of sql (no parameters) into ids; fewer leave zeros. */
static wh_err ids_of(wh_seed_month *sm, const char *sql, int64_t *ids, size_t n, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(sm->c, sm->a, sql, NULL, 0, &r, e);
    for (size_t i = 0; rc == WH_OK && i < n && i < wh_rows_count(r); i++)
        ids[i] = wh_rows_int(r, i, 0);
    return rc;
}

static wh_err load_refs(freight *f, wh_error *e)
{
    int64_t ids[MAX_CARRIERS] = {0};
    wh_err rc = add_shippers(f, e);
    if (rc == WH_OK)
        rc = ids_of(f->sm,
                    "SELECT id FROM users WHERE email IN ('dispatcher@demo.wheelhouse.test',"
                    " 'office.manager@demo.wheelhouse.test', 'employee@demo.wheelhouse.test')"
                    " ORDER BY email",
                    f->creators, 3, e);
    if (rc == WH_OK)
        rc = ids_of(f->sm,
                    "SELECT o.id FROM offices o JOIN ventures v ON v.id = o.venture_id"
                    " WHERE v.code = 'FRT' ORDER BY o.id",
                    f->offices, 2, e);
    if (rc == WH_OK)
        rc = ids_of(f->sm,
                    "SELECT s.id FROM shippers s JOIN ventures v ON v.id = s.venture_id"
                    " WHERE v.code = 'FRT' ORDER BY s.id",
                    f->shippers, 4, e);
    if (rc == WH_OK)
        rc = ids_of(f->sm,
                    "SELECT id FROM carriers WHERE fmcsa_error LIKE 'Demo data:%' ORDER BY id", ids,
                    MAX_CARRIERS, e);
    for (size_t i = 0; rc == WH_OK && i < MAX_CARRIERS && ids[i]; i++) {
        wh_carrier *c = &f->carriers[f->ncarriers];
        rc = wh_carrier_get(f->sm->c, f->sm->a, ids[i], c, e);
        f->ncarriers += rc == WH_OK && wh_carrier_assignable(c);
    }
    if (rc == WH_OK && (!f->creators[2] || !f->offices[0] || !f->shippers[0] || !f->ncarriers))
        rc = wh_fail(e, WH_ERR_INTERNAL, "The demo freight references are missing.");
    return rc;
}

/* One move of POST /loads/{id}/status at instant at, by the load's creator. */
static wh_err move(freight *f, wh_load *l, const char *to, wh_seed_rng *r, int64_t at, wh_error *e)
{
    wh_seed_month *sm = f->sm;
    const char *day = wh_seed_day_of(sm, at);
    const wh_carrier *carrier = &f->carriers[wh_seed_rng_range(r, 0, (int64_t)f->ncarriers - 1)];
    bool covered = strcmp(to, WH_LOAD_COVERED) == 0, noop = false;
    wh_load_move m = {.status = to, .carrier_id = covered ? carrier->id : 0};
    if (strcmp(to, WH_LOAD_LOST) == 0)
        m.lost_reason = lost_reasons[wh_seed_rng_range(r, 0, 2)];
    wh_load next = *l, after;
    wh_err rc = wh_load_move_apply(&next, &m, covered ? carrier : NULL, day, &noop, e);
    if (rc == WH_OK)
        rc = wh_load_update(sm->c, sm->a, &next, at, &after, e);
    if (rc == WH_OK)
        rc = wh_load_status_record(sm->c, sm->a, &after, l->status, at, day, e);
    if (rc == WH_OK)
        rc = wh_seed_audit(sm, l->created_by, "load.status", "load", l->id, l->venture_id,
                           wh_load_json(l), wh_load_json(&after), at, e);
    if (rc == WH_OK && strcmp(after.status, WH_LOAD_DELIVERED) == 0)
        rc = wh_seed_publish(
            sm, WH_EVENT_LOAD_COMPLETED, after.venture_id, after.office_id, after.created_by,
            wh_arena_printf(sm->a, "load_delivered:%lld", (long long)after.id), day, at, e);
    if (rc == WH_OK)
        *l = after;
    return rc;
}

/* The first load of each of the ten days before today ends in a status of its own, so every
 * status is on screen whatever the hour and the draws; the longer paths go to the older days,
 * where their steps (at most 30 hours apart) have all happened. */
static const char *const showcase[] = {
    WH_LOAD_OPEN,    WH_LOAD_WORKING,    WH_LOAD_QUOTED,   WH_LOAD_DORMANT, WH_LOAD_AT_RISK,
    WH_LOAD_COVERED, WH_LOAD_IN_TRANSIT, WH_LOAD_FELL_OFF, WH_LOAD_LOST,    WH_LOAD_DELIVERED};

static size_t pick_final(const wh_seed_month *sm, const char *day, int nth, wh_seed_rng *r)
{
    int64_t age = wh_seed_age(sm, day);
    for (size_t k = 0; nth == 0 && age >= 1 && age <= 10 && k < sizeof paths / sizeof paths[0]; k++)
        if (strcmp(paths[k].final, showcase[age - 1]) == 0)
            return k;
    const int *odds = age >= 10 ? old_odds : age >= 4 ? mid_odds : new_odds;
    int64_t x = wh_seed_rng_range(r, 0, 99);
    size_t i = 0;
    for (; i + 1 < sizeof paths / sizeof paths[0] && x >= odds[i]; i++)
        x -= odds[i];
    return i;
}

/* The load's fields: a lane, a shipper, a price of 2.40 to 3.40 a mile, a cost 80-92% of it. */
static void fill(freight *f, const char *day, int i, wh_seed_rng *r, wh_load *l)
{
    wh_seed_month *sm = f->sm;
    int lane = (int)wh_seed_rng_range(r, 0, sizeof lanes / sizeof lanes[0] - 1);
    char *pickup = wh_arena_alloc(sm->a, 11), *drop = wh_arena_alloc(sm->a, 11);
    int64_t miles = lanes[lane].miles;
    (void)wh_clock_day_add(day, (int)wh_seed_rng_range(r, 1, 3), pickup, 11);
    (void)wh_clock_day_add(pickup, (int)(miles / 500 + 1), drop, 11);
    *l = (wh_load){
        .venture_id = sm->frt,
        .office_id = f->offices[lane % 2 && f->offices[1] ? 1 : 0],
        .shipper_id = f->shippers[wh_seed_rng_range(r, 0, 3)],
        .created_by = f->creators[wh_seed_rng_range(r, 0, 2)],
        .reference = wh_arena_printf(sm->a, "DEMO-%.4s%.2s%.2s-%02d", day, day + 5, day + 8, i + 1),
        .pickup_city = lanes[lane].from,
        .pickup_state = lanes[lane].from_state,
        .pickup_date = pickup,
        .drop_city = lanes[lane].to,
        .drop_state = lanes[lane].to_state,
        .drop_date = drop,
        .equipment = lanes[lane].equipment,
        .has_weight_lbs = true,
        .weight_lbs = wh_seed_rng_range(r, 8, 44) * 1000,
        .has_miles = true,
        .miles = miles,
        .has_bill_cents = true,
        .bill_cents = miles * wh_seed_rng_range(r, 240, 340)};
    if (!l->shipper_id)
        l->shipper_id = f->shippers[0];
    l->has_cost_cents = true;
    l->cost_cents = l->bill_cents * wh_seed_rng_range(r, 80, 92) / 100;
}

/* Load i of day k: created during office hours, then moved along its path, a step every few
 * hours (older loads over days), never after now. */
static wh_err one_load(freight *f, int k, int i, wh_error *e)
{
    wh_seed_month *sm = f->sm;
    const char *day = sm->days[k];
    wh_seed_rng r = wh_seed_rng_for(day, 100 + (uint64_t)i);
    int64_t at = wh_seed_at(sm, k, wh_seed_rng_range(&r, 7 * 60, 17 * 60));
    wh_load in, l;
    fill(f, day, i, &r, &in);
    size_t p = pick_final(sm, day, i, &r);
    if (at >= sm->now)
        return WH_OK;
    int64_t age = wh_seed_age(sm, day), step = age >= 2 ? 20 * 3600000LL : 40 * 60000LL;
    wh_err rc = wh_load_create(sm->c, sm->a, &in, at, day, &l, e);
    if (rc == WH_OK)
        rc = wh_seed_audit(sm, l.created_by, "load.create", "load", l.id, l.venture_id, NULL,
                           wh_load_json(&l), at, e);
    for (int s = 0; rc == WH_OK && s < 5 && paths[p].path[s]; s++) {
        at += step / 2 + wh_seed_rng_range(&r, 0, step);
        if (at >= sm->now)
            break;
        rc = move(f, &l, paths[p].path[s], &r, at, e);
    }
    return rc;
}

wh_err wh_seed_month_freight(wh_seed_month *sm, wh_error *e)
{
    freight f = {.sm = sm};
    wh_err rc = load_refs(&f, e);
    for (int k = 0; rc == WH_OK && k < sm->ndays; k++) {
        wh_seed_rng r = wh_seed_rng_for(sm->days[k], 1);
        int n = (int)(wh_seed_weekday(sm->days[k]) < 5 ? wh_seed_rng_range(&r, 4, 7)
                                                       : wh_seed_rng_range(&r, 1, 2));
        for (int i = 0; rc == WH_OK && i < n; i++)
            rc = one_load(&f, k, i, e);
    }
    return rc;
}
