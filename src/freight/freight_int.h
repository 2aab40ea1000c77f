/* Freight internals shared by the route files of this folder only: opening the record of a
 * request's path, and reading PATCH-style request fields onto a struct. Each reader adds its
 * field errors to the wh_jin and leaves *dst alone when the field is absent or bad, so one
 * function serves create (on a zeroed struct) and PATCH (on a copy of the stored row). Strings
 * stay borrowed from the request body. */
#ifndef WH_FREIGHT_FREIGHT_INT_H
#define WH_FREIGHT_FREIGHT_INT_H

#include "core/json.h"
#include "http/http.h"

#include <stdbool.h>
#include <stdint.h>

/* The id of the request's path ({id}: 404 unless a positive integer) and the request's database
 * connection, in a transaction when write (for a change, whose record the caller then reads
 * locked). */
WH_MUST_USE wh_err wh_freight_open(wh_req *r, bool write, wh_conn **c, int64_t *id, wh_error *e);

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
