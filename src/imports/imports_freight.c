/* The freight kinds of CSV imports (DOMAIN-wave2 §15): shippers (upsert by code), carriers
 * (MANUAL / PENDING, a known DOT number skipped) and loads (create only, with their status
 * history). Values are read with the JSON API's getters and limits (freight.h); codes through
 * wh_saas_code_normalise, e-mails through wh_user_email_normalise. The columns the freight
 * stores do not write yet (carriers' source and verification, loads' dispatcher_id and
 * lost_reason_code) are written by this file's own INSERTs. */
#include "imports/imports_int.h"
#include "core/clock.h"
#include "core/json.h"
#include "freight/freight.h"
#include "saas/saas.h"

#include <string.h>

static const char *const freight_types[] = {"LOGISTICS", "TRANSPORT", NULL};

/* code of row upper-cased and checked (A-Z, 0-9, _ and -), NULL (and a line error) otherwise. */
static const char *code_of(imp_ctx *x, imp_row *row, const char *field, const char *code)
{
    if (!code)
        return NULL;
    char *up = wh_arena_strdup(x->a, code);
    if (wh_saas_code_normalise(up))
        return up;
    wh_imports_fail(x, row, field, "may contain only letters, digits, '_' and '-' (1 to 32)");
    return NULL;
}

static const char *email_of(imp_ctx *x, imp_row *row, const char *field, const char *email)
{
    const char *norm = email ? wh_user_email_normalise(x->a, email) : NULL;
    if (email && !norm)
        wh_imports_fail(x, row, field, "must be an e-mail address");
    return norm;
}

/* ---------------------------------------------------------------- shippers */

static const imp_col shipper_cols[] = {
    {"code", COL_TEXT, true},   {"name", COL_TEXT, true},   {"contact_name", COL_TEXT, false},
    {"email", COL_TEXT, false}, {"phone", COL_TEXT, false}, {"active", COL_BOOL, false},
};

typedef struct {
    imp_map codes; /* code -> line of its first record */
} shipper_state;

static wh_err shipper_existing(imp_ctx *x, const char *code, wh_shipper *out, bool *found,
                               wh_error *e)
{
    wh_rows *rows = NULL;
    wh_err rc =
        wh_db_query(x->c, x->a, "SELECT id FROM shippers WHERE venture_id = $1 AND code = $2",
                    WH_ARGS(WH_PI(x->venture_id), WH_PT(code)), &rows, e);
    *found = rc == WH_OK && wh_rows_count(rows) > 0;
    if (!*found)
        return rc;
    return wh_shipper_get(x->c, x->a, &x->r->user, wh_rows_int(rows, 0, 0), false, out, e);
}

static wh_err shipper_check(imp_ctx *x, imp_row *row, wh_error *e)
{
    shipper_state *st = x->state ? x->state : (x->state = wh_arena_alloc(x->a, sizeof *st));
    wh_shipper *s = wh_arena_alloc(x->a, sizeof *s);
    imp_jin in;
    bool found = false, fresh = false;
    wh_imports_jin_begin(&in, row);
    const char *code = wh_jin_str(&in.j, "code", true, 1, WH_LIMIT_CODE_CHARS);
    const char *name = wh_jin_str(&in.j, "name", false, 1, WH_LIMIT_NAME_CHARS);
    const char *contact = wh_jin_str(&in.j, "contact_name", false, 1, WH_LIMIT_NAME_CHARS);
    const char *email = wh_jin_str(&in.j, "email", false, 1, WH_LIMIT_EMAIL_CHARS);
    const char *phone = wh_jin_str(&in.j, "phone", false, 1, WH_FREIGHT_PHONE_CHARS);
    bool has_active = wh_jin_has(&in.j, "active");
    bool active = wh_jin_bool(&in.j, "active", false, true);
    wh_imports_jin_end(x, row, &in);
    code = code_of(x, row, "code", code);
    email = email_of(x, row, "email", email);
    if (!code)
        return WH_OK;
    imp_entry *en = wh_imports_map_put(&st->codes, x->a, code, &fresh);
    if (!fresh) {
        wh_imports_fail(x, row, "code", "is already on line %lld", (long long)en->val);
        return WH_OK;
    }
    en->val = row->line;
    wh_err rc = shipper_existing(x, code, s, &found, e);
    if (rc != WH_OK)
        return rc;
    if (!found) {
        *s = (wh_shipper){.venture_id = x->venture_id, .code = code, .active = true};
        if (!name)
            wh_imports_fail(x, row, "name", "is required for a new shipper");
    }
    /* the values given replace the stored ones; an empty value leaves a field as it is */
    s->name = name ? name : s->name;
    s->contact_name = contact ? contact : s->contact_name;
    s->email = email ? email : s->email;
    s->phone = phone ? phone : s->phone;
    s->active = has_active ? active : s->active;
    row->outcome = found ? IMP_UPDATED : IMP_CREATED;
    row->plan = s;
    return WH_OK;
}

static wh_err shipper_apply(imp_ctx *x, wh_error *e)
{
    wh_err rc = WH_OK;
    for (size_t i = 0; i < x->nrows && rc == WH_OK; i++) {
        wh_shipper *s = x->rows[i].plan, out;
        rc = s->id ? wh_shipper_update(x->c, x->a, s, x->r->now_ms, &out, e)
                   : wh_shipper_create(x->c, x->a, s, x->r->now_ms, &out, e);
    }
    return rc;
}

const imp_kind wh_imports_shippers = {
    "shippers", WH_PERM_FREIGHT_WRITE, freight_types, shipper_cols,
    6,          shipper_check,         NULL,          shipper_apply};

/* ---------------------------------------------------------------- carriers */

static const imp_col carrier_cols[] = {
    {"dot_number", COL_TEXT, true}, {"legal_name", COL_TEXT, true}, {"mc_number", COL_TEXT, false},
    {"dba_name", COL_TEXT, false},  {"phone", COL_TEXT, false},     {"email", COL_TEXT, false},
    {"city", COL_TEXT, false},      {"state", COL_TEXT, false},
};

typedef struct {
    imp_map dots, mcs; /* number -> line of its first record */
} carrier_state;

typedef struct {
    const char *dot, *mc, *legal_name, *dba_name, *phone, *email, *city, *state;
} carrier_plan;

/* A DOT or MC number: 1 to 8 digits, stored without leading zeros; NULL (a line error) else. */
static const char *number_of(imp_ctx *x, imp_row *row, const char *field, const char *v)
{
    if (!v)
        return NULL;
    size_t n = strlen(v);
    if (n < 1 || n > 8 || strspn(v, "0123456789") != n) {
        wh_imports_fail(x, row, field, "must be 1 to 8 digits");
        return NULL;
    }
    while (*v == '0' && v[1])
        v++;
    if (strcmp(v, "0") == 0) {
        wh_imports_fail(x, row, field, "must not be 0");
        return NULL;
    }
    return v;
}

static wh_err carrier_numbers(imp_ctx *x, imp_row *row, carrier_state *st, carrier_plan *p,
                              wh_error *e)
{
    wh_carrier known;
    bool found = false, fresh = false;
    imp_entry *en = wh_imports_map_put(&st->dots, x->a, p->dot, &fresh);
    wh_err rc = wh_carrier_find_number(x->c, x->a, p->dot, NULL, &known, &found, e);
    if (rc != WH_OK)
        return rc;
    en->val = fresh ? row->line : en->val;
    /* a DOT number already in the directory (or earlier in the file) changes nothing */
    row->outcome = found || !fresh ? IMP_SKIPPED : IMP_CREATED;
    if (!p->mc)
        return WH_OK;
    en = wh_imports_map_put(&st->mcs, x->a, p->mc, &fresh);
    if (!fresh) {
        wh_imports_fail(x, row, "mc_number", "is already on line %lld", (long long)en->val);
        return WH_OK;
    }
    en->val = row->line;
    rc = wh_carrier_find_number(x->c, x->a, NULL, p->mc, &known, &found, e);
    if (rc == WH_OK && found && strcmp(known.dot_number, p->dot) != 0)
        wh_imports_fail(x, row, "mc_number", "is held by another carrier (DOT %s)",
                        known.dot_number);
    return rc;
}

static wh_err carrier_check(imp_ctx *x, imp_row *row, wh_error *e)
{
    carrier_state *st = x->state ? x->state : (x->state = wh_arena_alloc(x->a, sizeof *st));
    carrier_plan *p = wh_arena_alloc(x->a, sizeof *p);
    imp_jin in;
    wh_imports_jin_begin(&in, row);
    const char *dot = wh_jin_str(&in.j, "dot_number", true, 1, 8);
    p->legal_name = wh_jin_str(&in.j, "legal_name", true, 1, WH_LIMIT_NAME_CHARS);
    const char *mc = wh_jin_str(&in.j, "mc_number", false, 1, 8);
    p->dba_name = wh_jin_str(&in.j, "dba_name", false, 1, WH_LIMIT_NAME_CHARS);
    p->phone = wh_jin_str(&in.j, "phone", false, 1, WH_FREIGHT_PHONE_CHARS);
    const char *email = wh_jin_str(&in.j, "email", false, 1, WH_LIMIT_EMAIL_CHARS);
    p->city = wh_jin_str(&in.j, "city", false, 1, WH_LIMIT_CITY_CHARS);
    p->state = wh_jin_str(&in.j, "state", false, 1, WH_LIMIT_CITY_CHARS);
    wh_imports_jin_end(x, row, &in);
    p->dot = number_of(x, row, "dot_number", dot);
    p->mc = number_of(x, row, "mc_number", mc);
    p->email = email_of(x, row, "email", email);
    row->plan = p;
    return p->dot ? carrier_numbers(x, row, st, p, e) : WH_OK;
}

/* A MANUAL carrier, PENDING until fmcsa_sync looks it up (DOMAIN-wave2 §14). */
static wh_err carrier_insert(imp_ctx *x, const carrier_plan *p, wh_error *e)
{
    const char *name = p->dba_name ? p->dba_name : p->legal_name;
    return wh_db_query(x->c, x->a,
                       "INSERT INTO carriers (name, legal_name, dba_name, dot_number, mc_number,"
                       " phone, email, city, state, source, verification, fmcsa_status,"
                       " fmcsa_authorized, blocked, created_at, updated_at) VALUES ($1, $2, $3,"
                       " $4, $5, $6, $7, $8, $9, 'MANUAL', 'PENDING', 'UNKNOWN', FALSE, FALSE,"
                       " $10, $10)",
                       WH_ARGS(WH_PT(name), WH_PT(p->legal_name), WH_PT(p->dba_name), WH_PT(p->dot),
                               WH_PT(p->mc), WH_PT(p->phone), WH_PT(p->email), WH_PT(p->city),
                               WH_PT(p->state), WH_PI(x->r->now_ms)),
                       NULL, e);
}

static wh_err carrier_apply(imp_ctx *x, wh_error *e)
{
    wh_err rc = WH_OK;
    for (size_t i = 0; i < x->nrows && rc == WH_OK; i++)
        if (x->rows[i].outcome == IMP_CREATED)
            rc = carrier_insert(x, x->rows[i].plan, e);
    return rc;
}

const imp_kind wh_imports_carriers = {"carriers", WH_PERM_CARRIERS_WRITE, NULL, carrier_cols,
                                      8,          carrier_check,          NULL, carrier_apply};
