/* SQL of the import records (migration 0026). venture_key is the venture's id, 0 for carriers,
 * so (venture_key, kind, sha256) is unique on both engines. An import of a venture is read
 * within the caller's scope; one without a venture (carriers) by every imports.read caller. */
#include "imports/imports_int.h"
#include "core/json.h"

/* The one column list of imports, for SELECT and RETURNING (import_row reads it). */
#define IMPORT_COLS                                                                                \
    "id, venture_id, kind, filename, sha256, size_bytes, rows_total, created, updated, skipped,"   \
    " created_by, created_at"

static void import_row(const wh_rows *r, size_t i, wh_import *im)
{
    bool has_venture = false;
    WH_ROWS_READ(r, i, WH_CELL(&im->id), WH_CELL_OPT(&im->venture_id, &has_venture),
                 WH_CELL(&im->kind), WH_CELL(&im->filename), WH_CELL(&im->sha256),
                 WH_CELL(&im->size_bytes), WH_CELL(&im->rows_total), WH_CELL(&im->created),
                 WH_CELL(&im->updated), WH_CELL(&im->skipped), WH_CELL(&im->created_by),
                 WH_CELL(&im->created_at));
    if (!has_venture)
        im->venture_id = 0;
}

json_t *wh_imports_json(const wh_import *im)
{
    json_t *o = json_pack("{s:I, s:o, s:s, s:o, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "id",
                          (json_int_t)im->id, "venture_id",
                          im->venture_id ? json_integer(im->venture_id) : json_null(), "kind",
                          im->kind, "filename", wh_json_str_or_null(im->filename), "sha256",
                          im->sha256, "size_bytes", (json_int_t)im->size_bytes, "rows_total",
                          (json_int_t)im->rows_total, "created", (json_int_t)im->created, "updated",
                          (json_int_t)im->updated, "skipped", (json_int_t)im->skipped, "created_by",
                          (json_int_t)im->created_by, "created_at", wh_json_time(im->created_at));
    return o;
}

WH_ROW_JSON(wh_imports_row_json, wh_import, import_row, wh_imports_json)

static wh_err one(wh_conn *c, wh_arena *a, const char *sql, const wh_param *p, int n,
                  wh_import *out, wh_error *e)
{
    wh_rows *rows = NULL;
    wh_err rc = wh_db_query(c, a, sql, p, n, &rows, e);
    rc = wh_rows_one(rc, rows, "No such import.", "This file is already imported.", e);
    if (rc == WH_OK)
        import_row(rows, 0, out);
    return rc;
}

wh_err wh_imports_find(wh_conn *c, wh_arena *a, int64_t venture_id, const char *kind,
                       const char *sha256, wh_import *out, bool *found, wh_error *e)
{
    wh_err rc = one(c, a,
                    "SELECT " IMPORT_COLS " FROM imports"
                    " WHERE venture_key = $1 AND kind = $2 AND sha256 = $3",
                    WH_ARGS(WH_PI(venture_id), WH_PT(kind), WH_PT(sha256)), out, e);
    *found = rc == WH_OK;
    if (rc == WH_ERR_NOT_FOUND) {
        wh_error_init(e);
        return WH_OK;
    }
    return rc;
}

wh_err wh_imports_insert(wh_conn *c, wh_arena *a, const wh_import *in, wh_import *out, wh_error *e)
{
    return one(c, a,
               "INSERT INTO imports (venture_id, venture_key, kind, filename, sha256, size_bytes,"
               " rows_total, created, updated, skipped, created_by, created_at)"
               " VALUES (NULLIF($1, 0), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
               " RETURNING " IMPORT_COLS,
               WH_ARGS(WH_PI(in->venture_id), WH_PT(in->kind), WH_PT(in->filename),
                       WH_PT(in->sha256), WH_PI(in->size_bytes), WH_PI(in->rows_total),
                       WH_PI(in->created), WH_PI(in->updated), WH_PI(in->skipped),
                       WH_PI(in->created_by), WH_PI(in->created_at)),
               out, e);
}

wh_err wh_imports_get(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t id, wh_import *out,
                      wh_error *e)
{
    return one(c, a,
               "SELECT " IMPORT_COLS " FROM imports WHERE id = $3 AND (imports.venture_id IS NULL"
               " OR " WH_SCOPE_SQL("imports.venture_id", "$1", "$2") ")",
               WH_ARGS(WH_PB(p->all_ventures), WH_PI(p->id), WH_PI(id)), out, e);
}

void wh_imports_list_sql(const wh_principal *p, int64_t venture_id, const char *kind,
                         const wh_keyset *ks, wh_sqlb *b)
{
    wh_sqlb_init(b, "SELECT " IMPORT_COLS " FROM imports");
    if (!p->all_ventures)
        wh_sqlb_and(b,
                    "(imports.venture_id IS NULL OR " WH_SCOPE_MEMBER_SQL("imports.venture_id") ")",
                    WH_PI(p->id));
    wh_sqlb_and_id(b, "venture_id = ?", venture_id);
    wh_sqlb_and_text(b, "kind = ?", kind);
    wh_sqlb_page(b, NULL, "id", true, ks);
}
