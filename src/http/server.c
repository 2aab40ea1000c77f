/* libmicrohttpd glue: the poll-based internal thread pool (the epoll pool stalled under load
 * with blocking handlers, MACHINE-NOTES.md), body accumulation with the 1 MiB limit and the
 * 8 MiB drain (an upload route, WH_ROUTE_UPLOAD: WH_IMPORT_MAX_BYTES and twice that), and the
 * request pipeline: request id -> route -> auth -> permission -> handler
 * -> problem rendering -> gzip -> access log and metrics. */
#define _GNU_SOURCE
#include "http/http.h"
#include "app.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/log.h"
#include "http/http_int.h"

#include <arpa/inet.h>
#include <stdatomic.h>
#include <sys/resource.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct wh_server {
    struct MHD_Daemon *daemon;
    struct MHD_Daemon *ops; /* WH_OPS_LISTEN, or NULL */
    _Atomic int open;       /* client connections open on daemon */
    int max;                /* WH_MAX_CONNECTIONS, lowered to what the open-file limit allows */
    wh_app *app;
};

typedef struct {
    wh_buf body;
    size_t limit;     /* the route's body limit: WH_LIMIT_BODY_BYTES, or WH_IMPORT_MAX_BYTES */
    size_t drain;     /* bytes of a larger body read (and dropped) before the 413 */
    size_t seen;      /* body bytes received, kept or not */
    bool too_large;   /* more than WH_LIMIT_BODY_BYTES arrived */
    int64_t start_us; /* monotonic, when the request's headers arrived */
} conn_ctx;

/* Headers of every answer (docs/architecture.md, "Response headers"): no MIME sniffing, no
 * Referer sent from our pages, and, unless the route set its own (the UI does), a policy that
 * lets a JSON answer load nothing and be framed by no one. */
static void security_headers(struct MHD_Response *resp, const wh_req *r)
{
    bool csp = false;
    for (const wh_resp_header *h = r->headers; h; h = h->next)
        csp = csp || strcasecmp(h->name, "Content-Security-Policy") == 0;
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    if (!csp)
        MHD_add_response_header(resp, "Content-Security-Policy",
                                "default-src 'none'; frame-ancestors 'none'");
}

static void add_headers(struct MHD_Response *resp, const wh_req *r)
{
    if (r->content_type)
        MHD_add_response_header(resp, "Content-Type", r->content_type);
    MHD_add_response_header(resp, "X-Request-Id", r->id);
    for (wh_resp_header *h = r->headers; h; h = h->next)
        MHD_add_response_header(resp, h->name, h->value);
    security_headers(resp, r);
    if (r->close)
        MHD_add_response_header(resp, "Connection", "close");
}

static enum MHD_Result queue(struct MHD_Connection *conn, wh_req *r)
{
    char *copy = wh_malloc(r->resp_len ? r->resp_len : 1);
    if (r->resp_len)
        memcpy(copy, r->resp_body, r->resp_len);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(r->resp_len, copy, MHD_RESPMEM_MUST_FREE);
    add_headers(resp, r);
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* One line per request. The path is the client's (unescaped by libmicrohttpd, so any bytes):
 * escaped as %XX where it is not UTF-8, so the line is valid JSON and the bytes can be read. */
static void access_log(const wh_req *r, int64_t duration_ms)
{
    wh_log_access(r->status >= 500 ? WH_LOG_ERROR : WH_LOG_INFO,
                  &(wh_log_access_line){.method = r->method,
                                        .path = r->path,
                                        .route = r->route ? r->route->pattern : "-",
                                        .request_id = r->id,
                                        .status = r->status,
                                        .duration_ms = duration_ms,
                                        .has_user = r->authed,
                                        .user_id = r->user.id});
}

static void record(wh_req *r, conn_ctx *cx)
{
    int64_t duration_us = wh_clock_mono_us() - cx->start_us;
    access_log(r, duration_us / 1000);
    wh_metrics_record_request(r->app->metrics, r->route, r->method, r->status, duration_us);
}

/* A CSV export (http/export.c): the request moves into the streamed answer, which frees it
 * when libmicrohttpd lets it go; its connection goes back to the pool now (each later chunk
 * takes one for its statement). Logged when the first byte is ready. */
static enum MHD_Result finish_export(struct MHD_Connection *conn, wh_req *r, conn_ctx *cx)
{
    struct MHD_Response *resp = wh_export_response(r);
    add_headers(resp, r);
    record(r, cx);
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result finish(struct MHD_Connection *conn, wh_req *r, conn_ctx *cx)
{
    wh_req_release_db(r);
    if (r->export)
        return finish_export(conn, r, cx);
    wh_http_compress(r);
    enum MHD_Result ret = queue(conn, r);
    record(r, cx);
    wh_arena_cleanup(&r->arena);
    return ret;
}

static void req_init(wh_req *r, wh_app *app, struct MHD_Connection *conn, const char *method,
                     const char *url)
{
    memset(r, 0, sizeof *r);
    r->app = app;
    wh_arena_init(&r->arena);
    wh_crypto_random_id(r->id, sizeof r->id);
    r->now_ms = wh_clock_now_ms();
    r->conn = conn;
    r->method = method;
    r->path = url;
}

static size_t content_length(struct MHD_Connection *conn)
{
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    if (!cl)
        return 0;
    char *end = NULL;
    unsigned long long v = strtoull(cl, &end, 10);
    return end && *end == '\0' ? (size_t)v : 0;
}

/* Answers e before the body is read, and closes the connection (the body, if any, is not). */
static enum MHD_Result refuse(struct MHD_Connection *conn, wh_app *app, const char *method,
                              const char *url, conn_ctx *cx, const wh_error *e)
{
    wh_req r;
    req_init(&r, app, conn, method, url);
    wh_resp_problem(&r, e);
    r.close = true;
    return finish(conn, &r, cx);
}

static enum MHD_Result too_large(struct MHD_Connection *conn, wh_app *app, const char *method,
                                 const char *url, conn_ctx *cx)
{
    wh_error e;
    wh_error_init(&e);
    wh_fail(&e, WH_ERR_TOO_LARGE, "The request body is larger than %zu bytes.", cx->limit);
    return refuse(conn, app, method, url, cx, &e);
}

/* RFC 9112 §3.2: an HTTP/1.1 request without Host is answered 400 (HTTP/1.0 needs none). */
static bool host_missing(struct MHD_Connection *conn, const char *version)
{
    return strcmp(version, MHD_HTTP_VERSION_1_1) == 0 &&
           !MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
}

static enum MHD_Result no_host(struct MHD_Connection *conn, wh_app *app, const char *method,
                               const char *url, conn_ctx *cx)
{
    wh_error e;
    wh_error_init(&e);
    (void)wh_error_field(&e, "Host", "is required in an HTTP/1.1 request");
    return refuse(conn, app, method, url, cx, &e);
}

/* The body limits of the request's route, known before its body arrives: an upload route
 * (WH_ROUTE_UPLOAD, the CSV import) takes WH_IMPORT_MAX_BYTES and drains up to twice that (at
 * least the usual 8 MiB); every other request 1 MiB and 8 MiB (API.md). The body is kept once,
 * in this buffer; the handler reads it in place (r->body), never a copy. */
static void body_limits(wh_app *app, const char *method, const char *url, conn_ctx *cx)
{
    cx->limit = WH_LIMIT_BODY_BYTES;
    cx->drain = WH_LIMIT_BODY_DRAIN_BYTES;
    if (strcmp(method, "POST") != 0 ||
        !(wh_router_flags(app->router, method, url) & WH_ROUTE_UPLOAD))
        return;
    cx->limit = (size_t)app->config.import_max_bytes;
    if (2 * cx->limit > cx->drain)
        cx->drain = 2 * cx->limit;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    wh_app *app = cls;
    conn_ctx *cx = *con_cls;
    if (!cx) {
        cx = wh_calloc(1, sizeof *cx);
        body_limits(app, method, url, cx);
        wh_buf_init(&cx->body, cx->limit);
        cx->start_us = wh_clock_mono_us();
        *con_cls = cx;
        if (host_missing(conn, version))
            return no_host(conn, app, method, url, cx);
        if (content_length(conn) > cx->drain)
            return too_large(conn, app, method, url, cx);
        return MHD_YES;
    }
    if (*upload_size) {
        cx->seen += *upload_size;
        if (cx->seen > cx->drain)
            return MHD_NO; /* past the drain limit: drop the connection */
        if (!cx->too_large && wh_buf_append(&cx->body, upload_data, *upload_size) != WH_OK)
            cx->too_large = true;
        *upload_size = 0;
        return MHD_YES;
    }
    if (cx->too_large)
        return too_large(conn, app, method, url, cx);
    wh_req r;
    req_init(&r, app, conn, method, url);
    r.body = cx->body.data;
    r.body_len = cx->body.len;
    wh_http_dispatch(&r);
    return finish(conn, &r, cx);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    conn_ctx *cx = *con_cls;
    (void)cls;
    (void)conn;
    (void)toe;
    if (!cx)
        return;
    wh_buf_cleanup(&cx->body);
    wh_free(cx);
    *con_cls = NULL;
}

/* Refuses a connection at once (closed before anything is read) when WH_MAX_CONNECTIONS are
 * open, so it never waits in the accept queue; libmicrohttpd's own limit is set higher, so it
 * keeps accepting and asking. */
static enum MHD_Result accept_policy(void *cls, const struct sockaddr *addr, socklen_t len)
{
    wh_server *s = cls;
    (void)addr;
    (void)len;
    if (atomic_load(&s->open) < s->max)
        return MHD_YES;
    wh_metrics_refused_connection(s->app->metrics);
    return MHD_NO;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_ctx,
                          enum MHD_ConnectionNotificationCode code)
{
    wh_server *s = cls;
    (void)conn;
    (void)socket_ctx;
    if (code == MHD_CONNECTION_NOTIFY_STARTED)
        atomic_fetch_add(&s->open, 1);
    else if (code == MHD_CONNECTION_NOTIFY_CLOSED)
        atomic_fetch_sub(&s->open, 1);
}

/* Raises the open-file limit to fit the connections (up to the hard limit) and returns how
 * many connections fit; says so when it is fewer than asked. */
static int fit_connections(int want)
{
    struct rlimit rl;
    rlim_t need = (rlim_t)want + WH_LIMIT_FD_RESERVE;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return want;
    if (rl.rlim_cur < need) {
        rlim_t before = rl.rlim_cur;
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need ? need : rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            rl.rlim_cur = before;
    }
    if (rl.rlim_cur >= need)
        return want;
    int fit =
        rl.rlim_cur > WH_LIMIT_FD_RESERVE + 16 ? (int)(rl.rlim_cur - WH_LIMIT_FD_RESERVE) : 16;
    wh_log(WH_LOG_WARN,
           "the open-file limit (%llu) fits %d connections, not WH_MAX_CONNECTIONS=%d; raise the"
           " hard limit (ulimit -Hn) to serve more",
           (unsigned long long)rl.rlim_cur, fit, want);
    return fit;
}

static wh_err address(const char *host, int port, const char *var, struct sockaddr_in *addr,
                      wh_error *e)
{
    memset(addr, 0, sizeof *addr);
    addr->sin_family = AF_INET;
    addr->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &addr->sin_addr) != 1)
        return wh_error_field(e, var, "host must be an IPv4 address");
    return WH_OK;
}

/* The operations listener answers /healthz, /readyz and /metrics only, on its own thread and
 * connections, so a load balancer's probes are answered while the main listener is full. */
static enum MHD_Result on_ops_request(void *cls, struct MHD_Connection *conn, const char *url,
                                      const char *method, const char *version,
                                      const char *upload_data, size_t *upload_size, void **con_cls)
{
    if (strcmp(url, "/healthz") != 0 && strcmp(url, "/readyz") != 0 &&
        strcmp(url, "/metrics") != 0) {
        static const char body[] = "{\"status\":404,\"code\":\"not_found\",\"title\":\"Not"
                                   " Found\",\"detail\":\"The operations listener serves"
                                   " /healthz, /readyz and /metrics only.\"}";
        struct MHD_Response *resp =
            MHD_create_response_from_buffer(sizeof body - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header(resp, "Content-Type", "application/problem+json");
        enum MHD_Result rc = MHD_queue_response(conn, 404, resp);
        MHD_destroy_response(resp);
        return rc;
    }
    return on_request(cls, conn, url, method, version, upload_data, upload_size, con_cls);
}

static wh_err start_ops(wh_app *app, wh_server *s, wh_error *e)
{
    struct sockaddr_in addr;
    wh_err rc = address(app->config.ops_host, app->config.ops_port, "WH_OPS_LISTEN", &addr, e);
    if (rc != WH_OK)
        return rc;
    s->ops = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC,
                              (uint16_t)app->config.ops_port, NULL, NULL, on_ops_request, app,
                              MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                              MHD_OPTION_CONNECTION_LIMIT, (unsigned)WH_LIMIT_OPS_CONNECTIONS,
                              MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)WH_LIMIT_CONN_TIMEOUT_S,
                              MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END);
    if (!s->ops)
        return wh_fail(e, WH_ERR_INTERNAL, "Cannot listen on %s:%d (WH_OPS_LISTEN)",
                       app->config.ops_host, app->config.ops_port);
    return WH_OK;
}

wh_err wh_server_start(wh_app *app, wh_server **out, wh_error *e)
{
    struct sockaddr_in addr;
    wh_err rc = address(app->config.listen_host, app->config.listen_port, "WH_LISTEN", &addr, e);
    if (rc != WH_OK)
        return rc;
    wh_server *s = wh_calloc(1, sizeof *s);
    s->app = app;
    s->max = fit_connections(app->config.max_connections);
    /* libmicrohttpd splits its limit between the pool's threads: twice ours leaves every
     * thread room to accept and let accept_policy refuse */
    s->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC,
        (uint16_t)app->config.listen_port, accept_policy, s, on_request, app, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)app->config.threads,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)s->max * 2, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)WH_LIMIT_CONN_MEMORY, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)WH_LIMIT_CONN_TIMEOUT_S, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, s, MHD_OPTION_END);
    if (!s->daemon) {
        wh_free(s);
        return wh_fail(e, WH_ERR_INTERNAL, "Cannot listen on %s:%d", app->config.listen_host,
                       app->config.listen_port);
    }
    if (app->config.ops_host && (rc = start_ops(app, s, e)) != WH_OK) {
        MHD_stop_daemon(s->daemon);
        wh_free(s);
        return rc;
    }
    *out = s;
    return WH_OK;
}

void wh_server_stop(wh_server *s)
{
    if (!s)
        return;
    /* stop accepting, then give in-flight requests up to 10 s to finish */
    MHD_quiesce_daemon(s->daemon);
    for (int i = 0; i < 1000; i++) {
        const union MHD_DaemonInfo *info =
            MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
        if (!info || info->num_connections == 0)
            break;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(s->daemon);
    if (s->ops)
        MHD_stop_daemon(s->ops);
    wh_free(s);
}
