/* The demo month: 60 days of deterministic work ending today in business time, added by
 * `seed --demo` after the ventures and users (seed.c). Every record goes through the store
 * function its route uses, with the audit entry and the domain event the route writes beside
 * it, stamped at an instant of the day it belongs to; nothing is dated after now.
 *
 * Deterministic: each day's work comes from a splitmix64 generator keyed by the day, so the
 * same day gets the same loads, calls and figures on every database (ids aside).
 * Idempotent: settings[demo_month_until] holds the last day covered. A run on that day adds
 * nothing; a run on a later day adds only the days after it (and rebuilds the KPI and incentive
 * rows from that day on, since its work stopped at the clock of the run that wrote it). The
 * window never moves backwards: it starts 60 days before the first run.
 * One transaction for the work; the demo job runs follow it (the runner takes its own). */
#include "seed_int.h"
#include "audit/audit.h"
#include "core/clock.h"

#include <stdio.h>
#include <string.h>

wh_seed_rng wh_seed_rng_for(const char *day, uint64_t stream)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a of the day */
    for (const char *p = day; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return (wh_seed_rng){h ^ (stream * 0x9e3779b97f4a7c15ULL)};
}

static uint64_t rng_next(wh_seed_rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

int64_t wh_seed_rng_range(wh_seed_rng *r, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

bool wh_seed_rng_pct(wh_seed_rng *r, int pct)
{
    return wh_seed_rng_range(r, 0, 99) < pct;
}

int wh_seed_weekday(const char *day)
{
    int64_t d = 0;
    (void)wh_clock_days_between("2024-01-01", day, &d); /* a Monday */
    return (int)(((d % 7) + 7) % 7);
}

int64_t wh_seed_age(const wh_seed_month *sm, const char *day)
{
    int64_t d = 0;
    (void)wh_clock_days_between(day, sm->today, &d);
    return d;
}

int64_t wh_seed_at(const wh_seed_month *sm, int k, int64_t minutes)
{
    return sm->midnight[k] + minutes * 60000;
}

const char *wh_seed_day_of(const wh_seed_month *sm, int64_t ms)
{
    char *day = wh_arena_alloc(sm->a, 11);
    wh_clock_day_of(ms, day, 11);
    return day;
}

wh_err wh_seed_id_of(wh_conn *c, wh_arena *a, const char *sql, const char *key, int64_t *id,
                     wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a, sql, WH_ARGS(WH_PT(key)), &r, e);
    *id = rc == WH_OK && wh_rows_count(r) > 0 ? wh_rows_int(r, 0, 0) : 0;
    return rc;
}

wh_err wh_seed_id_in(wh_conn *c, wh_arena *a, const char *sql, int64_t venture_id, const char *key,
                     int64_t *id, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a, sql, WH_ARGS(WH_PI(venture_id), WH_PT(key)), &r, e);
    *id = rc == WH_OK && wh_rows_count(r) > 0 ? wh_rows_int(r, 0, 0) : 0;
    return rc;
}

wh_err wh_seed_agent_user(wh_seed_month *sm, const char *email, const char *name, const char *codes,
                          int64_t *id, wh_error *e)
{
    wh_user u;
    const char *hash = NULL;
    bool found = false;
    wh_user_input in = {.email = email,
                        .full_name = name,
                        .password = WH_SEED_DEMO_PASSWORD,
                        .has_role = true,
                        .role = WH_ROLE_EMPLOYEE};
    wh_err rc = wh_user_find_by_email(sm->c, sm->a, email, &u, &hash, &found, e);
    if (rc == WH_OK && !found)
        rc = wh_user_create(sm->c, sm->a, &in, sm->now, &u, e);
    if (rc == WH_OK && !found)
        rc = wh_seed_add_member(sm->c, sm->a, u.id, WH_ROLE_EMPLOYEE, codes, sm->now, e);
    *id = rc == WH_OK ? u.id : 0;
    return rc;
}

wh_err wh_seed_audit(wh_seed_month *sm, int64_t actor, const char *action, const char *entity,
                     int64_t id, int64_t venture_id, json_t *before, json_t *after, int64_t at,
                     wh_error *e)
{
    wh_audit_entry en = {.actor_id = actor,
                         .action = action,
                         .entity = entity,
                         .entity_id = id,
                         .venture_id = venture_id,
                         .before = before,
                         .after = after,
                         .request_id = WH_SEED_REQUEST_ID,
                         .at_ms = at};
    wh_err rc = wh_audit_record(sm->c, sm->a, &en, e);
    json_decref(before);
    json_decref(after);
    return rc;
}

wh_err wh_seed_publish(wh_seed_month *sm, const char *type, int64_t venture_id, int64_t office_id,
                       int64_t user_id, const char *key, const char *day, int64_t at, wh_error *e)
{
    wh_event ev = {.type = type,
                   .venture_id = venture_id,
                   .office_id = office_id,
                   .user_id = user_id,
                   .key = key,
                   .day = day,
                   .at_ms = at};
    return wh_events_publish(sm->app->events, sm->c, sm->a, &ev, e);
}

/* The days to add: after the marker, or the whole window on a fresh database. */
static wh_err plan_days(wh_seed_month *sm, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(sm->c, sm->a, "SELECT value FROM settings WHERE key = $1",
                            WH_ARGS(WH_PT(WH_SEED_MONTH_MARKER)), &r, e);
    if (rc != WH_OK)
        return rc;
    const char *marker = wh_rows_count(r) > 0 ? wh_rows_text(r, 0, 0) : NULL;
    char from[11];
    if (marker)
        (void)wh_clock_day_add(marker, 1, from, sizeof from);
    else
        (void)wh_clock_day_add(sm->today, 1 - WH_SEED_MONTH_DAYS, from, sizeof from);
    snprintf(sm->redo_from, sizeof sm->redo_from, "%s", marker ? marker : from);
    int64_t n = 0;
    if (!wh_clock_days_between(from, sm->today, &n) || n < 0)
        return WH_OK; /* already covered (or the clock went back): nothing to add */
    sm->ndays = (int)n + 1;
    sm->days = wh_arena_alloc(sm->a, sizeof *sm->days * (size_t)sm->ndays);
    sm->midnight = wh_arena_alloc(sm->a, sizeof *sm->midnight * (size_t)sm->ndays);
    for (int k = 0; k < sm->ndays; k++) {
        (void)wh_clock_day_add(from, k, sm->days[k], sizeof sm->days[k]);
        sm->midnight[k] = wh_clock_day_start(sm->days[k]);
    }
    return WH_OK;
}

/* The window's first day: the start of the plans, kept from the first run. */
static wh_err first_day(wh_seed_month *sm, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(sm->c, sm->a,
                            "SELECT MIN(created_day) FROM loads l JOIN ventures v ON v.id ="
                            " l.venture_id WHERE v.code = 'FRT'",
                            NULL, 0, &r, e);
    const char *min = rc == WH_OK && wh_rows_count(r) > 0 && !wh_rows_null(r, 0, 0)
                          ? wh_rows_text(r, 0, 0)
                          : sm->days[0];
    snprintf(sm->first, sizeof sm->first, "%s", strcmp(min, sm->days[0]) < 0 ? min : sm->days[0]);
    return rc;
}

static wh_err ventures(wh_seed_month *sm, wh_error *e)
{
    static const char *const sql = "SELECT id FROM ventures WHERE code = $1";
    wh_err rc = wh_seed_id_of(sm->c, sm->a, sql, "FRT", &sm->frt, e);
    if (rc == WH_OK)
        rc = wh_seed_id_of(sm->c, sm->a, sql, "HTL", &sm->htl, e);
    if (rc == WH_OK)
        rc = wh_seed_id_of(sm->c, sm->a, sql, "BPO", &sm->bpo, e);
    if (rc == WH_OK && (!sm->frt || !sm->htl || !sm->bpo))
        rc = wh_fail(e, WH_ERR_INTERNAL, "The demo ventures are missing.");
    return rc;
}

static wh_err work(wh_seed_month *sm, wh_error *e)
{
    wh_err rc = ventures(sm, e);
    if (rc == WH_OK)
        rc = first_day(sm, e);
    if (rc == WH_OK)
        rc = wh_seed_month_freight(sm, e);
    if (rc == WH_OK)
        rc = wh_seed_month_hotels(sm, e);
    if (rc == WH_OK)
        rc = wh_seed_month_bpo(sm, e);
    if (rc == WH_OK)
        rc = wh_seed_month_eod(sm, e);
    if (rc == WH_OK)
        rc = wh_seed_month_saas(sm, e);
    if (rc == WH_OK)
        rc = wh_seed_month_tasks(sm, e);
    if (rc == WH_OK)
        rc = wh_seed_month_money(sm, e);
    if (rc == WH_OK)
        rc = wh_db_query(sm->c, sm->a,
                         "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key)"
                         " DO UPDATE SET value = excluded.value",
                         WH_ARGS(WH_PT(WH_SEED_MONTH_MARKER), WH_PT(sm->today)), NULL, e);
    return rc;
}

wh_err wh_seed_month_add(wh_app *app, wh_error *e)
{
    wh_arena a;
    wh_seed_month sm = {.app = app, .a = &a, .now = wh_clock_now_ms()};
    sm.root = (wh_principal){.role = WH_ROLE_ADMIN, .all_ventures = true};
    wh_clock_day_of(sm.now, sm.today, sizeof sm.today);
    wh_arena_init(&a);
    wh_err rc = wh_db_acquire(app->db, &sm.c, e);
    if (rc == WH_OK)
        rc = wh_db_begin(sm.c, e);
    if (rc == WH_OK)
        rc = plan_days(&sm, e);
    if (rc == WH_OK && sm.ndays > 0)
        rc = work(&sm, e);
    if (rc == WH_OK)
        rc = wh_db_commit(sm.c, e);
    else if (sm.c)
        wh_db_rollback(sm.c);
    wh_db_release(app->db, sm.c);
    if (rc == WH_OK && sm.ndays > 0)
        rc = wh_seed_month_jobs(app, sm.now, e);
    if (rc == WH_OK)
        printf("Demo month: %d day(s) added, covering up to %s.\n", sm.ndays, sm.today);
    wh_arena_cleanup(&a);
    return rc;
}
