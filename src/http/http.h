/* The HTTP layer: request context, route tables, response building, cursor pages.
 *
 * A wh_req lives for one request and is used by one thread. It owns an arena for everything
 * the handler allocates; the database connection it lends (wh_req_db) is released when the
 * request ends. Handlers read: validate -> store -> render, and report failures by filling the
 * wh_error and returning its wh_err: response.c turns that into problem+json in one place. */
#ifndef WH_HTTP_HTTP_H
#define WH_HTTP_HTTP_H

#include "auth/auth.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "core/limits.h"
#include "db/db.h"
#include "ratelimit/ratelimit.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct wh_app wh_app;
typedef struct wh_req wh_req;
typedef struct wh_router wh_router;

typedef wh_err (*wh_handler)(wh_req *r, wh_error *e);

typedef enum { WH_RATE_NONE, WH_RATE_AUTH, WH_RATE_READ, WH_RATE_WRITE } wh_rate_class;

/* Route flags: the pipeline acts on each (docs/architecture.md "Route tables"), and
 * wh_route_check keeps them consistent with the method and permission. */
enum {
    WH_ROUTE_CACHED = 1u << 0,     /* a GET that answers through wh_resp_cached, which refuses
                                    * (500) on any other route */
    WH_ROUTE_IDEMPOTENT = 1u << 1, /* honours Idempotency-Key: exactly the signed-in POSTs
                                    * (API.md); other routes ignore the header */
    WH_ROUTE_RAW = 1u << 2,        /* may answer other than JSON (static files, metrics); any
                                    * other route that does is answered 500 */
    WH_ROUTE_CSV = 1u << 3,        /* a GET that also answers CSV (?format=csv or Accept:
                                    * text/csv, docs/export.md); ?format is 400 elsewhere */
    WH_ROUTE_UPLOAD = 1u << 4,     /* a POST whose body may be up to WH_IMPORT_MAX_BYTES instead
                                    * of WH_LIMIT_BODY_BYTES (server.c; CSV imports) */
};

typedef struct wh_route {
    const char *method;  /* "GET", "POST", "PUT", "PATCH", "DELETE" */
    const char *pattern; /* "/api/v1/ventures/{id}"; {name} captures one segment */
    wh_handler handler;
    wh_perm perm;
    wh_rate_class rate;
    unsigned flags;
    const wh_rule *rule; /* narrower than perm (auth.h), or NULL */
} wh_route;

/* Whether a route row is consistent: a known method, a pattern, a handler; IDEMPOTENT exactly on
 * signed-in POSTs; CACHED and RAW only on GETs; a rule only on a signed-in route, with a
 * predicate unless it is WH_RULE_TARGET. *why says what is wrong (static text). */
bool wh_route_check(const wh_route *route, const char **why);
/* "read", "write", "auth", "none". */
const char *wh_rate_class_name(wh_rate_class c);

typedef struct wh_resp_header {
    struct wh_resp_header *next;
    const char *name, *value;
} wh_resp_header;

struct wh_req {
    wh_app *app;
    wh_arena arena;
    char id[33];    /* X-Request-Id */
    int64_t now_ms; /* the clock, read once */
    const char *method, *path;
    void *conn; /* struct MHD_Connection */
    const char *body;
    size_t body_len;
    const wh_route *route;
    const char *allow; /* methods of the path when the method did not match */
    const char *params[WH_LIMIT_PATH_PARAMS];
    int nparams;
    bool authed;
    bool via_cookie;
    const char *token; /* the session token of the request (arena) */
    wh_principal user;
    wh_conn *db; /* the primary's connection, lazily acquired */
    wh_conn *ro; /* a GET's connection for reads (wh_req_db), a replica's when one qualifies */
    /* Idempotency-Key this request owns and has not answered yet (arena): while set, commits
     * on the request's connection are held so the answer joins the handler's transaction
     * (http/idempotency.c) */
    const char *idem_key;
    struct wh_req_hook *after_commit; /* wh_req_after_commit, in order; arena */
    bool commit_failed;               /* a commit made early for idem_key failed */
    /* the tightest rate-limit decision of the request, for its RateLimit-* headers */
    wh_ratelimit_result rate;
    bool rate_known;
    /* response */
    int status;
    char *resp_body; /* arena */
    size_t resp_len;
    /* the same body already gzip-compressed (a cached answer, http/cached.c), sent instead of
     * compressing it again to a client that accepts gzip; NULL: none. Every wh_resp_* clears
     * it. */
    const char *resp_gzip;
    size_t resp_gzip_len;
    const char *content_type;
    wh_resp_header *headers;
    bool close;
    /* CSV export (docs/export.md): the request asked for CSV on a WH_ROUTE_CSV route (set by the
     * pipeline before the handler); export is the streamed answer a list or wh_resp_rows
     * started (arena), which the server sends instead of resp_body. Every wh_resp_* clears it. */
    bool csv;
    struct wh_export *export;
    /* members a handler adds to the problem its error becomes (NULL: none; owned by the
     * request, wh_req_keep): a CSV import's line errors and row counts */
    json_t *problem_extra;
};

/* The requests of one process waiting for the answer of an Idempotency-Key another request
 * owns, counted per key to bound them (http/idempotency.c); owned by wh_app, thread-safe. */
typedef struct wh_idem_waits wh_idem_waits;
wh_idem_waits *wh_idem_waits_new(void);
void wh_idem_waits_free(wh_idem_waits *w);

/* Router: route tables registered once at start-up, then read-only (thread-safe lookups). */
wh_router *wh_router_new(void);
void wh_router_free(wh_router *rt);
/* Adds a route table; a row that fails wh_route_check is a programming error: logged, then the
 * process aborts. */
void wh_router_add(wh_router *rt, const wh_route *routes, size_t n);
/* The flags of the route method and path match (0 when none does); takes no memory, so the
 * server can ask before the body arrives (WH_ROUTE_UPLOAD). */
unsigned wh_router_flags(const wh_router *rt, const char *method, const char *path);
/* The idx-th route added, NULL past the last (for tests that compare the tables with docs). */
const wh_route *wh_router_route(const wh_router *rt, size_t idx);
typedef enum { WH_MATCH_OK, WH_MATCH_NO_PATH, WH_MATCH_NO_METHOD } wh_match;
/* Finds the route for method and path; fills params (pointers into the arena). On
 * WH_MATCH_NO_METHOD, allow receives "GET, POST" style text (arena). */
wh_match wh_router_match(const wh_router *rt, wh_arena *a, const char *method, const char *path,
                         const wh_route **route, const char **params, int *nparams,
                         const char **allow);

/* Request accessors. */
const char *wh_req_header(wh_req *r, const char *name);
/* A query parameter, NULL when absent. */
const char *wh_req_query(wh_req *r, const char *name);
/* The request's database connection, acquired on first use (503 when the pool is dry). For a GET
 * or HEAD that has not taken the primary's, a connection for reads (http/reads.c): a replica's
 * that has replayed the session's last write, when replicas are configured and one qualifies
 * (wh_db_acquire_read); a transaction begun on it runs on the primary. Every other request, and
 * a GET once it holds the primary's, gets the primary's (wh_req_primary). */
WH_MUST_USE wh_err wh_req_db(wh_req *r, wh_conn **out, wh_error *e);
/* The request's connection to the primary, whatever the method: for reads that must see the
 * latest commit (the session, /readyz, a data version, /metrics) and for writes. */
WH_MUST_USE wh_err wh_req_primary(wh_req *r, wh_conn **out, wh_error *e);
/* Checks that venture_id (a query or body value) is in the caller's scope, 403 otherwise: from
 * the process's scope answers when they hold it (no query, no connection taken), else with
 * wh_scope_check_venture on the request's connection. */
WH_MUST_USE wh_err wh_req_scope_venture(wh_req *r, int64_t venture_id, wh_error *e);
/* Returns the request's database connection to the pool early (before a slow outbound call);
 * a later wh_req_db acquires again. A commit still held for the Idempotency-Key answer is made
 * first (with a marker that the request's changes are in; see docs/architecture.md). */
void wh_req_db_done(wh_req *r);
/* Gives back both of the request's connections (server.c at the end, wh_req_db_done). A request
 * of a signed-in session that wrote on the primary (a method other than GET and HEAD that used
 * it, or a transaction begun there) first records the primary's WAL position as the session's
 * last write (http/reads.c), so its next reads wait for a replica that has it. */
void wh_req_release_db(wh_req *r);
/* Read-your-writes across requests and instances (http/reads.c): the last write position of each
 * session, in process (WH_LIMIT_WRITE_MARKS slots) and, with redis_url, in Redis as well, so an
 * instance serving the session's next read knows it. Marks live ttl_ms: by then every replica
 * that takes reads holds the write. NULL redis_url: in process only. */
typedef struct wh_marks wh_marks;
wh_marks *wh_marks_new(const char *redis_url, const char *database_id, int64_t ttl_ms);
void wh_marks_free(wh_marks *m); /* NULL is fine */
/* Runs fn(arg) once the request's changes are durably committed: at once when no commit of
 * the request is held back, else right after the pipeline commits them with the
 * Idempotency-Key answer; never when that commit fails (it then answers the failure). For work
 * that must see the committed rows from elsewhere (a job's runner thread). arg must live as
 * long as the request (its arena). */
typedef void (*wh_req_commit_fn)(wh_req *r, void *arg);
void wh_req_after_commit(wh_req *r, wh_req_commit_fn fn, void *arg);
/* Hands a new JSON reference to the request, which releases it at the end; returns v. */
json_t *wh_req_keep(wh_req *r, json_t *v);
/* Path parameter idx as a positive id; anything else is 404 (the resource cannot exist). */
WH_MUST_USE wh_err wh_req_path_id(wh_req *r, int idx, int64_t *out, wh_error *e);
/* The body as a JSON object: 415 unless Content-Type is application/json, 400 invalid_json.
 * The value is owned by the request. */
WH_MUST_USE wh_err wh_req_json(wh_req *r, json_t **out, wh_error *e);
/* The body (wh_req_json) ready to be read with j, every member not in the NULL-terminated
 * allow-list fields already reported (wh_jin_allow). */
WH_MUST_USE wh_err wh_req_jin(wh_req *r, wh_jin *j, const char *const *fields, wh_error *e);
/* An optional positive id query parameter: 400 validation_failed when malformed. */
WH_MUST_USE wh_err wh_req_query_id(wh_req *r, const char *name, int64_t *out, bool *present,
                                   wh_error *e);
/* An optional day query parameter (YYYY-MM-DD, a calendar day): NULL when absent, 400
 * validation_failed when malformed. */
WH_MUST_USE wh_err wh_req_query_day(wh_req *r, const char *name, const char **out, wh_error *e);
/* The range of a report, /overview or a KPI read (API-wave2 "Ranges"): ?from and ?to, inclusive
 * days (arena); to defaults to today, from to the default_days days ending on to. A malformed
 * day, from after to, or a range longer than max_days: 400 validation_failed (from or to). */
WH_MUST_USE wh_err wh_req_query_range(wh_req *r, int max_days, int default_days, const char **from,
                                      const char **to, wh_error *e);
/* An optional boolean query parameter, "true" or "false" (400 otherwise). */
WH_MUST_USE wh_err wh_req_query_bool(wh_req *r, const char *name, bool *present, bool *value,
                                     wh_error *e);

/* An optional ?venture_id= filter: 400 when malformed, 403 when outside the caller's scope;
 * 0 when absent. Acquires the request's database connection into *c either way. */
WH_MUST_USE wh_err wh_req_venture_filter(wh_req *r, wh_conn **c, int64_t *venture_id, wh_error *e);
/* The venture of path parameter idx, which the request writes under: 404 not_found when it is
 * malformed, missing or outside the caller's scope (a venture outside it looks missing).
 * Acquires the request's database connection into *c. */
WH_MUST_USE wh_err wh_req_path_venture(wh_req *r, int idx, wh_conn **c, int64_t *venture_id,
                                       wh_error *e);

/* Charges a login or code request to the normalised e-mail it names (WH_RATE_AUTH_EMAIL_PER_HOUR,
 * docs/ratelimit.md), whether or not the address has an account: 429 rate_limited when spent. */
WH_MUST_USE wh_err wh_req_limit_email(wh_req *r, const char *email, wh_error *e);

/* Responses. The JSON is stolen and rendered into the arena. */
WH_MUST_USE wh_err wh_resp_json(wh_req *r, int status, json_t *body);
WH_MUST_USE wh_err wh_resp_empty(wh_req *r, int status);
WH_MUST_USE wh_err wh_resp_raw(wh_req *r, int status, const char *content_type, char *body,
                               size_t len);
/* Answers 200 with body, a JSON object (stolen), or, when the request asked for CSV (a
 * WH_ROUTE_CSV route, docs/export.md), the array member rows of body as CSV: the rows of a
 * report (items), of a KPI read (days) or of the overview (ventures). */
WH_MUST_USE wh_err wh_resp_rows(wh_req *r, json_t *body, const char *rows, wh_error *e);
/* wh_resp_rows with the CSV header given: fields (NULL-terminated) in the row shape's order, so
 * an answer without rows still has its header (wh_resp_rows takes the first row's keys). */
WH_MUST_USE wh_err wh_resp_rows_with(wh_req *r, json_t *body, const char *rows,
                                     const char *const *fields, wh_error *e);
/* The CSV writer of exports (RFC 4180, docs/export.md), exposed for unit tests: one field of a
 * record: null (and NULL) empty, booleans true/false, numbers in decimal, strings as they are
 * with a leading ' when they begin with = + - @ TAB or CR, objects and arrays as compact JSON;
 * quoted when it holds " , CR or LF or begins or ends with a space, a " doubled. */
WH_MUST_USE wh_err wh_http_csv_field(wh_buf *b, const json_t *v);
/* One record ended by CRLF: obj's members names[0..n) in that order (a missing one empty), or,
 * with obj NULL, the names themselves (the header). */
WH_MUST_USE wh_err wh_http_csv_record(wh_buf *b, const char *const *names, size_t n,
                                      const json_t *obj);
/* Adds a response header (both strings copied into the arena). */
void wh_resp_header_add(wh_req *r, const char *name, const char *value);
/* Adds the session cookie's Set-Cookie: wh_session=token with Max-Age max_age_s (token "" and
 * 0 clear it), Path=/, HttpOnly, SameSite=Strict, and Secure when the client reached us over
 * HTTPS: WH_COOKIE_SECURE=1, or a trusted proxy (WH_TRUSTED_PROXIES) says X-Forwarded-Proto:
 * https. token is copied. */
void wh_resp_session_cookie(wh_req *r, const char *token, int64_t max_age_s);
/* Renders e as RFC 9457 problem+json; the only place problems are built. */
void wh_resp_problem(wh_req *r, const wh_error *e);

/* Cached GET answers (routes flagged WH_ROUTE_CACHED, docs/cache.md). render builds the body
 * (a new reference) when the cache has none. The cache key is the route pattern, vary and the
 * data version of venture_id (read here: from the process's memo of versions when it holds it,
 * else from the database). vary must name every other input of the body: its canonical
 * parameters and the scope it was computed under. The caller's scope must already be checked.
 * The answer carries Cache-Control: private, no-cache, an ETag and X-Cache: hit | miss; a
 * matching If-None-Match gets 304. A hit runs no query and takes no database connection. */
typedef wh_err (*wh_render_fn)(wh_req *r, void *ctx, json_t **body, wh_error *e);
WH_MUST_USE wh_err wh_resp_cached(wh_req *r, int64_t venture_id, const char *vary,
                                  wh_render_fn render, void *ctx, wh_error *e);

/* A list endpoint (every cursor list answers through one): the name its cursors are bound to,
 * so a cursor cannot be replayed on another list; its sort key's type; the columns of its
 * statement that hold a row's sort key (unused for WH_KEY_ID) and id; and how one row of the
 * statement renders as an item. */
typedef struct {
    const char *name;
    wh_key_type key;
    int key_col, id_col;
    json_t *(*row_json)(const wh_rows *rows, size_t i);
    /* The item's fields in the shape's order (NULL-terminated), the header of the list's CSV
     * export; NULL: the keys of the first item as row_json renders them (an export without
     * rows then has no header). docs/export.md. */
    const char *const *fields;
} wh_list;

/* A page request of a list: ?limit rows (size) from where ?cursor points (ks, whose limit is
 * size + 1). */
typedef struct {
    const wh_list *list;
    int size;
    wh_keyset ks;
} wh_page;

/* Reads ?limit and ?cursor of list: 400 validation_failed (limit) or 400 invalid_cursor (a
 * cursor of another list, altered, or whose key is not of the list's type). */
WH_MUST_USE wh_err wh_page_parse(wh_req *r, const wh_list *list, wh_page *pg, wh_error *e);
/* Runs the list statement b (ended by wh_sqlb_page with pg->ks) on c and answers 200
 * {items, next_cursor, has_more}: each row shown rendered by the list's row_json, the row
 * fetched beyond pg->size only telling has_more, the cursor signed for the last row shown.
 * A request for CSV (r->csv) gets every row instead, streamed in chunks of the statement re-paged
 * from the last row sent (wh_sqlb_repage), up to WH_EXPORT_MAX_ROWS (docs/export.md); the first
 * chunk is read here, so a failure of the statement is still a problem. Every wh_resp_list* and
 * wh_resp_venture_list answers CSV so. */
WH_MUST_USE wh_err wh_resp_list(wh_req *r, wh_conn *c, const wh_page *pg, const wh_sqlb *b,
                                wh_error *e);
/* wh_resp_list in two steps, for a list whose items need more than their own row (a second
 * statement for the whole page): wh_list_fetch runs b and renders the rows shown into
 * out->items (owned by the request); the caller adds to them; wh_resp_page answers the page. */
typedef struct {
    const wh_rows *rows;
    size_t shown; /* rows on the page: out->items has as many */
    bool more;    /* a row beyond the page was fetched */
    json_t *items;
} wh_list_rows;
/* For CSV, wh_list_fetch starts the export (its first chunk is read there) and leaves
 * out->items empty; wh_resp_page keeps the export as the answer. The export holds the rows as
 * row_json renders them: a list that completes its items must use wh_resp_list_with or
 * wh_resp_list_paged, whose completion runs for every chunk. */
WH_MUST_USE wh_err wh_list_fetch(wh_req *r, wh_conn *c, const wh_page *pg, const wh_sqlb *b,
                                 wh_list_rows *out, wh_error *e);
WH_MUST_USE wh_err wh_resp_page(wh_req *r, const wh_page *pg, const wh_list_rows *lr);
/* wh_resp_list for a hot list whose rows render straight to JSON text: row_text appends row i's
 * item, the same bytes json_dumps(JSON_COMPACT) writes for its row_json (core/json.h wh_jw), so
 * the answer is byte for byte wh_resp_list's without building a JSON object per row. CSV as
 * wh_resp_list. */
typedef wh_err (*wh_row_text_fn)(const wh_rows *rows, size_t i, wh_buf *out);
WH_MUST_USE wh_err wh_resp_list_text(wh_req *r, wh_conn *c, const wh_page *pg, const wh_sqlb *b,
                                     wh_row_text_fn row_text, wh_error *e);
/* wh_resp_list for a list whose items hold more than their row: extra completes each rendered
 * item by further reads on c (an incentive plan's rules); its failure fails the list. */
typedef wh_err (*wh_item_fn)(wh_req *r, wh_conn *c, json_t *item, wh_error *e);
WH_MUST_USE wh_err wh_resp_list_with(wh_req *r, wh_conn *c, const wh_page *pg, const wh_sqlb *b,
                                     wh_item_fn extra, wh_error *e);
/* wh_resp_list for a list whose items are completed a page at a time by one more statement on c
 * (a venture's people and their offices): fn gets the keyset the page was read from, the number
 * of rows shown and their rendered items. For CSV it runs once per chunk, with the chunk's
 * keyset; it reads what it needs of the request again (path parameters, the caller). */
typedef wh_err (*wh_page_fn)(wh_req *r, wh_conn *c, const wh_keyset *ks, size_t shown,
                             json_t *items, wh_error *e);
WH_MUST_USE wh_err wh_resp_list_paged(wh_req *r, wh_conn *c, const wh_page *pg, const wh_sqlb *b,
                                      wh_page_fn fn, wh_error *e);

/* The record a path names, opened: path parameter 0 as an id (404 when it is not one) and the
 * request's database connection, in a transaction when write (wh_req_begin). */
WH_MUST_USE wh_err wh_req_open(wh_req *r, bool write, wh_conn **c, int64_t *id, wh_error *e);

/* GET of a list whose one filter is ?venture_id= (400 malformed, 403 outside the caller's
 * scope; absent: every venture in scope): the page of the statement sql builds. */
typedef void (*wh_venture_list_fn)(const wh_principal *p, int64_t venture_id, const wh_keyset *ks,
                                   wh_sqlb *b);
WH_MUST_USE wh_err wh_resp_venture_list(wh_req *r, const wh_list *l, wh_venture_list_fn sql,
                                        wh_error *e);

/* Writes. wh_req_begin opens the request's database connection and a transaction on it;
 * wh_req_commit commits it and answers status with body (taken: released if the commit fails).
 * A handler that fails in between just returns its error: the request's end rolls back. */
WH_MUST_USE wh_err wh_req_begin(wh_req *r, wh_conn **c, wh_error *e);
WH_MUST_USE wh_err wh_req_commit(wh_req *r, wh_conn *c, int status, json_t *body, wh_error *e);

/* Cursors: (sort key, id) keyset positions, signed and opaque. A cursor names the list it came
 * from, so it cannot be replayed on another list. */
/* Cursor signing, exposed for unit tests. encode needs cap >= WH_LIMIT_CURSOR_CHARS + 1. */
void wh_cursor_encode(const unsigned char key[32], const char *list, const char *sort_key,
                      int64_t id, char *out, size_t cap);
bool wh_cursor_decode(const unsigned char key[32], const char *list, const char *cursor,
                      wh_arena *a, const char **sort_key, int64_t *id);

/* The operational routes (/healthz, /readyz, static UI, OpenAPI document). */
const wh_route *wh_http_ops_routes(size_t *n);

/* Metrics (metrics.c, docs/metrics.md): the registry behind GET /metrics, owned by wh_app.
 * Recording is thread-safe and lock-free: a fixed table of (route, method) series allocated once,
 * claimed by compare-and-swap, counted with relaxed atomics; nothing is allocated per request.
 * Rendering reads the same atomics, so a scrape may see a request that is half recorded. */
typedef struct wh_metrics wh_metrics;

wh_metrics *wh_metrics_new(int64_t started_ms);
void wh_metrics_free(wh_metrics *m);
/* One finished request: route NULL counts under route="unmatched"; the method is folded to one
 * of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS or "other"; status is the exact code. */
void wh_metrics_record_request(wh_metrics *m, const wh_route *route, const char *method, int status,
                               int64_t duration_us);
/* One request refused by the rate limiter of class c (WH_RATE_NONE is ignored). */
void wh_metrics_count_rejection(wh_metrics *m, wh_rate_class c);
/* A connection refused at once at WH_MAX_CONNECTIONS. */
void wh_metrics_refused_connection(wh_metrics *m);

/* Prometheus text exposition (format 0.0.4) into a growable buffer; the first failure (the
 * WH_LIMIT_METRICS_BYTES cap) sticks in rc and later writes do nothing. */
typedef struct {
    wh_buf buf;
    wh_err rc;
} wh_metrics_text;

void wh_metrics_text_init(wh_metrics_text *t);
void wh_metrics_text_cleanup(wh_metrics_text *t);
/* "# HELP name help" and "# TYPE name type" (type: counter, gauge, histogram). */
void wh_metrics_text_family(wh_metrics_text *t, const char *name, const char *type,
                            const char *help);
/* One sample: labels is NULL or a NULL-terminated list of name, value pairs; values are escaped
 * (backslash, double quote, newline). */
void wh_metrics_text_int(wh_metrics_text *t, const char *name, const char *const *labels,
                         int64_t value);
void wh_metrics_text_num(wh_metrics_text *t, const char *name, const char *const *labels,
                         double value);
/* The registry's own families: requests, latency histogram, rate-limit rejections, build and
 * process facts (uptime measured to now_ms). */
void wh_metrics_render(wh_metrics *m, int64_t now_ms, wh_metrics_text *t);

/* Server lifecycle: start serving app on its configured address; stop finishes in-flight
 * requests and closes the listener. */
typedef struct wh_server wh_server;
WH_MUST_USE wh_err wh_server_start(wh_app *app, wh_server **out, wh_error *e);
void wh_server_stop(wh_server *s);

#endif
