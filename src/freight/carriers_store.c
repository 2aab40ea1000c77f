/* SQL for the carrier directory. The name is derived: the DBA name when there is one, else the
 * legal name. */
#include "freight/freight.h"
#include "core/json.h"
#include "freight/freight_int.h"

#include <string.h>

/* The one column list of carriers, for SELECT and RETURNING (carrier_row reads it). */
#define CARRIER_COLS                                                                               \
    "id, name, legal_name, dba_name, dot_number, mc_number, phone, email, city, state,"            \
    " power_units, drivers, safety_rating, fmcsa_status, fmcsa_authorized, fmcsa_checked_at,"      \
    " fmcsa_error, blocked, source, verification"

static void carrier_row(const wh_rows *r, size_t i, wh_carrier *c)
{
    WH_ROWS_READ(r, i, WH_CELL(&c->id), WH_CELL(&c->name), WH_CELL(&c->legal_name),
                 WH_CELL(&c->dba_name), WH_CELL(&c->dot_number), WH_CELL(&c->mc_number),
                 WH_CELL(&c->phone), WH_CELL(&c->email), WH_CELL(&c->city), WH_CELL(&c->state),
                 WH_CELL_OPT(&c->power_units, &c->has_power_units),
                 WH_CELL_OPT(&c->drivers, &c->has_drivers), WH_CELL(&c->safety_rating),
                 WH_CELL(&c->fmcsa_status), WH_CELL(&c->fmcsa_authorized),
                 WH_CELL(&c->fmcsa_checked_at), WH_CELL(&c->fmcsa_error), WH_CELL(&c->blocked),
                 WH_CELL(&c->source), WH_CELL(&c->verification));
}

/* one(c, a, sql, params, n, out, e): the carrier sql reads or writes; 404 without one, 409 when
 * its number is taken. */
WH_FREIGHT_ONE(one, wh_carrier, carrier_row, "No such carrier.",
               "This carrier is already in the directory.")

static const char *name_of(const wh_fmcsa_carrier *f)
{
    return f->dba_name && *f->dba_name ? f->dba_name : f->legal_name;
}

wh_err wh_carrier_find_number(wh_conn *c, wh_arena *a, const char *dot, const char *mc,
                              wh_carrier *out, bool *found, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a,
                            "SELECT " CARRIER_COLS " FROM carriers WHERE dot_number = $1 OR"
                            " mc_number = $2 ORDER BY id LIMIT 1",
                            WH_ARGS(WH_PT(dot ? dot : ""), WH_PT(mc ? mc : "")), &r, e);
    *found = rc == WH_OK && wh_rows_count(r) == 1;
    if (*found)
        carrier_row(r, 0, out);
    return rc;
}

/* Runs sql, the insert or update of an FMCSA answer f checked at now_ms, whose $1 is key (the
 * DOT number of a new carrier, the id of a known one) and $2..$14 the answer's fields and now_ms.
 */
static wh_err write_fmcsa(wh_conn *c, wh_arena *a, const char *sql, wh_param key,
                          const wh_fmcsa_carrier *f, int64_t now_ms, wh_carrier *out, wh_error *e)
{
    return one(c, a, sql,
               WH_ARGS(key, WH_PT(name_of(f)), WH_PT(f->legal_name), WH_PT(f->dba_name),
                       WH_PT(f->mc_number), WH_PT(f->phone), WH_PT(f->city), WH_PT(f->state),
                       f->has_power_units ? WH_PI(f->power_units) : WH_PN,
                       f->has_drivers ? WH_PI(f->drivers) : WH_PN, WH_PT(f->safety_rating),
                       WH_PT(f->status), WH_PB(f->authorized), WH_PI(now_ms)),
               out, e);
}

wh_err wh_carrier_insert(wh_conn *c, wh_arena *a, const wh_fmcsa_carrier *f, int64_t now_ms,
                         wh_carrier *out, wh_error *e)
{
    // clang-format off
    return write_fmcsa(c, a,
        "INSERT INTO carriers (dot_number, name, legal_name, dba_name, mc_number, phone, city,"
        " state, power_units, drivers, safety_rating, fmcsa_status, fmcsa_authorized,"
        " fmcsa_checked_at, blocked, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7,"
        " $8, $9, $10, $11, $12, $13, $14, FALSE, $14, $14) RETURNING " CARRIER_COLS,
        WH_PT(f->dot_number), f, now_ms, out, e);
    // clang-format on
}

wh_err wh_carrier_insert_manual(wh_conn *c, wh_arena *a, const wh_carrier_manual *in,
                                int64_t now_ms, wh_carrier *out, wh_error *e)
{
    const char *name = in->dba_name && *in->dba_name ? in->dba_name : in->legal_name;
    return one(c, a,
               "INSERT INTO carriers (dot_number, mc_number, name, legal_name, dba_name, phone,"
               " email, city, state, source, verification, fmcsa_status, fmcsa_authorized,"
               " blocked, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
               " 'MANUAL', 'PENDING', 'UNKNOWN', FALSE, FALSE, $10, $10) RETURNING " CARRIER_COLS,
               WH_ARGS(WH_PT(in->dot_number), WH_PT(in->mc_number), WH_PT(name),
                       WH_PT(in->legal_name), WH_PT(in->dba_name), WH_PT(in->phone),
                       WH_PT(in->email), WH_PT(in->city), WH_PT(in->state), WH_PI(now_ms)),
               out, e);
}

wh_err wh_carrier_get(wh_conn *c, wh_arena *a, int64_t id, wh_carrier *out, wh_error *e)
{
    return one(c, a, "SELECT " CARRIER_COLS " FROM carriers WHERE id = $1", WH_ARGS(WH_PI(id)), out,
               e);
}

wh_err wh_carrier_apply_fmcsa(wh_conn *c, wh_arena *a, int64_t id, const wh_fmcsa_carrier *f,
                              int64_t now_ms, wh_carrier *out, wh_error *e)
{
    // clang-format off
    return write_fmcsa(c, a,
        "UPDATE carriers SET name = $2, legal_name = $3, dba_name = $4, mc_number ="
        " COALESCE($5, mc_number), phone = CASE WHEN source = 'MANUAL' THEN COALESCE(phone, $6)"
        " ELSE COALESCE($6, phone) END, city = $7, state = $8,"
        " power_units = $9, drivers = $10, safety_rating = $11, fmcsa_status = $12,"
        " fmcsa_authorized = $13, fmcsa_checked_at = $14, fmcsa_error = NULL, fmcsa_error_at ="
        " NULL, verification = 'VERIFIED', updated_at = $14 WHERE id = $1 RETURNING " CARRIER_COLS,
        WH_PI(id), f, now_ms, out, e);
    // clang-format on
}

wh_err wh_carrier_record_error(wh_conn *c, wh_arena *a, int64_t id, const char *error,
                               int64_t now_ms, wh_carrier *out, wh_error *e)
{
    return one(c, a,
               "UPDATE carriers SET fmcsa_error = $2, fmcsa_error_at = $3,"
               " updated_at = $3 WHERE id = $1 RETURNING " CARRIER_COLS,
               WH_ARGS(WH_PI(id), WH_PT(error), WH_PI(now_ms)), out, e);
}

/* An unknown DOT number of a carrier FMCSA never verified: NOT_FOUND, checked now. */
static wh_err record_not_found(wh_conn *c, wh_arena *a, int64_t id, const char *error,
                               int64_t now_ms, wh_carrier *out, wh_error *e)
{
    return one(c, a,
               "UPDATE carriers SET verification = 'NOT_FOUND', fmcsa_error = $2,"
               " fmcsa_error_at = $3, fmcsa_checked_at = $3, updated_at = $3 WHERE id = $1"
               " RETURNING " CARRIER_COLS,
               WH_ARGS(WH_PI(id), WH_PT(error), WH_PI(now_ms)), out, e);
}

/* The error recorded for a VERIFIED carrier FMCSA no longer knows. */
static const char GONE[] = "FMCSA no longer knows this DOT number.";

wh_err wh_carrier_store_lookup(wh_conn *c, wh_arena *a, const wh_carrier *before,
                               const char *lookup_error, bool found, const wh_fmcsa_carrier *f,
                               int64_t now_ms, wh_carrier *out, wh_error *e)
{
    if (lookup_error)
        return wh_carrier_record_error(c, a, before->id, lookup_error, now_ms, out, e);
    if (found)
        return wh_carrier_apply_fmcsa(c, a, before->id, f, now_ms, out, e);
    if (strcmp(before->verification, "VERIFIED") == 0)
        return wh_carrier_record_error(c, a, before->id, GONE, now_ms, out, e);
    return record_not_found(
        c, a, before->id,
        wh_arena_printf(a, "FMCSA does not know DOT number %s.", before->dot_number), now_ms, out,
        e);
}

bool wh_carrier_lookup_failed(const wh_carrier *before, const char *lookup_error, bool found)
{
    return lookup_error || (!found && strcmp(before->verification, "VERIFIED") == 0);
}

wh_err wh_carrier_patch(wh_conn *c, wh_arena *a, int64_t id, const wh_carrier_patch_input *in,
                        int64_t now_ms, wh_carrier *out, wh_error *e)
{
    return one(c, a,
               "UPDATE carriers SET phone = COALESCE($2, phone), email ="
               " COALESCE($3, email), blocked = CASE WHEN $4 THEN $5 ELSE blocked"
               " END, updated_at = $6 WHERE id = $1 RETURNING " CARRIER_COLS,
               WH_ARGS(WH_PI(id), WH_PT(in->phone), WH_PT(in->email), WH_PB(in->has_blocked),
                       WH_PB(in->blocked), WH_PI(now_ms)),
               out, e);
}

void wh_carrier_list_sql(const char *q, const char *status, const char *verification,
                         const wh_keyset *ks, wh_sqlb *b)
{
    wh_sqlb_init(b, "SELECT " CARRIER_COLS " FROM carriers");
    if (q && *q)
        wh_sqlb_and(b,
                    "lower(name) LIKE ? ESCAPE '\\' OR lower(legal_name) LIKE ? ESCAPE '\\' OR"
                    " lower(COALESCE(dba_name, '')) LIKE ? ESCAPE '\\' OR dot_number LIKE ? ESCAPE"
                    " '\\' OR COALESCE(mc_number, '') LIKE ? ESCAPE '\\'",
                    WH_PT(q), WH_PT(q), WH_PT(q), WH_PT(q), WH_PT(q));
    wh_sqlb_and_text(b, "fmcsa_status = ?", status);
    wh_sqlb_and_text(b, "verification = ?", verification);
    wh_sqlb_page(b, "name", "id", false, ks);
}

WH_ROW_JSON(wh_carrier_row_json, wh_carrier, carrier_row, wh_carrier_json)

wh_err wh_carrier_list_due(wh_conn *c, wh_arena *a, bool pending, int64_t checked_before,
                           int64_t after_id, int limit, int64_t **ids, size_t *n, wh_error *e)
{
    static const char *const sql[] = {
        "SELECT id FROM carriers WHERE fmcsa_checked_at < $1 AND verification <> 'PENDING'"
        " AND id > $2 ORDER BY id LIMIT $3",
        "SELECT id FROM carriers WHERE verification = 'PENDING' AND $1 = $1 AND id > $2"
        " ORDER BY id LIMIT $3"};
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a, sql[pending ? 1 : 0],
                            WH_ARGS(WH_PI(checked_before), WH_PI(after_id), WH_PI(limit)), &r, e);
    if (rc != WH_OK)
        return rc;
    *n = wh_rows_count(r);
    *ids = wh_arena_alloc(a, sizeof **ids * (*n + 1));
    for (size_t i = 0; i < *n; i++)
        (*ids)[i] = wh_rows_int(r, i, 0);
    return WH_OK;
}

bool wh_carrier_assignable(const wh_carrier *c)
{
    return !c->blocked && c->fmcsa_status && strcmp(c->fmcsa_status, "ACTIVE") == 0 &&
           c->verification && strcmp(c->verification, "VERIFIED") == 0;
}

bool wh_carrier_pending(const wh_carrier *c)
{
    return !c->blocked && c->verification && strcmp(c->verification, "PENDING") == 0;
}

static json_t *opt_int(bool has, int64_t v)
{
    return has ? json_integer(v) : json_null();
}

static json_t *opt_text(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* In the order of the Carrier shape (API-wave2), which a CSV export follows. */
json_t *wh_carrier_json(const wh_carrier *c)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(c->id));
    const struct {
        const char *key, *value;
    } texts[] = {{"name", c->name},           {"legal_name", c->legal_name},
                 {"dba_name", c->dba_name},   {"dot_number", c->dot_number},
                 {"mc_number", c->mc_number}, {"phone", c->phone},
                 {"email", c->email},         {"city", c->city},
                 {"state", c->state}};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        json_object_set_new(o, texts[i].key, opt_text(texts[i].value));
    json_object_set_new(o, "power_units", opt_int(c->has_power_units, c->power_units));
    json_object_set_new(o, "drivers", opt_int(c->has_drivers, c->drivers));
    json_object_set_new(o, "safety_rating", opt_text(c->safety_rating));
    json_object_set_new(o, "source", opt_text(c->source));
    json_object_set_new(o, "verification", opt_text(c->verification));
    json_object_set_new(o, "fmcsa_status", opt_text(c->fmcsa_status));
    json_object_set_new(o, "fmcsa_authorized", json_boolean(c->fmcsa_authorized));
    json_object_set_new(o, "fmcsa_checked_at",
                        c->fmcsa_checked_at ? wh_json_time(c->fmcsa_checked_at) : json_null());
    json_object_set_new(o, "fmcsa_error", opt_text(c->fmcsa_error));
    json_object_set_new(o, "blocked", json_boolean(c->blocked));
    return o;
}
