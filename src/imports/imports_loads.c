/* The loads kind of CSV imports (DOMAIN-wave2 §15): create only, OPEN, DELIVERED or LOST, with
 * the load's status history (OPEN at created_at, then DELIVERED at 00:00 of billing_date or
 * LOST at created_at). Freight's wh_load_create makes an OPEN load now; an imported load may
 * be dated and closed and names its dispatcher and lost reason code, so this file writes its
 * own INSERT and records the history with wh_load_status_record. */
#include "imports/imports_int.h"
#include "core/clock.h"
#include "core/json.h"
#include "freight/freight.h"

#include <string.h>

static const char *const freight_types[] = {"LOGISTICS", "TRANSPORT", NULL};
static const char *const statuses[] = {"OPEN", "DELIVERED", "LOST", NULL};
static const char *const lost_codes[] = {
    "RATE", "CAPACITY", "SHIPPER_CANCELLED", "SERVICE", "COMPETITOR", "OTHER", NULL};

static const imp_col load_cols[] = {
    {"reference", COL_TEXT, true},         {"pickup_city", COL_TEXT, true},
    {"pickup_state", COL_TEXT, true},      {"drop_city", COL_TEXT, true},
    {"drop_state", COL_TEXT, true},        {"office_id", COL_INT, false},
    {"shipper_code", COL_TEXT, false},     {"pickup_date", COL_DAY, false},
    {"drop_date", COL_DAY, false},         {"equipment", COL_TEXT, false},
    {"weight_lbs", COL_INT, false},        {"miles", COL_INT, false},
    {"bill_cents", COL_INT, false},        {"cost_cents", COL_INT, false},
    {"created_by_email", COL_TEXT, false}, {"dispatcher_email", COL_TEXT, false},
    {"status", COL_TEXT, false},           {"carrier_dot", COL_TEXT, false},
    {"billing_date", COL_DAY, false},      {"lost_reason_code", COL_TEXT, false},
    {"lost_reason", COL_TEXT, false},      {"created_on", COL_DAY, false},
};

typedef struct {
    imp_map refs, shippers, users, carriers; /* cached lookups; refs: reference -> line */
} load_state;

typedef struct {
    wh_load l;
    int64_t dispatcher_id;
    const char *lost_reason_code, *created_on;
} load_plan;

/* The id a cached lookup of key gives (0: none), running sql ($1 venture, $2 key) once. */
static wh_err lookup(imp_ctx *x, imp_map *m, const char *sql, const char *key, int64_t *id,
                     wh_error *e)
{
    bool fresh = false;
    wh_rows *rows = NULL;
    imp_entry *en = wh_imports_map_put(m, x->a, key, &fresh);
    wh_err rc = WH_OK;
    if (fresh) {
        rc = wh_db_query(x->c, x->a, sql, WH_ARGS(WH_PI(x->venture_id), WH_PT(key)), &rows, e);
        en->val = rc == WH_OK && wh_rows_count(rows) == 1 ? wh_rows_int(rows, 0, 0) : 0;
    }
    *id = en->val;
    return rc;
}

static wh_err user_of(imp_ctx *x, load_state *st, imp_row *row, const char *field, int64_t *id,
                      wh_error *e)
{
    const char *email = wh_imports_text(row, field);
    bool fresh = false;
    if (!email)
        return WH_OK;
    imp_entry *en = wh_imports_map_put(&st->users, x->a, email, &fresh);
    wh_err rc = fresh ? wh_imports_eligible_user(x, email, &en->val, e) : WH_OK;
    *id = en->val;
    if (rc == WH_OK && !*id)
        wh_imports_fail(x, row, field, "must be the e-mail of an eligible user of the venture");
    return rc;
}

static void read_values(imp_ctx *x, imp_row *row, load_plan *p)
{
    wh_load *l = &p->l;
    imp_jin in;
    const int64_t q = WH_FREIGHT_QUANTITY_MAX, cents = WH_FREIGHT_CENTS_MAX;
    wh_imports_jin_begin(&in, row);
    l->reference = wh_jin_str(&in.j, "reference", true, 1, WH_FREIGHT_TEXT_CHARS);
    l->pickup_city = wh_jin_str(&in.j, "pickup_city", true, 1, WH_FREIGHT_TEXT_CHARS);
    l->pickup_state = wh_jin_str(&in.j, "pickup_state", true, 1, WH_FREIGHT_TEXT_CHARS);
    l->drop_city = wh_jin_str(&in.j, "drop_city", true, 1, WH_FREIGHT_TEXT_CHARS);
    l->drop_state = wh_jin_str(&in.j, "drop_state", true, 1, WH_FREIGHT_TEXT_CHARS);
    l->office_id = wh_jin_int(&in.j, "office_id", false, 1, INT64_MAX, 0);
    l->pickup_date = wh_jin_day(&in.j, "pickup_date", false);
    l->drop_date = wh_jin_day(&in.j, "drop_date", false);
    l->equipment = wh_jin_str(&in.j, "equipment", false, 1, WH_FREIGHT_TEXT_CHARS);
    l->has_weight_lbs = wh_jin_has(&in.j, "weight_lbs");
    l->weight_lbs = wh_jin_int(&in.j, "weight_lbs", false, 0, q, 0);
    l->has_miles = wh_jin_has(&in.j, "miles");
    l->miles = wh_jin_int(&in.j, "miles", false, 0, q, 0);
    l->has_bill_cents = wh_jin_has(&in.j, "bill_cents");
    l->bill_cents = wh_jin_int(&in.j, "bill_cents", false, 0, cents, 0);
    l->has_cost_cents = wh_jin_has(&in.j, "cost_cents");
    l->cost_cents = wh_jin_int(&in.j, "cost_cents", false, 0, cents, 0);
    const char *status = wh_jin_enum(&in.j, "status", false, statuses);
    l->status = wh_load_status_find(status ? status : "OPEN");
    l->billing_date = wh_jin_day(&in.j, "billing_date", false);
    p->lost_reason_code = wh_jin_enum(&in.j, "lost_reason_code", false, lost_codes);
    l->lost_reason = wh_jin_str(&in.j, "lost_reason", false, 1, WH_FREIGHT_LOST_REASON_CHARS);
    p->created_on = wh_jin_day(&in.j, "created_on", false);
    wh_imports_jin_end(x, row, &in);
    if (l->pickup_date && l->drop_date && strcmp(l->drop_date, l->pickup_date) < 0)
        wh_imports_fail(x, row, "drop_date", "must not be before pickup_date");
}

/* The fields that belong to one status only, and the days (DOMAIN-wave2 §15). */
static void status_rules(imp_ctx *x, imp_row *row, load_plan *p)
{
    wh_load *l = &p->l;
    bool delivered = strcmp(l->status, "DELIVERED") == 0, lost = strcmp(l->status, "LOST") == 0;
    if (!delivered && l->billing_date)
        wh_imports_fail(x, row, "billing_date", "is only for a DELIVERED load");
    if (!delivered && wh_imports_text(row, "carrier_dot"))
        wh_imports_fail(x, row, "carrier_dot", "is only for a DELIVERED load");
    if (!lost && p->lost_reason_code)
        wh_imports_fail(x, row, "lost_reason_code", "is only for a LOST load");
    if (!lost && l->lost_reason)
        wh_imports_fail(x, row, "lost_reason", "is only for a LOST load");
    if (lost && !p->lost_reason_code)
        p->lost_reason_code = "OTHER";
    if (delivered && !l->billing_date)
        wh_imports_fail(x, row, "billing_date", "is required for a DELIVERED load");
    if (delivered && l->billing_date && strcmp(l->billing_date, x->today) > 0)
        wh_imports_fail(x, row, "billing_date", "must not be after today");
    if (!p->created_on)
        p->created_on = delivered && l->billing_date ? l->billing_date : x->today;
    if (strcmp(p->created_on, x->today) > 0)
        wh_imports_fail(x, row, "created_on", "must not be after today");
    if (delivered && l->billing_date && strcmp(l->billing_date, p->created_on) < 0)
        wh_imports_fail(x, row, "billing_date", "must not be before created_on");
}

static wh_err reference_new(imp_ctx *x, imp_row *row, load_state *st, const char *ref, wh_error *e)
{
    bool fresh = false;
    wh_rows *rows = NULL;
    imp_entry *en = wh_imports_map_put(&st->refs, x->a, ref, &fresh);
    if (!fresh) {
        wh_imports_fail(x, row, "reference", "is already on line %lld", (long long)en->val);
        return WH_OK;
    }
    en->val = row->line;
    wh_err rc =
        wh_db_query(x->c, x->a, "SELECT id FROM loads WHERE venture_id = $1 AND reference = $2",
                    WH_ARGS(WH_PI(x->venture_id), WH_PT(ref)), &rows, e);
    if (rc == WH_OK && wh_rows_count(rows) > 0)
        wh_imports_fail(x, row, "reference", "is already on a load of the venture");
    return rc;
}

/* The carrier of the directory with DOT number dot (leading zeros dropped, as stored): any
 * carrier, whatever its verification (an imported load is history). */
static wh_err carrier_of(imp_ctx *x, load_state *st, imp_row *row, const char *dot, int64_t *id,
                         wh_error *e)
{
    bool fresh = false, found = false;
    wh_carrier known;
    while (*dot == '0' && dot[1])
        dot++;
    imp_entry *en = wh_imports_map_put(&st->carriers, x->a, dot, &fresh);
    wh_err rc = fresh ? wh_carrier_find_number(x->c, x->a, dot, NULL, &known, &found, e) : WH_OK;
    if (fresh && rc == WH_OK && found)
        en->val = known.id;
    *id = en->val;
    if (rc == WH_OK && !*id)
        wh_imports_fail(x, row, "carrier_dot", "must be the DOT number of a known carrier");
    return rc;
}

/* The records the load names: office, shipper, users, carrier. */
static wh_err references(imp_ctx *x, imp_row *row, load_state *st, load_plan *p, wh_error *e)
{
    wh_load *l = &p->l;
    const char *shipper = wh_imports_text(row, "shipper_code");
    const char *dot = wh_imports_text(row, "carrier_dot");
    wh_rows *rows = NULL;
    wh_err rc = l->reference ? reference_new(x, row, st, l->reference, e) : WH_OK;
    if (rc == WH_OK && l->office_id)
        rc = wh_db_query(x->c, x->a, "SELECT id FROM offices WHERE venture_id = $1 AND id = $2",
                         WH_ARGS(WH_PI(x->venture_id), WH_PI(l->office_id)), &rows, e);
    if (rc == WH_OK && l->office_id && wh_rows_count(rows) == 0)
        wh_imports_fail(x, row, "office_id", "must be an office of the venture");
    if (rc == WH_OK && shipper) {
        char *up = wh_arena_strdup(x->a, shipper);
        for (char *c = up; *c; c++)
            *c = *c >= 'a' && *c <= 'z' ? (char)(*c - 'a' + 'A') : *c;
        rc = lookup(x, &st->shippers, "SELECT id FROM shippers WHERE venture_id = $1 AND code = $2",
                    up, &l->shipper_id, e);
        if (rc == WH_OK && !l->shipper_id)
            wh_imports_fail(x, row, "shipper_code", "must be the code of a shipper of the venture");
    }
    l->created_by = x->r->user.id;
    if (rc == WH_OK)
        rc = user_of(x, st, row, "created_by_email", &l->created_by, e);
    if (rc == WH_OK)
        rc = user_of(x, st, row, "dispatcher_email", &p->dispatcher_id, e);
    if (rc == WH_OK && dot)
        rc = carrier_of(x, st, row, dot, &l->carrier_id, e);
    return rc;
}

static wh_err load_check(imp_ctx *x, imp_row *row, wh_error *e)
{
    load_state *st = x->state ? x->state : (x->state = wh_arena_alloc(x->a, sizeof *st));
    load_plan *p = wh_arena_alloc(x->a, sizeof *p);
    p->l.venture_id = x->venture_id;
    read_values(x, row, p);
    status_rules(x, row, p);
    row->plan = p;
    row->outcome = IMP_CREATED;
    return references(x, row, st, p, e);
}

/* created_at: 00:00 of created_on when that is before today, else now. */
static int64_t created_at_of(const imp_ctx *x, const load_plan *p)
{
    return strcmp(p->created_on, x->today) < 0 ? wh_clock_day_start(p->created_on) : x->r->now_ms;
}

static wh_param opt_id(int64_t id)
{
    return id ? WH_PI(id) : WH_PN;
}

static wh_param opt_int(bool has, int64_t v)
{
    return has ? WH_PI(v) : WH_PN;
}

static wh_err load_insert(imp_ctx *x, const load_plan *p, int64_t at, int64_t *id, wh_error *e)
{
    const wh_load *l = &p->l;
    wh_rows *rows = NULL;
    // clang-format off
    wh_err rc = wh_db_query(x->c, x->a,
        "INSERT INTO loads (venture_id, office_id, reference, shipper_id, carrier_id, created_by,"
        " dispatcher_id, pickup_city, pickup_state, pickup_date, drop_city, drop_state, drop_date,"
        " equipment, weight_lbs, miles, bill_cents, cost_cents, status, billing_date, lost_reason,"
        " lost_reason_code, created_day, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6,"
        " $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24,"
        " $25) RETURNING id",
        WH_ARGS(WH_PI(l->venture_id), opt_id(l->office_id), WH_PT(l->reference),
                opt_id(l->shipper_id), opt_id(l->carrier_id), WH_PI(l->created_by),
                opt_id(p->dispatcher_id), WH_PT(l->pickup_city), WH_PT(l->pickup_state),
                WH_PT(l->pickup_date), WH_PT(l->drop_city), WH_PT(l->drop_state),
                WH_PT(l->drop_date), WH_PT(l->equipment), opt_int(l->has_weight_lbs, l->weight_lbs),
                opt_int(l->has_miles, l->miles), opt_int(l->has_bill_cents, l->bill_cents),
                opt_int(l->has_cost_cents, l->cost_cents), WH_PT(l->status),
                WH_PT(l->billing_date), WH_PT(l->lost_reason), WH_PT(p->lost_reason_code),
                WH_PT(p->created_on), WH_PI(at), WH_PI(x->r->now_ms)),
        &rows, e);
    // clang-format on
    *id = rc == WH_OK ? wh_rows_int(rows, 0, 0) : 0;
    return rc;
}

/* The load and its history: OPEN at created_at, then DELIVERED at 00:00 of billing_date (not
 * before created_at) or LOST at created_at. */
static wh_err load_apply_one(imp_ctx *x, const load_plan *p, wh_error *e)
{
    int64_t at = created_at_of(x, p);
    wh_load h = {.venture_id = p->l.venture_id, .status = "OPEN"};
    wh_err rc = load_insert(x, p, at, &h.id, e);
    if (rc == WH_OK)
        rc = wh_load_status_record(x->c, x->a, &h, NULL, at, p->created_on, e);
    if (rc != WH_OK || strcmp(p->l.status, "OPEN") == 0)
        return rc;
    h.status = p->l.status;
    if (strcmp(p->l.status, "DELIVERED") == 0) {
        int64_t when = wh_clock_day_start(p->l.billing_date);
        return wh_load_status_record(x->c, x->a, &h, "OPEN", when > at ? when : at,
                                     p->l.billing_date, e);
    }
    return wh_load_status_record(x->c, x->a, &h, "OPEN", at, p->created_on, e);
}

static wh_err load_apply(imp_ctx *x, wh_error *e)
{
    wh_err rc = WH_OK;
    for (size_t i = 0; i < x->nrows && rc == WH_OK; i++)
        rc = load_apply_one(x, x->rows[i].plan, e);
    return rc;
}

const imp_kind wh_imports_loads = {
    "loads", WH_PERM_FREIGHT_WRITE, freight_types, load_cols, 22, load_check, NULL, load_apply};
