/* Typed, range-checked reading of a JSON request object. A wh_jin collects every field error
 * into its wh_error and keeps going, so one answer names all bad fields; wh_jin_done tells
 * whether anything was wrong. Returned strings are borrowed from the JSON object. */
#ifndef WH_CORE_JSON_H
#define WH_CORE_JSON_H

#include "core/arena.h"
#include "core/buf.h"
#include "core/limits.h"
#include "core/err.h"
#include "core/str.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct {
    json_t *obj; /* borrowed; an object */
    wh_error *e;
    bool bad;
} wh_jin;

void wh_jin_init(wh_jin *in, json_t *obj, wh_error *e);
/* Reports every member whose name is not in the NULL-terminated allow-list. */
void wh_jin_allow(wh_jin *in, const char *const *allowed);
/* True when key is present (null counts as present). */
bool wh_jin_has(const wh_jin *in, const char *key);
/* True when key is present with the value null. */
bool wh_jin_is_null(const wh_jin *in, const char *key);
/* A string of min..max characters; NULL when absent, null or bad (bad records an error; absent
 * records one only when required). Leading and trailing blanks count. */
const char *wh_jin_str(wh_jin *in, const char *key, bool required, size_t min, size_t max);
/* One of the NULL-terminated values. */
const char *wh_jin_enum(wh_jin *in, const char *key, bool required, const char *const *values);
/* An integer in [min, max]; dflt when absent. */
/* A day YYYY-MM-DD (a calendar day); NULL when absent, null or bad (recorded). */
const char *wh_jin_day(wh_jin *in, const char *key, bool required);
int64_t wh_jin_int(wh_jin *in, const char *key, bool required, int64_t min, int64_t max,
                   int64_t dflt);
bool wh_jin_bool(wh_jin *in, const char *key, bool required, bool dflt);
/* An array of positive integer ids, at most max, duplicates removed; allocated in the arena. */
int64_t *wh_jin_ids(wh_jin *in, const char *key, size_t max, wh_arena *a, size_t *n);
WH_MUST_USE wh_err wh_jin_done(const wh_jin *in);

/* Parses a request body (the whole of wh_req_json but the Content-Type check); 400 invalid_json
 * on bad JSON or nesting deeper than WH_LIMIT_JSON_DEPTH, 400 validation_failed when the top
 * level is not an object. On success *out is a new reference. */
WH_MUST_USE wh_err wh_json_parse_object(const char *body, size_t len, json_t **out, wh_error *e);

/* Rendering helpers: an instant as RFC 3339 UTC with milliseconds (null for 0), and a string
 * or null. New references. */
json_t *wh_json_time(int64_t ms);
json_t *wh_json_str_or_null(const char *s);

/* ---- JSON text written straight into a buffer, for the hot list pages (docs/architecture.md
 * "Lists"): the bytes json_dumps(JSON_COMPACT) writes for the same object built with jansson,
 * members in the order written; strings escaped as jansson escapes them (" and \ with a
 * backslash, \b \f \n \r \t by name, other control characters as \u00XX with upper-case hex,
 * everything else as it is: the text must be valid UTF-8, as every stored text is); integers
 * in decimal. A failed append (the buffer's maximum) is kept and answered by wh_jw_end. */
typedef struct {
    wh_buf *b;
    bool first;
    wh_err rc;
} wh_jw;

void wh_jw_begin(wh_jw *w, wh_buf *b);                    /* { */
void wh_jw_str(wh_jw *w, const char *key, const char *s); /* NULL: null */
void wh_jw_int(wh_jw *w, const char *key, int64_t v);
void wh_jw_int_or_null(wh_jw *w, const char *key, bool has, int64_t v);
void wh_jw_id(wh_jw *w, const char *key, int64_t id); /* 0: null */
void wh_jw_bool(wh_jw *w, const char *key, bool v);
void wh_jw_time(wh_jw *w, const char *key, int64_t ms); /* RFC 3339 as wh_json_time; 0: null */
WH_MUST_USE wh_err wh_jw_end(wh_jw *w);                 /* } */
/* A JSON string (quoted, escaped as above) appended to b. */
WH_MUST_USE wh_err wh_jw_quote(wh_buf *b, const char *s);
/* The object text of [text, text + len) as a new jansson object (NULL when it is not one). */
json_t *wh_jw_parse(const char *text, size_t len);
/* The object b holds when rc (what wrote it) is WH_OK, else an empty object; b is cleaned up.
 * Never NULL. Behind WH_JW_OBJECT. */
json_t *wh_jw_object(wh_buf *b, wh_err rc);
/* Defines json_t *name(const T *rec): the record's text, written by text_fn(rec, b), as a jansson
 * object: one renderer per record, its object parsed where one is needed (never NULL; a
 * record's texts are bounded far below WH_LIMIT_ROW_TEXT_BYTES, so the text never fails). */
#define WH_JW_OBJECT(name, T, text_fn)                                                             \
    json_t *name(const T *rec)                                                                     \
    {                                                                                              \
        wh_buf b_;                                                                                 \
        wh_buf_init(&b_, WH_LIMIT_ROW_TEXT_BYTES);                                                 \
        wh_err rc_ = text_fn(rec, &b_);                                                            \
        return wh_jw_object(&b_, rc_);                                                             \
    }
/* A string of untrusted bytes that jansson would refuse (invalid UTF-8, or cut mid-character by
 * a byte limit): s (NULL: "") cleaned as wh_str_utf8_clean does in mode and cut on a character
 * boundary to at most cap - 1 bytes (cap >= 1). Never NULL; a new reference. */
json_t *wh_json_text(const char *s, size_t cap, wh_utf8_mode mode);

#endif
