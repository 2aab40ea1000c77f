/* Internals of the demo seed shared by seed.c and the seed_*.c files of the demo month: the
 * context of one run, a deterministic PRNG, business-day instants, and the helpers that write
 * what a route writes beside a change (the audit entry, the domain event). Not a module: only
 * src/seed*.c include it. */
#ifndef WH_SEED_INT_H
#define WH_SEED_INT_H

#include "seed.h"
#include "auth/auth.h"
#include "events/events.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Days of demo work `seed --demo` creates on a fresh database, ending today. */
#define WH_SEED_MONTH_DAYS 60
/* The settings key holding the last business day the demo month covers. */
#define WH_SEED_MONTH_MARKER "demo_month_until"
/* The request id of every audit entry the seed writes. */
#define WH_SEED_REQUEST_ID "demo-seed"

/* splitmix64: a fixed-seed generator, so the same day always gets the same work. */
typedef struct {
    uint64_t s;
} wh_seed_rng;

/* One run of the demo month. days[0..ndays-1] are the days to add, oldest first, with their
 * business midnights; redo_from is the first day whose derived rows (KPIs, incentives) are
 * rebuilt (the day of the previous run, whose work was cut at that run's clock). */
typedef struct {
    wh_app *app;
    wh_conn *c;
    wh_arena *a;
    int64_t now;
    char today[11], first[11], redo_from[11];
    int ndays;
    char (*days)[11];
    int64_t *midnight;
    wh_principal root;     /* an all-venture principal for the store calls that take one */
    int64_t frt, htl, bpo; /* demo venture ids */
} wh_seed_month;

/* A generator keyed by a day and a stream number. */
wh_seed_rng wh_seed_rng_for(const char *day, uint64_t stream);
/* A uniform integer in [lo, hi]. */
int64_t wh_seed_rng_range(wh_seed_rng *r, int64_t lo, int64_t hi);
/* True with the given chance in percent. */
bool wh_seed_rng_pct(wh_seed_rng *r, int pct);

/* Day of the week of a day, 0 Monday .. 6 Sunday. */
int wh_seed_weekday(const char *day);
/* Whole days from day to today (0 for today). */
int64_t wh_seed_age(const wh_seed_month *sm, const char *day);
/* The instant minutes after the business midnight of days[k]. */
int64_t wh_seed_at(const wh_seed_month *sm, int k, int64_t minutes);
/* The business day of an instant, in the run's arena. */
const char *wh_seed_day_of(const wh_seed_month *sm, int64_t ms);

/* The first column of the first row of sql with one text parameter; 0 when there is none. */
WH_MUST_USE wh_err wh_seed_id_of(wh_conn *c, wh_arena *a, const char *sql, const char *key,
                                 int64_t *id, wh_error *e);
/* The same with $1 a venture id and $2 a text key (a record's natural key in its venture). */
WH_MUST_USE wh_err wh_seed_id_in(wh_conn *c, wh_arena *a, const char *sql, int64_t venture_id,
                                 const char *key, int64_t *id, wh_error *e);
/* The id of a user by e-mail, creating an EMPLOYEE member of the ventures of codes when
 * missing (the generated agents). */
WH_MUST_USE wh_err wh_seed_agent_user(wh_seed_month *sm, const char *email, const char *name,
                                      const char *codes, int64_t *id, wh_error *e);
/* Adds user_id to the ventures of codes (space-separated) and, for an office-scoped role, to
 * the first office of each. */
WH_MUST_USE wh_err wh_seed_add_member(wh_conn *c, wh_arena *a, int64_t user_id, wh_role role,
                                      const char *codes, int64_t now, wh_error *e);

/* The audit entry a route writes with its change; before and after are taken (decref'd). */
WH_MUST_USE wh_err wh_seed_audit(wh_seed_month *sm, int64_t actor, const char *action,
                                 const char *entity, int64_t id, int64_t venture_id, json_t *before,
                                 json_t *after, int64_t at, wh_error *e);
/* Publishes a domain event (gamification points) as the route would. */
WH_MUST_USE wh_err wh_seed_publish(wh_seed_month *sm, const char *type, int64_t venture_id,
                                   int64_t office_id, int64_t user_id, const char *key,
                                   const char *day, int64_t at, wh_error *e);

/* The parts of the month (seed_freight.c, seed_hotels.c, seed_bpo.c, seed_saas.c,
 * seed_tasks.c, seed_money.c). */
WH_MUST_USE wh_err wh_seed_month_freight(wh_seed_month *sm, wh_error *e);
WH_MUST_USE wh_err wh_seed_month_hotels(wh_seed_month *sm, wh_error *e);
WH_MUST_USE wh_err wh_seed_month_bpo(wh_seed_month *sm, wh_error *e);
WH_MUST_USE wh_err wh_seed_month_eod(wh_seed_month *sm, wh_error *e);
/* The SAAS and HOLDINGS ventures (seed_saas.c); before money, whose KPI rows include SaaS. */
WH_MUST_USE wh_err wh_seed_month_saas(wh_seed_month *sm, wh_error *e);
/* A few hand-made tasks with their notifications (seed_tasks.c). */
WH_MUST_USE wh_err wh_seed_month_tasks(wh_seed_month *sm, wh_error *e);
WH_MUST_USE wh_err wh_seed_month_money(wh_seed_month *sm, wh_error *e);
/* Records the demo job runs (after the month's transaction committed). */
WH_MUST_USE wh_err wh_seed_month_jobs(wh_app *app, int64_t now, wh_error *e);

/* Adds the demo month (see seed_month.c); called by wh_seed_demo once the base is in place. */
WH_MUST_USE wh_err wh_seed_month_add(wh_app *app, wh_error *e);

#endif
