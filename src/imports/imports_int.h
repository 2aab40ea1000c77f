/* Imports internals shared by the files of this folder: the kinds (imports_kinds_*.c), the
 * reading of a file into typed records and the line errors (imports_read.c), and the import
 * records (imports_store.c). Everything lives in the request's arena. */
#ifndef WH_IMPORTS_IMPORTS_INT_H
#define WH_IMPORTS_IMPORTS_INT_H

#include "imports/imports.h"
#include "auth/auth.h"
#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"
#include "http/http.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* How a column's value is read (imports_read.c): text as given, an integer -?[0-9]+, a
 * boolean (true, false, 1, 0, any case), a day YYYY-MM-DD, an RFC 3339 instant. */
typedef enum { COL_TEXT, COL_INT, COL_BOOL, COL_DAY, COL_INSTANT } imp_col_type;

typedef struct {
    const char *name;
    imp_col_type type;
    bool required;
} imp_col;

/* One data record: its line, its values as a JSON object (a column with an empty value is
 * absent; integers and booleans typed), whether any of its values is wrong, what applying it
 * does (IMP_CREATED, ...), and the kind's plan for it. */
enum { IMP_NONE, IMP_CREATED, IMP_UPDATED, IMP_SKIPPED };
typedef struct {
    int64_t line;
    json_t *obj;
    bool bad;
    bool broken; /* the record itself is unusable (its fields could not be read): not checked */
    int outcome;
    void *plan;
    const char *bad_fields; /* ",a,b,": fields with a line error already (NULL: none) */
} imp_row;

typedef struct {
    int64_t line;
    int col; /* the column's place in the kind's table; -1: the record or file */
    const char *field, *message;
} imp_err;

typedef struct imp_kind imp_kind;

/* A file being imported: the request, its connection (in a transaction for a commit), the
 * kind, venture (0 for carriers) and today, the records, and the line errors: the first
 * WH_IMPORTS_ERRORS_MAX by (line, column) kept sorted, all counted. */
typedef struct {
    wh_req *r;
    wh_conn *c;
    wh_arena *a;
    const imp_kind *kind;
    int64_t venture_id;
    bool commit; /* in the transaction that applies the file (else a dry run) */
    char today[11];
    imp_row *rows;
    size_t nrows;
    imp_err errs[WH_IMPORTS_ERRORS_MAX];
    size_t nerrs, errors_total;
    int64_t rows_invalid, created, updated, skipped;
    void *state; /* the kind's memory across records */
} imp_ctx;

struct imp_kind {
    const char *name;
    wh_perm perm;             /* the kind's write permission (§15) */
    const char *const *types; /* venture types it takes; NULL: no venture (carriers) */
    const imp_col *cols;      /* required columns first (the template's order) */
    size_t ncols;
    /* checks row (its values already typed) against the database and the records before it,
     * adding line errors (wh_imports_fail / wh_imports_field_errors) and setting row->outcome and
     * row->plan; a failure of the database is returned */
    wh_err (*check)(imp_ctx *x, imp_row *row, wh_error *e);
    /* after every record was checked (NULL: nothing): checks that need the whole file */
    wh_err (*check_all)(imp_ctx *x, wh_error *e);
    /* applies every record (all valid) in the open transaction */
    wh_err (*apply)(imp_ctx *x, wh_error *e);
};

extern const imp_kind wh_imports_shippers, wh_imports_loads, wh_imports_carriers;
extern const imp_kind wh_imports_hotel_daily, wh_imports_bpo_calls, wh_imports_saas_subs;

/* ---- imports_read.c ---- */

/* The kind named name, NULL when none. */
const imp_kind *wh_imports_kind_find(const char *name);
/* The kind's header record, CRLF-ended (the template). */
const char *wh_imports_template(wh_arena *a, const imp_kind *k);
/* Reads body (n bytes, held once by the request, read in place) into x->rows: the header
 * mapped onto the kind's columns and every record's values typed. A fault of the whole file
 * (not UTF-8, no header, an unknown, duplicate or missing column, no record, more than
 * max_rows records) is put in x's errors (with its line) and fills e: WH_ERR_INVALID. A record
 * with a value of the wrong form or the wrong number of fields is a line error only. */
WH_MUST_USE wh_err wh_imports_read(imp_ctx *x, const char *body, size_t n, int64_t max_rows,
                                   wh_error *e);
/* Adds the line error (line of row, field) and marks the row bad. */
void wh_imports_fail(imp_ctx *x, imp_row *row, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Adds the field errors of e (a wh_jin's) to row and clears e. */
void wh_imports_field_errors(imp_ctx *x, imp_row *row, wh_error *e);
/* The errors as JSON [{line, field, message}], in order. */
json_t *wh_imports_errors_json(const imp_ctx *x);

/* ---- imports_store.c ---- */

typedef struct {
    int64_t id, venture_id; /* venture_id 0: none (carriers) */
    const char *kind, *filename, *sha256;
    int64_t size_bytes, rows_total, created, updated, skipped, created_by, created_at;
} wh_import;

/* The committed import of (venture_id (0: none), kind, sha256); *found false when none. */
WH_MUST_USE wh_err wh_imports_find(wh_conn *c, wh_arena *a, int64_t venture_id, const char *kind,
                                   const char *sha256, wh_import *out, bool *found, wh_error *e);
WH_MUST_USE wh_err wh_imports_insert(wh_conn *c, wh_arena *a, const wh_import *in, wh_import *out,
                                     wh_error *e);
/* 404 when missing or of a venture outside p's scope (an import without a venture is seen by
 * every imports.read caller). */
WH_MUST_USE wh_err wh_imports_get(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t id,
                                  wh_import *out, wh_error *e);
/* Imports in p's scope, newest first (id descending), of one venture and one kind when given. */
void wh_imports_list_sql(const wh_principal *p, int64_t venture_id, const char *kind,
                         const wh_keyset *ks, wh_sqlb *b);
json_t *wh_imports_row_json(const wh_rows *rows, size_t i);
json_t *wh_imports_json(const wh_import *im);

/* ---- shared by the kinds (imports_read.c) ---- */

/* A map from text to a number and a pointer, in the arena (lookups cached per file, keys
 * seen earlier in the file). */
#define IMP_BUCKETS 4096
typedef struct imp_entry {
    struct imp_entry *next;
    const char *key;
    int64_t val;
    void *ptr;
} imp_entry;
typedef struct {
    imp_entry *b[IMP_BUCKETS];
} imp_map;
/* The entry of key; NULL when none (get), or a new zeroed one, *fresh true (put). */
imp_entry *wh_imports_map_get(imp_map *m, const char *key);
imp_entry *wh_imports_map_put(imp_map *m, wh_arena *a, const char *key, bool *fresh);
/* The row's values read with the wh_jin getters: wh_imports_jin_begin opens them, and
 * wh_imports_jin_end turns every field error into a line error of row. */
typedef struct {
    wh_jin j;
    wh_error e;
} imp_jin;
void wh_imports_jin_begin(imp_jin *in, imp_row *row);
void wh_imports_jin_end(imp_ctx *x, imp_row *row, imp_jin *in);

/* The text value of key in row, NULL when absent. */
const char *wh_imports_text(const imp_row *row, const char *key);
/* The id of the active user with e-mail email who is an eligible user of the venture
 * (DOMAIN-wave2); 0 when none. */
WH_MUST_USE wh_err wh_imports_eligible_user(imp_ctx *x, const char *email, int64_t *id,
                                            wh_error *e);

#endif
