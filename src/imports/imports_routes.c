/* Import routes (API-wave2 "Imports"): POST /imports takes the CSV file as its body
 * (WH_ROUTE_UPLOAD: up to WH_IMPORT_MAX_BYTES, held once by the server and read in place), a dry
 * run answers the report and writes nothing, a commit applies every record in one transaction
 * with the import record and one audit entry (import.commit), or answers 400 with the line
 * errors and writes nothing. A file already committed for its (venture, kind) answers 200 with
 * that import: concurrent commits of one file wait on one transaction lock, so one is 201 and
 * the others find its record. */
#include "imports/imports_int.h"
#include "app.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/str.h"
#include "saas/saas.h"

#include <string.h>
#include <strings.h>

static const char *const imports_fields[] = {
    "id",      "venture_id", "kind",    "filename",   "sha256",     "size_bytes", "rows_total",
    "created", "updated",    "skipped", "created_by", "created_at", NULL};
static const wh_list imports = {"imports", WH_KEY_ID, 0, 0, wh_imports_row_json, imports_fields};

typedef struct {
    const imp_kind *kind;
    int64_t venture_id;
    bool dry_run;
    const char *filename;
} import_query;

static wh_err read_query(wh_req *r, import_query *q, wh_error *e)
{
    bool has = false;
    const char *kind = wh_req_query(r, "kind");
    q->kind = wh_imports_kind_find(kind);
    if (!q->kind)
        return wh_error_field(e, "kind",
                              "must be loads, shippers, carriers, hotel_daily, bpo_call_logs or"
                              " saas_subscriptions");
    wh_err rc = wh_req_query_id(r, "venture_id", &q->venture_id, &has, e);
    if (rc == WH_OK)
        rc = wh_req_query_bool(r, "dry_run", &has, &q->dry_run, e);
    q->filename = wh_req_query(r, "filename");
    if (rc == WH_OK && q->filename &&
        (!wh_str_utf8_valid(q->filename, strlen(q->filename)) ||
         wh_str_utf8_len(q->filename, strlen(q->filename)) > WH_IMPORTS_FILENAME_CHARS))
        rc = wh_error_field(e, "filename", "must be text of at most %d characters",
                            WH_IMPORTS_FILENAME_CHARS);
    if (rc == WH_OK && q->filename && !*q->filename)
        q->filename = NULL;
    return rc;
}

/* text/csv, with charset=utf-8 when a charset is given (any case, quoted or not). */
static wh_err csv_media_type(wh_req *r, wh_error *e)
{
    const char *ct = wh_req_header(r, "Content-Type");
    size_t n = strlen("text/csv");
    if (!ct || strncasecmp(ct, "text/csv", n) != 0 || (ct[n] && ct[n] != ';' && ct[n] != ' '))
        return wh_fail(e, WH_ERR_MEDIA_TYPE, "The body must be sent as Content-Type: text/csv.");
    for (const char *p = ct + n; (p = strchr(p, ';')) != NULL;) {
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncasecmp(p, "charset=", 8) != 0)
            continue;
        p += 8;
        bool quoted = *p == '"';
        p += quoted;
        if (strncasecmp(p, "utf-8", 5) != 0 ||
            (p[5] && p[5] != ';' && p[5] != ' ' && !(quoted && p[5] == '"')))
            return wh_fail(e, WH_ERR_MEDIA_TYPE, "A CSV import must be UTF-8 (charset=utf-8).");
    }
    return WH_OK;
}

static bool type_in(const char *type, const char *const *types)
{
    for (; *types; types++)
        if (strcmp(type, *types) == 0)
            return true;
    return false;
}

/* The venture of the import: required (and of the kind's type) unless the kind takes none. */
static wh_err check_venture(wh_req *r, const import_query *q, wh_error *e)
{
    const char *type = NULL;
    bool found = false;
    wh_conn *c = NULL;
    if (!q->kind->types)
        return q->venture_id ? wh_error_field(e, "venture_id", "must be absent for carriers")
                             : WH_OK;
    if (!q->venture_id)
        return wh_error_field(e, "venture_id", "is required");
    wh_err rc = wh_req_db(r, &c, e);
    if (rc == WH_OK)
        rc = wh_saas_venture_type(c, &r->arena, &r->user, q->venture_id, &type, &found, e);
    if (rc == WH_OK && !found)
        return wh_fail(e, WH_ERR_FORBIDDEN, "Venture %lld is outside your scope.",
                       (long long)q->venture_id);
    if (rc == WH_OK && !type_in(type, q->kind->types))
        return wh_error_field(e, "venture_id", "must be a %s venture for %s",
                              q->kind->types[1] ? "LOGISTICS or TRANSPORT" : q->kind->types[0],
                              q->kind->name);
    return rc;
}

/* The 400 of a file that cannot be imported: the problem carries the line errors. */
static wh_err refuse(wh_req *r, const imp_ctx *x, wh_error *e)
{
    r->problem_extra = wh_req_keep(
        r, json_pack("{s:o, s:I, s:I, s:b}", "errors", wh_imports_errors_json(x), "rows_total",
                     (json_int_t)x->nrows, "rows_invalid", (json_int_t)x->rows_invalid,
                     "errors_truncated", x->errors_total > x->nerrs));
    if (wh_error_kind(e) == WH_OK)
        (void)wh_fail(e, WH_ERR_INVALID, "%lld of %zu records are invalid; nothing was imported.",
                      (long long)x->rows_invalid, x->nrows);
    return WH_ERR_INVALID;
}

/* Checks every record (against the database on x->c and the records before it). */
static wh_err check_rows(imp_ctx *x, wh_error *e)
{
    wh_err rc = WH_OK;
    for (size_t i = 0; i < x->nrows && rc == WH_OK; i++)
        if (!x->rows[i].broken)
            rc = x->kind->check(x, &x->rows[i], e);
    if (rc == WH_OK && x->kind->check_all)
        rc = x->kind->check_all(x, e);
    for (size_t i = 0; i < x->nrows; i++) {
        const imp_row *row = &x->rows[i];
        if (row->bad)
            continue;
        x->created += row->outcome == IMP_CREATED;
        x->updated += row->outcome == IMP_UPDATED;
        x->skipped += row->outcome == IMP_SKIPPED;
    }
    return rc;
}

static json_t *report(const imp_ctx *x, const import_query *q, const char *sha, size_t size,
                      int64_t already)
{
    json_t *o = json_pack(
        "{s:b, s:o, s:s, s:o, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:b, s:o}", "dry_run",
        q->dry_run, "venture_id", q->venture_id ? json_integer(q->venture_id) : json_null(), "kind",
        q->kind->name, "filename", wh_json_str_or_null(q->filename), "sha256", sha, "size_bytes",
        (json_int_t)size, "rows_total", (json_int_t)x->nrows, "rows_valid",
        (json_int_t)((int64_t)x->nrows - x->rows_invalid), "rows_invalid",
        (json_int_t)x->rows_invalid, "created", (json_int_t)x->created, "updated",
        (json_int_t)x->updated, "skipped", (json_int_t)x->skipped, "errors",
        wh_imports_errors_json(x), "errors_truncated", x->errors_total > x->nerrs,
        "already_imported_id", already ? json_integer(already) : json_null());
    return o;
}

/* Applies the checked file in the open transaction, with its record and audit entry. */
static wh_err commit(wh_req *r, imp_ctx *x, const import_query *q, const char *sha, wh_error *e)
{
    wh_import in = {.venture_id = q->venture_id,
                    .kind = q->kind->name,
                    .filename = q->filename,
                    .sha256 = sha,
                    .size_bytes = (int64_t)r->body_len,
                    .rows_total = (int64_t)x->nrows,
                    .created = x->created,
                    .updated = x->updated,
                    .skipped = x->skipped,
                    .created_by = r->user.id,
                    .created_at = r->now_ms},
              im;
    wh_err rc = x->kind->apply(x, e);
    if (rc == WH_OK)
        rc = wh_imports_insert(x->c, x->a, &in, &im, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(
        r, x->c, 201,
        &(wh_change){"import.commit", "import", im.id, im.venture_id, NULL, wh_imports_json(&im)},
        e);
}

/* The transaction lock of one file of one (venture, kind): concurrent commits of it queue. */
static int64_t file_lock(const import_query *q, const char *sha)
{
    char key[160];
    snprintf(key, sizeof key, "import:%lld:%s:%s", (long long)q->venture_id, q->kind->name, sha);
    return (int64_t)(wh_str_hash(key) >> 1);
}

static wh_err run(wh_req *r, imp_ctx *x, const import_query *q, const char *sha, wh_error *e)
{
    wh_import known;
    bool found = false;
    wh_err rc = q->dry_run ? wh_req_db(r, &x->c, e) : wh_req_begin(r, &x->c, e);
    if (rc == WH_OK && !q->dry_run)
        rc = wh_db_lock(x->c, file_lock(q, sha), e);
    if (rc == WH_OK)
        rc = wh_imports_find(x->c, x->a, q->venture_id, q->kind->name, sha, &known, &found, e);
    if (rc != WH_OK)
        return rc;
    if (found && !q->dry_run) { /* committed already: nothing is written again */
        wh_db_rollback(x->c);
        return wh_resp_json(r, 200, wh_imports_json(&known));
    }
    rc = check_rows(x, e);
    if (rc != WH_OK)
        return rc;
    if (q->dry_run)
        return wh_resp_json(r, 200, report(x, q, sha, r->body_len, found ? known.id : 0));
    return x->rows_invalid ? refuse(r, x, e) : commit(r, x, q, sha, e);
}

static wh_err import_post(wh_req *r, wh_error *e)
{
    import_query q = {0};
    char sha[65];
    wh_err rc = read_query(r, &q, e);
    if (rc == WH_OK && !wh_rbac_allows(r->user.role, q.kind->perm))
        return wh_fail(e, WH_ERR_FORBIDDEN, "Your role may not write %s.", q.kind->name);
    if (rc == WH_OK)
        rc = csv_media_type(r, e);
    if (rc == WH_OK)
        rc = check_venture(r, &q, e);
    if (rc != WH_OK)
        return rc;
    imp_ctx *x = wh_arena_alloc(&r->arena, sizeof *x);
    x->r = r;
    x->a = &r->arena;
    x->kind = q.kind;
    x->venture_id = q.venture_id;
    x->commit = !q.dry_run;
    wh_clock_day_of(r->now_ms, x->today, sizeof x->today);
    wh_crypto_sha256_hex(r->body ? r->body : "", r->body_len, sha);
    rc = wh_imports_read(x, r->body ? r->body : "", r->body_len, r->app->config.import_max_rows, e);
    if (rc != WH_OK)
        return rc == WH_ERR_INVALID ? refuse(r, x, e) : rc;
    return run(r, x, &q, sha, e);
}

static wh_err import_list(wh_req *r, wh_error *e)
{
    wh_page pg;
    wh_sqlb b;
    int64_t venture_id = 0;
    wh_conn *c = NULL;
    const char *kind = wh_req_query(r, "kind");
    wh_err rc = wh_page_parse(r, &imports, &pg, e);
    if (rc == WH_OK && kind && !wh_imports_kind_find(kind))
        rc = wh_error_field(e, "kind", "must be an import kind");
    if (rc == WH_OK)
        rc = wh_req_venture_filter(r, &c, &venture_id, e);
    if (rc != WH_OK)
        return rc;
    wh_imports_list_sql(&r->user, venture_id, kind, &pg.ks, &b);
    return wh_resp_list(r, c, &pg, &b, e);
}

static wh_err import_get(wh_req *r, wh_error *e)
{
    int64_t id;
    wh_import im;
    wh_conn *c = NULL;
    wh_err rc = wh_req_open(r, false, &c, &id, e);
    if (rc == WH_OK)
        rc = wh_imports_get(c, &r->arena, &r->user, id, &im, e);
    return rc == WH_OK ? wh_resp_json(r, 200, wh_imports_json(&im)) : rc;
}

static wh_err template_get(wh_req *r, wh_error *e)
{
    const imp_kind *k = r->nparams ? wh_imports_kind_find(r->params[0]) : NULL;
    if (!k)
        return wh_fail(e, WH_ERR_NOT_FOUND, "No such import kind.");
    const char *body = wh_imports_template(&r->arena, k);
    wh_resp_header_add(
        r, "Content-Disposition",
        wh_arena_printf(&r->arena, "attachment; filename=\"%s-template.csv\"", k->name));
    return wh_resp_raw(r, 200, "text/csv; charset=utf-8", (char *)body, strlen(body));
}

static const wh_route routes[] = {
    {"POST", "/api/v1/imports", import_post, WH_PERM_IMPORTS_WRITE, WH_RATE_WRITE,
     WH_ROUTE_IDEMPOTENT | WH_ROUTE_UPLOAD, NULL},
    {"GET", "/api/v1/imports", import_list, WH_PERM_IMPORTS_READ, WH_RATE_READ, WH_ROUTE_CSV, NULL},
    {"GET", "/api/v1/imports/{id}", import_get, WH_PERM_IMPORTS_READ, WH_RATE_READ, 0, NULL},
    {"GET", "/api/v1/imports/templates/{kind}", template_get, WH_PERM_IMPORTS_READ, WH_RATE_READ,
     WH_ROUTE_RAW, NULL},
};

const wh_route *wh_imports_routes(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}
