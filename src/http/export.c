/* CSV export (docs/export.md): the format choice (?format, Accept), the CSV record writer, and
 * the streamed answer of a list or of a rows array.
 *
 * A list export is never held whole: its statement is re-paged (wh_sqlb_repage) after the last
 * row sent, WH_EXPORT_CHUNK_ROWS rows at a time, each chunk read when libmicrohttpd has sent the
 * previous one. The first chunk is read by the handler on the request's connection, so a failing
 * statement is still a problem+json; each later chunk takes a pooled connection for its one
 * statement and gives it back, so a slow client never holds one idle. The request (its arena,
 * caller, path parameters) outlives the handler: the server moves it to the heap with the
 * answer, and each chunk runs in an arena of its own, swapped in for r->arena, so memory stays
 * one chunk's worth. When libmicrohttpd lets the answer go (sent, or the client went away) the
 * export's one audit entry is written and the request is freed.
 *
 * Invariants: produced counts rows rendered, sent those whose bytes libmicrohttpd has taken;
 * produced <= cap; raw holds rendered CSV not yet encoded, out[off..len) encoded bytes not yet
 * taken. */
#include "http/http_int.h"
#include "app.h"
#include "audit/audit.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/csv.h"
#include "core/log.h"
#include "core/str.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

struct wh_export {
    wh_req *r;
    /* the source: a list statement, or a rows array */
    const wh_list *list;
    wh_sqlb *b;
    wh_item_fn extra;
    wh_page_fn page;
    wh_keyset ks; /* where the next chunk starts */
    json_t *rows;
    size_t next;
    /* the header: given, or the first row's keys */
    const char *const *fields;
    const char **names;
    size_t nnames;
    bool header_done;
    int64_t cap, chunk, produced, sent, pending;
    bool more;      /* the source may hold rows not yet read */
    bool truncated; /* the cap left rows out */
    bool ended;     /* the whole answer was handed over */
    bool failed;    /* a chunk failed after the first byte */
    wh_arena *keep; /* during a chunk: the request's own arena (r->arena is the chunk's) */
    wh_buf raw, out;
    size_t off;
    int64_t raw_rows;
    bool gzip, zdone;
    z_stream zs;
    json_t *query; /* the query parameters but format, for the audit entry */
    int64_t venture_id;
};
typedef struct wh_export wh_export;

/* ----------------------------------------------------------------- format */

wh_err wh_http_format(wh_req *r, wh_error *e)
{
    const char *f = wh_req_query(r, "format");
    bool csv_route = (r->route->flags & WH_ROUTE_CSV) != 0;
    r->csv = false;
    if (!f) {
        r->csv = csv_route && wh_http_accept_weight(wh_req_header(r, "Accept"), "text/csv") > 0;
        return WH_OK;
    }
    if (!csv_route)
        return wh_error_field(e, "format", "is not accepted here: this path answers JSON only");
    if (strcmp(f, "csv") != 0 && strcmp(f, "json") != 0)
        return wh_error_field(e, "format", "must be csv or json");
    r->csv = strcmp(f, "csv") == 0;
    return WH_OK;
}

/* ----------------------------------------------------------------- CSV writer */

static bool needs_quotes(const char *s, size_t n)
{
    if (n > 0 && (s[0] == ' ' || s[n - 1] == ' '))
        return true;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '"' || s[i] == ',' || s[i] == '\r' || s[i] == '\n')
            return true;
    return false;
}

/* s[0..n) as one field, after prefix (a formula guard, or ""). */
static wh_err text_field(wh_buf *b, const char *prefix, const char *s, size_t n)
{
    size_t plen = strlen(prefix);
    bool quote = needs_quotes(s, n) || (plen > 0 && n == 0);
    wh_err rc = quote ? wh_buf_append(b, "\"", 1) : WH_OK;
    if (rc == WH_OK && plen)
        rc = wh_buf_append(b, prefix, plen);
    for (size_t i = 0; rc == WH_OK && i < n;) {
        const char *q = quote ? memchr(s + i, '"', n - i) : NULL;
        size_t run = q ? (size_t)(q - (s + i)) + 1 : n - i;
        rc = wh_buf_append(b, s + i, run);
        if (rc == WH_OK && q)
            rc = wh_buf_append(b, "\"", 1); /* the quote doubled */
        i += run;
    }
    return rc == WH_OK && quote ? wh_buf_append(b, "\"", 1) : rc;
}

static wh_err json_text_field(wh_buf *b, const json_t *v)
{
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
    wh_err rc = text_field(b, "", text ? text : "", text ? strlen(text) : 0);
    free(text);
    return rc;
}

wh_err wh_http_csv_field(wh_buf *b, const json_t *v)
{
    if (!v || json_is_null(v))
        return WH_OK;
    if (json_is_boolean(v))
        return wh_buf_printf(b, "%s", json_is_true(v) ? "true" : "false");
    if (json_is_integer(v))
        return wh_buf_printf(b, "%lld", (long long)json_integer_value(v));
    if (!json_is_string(v))
        return json_text_field(b, v); /* a real as the JSON writes it; an object or array */
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    /* a spreadsheet would run a cell that begins so as a formula */
    bool guard = n > 0 && strchr(WH_CSV_FORMULA_LEADS, s[0]) != NULL;
    return text_field(b, guard ? "'" : "", s, n);
}

wh_err wh_http_csv_record(wh_buf *b, const char *const *names, size_t n, const json_t *obj)
{
    wh_err rc = WH_OK;
    for (size_t i = 0; rc == WH_OK && i < n; i++) {
        if (i > 0)
            rc = wh_buf_append(b, ",", 1);
        if (rc == WH_OK)
            rc = obj ? wh_http_csv_field(b, json_object_get(obj, names[i]))
                     : text_field(b, "", names[i], strlen(names[i]));
    }
    return rc == WH_OK ? wh_buf_append(b, "\r\n", 2) : rc;
}

/* ----------------------------------------------------------------- rendering */

/* The header, once: the given fields, else the keys of the first item (none: no header). */
static wh_err header(wh_export *x, json_t *first)
{
    wh_arena *a = x->keep ? x->keep : &x->r->arena;
    size_t n = 0;
    if (x->header_done || (!x->fields && !first))
        return WH_OK;
    x->header_done = true;
    if (x->fields) {
        while (x->fields[n])
            n++;
        x->names = (const char **)x->fields;
    } else {
        x->names = wh_arena_alloc(a, (json_object_size(first) + 1) * sizeof *x->names);
        const char *key;
        json_t *v;
        json_object_foreach(first, key, v)
        {
            x->names[n++] = wh_arena_strdup(a, key);
        }
    }
    x->nnames = n;
    return wh_http_csv_record(&x->raw, x->names, n, NULL);
}

static wh_err render(wh_export *x, json_t *items, wh_error *e)
{
    size_t n = json_array_size(items);
    wh_err rc = header(x, json_array_get(items, 0));
    for (size_t i = 0; rc == WH_OK && i < n; i++)
        rc = wh_http_csv_record(&x->raw, x->names, x->nnames, json_array_get(items, i));
    if (rc != WH_OK)
        return wh_fail(e, WH_ERR_INTERNAL, "A chunk of the export is larger than %d bytes.",
                       WH_LIMIT_EXPORT_CHUNK_BYTES);
    x->produced += (int64_t)n;
    x->raw_rows += (int64_t)n;
    return WH_OK;
}

/* The rows the next chunk may hold: a chunk, or what the cap leaves. */
static int64_t chunk_rows(const wh_export *x)
{
    int64_t left = x->cap - x->produced;
    return left < x->chunk ? left : x->chunk;
}

/* After a chunk that read n rows and kept want: more follow, or the cap cut them off. */
static void after_chunk(wh_export *x, size_t n, int64_t want)
{
    x->more = (int64_t)n > want && x->produced < x->cap;
    x->truncated = (int64_t)n > want && x->produced >= x->cap;
}

/* Where the chunk after row i of rows starts; its key is copied into keep. */
static void advance(wh_export *x, const wh_rows *rows, size_t i, wh_arena *keep)
{
    const wh_list *l = x->list;
    x->ks.after = true;
    x->ks.id = wh_rows_int(rows, i, (size_t)l->id_col);
    if (l->key == WH_KEY_ID)
        return;
    const char *key = wh_rows_text(rows, i, (size_t)l->key_col);
    x->ks.key = wh_arena_strdup(keep, key ? key : "");
    if (l->key == WH_KEY_INT)
        x->ks.key_i = wh_rows_int(rows, i, (size_t)l->key_col);
}

/* One chunk of a list: the statement re-paged after the last row, its items completed. Runs in
 * the chunk's arena (r->arena); what must outlive it goes to x->keep. */
static wh_err list_chunk(wh_export *x, wh_error *e)
{
    wh_req *r = x->r;
    wh_rows *rows = NULL;
    wh_conn *c = NULL;
    int64_t want = chunk_rows(x);
    wh_keyset ks = x->ks;
    ks.limit = (int)want + 1;
    wh_sqlb_repage(x->b, &ks);
    /* a later chunk: a pooled connection (a replica's when one qualifies) for this statement */
    bool own = r->db == NULL && r->ro == NULL;
    wh_err rc = wh_req_db(r, &c, e);
    if (rc == WH_OK)
        rc = wh_sqlb_query(c, &r->arena, x->b, &rows, e);
    size_t n = wh_rows_count(rows), shown = (int64_t)n > want ? (size_t)want : n;
    json_t *items = wh_req_keep(r, json_array());
    for (size_t i = 0; rc == WH_OK && i < shown; i++)
        json_array_append_new(items, x->list->row_json(rows, i));
    for (size_t i = 0; rc == WH_OK && x->extra && i < shown; i++)
        rc = x->extra(r, c, json_array_get(items, i), e);
    if (rc == WH_OK && x->page)
        rc = x->page(r, c, &ks, shown, items, e);
    if (own)
        wh_req_release_db(r);
    if (rc == WH_OK)
        rc = render(x, items, e);
    if (rc == WH_OK && shown > 0)
        advance(x, rows, shown - 1, x->keep);
    if (rc == WH_OK)
        after_chunk(x, n, want);
    return rc;
}

static wh_err rows_chunk(wh_export *x, wh_error *e)
{
    int64_t want = chunk_rows(x);
    size_t total = json_array_size(x->rows), n = total - x->next;
    size_t shown = (int64_t)n > want ? (size_t)want : n;
    json_t *items = wh_req_keep(x->r, json_array());
    for (size_t i = 0; i < shown; i++)
        json_array_append(items, json_array_get(x->rows, x->next + i));
    x->next += shown;
    wh_err rc = render(x, items, e);
    if (rc == WH_OK)
        after_chunk(x, n, want);
    return rc;
}

/* Reads and renders the next chunk into raw, in an arena of its own. */
static wh_err chunk(wh_export *x, wh_error *e)
{
    wh_req *r = x->r;
    wh_arena keep = r->arena;
    wh_arena_init(&r->arena);
    x->keep = &keep;
    wh_err rc = x->list ? list_chunk(x, e) : rows_chunk(x, e);
    x->keep = NULL;
    wh_arena_cleanup(&r->arena);
    r->arena = keep;
    return rc;
}

/* ----------------------------------------------------------------- the answer */

static void clear(wh_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

/* raw (or nothing, to end the stream) into out: deflated for a gzip client, else as it is. */
static bool encode(wh_export *x, int flush)
{
    if (!x->gzip) {
        wh_buf t = x->out;
        x->out = x->raw;
        x->raw = t;
        return true;
    }
    unsigned char block[16384];
    x->zs.next_in = (Bytef *)(x->raw.len ? x->raw.data : "");
    x->zs.avail_in = (uInt)x->raw.len;
    int zrc;
    do {
        x->zs.next_out = block;
        x->zs.avail_out = sizeof block;
        zrc = deflate(&x->zs, flush);
        if (zrc == Z_STREAM_ERROR ||
            wh_buf_append(&x->out, block, sizeof block - x->zs.avail_out) != WH_OK)
            return false;
    } while (x->zs.avail_out == 0 || (flush == Z_FINISH && zrc != Z_STREAM_END));
    return true;
}

/* Refills out when it is all taken; false when the stream ends (ended) or fails. */
static bool refill(wh_export *x)
{
    while (x->off == x->out.len) {
        x->sent += x->pending;
        x->pending = 0;
        clear(&x->out);
        x->off = 0;
        if (x->raw.len == 0 && x->more) {
            wh_error e;
            wh_error_init(&e);
            if (chunk(x, &e) != WH_OK) {
                wh_log(WH_LOG_ERROR, "CSV export of %s stopped after %lld rows: %s", x->r->path,
                       (long long)x->sent, e.detail);
                return false;
            }
        }
        if (x->raw.len > 0 || (x->gzip && !x->zdone && !x->more)) {
            bool last = x->raw.len == 0;
            if (!encode(x, last ? Z_FINISH : Z_SYNC_FLUSH))
                return false;
            x->zdone = x->zdone || last;
            x->pending = x->raw_rows;
            x->raw_rows = 0;
            clear(&x->raw);
            continue;
        }
        if (!x->more) {
            x->ended = true;
            return false;
        }
    }
    return true;
}

static ssize_t reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    wh_export *x = cls;
    (void)pos;
    wh_log_context_set(x->r->id);
    bool have = !x->failed && refill(x);
    wh_log_context_set(NULL);
    if (!have) {
        x->failed = !x->ended;
        return x->ended ? MHD_CONTENT_READER_END_OF_STREAM : MHD_CONTENT_READER_END_WITH_ERROR;
    }
    size_t n = x->out.len - x->off < max ? x->out.len - x->off : max;
    memcpy(buf, x->out.data + x->off, n);
    x->off += n;
    return (ssize_t)n;
}

/* "loads" for /api/v1/loads, "ventures-3-people" for /api/v1/ventures/3/people. */
static const char *export_name(wh_arena *a, const char *path)
{
    const char *base = "/api/v1/";
    char *name =
        wh_arena_strdup(a, strncmp(path, base, strlen(base)) == 0 ? path + strlen(base) : path + 1);
    for (char *p = name; *p; p++)
        if (*p == '/')
            *p = '-';
    return name;
}

/* The export's one audit entry (DOMAIN-wave2 §16): rows sent, truncated when rows were left out
 * (the cap, a client gone before the end, a failed chunk). */
static void audit(wh_export *x)
{
    wh_req *r = x->r;
    wh_error e;
    wh_conn *c = NULL;
    wh_error_init(&e);
    json_t *after = json_pack("{s:s, s:O, s:I, s:b}", "path", r->path, "query", x->query, "rows",
                              (json_int_t)x->sent, "truncated", x->truncated || !x->ended);
    wh_audit_entry en = {.actor_id = r->user.id,
                         .action = "export.csv",
                         .entity = export_name(&r->arena, r->path),
                         .venture_id = x->venture_id,
                         .after = after,
                         .request_id = r->id,
                         .at_ms = wh_clock_now_ms()};
    wh_err rc = wh_db_acquire(r->app->db, &c, &e);
    if (rc == WH_OK)
        rc = wh_audit_record(c, &r->arena, &en, &e);
    if (rc != WH_OK)
        wh_log(WH_LOG_ERROR, "the audit entry of the CSV export of %s was not written: %s", r->path,
               e.detail);
    wh_db_release(r->app->db, c);
    json_decref(after);
}

static void done(void *cls)
{
    wh_export *x = cls;
    wh_req *r = x->r;
    wh_log_context_set(r->id);
    audit(x);
    wh_log_context_set(NULL);
    wh_arena_cleanup(&r->arena); /* x lives there: its release is deferred there */
    wh_free(r);
}

static void release(void *p)
{
    wh_export *x = p;
    if (x->gzip)
        deflateEnd(&x->zs);
    wh_buf_cleanup(&x->raw);
    wh_buf_cleanup(&x->out);
    json_decref(x->rows);
    json_decref(x->query);
}

void *wh_export_response(wh_req *r)
{
    wh_export *x = r->export;
    wh_req *kept = wh_malloc(sizeof *kept);
    *kept = *r;
    x->r = kept;
    wh_resp_header_add(kept, "Vary", "Accept-Encoding");
    if (wh_http_accepts_gzip(wh_req_header(kept, "Accept-Encoding")) &&
        deflateInit2(&x->zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) ==
            Z_OK) {
        x->gzip = true;
        wh_resp_header_add(kept, "Content-Encoding", "gzip");
    }
    *r = *kept; /* the caller reads the headers and logs from r; it must not clean it up */
    return MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, WH_LIMIT_EXPORT_BLOCK, reader, x,
                                             done);
}

/* ----------------------------------------------------------------- starting */

static enum MHD_Result query_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
    (void)kind;
    if (strcmp(key, "format") != 0)
        json_object_set_new(cls, key,
                            wh_json_text(value ? value : "", WH_LIMIT_ECHO_BYTES, WH_UTF8_REPLACE));
    return MHD_YES;
}

/* The export state in the request's arena, the answer's status and headers. */
static wh_export *start(wh_req *r, const char *const *fields)
{
    wh_export *x = wh_arena_alloc(&r->arena, sizeof *x);
    char day[11];
    x->r = r;
    x->fields = fields;
    x->cap = r->app->config.export_max_rows;
    x->chunk = r->app->config.export_chunk_rows;
    x->more = true;
    wh_buf_init(&x->raw, WH_LIMIT_EXPORT_CHUNK_BYTES);
    wh_buf_init(&x->out, WH_LIMIT_EXPORT_CHUNK_BYTES * 2);
    x->query = json_object();
    wh_arena_defer(&r->arena, release, x);
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, query_arg, x->query);
    const char *v = wh_req_query(r, "venture_id");
    if (!v || !wh_str_to_i64(wh_str_c(v), 1, INT64_MAX, &x->venture_id))
        x->venture_id = 0;
    wh_clock_day_of(r->now_ms, day, sizeof day);
    r->status = 200;
    r->resp_body = NULL;
    r->resp_len = 0;
    r->resp_gzip = NULL;
    r->content_type = "text/csv; charset=utf-8";
    wh_resp_header_add(r, "Content-Disposition",
                       wh_arena_printf(&r->arena, "attachment; filename=\"%s-%s.csv\"",
                                       export_name(&r->arena, r->path), day));
    wh_resp_header_add(r, "X-Export-Row-Cap",
                       wh_arena_printf(&r->arena, "%lld", (long long)x->cap));
    return x;
}

/* A copy of b in the arena whose text parameters are copies too: the query strings they borrow
 * belong to the connection, and the statement outlives the handler. */
static wh_sqlb *keep_sqlb(wh_arena *a, const wh_sqlb *b)
{
    wh_sqlb *k = wh_arena_alloc(a, sizeof *k);
    *k = *b;
    for (int i = 0; i < k->n; i++)
        if (k->params[i].type == WH_P_TEXT)
            k->params[i].s = wh_arena_strdup(a, k->params[i].s);
    return k;
}

/* The first chunk, read now: its failure is the request's problem. */
static wh_err first(wh_req *r, wh_export *x, wh_error *e)
{
    wh_err rc = chunk(x, e);
    if (rc == WH_OK)
        rc = header(x, NULL); /* no rows: the given header alone */
    if (rc != WH_OK) {
        r->export = NULL;
        return rc;
    }
    r->export = x;
    return WH_OK;
}

wh_err wh_export_list(wh_req *r, wh_conn *c, const wh_list *l, const wh_sqlb *b, wh_item_fn extra,
                      wh_page_fn page, wh_error *e)
{
    (void)c; /* the first chunk runs on the request's connection, which c is */
    wh_export *x = start(r, l->fields);
    x->list = l;
    x->b = keep_sqlb(&r->arena, b);
    x->extra = extra;
    x->page = page;
    x->ks.type = l->key;
    x->ks.key = "";
    return first(r, x, e);
}

wh_err wh_export_rows(wh_req *r, json_t *rows, const char *const *fields, wh_error *e)
{
    wh_export *x = start(r, fields);
    x->rows = json_is_array(rows) ? rows : (json_decref(rows), json_array());
    return first(r, x, e);
}
