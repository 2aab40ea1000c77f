/* Organisation: ventures, offices and memberships (user <-> venture, user <-> office).
 * Store functions take the caller's scope and filter in SQL; routes validate, call the store
 * and render. */
#ifndef WH_VENTURES_VENTURES_H
#define WH_VENTURES_VENTURES_H

#include "auth/auth.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"

#include <jansson.h>

/* The venture types, NULL-terminated. */
extern const char *const wh_venture_types[];

typedef struct {
    int64_t id;
    const char *name, *code, *type; /* arena */
    bool active;
} wh_venture;

typedef struct {
    int64_t id, venture_id;
    const char *name, *city, *country; /* city, country may be NULL */
} wh_office;

/* Venture fields of a create or update; NULL / has_active false leave a field unchanged. */
typedef struct {
    const char *name, *code, *type;
    bool has_active, active;
} wh_venture_input;

WH_MUST_USE wh_err wh_venture_create(wh_conn *c, wh_arena *a, const wh_venture_input *in,
                                     int64_t now_ms, wh_venture *out, wh_error *e);
/* 404 when missing or outside p's scope. */
WH_MUST_USE wh_err wh_venture_get(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t id,
                                  wh_venture *out, wh_error *e);
/* The data version of venture id: bumped in the same transaction by every write to the tables
 * its dashboard reads (the triggers of migration 0012); 0 before the first such write. */
WH_MUST_USE wh_err wh_venture_version_get(wh_conn *c, wh_arena *a, int64_t id, int64_t *out,
                                          wh_error *e);
WH_MUST_USE wh_err wh_venture_update(wh_conn *c, wh_arena *a, int64_t id,
                                     const wh_venture_input *in, int64_t now_ms, wh_venture *out,
                                     wh_error *e);
/* The page ks of the ventures in p's scope by (name, id); rows render with
 * wh_venture_row_json. */
void wh_venture_list_sql(const wh_principal *p, const wh_keyset *ks, wh_sqlb *b);
json_t *wh_venture_row_json(const wh_rows *rows, size_t i);
/* A venture as JSON: its text into b (the one renderer, what list pages send), the row's text,
 * and that text as an object (never NULL). */
WH_MUST_USE wh_err wh_venture_text(const wh_venture *v, wh_buf *b);
WH_MUST_USE wh_err wh_venture_row_text(const wh_rows *rows, size_t i, wh_buf *b);
json_t *wh_venture_json(const wh_venture *v);

WH_MUST_USE wh_err wh_office_create(wh_conn *c, wh_arena *a, const wh_office *in, int64_t now_ms,
                                    wh_office *out, wh_error *e);
/* The page ks of a venture's offices by (name, id); rows render with wh_office_row_json. */
void wh_office_list_sql(int64_t venture_id, const wh_keyset *ks, wh_sqlb *b);
json_t *wh_office_row_json(const wh_rows *rows, size_t i);
json_t *wh_office_json(const wh_office *o);

/* The page ks of a venture's members by (full_name, id), selecting cols; rows selected with
 * WH_USER_COLS (unambiguous in its join: venture_users has none of those names) render with
 * wh_user_row_json. */
void wh_venture_people_sql(const char *cols, int64_t venture_id, const wh_keyset *ks, wh_sqlb *b);
/* Adds "offices" (the member's offices in the venture, [{id, name}] by name) to each of the
 * items of a page of members, which shows the first size rows of the page ks: one statement. */
WH_MUST_USE wh_err wh_venture_people_offices(wh_conn *c, wh_arena *a, int64_t venture_id,
                                             const wh_keyset *ks, size_t size, json_t *items,
                                             wh_error *e);

/* A user's memberships as sorted id arrays (new references, owned by the caller). */
WH_MUST_USE wh_err wh_membership_get(wh_conn *c, wh_arena *a, int64_t user_id, json_t **venture_ids,
                                     json_t **office_ids, wh_error *e);
/* Membership replacement. Unknown ids: 400 validation_failed on the field. The result arrays
 * hold the new membership, sorted. */
WH_MUST_USE wh_err wh_membership_set_ventures(wh_conn *c, wh_arena *a, int64_t user_id,
                                              const int64_t *ids, size_t n, int64_t now_ms,
                                              json_t **before, json_t **after, wh_error *e);
WH_MUST_USE wh_err wh_membership_set_offices(wh_conn *c, wh_arena *a, int64_t user_id,
                                             const int64_t *ids, size_t n, int64_t now_ms,
                                             json_t **before, json_t **after, wh_error *e);

struct wh_route;
const struct wh_route *wh_ventures_routes(size_t *n);

#endif
