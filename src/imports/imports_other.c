/* The hotel, BPO and SaaS kinds of CSV imports (DOMAIN-wave2 §15): hotel daily entries
 * (upsert by hotel and day, replacing the whole entry as PUT /hotels/{id}/daily/{date} does),
 * BPO call logs (create only; no BPO_CALL_COMPLETED event: imports award no points) and SaaS
 * subscriptions (each record a start and maybe a cancel, applied in order of (day, starts
 * before cancels, line) with the events of §12). Values are read with the JSON API's getters and
 * limits; the modules' rules (wh_hotel_daily_check, wh_bpo_call_check_times,
 * wh_saas_event_type, wh_saas_code_normalise) and stores do the rest. */
#include "imports/imports_int.h"
#include "bpo/bpo.h"
#include "core/clock.h"
#include "core/str.h"
#include "hotels/hotels.h"
#include "saas/saas.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ hotel_daily */

static const char *const hotel_types[] = {"HOSPITALITY", NULL};

static const imp_col daily_cols[] = {
    {"hotel_code", COL_TEXT, true},      {"date", COL_DAY, true},
    {"rooms_sold", COL_INT, true},       {"room_revenue_cents", COL_INT, true},
    {"rooms_available", COL_INT, false}, {"other_revenue_cents", COL_INT, false},
    {"cash_cents", COL_INT, false},      {"credit_cents", COL_INT, false},
    {"online_cents", COL_INT, false},    {"refund_cents", COL_INT, false},
    {"lost_dues_cents", COL_INT, false},
};

typedef struct {
    imp_map hotels; /* lower-cased code -> hotel id (ptr: its rooms) */
    imp_map days;   /* "hotel:date" -> line */
} daily_state;

static char *lower(wh_arena *a, const char *s)
{
    char *out = wh_arena_strdup(a, s);
    for (char *c = out; *c; c++)
        *c = *c >= 'A' && *c <= 'Z' ? (char)(*c - 'A' + 'a') : *c;
    return out;
}

/* How many of rows (one venture's records) have column col equal to key (lower-cased) in any
 * case of A-Z; *at the first. Compared here, not with SQL's lower(): PostgreSQL folds every
 * letter and SQLite only A-Z, so a name such as "Ünïcødé" would match on one engine only. */
static size_t rows_named(imp_ctx *x, const wh_rows *rows, size_t col, const char *key, size_t *at)
{
    size_t n = 0;
    for (size_t i = 0; i < wh_rows_count(rows); i++)
        if (strcmp(lower(x->a, wh_rows_text(rows, i, col)), key) == 0 && n++ == 0)
            *at = i;
    return n;
}

/* The hotel of the venture with code (any case of A-Z): id and rooms; 0 when none. */
static wh_err hotel_of(imp_ctx *x, daily_state *st, const char *code, int64_t *id, int64_t *rooms,
                       wh_error *e)
{
    bool fresh = false;
    wh_rows *rows = NULL;
    size_t at = 0;
    imp_entry *en = wh_imports_map_put(&st->hotels, x->a, lower(x->a, code), &fresh);
    wh_err rc = WH_OK;
    if (fresh) {
        rc = wh_db_query(x->c, x->a, "SELECT id, rooms, code FROM hotels WHERE venture_id = $1",
                         WH_ARGS(WH_PI(x->venture_id)), &rows, e);
        if (rc == WH_OK && rows_named(x, rows, 2, en->key, &at) == 1) {
            en->val = wh_rows_int(rows, at, 0);
            int64_t *r = wh_arena_alloc(x->a, sizeof *r);
            *r = wh_rows_int(rows, at, 1);
            en->ptr = r;
        }
    }
    *id = en->val;
    *rooms = en->ptr ? *(int64_t *)en->ptr : 0;
    return rc;
}

static void daily_values(imp_ctx *x, imp_row *row, wh_hotel_daily *d, int64_t rooms)
{
    const int64_t max = WH_HOTELS_CENTS_MAX;
    imp_jin in;
    wh_imports_jin_begin(&in, row);
    d->date = wh_jin_day(&in.j, "date", true);
    d->rooms_sold = wh_jin_int(&in.j, "rooms_sold", true, 0, WH_HOTELS_ROOMS_MAX, 0);
    d->rooms_available =
        wh_jin_int(&in.j, "rooms_available", false, 1, WH_HOTELS_ROOMS_MAX, rooms ? rooms : 1);
    bool rooms_valid = in.e.nfields == 0;
    d->room_revenue_cents = wh_jin_int(&in.j, "room_revenue_cents", true, 0, max, 0);
    d->other_revenue_cents = wh_jin_int(&in.j, "other_revenue_cents", false, 0, max, 0);
    d->cash_cents = wh_jin_int(&in.j, "cash_cents", false, 0, max, 0);
    d->credit_cents = wh_jin_int(&in.j, "credit_cents", false, 0, max, 0);
    d->online_cents = wh_jin_int(&in.j, "online_cents", false, 0, max, 0);
    d->refund_cents = wh_jin_int(&in.j, "refund_cents", false, 0, max, 0);
    d->lost_dues_cents = wh_jin_int(&in.j, "lost_dues_cents", false, 0, max, 0);
    if (d->date && !wh_clock_day_near(d->date, x->r->now_ms))
        (void)wh_error_field(&in.e, "date", "must not be more than %d day after today",
                             WH_LIMIT_DAYS_AHEAD);
    if (rooms_valid)
        (void)wh_hotel_daily_check(d, &in.e);
    wh_imports_jin_end(x, row, &in);
}

static wh_err daily_check(imp_ctx *x, imp_row *row, wh_error *e)
{
    daily_state *st = x->state ? x->state : (x->state = wh_arena_alloc(x->a, sizeof *st));
    wh_hotel_daily *d = wh_arena_alloc(x->a, sizeof *d), before;
    const char *code = wh_imports_text(row, "hotel_code");
    int64_t rooms = 0;
    bool found = false, fresh = false;
    wh_err rc = code ? hotel_of(x, st, code, &d->hotel_id, &rooms, e) : WH_OK;
    if (rc != WH_OK)
        return rc;
    if (!code)
        wh_imports_fail(x, row, "hotel_code", "is required");
    else if (!d->hotel_id)
        wh_imports_fail(x, row, "hotel_code", "must be the code of a hotel of the venture");
    d->venture_id = x->venture_id;
    daily_values(x, row, d, rooms);
    row->plan = d;
    if (!d->hotel_id || !d->date)
        return WH_OK;
    const char *key = wh_arena_printf(x->a, "%lld:%s", (long long)d->hotel_id, d->date);
    imp_entry *en = wh_imports_map_put(&st->days, x->a, key, &fresh);
    if (!fresh)
        wh_imports_fail(x, row, "date", "this hotel's day is already on line %lld",
                        (long long)en->val);
    en->val = fresh ? row->line : en->val;
    rc = wh_hotel_daily_find(x->c, x->a, d->hotel_id, d->date, &before, &found, e);
    row->outcome = found ? IMP_UPDATED : IMP_CREATED;
    return rc;
}

static wh_err daily_apply(imp_ctx *x, wh_error *e)
{
    wh_err rc = WH_OK;
    for (size_t i = 0; i < x->nrows && rc == WH_OK; i++) {
        wh_hotel_daily *d = x->rows[i].plan, out;
        rc = wh_hotel_daily_lock(x->c, d->hotel_id, e);
        if (rc == WH_OK)
            rc = wh_hotel_daily_upsert(x->c, x->a, d, x->r->now_ms, &out, e);
    }
    return rc;
}

const imp_kind wh_imports_hotel_daily = {
    "hotel_daily", WH_PERM_HOTELS_WRITE, hotel_types, daily_cols, 11, daily_check,
    NULL,          daily_apply};

/* ---------------------------------------------------------- bpo_call_logs */

static const char *const bpo_types[] = {"BPO", NULL};

static const imp_col call_cols[] = {
    {"agent_email", COL_TEXT, true},      {"started_at", COL_INSTANT, true},
    {"campaign_name", COL_TEXT, false},   {"ended_at", COL_INSTANT, false},
    {"dial_count", COL_INT, false},       {"connected", COL_BOOL, false},
    {"appointment_set", COL_BOOL, false}, {"deal_won", COL_BOOL, false},
    {"revenue_cents", COL_INT, false},    {"notes", COL_TEXT, false},
};

typedef struct {
    imp_map agents, campaigns; /* e-mail -> agent id (ptr: its campaign); name -> campaign */
} call_state;

static wh_err agent_of(imp_ctx *x, call_state *st, const char *email, int64_t *id,
                       int64_t *campaign, wh_error *e)
{
    bool fresh = false;
    wh_rows *rows = NULL;
    const char *norm = wh_user_email_normalise(x->a, email);
    imp_entry *en = wh_imports_map_put(&st->agents, x->a, norm ? norm : "", &fresh);
    wh_err rc = WH_OK;
    if (fresh && norm) {
        rc = wh_db_query(x->c, x->a,
                         "SELECT bpo_agents.id, bpo_agents.campaign_id FROM bpo_agents JOIN users"
                         " ON users.id = bpo_agents.user_id WHERE bpo_agents.venture_id = $1"
                         " AND users.email = $2",
                         WH_ARGS(WH_PI(x->venture_id), WH_PT(norm)), &rows, e);
        if (rc == WH_OK && wh_rows_count(rows) == 1) {
            en->val = wh_rows_int(rows, 0, 0);
            int64_t *cp = wh_arena_alloc(x->a, sizeof *cp);
            *cp = wh_rows_int(rows, 0, 1);
            en->ptr = cp;
        }
    }
    *id = en->val;
    *campaign = en->ptr ? *(int64_t *)en->ptr : 0;
    return rc;
}

/* The one campaign of the venture named name (any case of A-Z): val its id, 0 for none, -n for
 * n. */
static wh_err campaign_of(imp_ctx *x, call_state *st, const char *name, int64_t *id, wh_error *e)
{
    bool fresh = false;
    wh_rows *rows = NULL;
    size_t at = 0;
    imp_entry *en = wh_imports_map_put(&st->campaigns, x->a, lower(x->a, name), &fresh);
    wh_err rc = WH_OK;
    if (fresh) {
        rc = wh_db_query(x->c, x->a, "SELECT id, name FROM bpo_campaigns WHERE venture_id = $1",
                         WH_ARGS(WH_PI(x->venture_id)), &rows, e);
        size_t n = rc == WH_OK ? rows_named(x, rows, 1, en->key, &at) : 0;
        en->val = n == 1 ? wh_rows_int(rows, at, 0) : -(int64_t)n;
    }
    *id = en->val;
    return rc;
}

static void call_values(imp_ctx *x, imp_row *row, wh_bpo_call *call)
{
    imp_jin in;
    wh_imports_jin_begin(&in, row);
    call->started_at = wh_jin_int(&in.j, "started_at", true, INT64_MIN, INT64_MAX, 0);
    call->ended_at = wh_jin_int(&in.j, "ended_at", false, INT64_MIN, INT64_MAX, 0);
    call->dial_count = wh_jin_int(&in.j, "dial_count", false, 1, WH_BPO_DIALS_MAX, 1);
    call->connected = wh_jin_bool(&in.j, "connected", false, false);
    call->appointment_set = wh_jin_bool(&in.j, "appointment_set", false, false);
    call->deal_won = wh_jin_bool(&in.j, "deal_won", false, false);
    call->revenue_cents = wh_jin_int(&in.j, "revenue_cents", false, 0, WH_BPO_REVENUE_CENTS_MAX, 0);
    call->notes = wh_jin_str(&in.j, "notes", false, 0, WH_BPO_NOTES_CHARS);
    /* the times' rule adds its field error to in.e, which becomes the line's error */
    if (in.e.nfields == 0 && call->started_at &&
        wh_bpo_call_check_times(call->started_at, call->ended_at, x->r->now_ms, &in.e) != WH_OK)
        in.j.bad = true;
    wh_imports_jin_end(x, row, &in);
    char *day = wh_arena_alloc(x->a, 11);
    wh_clock_day_of(call->started_at, day, 11);
    call->started_day = day;
    call->talk_seconds = wh_bpo_talk_seconds(call->started_at, call->ended_at);
}

static wh_err call_check(imp_ctx *x, imp_row *row, wh_error *e)
{
    call_state *st = x->state ? x->state : (x->state = wh_arena_alloc(x->a, sizeof *st));
    wh_bpo_call *call = wh_arena_alloc(x->a, sizeof *call);
    const char *email = wh_imports_text(row, "agent_email");
    const char *campaign = wh_imports_text(row, "campaign_name");
    int64_t default_campaign = 0;
    wh_err rc = email ? agent_of(x, st, email, &call->agent_id, &default_campaign, e) : WH_OK;
    if (rc == WH_OK && campaign)
        rc = campaign_of(x, st, campaign, &call->campaign_id, e);
    if (rc != WH_OK)
        return rc;
    if (email && !call->agent_id)
        wh_imports_fail(x, row, "agent_email", "must be the e-mail of an agent of the venture");
    if (campaign && call->campaign_id <= 0)
        wh_imports_fail(x, row, "campaign_name", "names %s campaign of the venture",
                        call->campaign_id == 0 ? "no" : "more than one");
    if (!campaign)
        call->campaign_id = default_campaign;
    call->venture_id = x->venture_id;
    call_values(x, row, call);
    row->plan = call;
    row->outcome = IMP_CREATED;
    return WH_OK;
}

static wh_err call_apply(imp_ctx *x, wh_error *e)
{
    wh_err rc = WH_OK;
    for (size_t i = 0; i < x->nrows && rc == WH_OK; i++) {
        wh_bpo_call out;
        bool inserted = false;
        rc = wh_bpo_call_create(x->c, x->a, &x->r->user, x->rows[i].plan, x->r->now_ms, &out,
                                &inserted, e);
        if (rc == WH_OK && !inserted)
            rc = wh_fail(e, WH_ERR_CONFLICT, "The agent of line %lld is gone.",
                         (long long)x->rows[i].line);
    }
    return rc;
}

const imp_kind wh_imports_bpo_calls = {
    "bpo_call_logs", WH_PERM_BPO_WRITE, bpo_types, call_cols, 10, call_check, NULL, call_apply};

/* ----------------------------------------------------- saas_subscriptions */

static const char *const saas_types[] = {"SAAS", NULL};

static const imp_col sub_cols[] = {
    {"customer_code", COL_TEXT, true},  {"plan_name", COL_TEXT, true},
    {"mrr_cents", COL_INT, true},       {"started_on", COL_DAY, true},
    {"customer_name", COL_TEXT, false}, {"cancelled_on", COL_DAY, false},
};

/* A customer as the file sees it: stored (id) or new, its MRR and latest event day as the
 * records before change them. */
typedef struct {
    int64_t id, mrr;
    bool active, has_event, is_new;
    const char *code, *name, *latest;
} sub_customer;

typedef struct {
    imp_map customers;    /* code -> sub_customer */
    sub_customer **order; /* customers in order of first appearance (new ones created so) */
    size_t ncustomers, cap;
} sub_state;

typedef struct {
    sub_customer *cu;
    wh_saas_sub s;
} sub_plan;

/* One write of the file: the start or the cancel of a record. */
typedef struct {
    const char *day;
    int cancel; /* starts (0) before cancels (1) on a day */
    int64_t line;
    imp_row *row;
} sub_op;

static wh_err customer_known(imp_ctx *x, sub_customer *cu, wh_error *e)
{
    wh_rows *rows = NULL;
    wh_saas_customer got;
    bool has = false;
    wh_err rc =
        wh_db_query(x->c, x->a, "SELECT id FROM saas_customers WHERE venture_id = $1 AND code = $2",
                    WH_ARGS(WH_PI(x->venture_id), WH_PT(cu->code)), &rows, e);
    cu->is_new = rc == WH_OK && wh_rows_count(rows) == 0;
    if (rc != WH_OK || cu->is_new)
        return rc;
    int64_t id = wh_rows_int(rows, 0, 0);
    if (x->commit) /* its writes are serialised with the routes' (saas.h) */
        rc = wh_db_lock(x->c, WH_SAAS_CUSTOMER_LOCK(id), e);
    if (rc == WH_OK)
        rc = wh_saas_customer_get(x->c, x->a, &x->r->user, id, &got, e);
    if (rc == WH_OK)
        rc = wh_saas_customer_latest(x->c, x->a, id, &cu->latest, &has, e);
    cu->id = id;
    cu->mrr = got.mrr_cents;
    cu->active = got.active;
    cu->has_event = has;
    return rc;
}

static wh_err customer_of(imp_ctx *x, sub_state *st, const char *code, sub_customer **out,
                          wh_error *e)
{
    bool fresh = false;
    imp_entry *en = wh_imports_map_put(&st->customers, x->a, code, &fresh);
    wh_err rc = WH_OK;
    if (fresh) {
        sub_customer *cu = wh_arena_alloc(x->a, sizeof *cu);
        cu->code = en->key;
        cu->latest = "";
        rc = customer_known(x, cu, e);
        en->ptr = cu;
        if (st->ncustomers == st->cap) {
            st->cap = st->cap ? st->cap * 2 : 16;
            sub_customer **o = wh_arena_alloc(x->a, st->cap * sizeof *o);
            if (st->ncustomers)
                memcpy(o, st->order, st->ncustomers * sizeof *o);
            st->order = o;
        }
        st->order[st->ncustomers++] = cu;
    }
    *out = en->ptr;
    return rc;
}

static void sub_values(imp_ctx *x, imp_row *row, sub_plan *p, const char **name)
{
    imp_jin in;
    wh_imports_jin_begin(&in, row);
    p->s.plan_name = wh_jin_str(&in.j, "plan_name", true, 1, WH_SAAS_PLAN_CHARS);
    p->s.mrr_cents = wh_jin_int(&in.j, "mrr_cents", true, 1, WH_SAAS_MRR_MAX, 0);
    p->s.started_on = wh_jin_day(&in.j, "started_on", true);
    p->s.cancelled_on = wh_jin_day(&in.j, "cancelled_on", false);
    *name = wh_jin_str(&in.j, "customer_name", false, 1, WH_SAAS_NAME_CHARS);
    wh_imports_jin_end(x, row, &in);
    if (p->s.started_on && strcmp(p->s.started_on, x->today) > 0)
        wh_imports_fail(x, row, "started_on", "must not be after today");
    if (p->s.cancelled_on && strcmp(p->s.cancelled_on, x->today) > 0)
        wh_imports_fail(x, row, "cancelled_on", "must not be after today");
    if (p->s.cancelled_on && p->s.started_on && strcmp(p->s.cancelled_on, p->s.started_on) < 0)
        wh_imports_fail(x, row, "cancelled_on", "must not be before started_on");
}

static wh_err sub_check(imp_ctx *x, imp_row *row, wh_error *e)
{
    sub_state *st = x->state ? x->state : (x->state = wh_arena_alloc(x->a, sizeof *st));
    sub_plan *p = wh_arena_alloc(x->a, sizeof *p);
    const char *name = NULL, *code = wh_imports_text(row, "customer_code");
    char *up = code ? wh_arena_strdup(x->a, code) : NULL;
    row->plan = p;
    row->outcome = IMP_CREATED;
    sub_values(x, row, p, &name);
    if (up && !wh_saas_code_normalise(up)) {
        wh_imports_fail(x, row, "customer_code", "must be 1 to 32 of A-Z, 0-9, _ and -");
        return WH_OK;
    }
    if (!up)
        return WH_OK;
    wh_err rc = customer_of(x, st, up, &p->cu, e);
    if (rc != WH_OK)
        return rc;
    if (p->cu->is_new && !p->cu->name && !name)
        wh_imports_fail(x, row, "customer_name", "is required for a new customer");
    if (p->cu->is_new && !p->cu->name && name)
        p->cu->name = name;
    if (!p->cu->is_new && !p->cu->active)
        wh_imports_fail(x, row, "customer_code", "is an inactive customer: no new subscription");
    return WH_OK;
}

static int op_cmp(const void *a, const void *b)
{
    const sub_op *x = a, *y = b;
    int c = strcmp(x->day, y->day);
    if (c == 0)
        c = x->cancel - y->cancel;
    if (c == 0)
        c = x->line < y->line ? -1 : x->line > y->line;
    return c;
}

/* The writes of the valid records in order of (day, starts before cancels, line). */
static sub_op *sub_ops(imp_ctx *x, size_t *n)
{
    sub_op *ops = wh_arena_alloc(x->a, (2 * x->nrows + 1) * sizeof *ops);
    *n = 0;
    for (size_t i = 0; i < x->nrows; i++) {
        imp_row *row = &x->rows[i];
        sub_plan *p = row->plan;
        if (row->bad)
            continue;
        ops[(*n)++] = (sub_op){p->s.started_on, 0, row->line, row};
        if (p->s.cancelled_on)
            ops[(*n)++] = (sub_op){p->s.cancelled_on, 1, row->line, row};
    }
    qsort(ops, *n, sizeof *ops, op_cmp);
    return ops;
}

/* Each write may not be dated before its customer's latest event (§12): the stored ones and
 * those of the file's earlier writes. */
static wh_err sub_check_all(imp_ctx *x, wh_error *e)
{
    size_t n = 0;
    sub_op *ops = sub_ops(x, &n);
    (void)e;
    for (size_t i = 0; i < n; i++) {
        sub_plan *p = ops[i].row->plan;
        if (ops[i].row->bad)
            continue;
        if (strcmp(ops[i].day, p->cu->latest) < 0) {
            wh_imports_fail(x, ops[i].row, ops[i].cancel ? "cancelled_on" : "started_on",
                            "is before the customer's latest event (%s)", p->cu->latest);
            continue;
        }
        p->cu->latest = ops[i].day;
    }
    return WH_OK;
}

/* One write: the subscription's start or cancel and its event. */
static wh_err sub_write(imp_ctx *x, const sub_op *op, wh_error *e)
{
    sub_plan *p = op->row->plan;
    sub_customer *cu = p->cu;
    int64_t delta = op->cancel ? -p->s.mrr_cents : p->s.mrr_cents;
    wh_saas_sub out;
    wh_err rc;
    if (op->cancel) {
        wh_saas_sub next = p->s;
        next.status = "CANCELLED";
        rc = wh_saas_sub_save(x->c, x->a, &next, x->r->now_ms, &out, e);
    } else {
        wh_saas_sub in = p->s;
        in.venture_id = x->venture_id;
        in.customer_id = cu->id;
        in.cancelled_on = NULL;
        rc = wh_saas_sub_create(x->c, x->a, &in, x->r->now_ms, &out, e);
        p->s.id = out.id;
        p->s.customer_id = cu->id;
        p->s.venture_id = x->venture_id;
        p->s.status = out.status;
    }
    wh_saas_event ev = {.venture_id = x->venture_id,
                        .customer_id = cu->id,
                        .subscription_id = p->s.id,
                        .effective_on = op->day,
                        .before = cu->mrr,
                        .after = cu->mrr + delta,
                        .created_by = x->r->user.id};
    ev.type = wh_saas_event_type(ev.before, ev.after, cu->has_event);
    if (rc == WH_OK && ev.type)
        rc = wh_saas_event_record(x->c, x->a, &ev, x->r->now_ms, e);
    cu->mrr += delta;
    cu->has_event = cu->has_event || ev.type;
    return rc;
}

static wh_err sub_apply(imp_ctx *x, wh_error *e)
{
    sub_state *st = x->state;
    size_t n = 0;
    wh_err rc = WH_OK;
    for (size_t i = 0; i < st->ncustomers && rc == WH_OK; i++) {
        sub_customer *cu = st->order[i];
        wh_saas_customer made;
        if (!cu->is_new)
            continue;
        wh_saas_customer_input in = {.venture_id = x->venture_id,
                                     .name = cu->name,
                                     .code = cu->code,
                                     .has_active = true,
                                     .active = true};
        rc = wh_saas_customer_create(x->c, x->a, &in, x->r->now_ms, &made, e);
        cu->id = made.id;
    }
    sub_op *ops = rc == WH_OK ? sub_ops(x, &n) : NULL;
    for (size_t i = 0; i < n && rc == WH_OK; i++)
        rc = sub_write(x, &ops[i], e);
    return rc;
}

const imp_kind wh_imports_saas_subs = {
    "saas_subscriptions", WH_PERM_SAAS_WRITE, saas_types, sub_cols, 6, sub_check,
    sub_check_all,        sub_apply};
