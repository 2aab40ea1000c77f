/* Freight internals shared by the files of this folder only: the one-row statements of the
 * stores; opening the record of a request's path and its body; reading PATCH-style request
 * fields onto a struct. Each reader adds its field errors to the wh_jin and leaves *dst alone
 * when the field is absent or bad, so one function serves create (on a zeroed struct) and
 * PATCH (on a copy of the stored row). Strings stay borrowed from the request body. */
#ifndef WH_FREIGHT_FREIGHT_INT_H
#define WH_FREIGHT_FREIGHT_INT_H

#include "auth/auth.h"
#include "core/json.h"
#include "db/db.h"
#include "http/http.h"

#include <stdbool.h>
#include <stdint.h>

/* Defines static wh_err name(c, a, sql, params, n, T *out, e) for a store: runs sql, which reads
 * or writes one row, and reads that row into out with row_fn (wh_rows_one: not_found without a
 * row, conflict on a unique violation unless it is NULL). */
#define WH_FREIGHT_ONE(name, T, row_fn, not_found, conflict)                                       \
    static wh_err name(wh_conn *c, wh_arena *a, const char *sql, const wh_param *p, int n, T *out, \
                       wh_error *e)                                                                \
    {                                                                                              \
        wh_rows *r_ = NULL;                                                                        \
        wh_err rc_ = wh_db_query(c, a, sql, p, n, &r_, e);                                         \
        rc_ = wh_rows_one(rc_, r_, not_found, conflict, e);                                        \
        if (rc_ == WH_OK)                                                                          \
            row_fn(r_, 0, out);                                                                    \
        return rc_;                                                                                \
    }

/* The two reads of one row of a venture-scoped table by id ($3) inside a caller's scope ($1:
 * all ventures, $2: the user): [0] as it is; [1] locked for the rest of the open transaction,
 * by a no-op UPDATE, the same SQL on both engines (PostgreSQL waits for a concurrent writer and
 * returns the row as it committed; SQLite's BEGIN IMMEDIATE already serialises writers), so a
 * read-modify-write cannot lose a concurrent change. */
// clang-format off
#define WH_FREIGHT_GET_SQL(table, cols)                                                            \
    {"SELECT " cols " FROM " table                                                                 \
     " WHERE id = $3 AND " WH_SCOPE_SQL(table ".venture_id", "$1", "$2"),                          \
     "UPDATE " table " SET updated_at = updated_at"                                                \
     " WHERE id = $3 AND " WH_SCOPE_SQL(table ".venture_id", "$1", "$2")                           \
     " RETURNING " cols}
// clang-format on

/* Opens the request's JSON body (wh_req_json: 415, 400 invalid_json) for reading into j, with
 * the NULL-terminated fields allowed. */
WH_MUST_USE wh_err wh_freight_body(wh_req *r, wh_jin *j, const char *const *fields, wh_error *e);
/* Opens body for reading a venture-scoped record into j: on create all of fields, the first of
 * which, "venture_id", is required and read into *venture_id; on PATCH the others (a record
 * never changes venture). */
void wh_freight_read_record(wh_jin *j, json_t *body, bool create, const char *const *fields,
                            int64_t *venture_id, wh_error *e);

/* Text of 1..max characters. required: null is refused, and on create (create true) so is
 * absence; otherwise null clears the field (*dst = NULL). */
void wh_freight_read_text(wh_jin *j, const char *key, bool create, bool required, size_t max,
                          const char **dst);
/* A calendar day YYYY-MM-DD, or null (cleared). */
void wh_freight_read_day(wh_jin *j, const char *key, const char **dst);
/* An integer in [min, max], or null (*has = false). */
void wh_freight_read_int(wh_jin *j, const char *key, int64_t min, int64_t max, bool *has,
                         int64_t *dst);
/* A positive id, or null (*dst = 0). */
void wh_freight_read_id(wh_jin *j, const char *key, int64_t *dst);
/* true or false (null is refused). */
void wh_freight_read_bool(wh_jin *j, const char *key, bool *dst);

#endif
