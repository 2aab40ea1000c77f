/*
 * Black-box API test harness (see harness.h): database per test program, server processes,
 * HTTP over libcurl, and helpers that keep tests short.
 *
 * Invariants: every server this program starts is listed in G.servers until it has been reaped;
 * everything handed to a test is listed in G.owned until wht_test_teardown() or exit.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "harness.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <libpq-fe.h>
#include <sqlite3.h>

extern char **environ;

#define SERVER_MAX        8
#define HEALTH_TIMEOUT_MS 20000
#define STOP_TIMEOUT_MS   10000
#define CLI_TIMEOUT_MS    120000
#define HTTP_TIMEOUT_MS   60000
#define BODY_MAX          (64u * 1024u * 1024u)
#define SHOW_MAX          2000
#define START_ATTEMPTS    3
#define FAKE_START_MS     20000

struct wht_server {
    pid_t pid;
    int port;
    bool fake; /* wh-fake: its answers are not the API's, so they are not recorded */
    char base[64];
    char log[PATH_MAX];
};

typedef struct owned {
    void *ptr;
    void (*release)(void *);
} owned;

typedef struct strv {
    char **v;
    size_t n;
    size_t cap;
} strv;

static struct {
    bool prepared;
    bool ready;
    bool finished;
    bool postgres;
    bool ran_cli;
    int bad_exits;
    unsigned long counter;
    int nservers_started;
    int nfakes_started;
    char binary[PATH_MAX];
    char dir[512];
    char db_url[1024];
    char pg_admin[1024];
    char pg_db[64];
    char admin_email[128];
    char admin_password[64];
    char admin_token[512];
    char context[256];
    long long admin_id;
    strv extra_env; /* wht_init_env's lines, in every `wheelhouse` process's environment */
    wht_server *servers[SERVER_MAX];
    wht_server *main;
    owned *owned;
    size_t nowned;
    size_t capowned;
    bool utc; /* the servers run with WH_TIMEZONE=UTC (wht_utc_day needs it) */
} G;

/* ------------------------------------------------------------------ basics */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("wheelhouse api harness: FATAL: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        die("out of memory");
    return p;
}

static void *xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (!q)
        die("out of memory");
    return q;
}

static char *xstrdup(const char *s)
{
    size_t len = strlen(s);
    char *p = xcalloc(len + 1, 1);
    memcpy(p, s, len);
    return p;
}

static char *vformat(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

static char *vformat(const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int len = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (len < 0)
        die("bad format %s", fmt);
    char *p = xcalloc((size_t)len + 1, 1);
    vsnprintf(p, (size_t)len + 1, fmt, ap);
    return p;
}

static char *format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *format(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = vformat(fmt, ap);
    va_end(ap);
    return p;
}

static void copy_str(char *dst, size_t cap, const char *src)
{
    size_t len = strlen(src);
    if (len >= cap)
        WHT_FAIL("value too long for the harness (%zu >= %zu): %.80s", len, cap, src);
    memcpy(dst, src, len + 1);
}

static void *keep(void *ptr, void (*release)(void *))
{
    if (G.nowned == G.capowned) {
        G.capowned = G.capowned ? 2 * G.capowned : 256;
        G.owned = xrealloc(G.owned, G.capowned * sizeof *G.owned);
    }
    G.owned[G.nowned++] = (owned){ptr, release};
    return ptr;
}

static void release_json(void *p)
{
    json_decref(p);
}

static void release_all(void)
{
    while (G.nowned > 0) {
        owned o = G.owned[--G.nowned];
        o.release(o.ptr);
    }
}

int wht_test_teardown(void **state)
{
    (void)state;
    G.context[0] = '\0';
    release_all();
    return 0;
}

long long wht_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *wht_utc_day(int days)
{
    /* a UTC day is the server's business day only when the server runs in UTC: between
     * midnight UTC and midnight in New York the two differ by one */
    if (!G.utc)
        WHT_FAIL(
            "wht_utc_day needs the test's servers in UTC: pass WH_TIMEZONE=UTC to wht_init_env");
    time_t t = time(NULL) + (time_t)days * 86400;
    struct tm tm;
    char buf[16];
    gmtime_r(&t, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return wht_fmt("%s", buf);
}

const char *wht_instant_in(long seconds)
{
    time_t t = time(NULL) + (time_t)seconds;
    struct tm tm;
    char buf[32];
    gmtime_r(&t, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return wht_fmt("%s", buf);
}

void wht_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        continue;
}

void wht_context(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(G.context, sizeof G.context, fmt, ap);
    va_end(ap);
}

static void show_context(void)
{
    if (G.context[0])
        print_error("while checking: %s\n", G.context);
}

void wht_fail_at(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = vformat(fmt, ap);
    va_end(ap);
    print_error("%s\n", msg);
    free(msg);
    show_context();
    _fail(file, line);
}

/* --------------------------------------------------------------- env, spawn */

static void strv_set(strv *e, const char *kv)
{
    const char *eq = strchr(kv, '=');
    size_t name_len = eq ? (size_t)(eq - kv) + 1 : strlen(kv);
    for (size_t i = 0; i < e->n; i++) {
        if (strncmp(e->v[i], kv, name_len) == 0) {
            free(e->v[i]);
            e->v[i] = xstrdup(kv);
            return;
        }
    }
    if (e->n + 2 > e->cap) {
        e->cap = e->cap ? 2 * e->cap : 64;
        e->v = xrealloc(e->v, e->cap * sizeof *e->v);
    }
    e->v[e->n++] = xstrdup(kv);
    e->v[e->n] = NULL;
}

static void strv_free(strv *e)
{
    for (size_t i = 0; i < e->n; i++)
        free(e->v[i]);
    free(e->v);
    *e = (strv){0};
}

/* The server's environment: ours without any WH_* variable, plus the test configuration, the
 * lines given to wht_init_env and then extra. */
static void server_env(strv *e, const char *const *extra)
{
    for (char **p = environ; *p; p++) {
        if (strncmp(*p, "WH_", 3) != 0)
            strv_set(e, *p);
    }
    char *db = format("WH_DATABASE_URL=%s", G.db_url);
    strv_set(e, db);
    free(db);
    /* WH_TEST_REPLICA_ALL=1 (by hand, docs/testing.md): every server also reads from the test
     * replica, so any API test runs its GETs through the replica routing */
    const char *replica = getenv("WH_TEST_PG_REPLICA_URL");
    const char *slash = replica ? strrchr(replica, '/') : NULL;
    if (G.postgres && slash && getenv("WH_TEST_REPLICA_ALL")) {
        char *r =
            format("WH_DATABASE_REPLICA_URLS=%.*s/%s", (int)(slash - replica), replica, G.pg_db);
        strv_set(e, r);
        free(r);
    }
    static const char *const base[] = {
        "WH_JOBS=off",
        "WH_LOG_LEVEL=info",
        "WH_THREADS=8",
        "WH_RATE_AUTH_IP_PER_MIN=1000000",
        "WH_RATE_AUTH_EMAIL_PER_HOUR=1000000",
        "WH_RATE_READ_PER_MIN=1000000",
        "WH_RATE_WRITE_PER_MIN=1000000",
        NULL,
    };
    for (size_t i = 0; base[i]; i++)
        strv_set(e, base[i]);
    for (size_t i = 0; i < G.extra_env.n; i++)
        strv_set(e, G.extra_env.v[i]);
    for (size_t i = 0; extra && extra[i]; i++)
        strv_set(e, extra[i]);
}

static void set_cloexec(int fd)
{
    if (fcntl(fd, F_SETFD, FD_CLOEXEC) != 0)
        die("fcntl: %s", strerror(errno));
}

/* Runs argv[0] with stdin in_fd (-1: /dev/null), stdout out_fd (-1: the log) and stderr the log. */
static pid_t spawn(char *const argv[], char *const envp[], int in_fd, int out_fd, const char *log)
{
    int out = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (out < 0)
        die("cannot open %s: %s", log, strerror(errno));
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0)
        die("fork: %s", strerror(errno));
    if (pid == 0) {
        /* The child must not outlive a killed test program. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(127);
        int in = in_fd >= 0 ? in_fd : open("/dev/null", O_RDONLY);
        if (in < 0 || dup2(in, 0) < 0 || dup2(out_fd >= 0 ? out_fd : out, 1) < 0 ||
            dup2(out, 2) < 0)
            _exit(127);
        execve(argv[0], argv, envp);
        _exit(127);
    }
    close(out);
    return pid;
}

/* Waits up to ms for pid; true when it was reaped (status filled). */
static bool wait_for(pid_t pid, long ms, int *status)
{
    long long deadline = mono_ms() + ms;
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid)
            return true;
        if (r < 0 && errno != EINTR) {
            *status = 0;
            return true;
        }
        if (mono_ms() >= deadline)
            return false;
        wht_sleep_ms(20);
    }
}

static void print_log_tail(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char buf[4096];
    if (fseek(f, -(long)(sizeof buf - 1), SEEK_END) != 0)
        rewind(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    fprintf(stderr, "---- end of %s ----\n%s\n---- (end) ----\n", path, buf);
}

static void describe_status(int status, char *out, size_t cap)
{
    if (WIFEXITED(status))
        snprintf(out, cap, "exit status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(out, cap, "signal %d", WTERMSIG(status));
    else
        snprintf(out, cap, "status 0x%x", (unsigned)status);
}

/* Runs `wheelhouse <args>` to completion, feeding stdin_line (if any); dies unless it exits 0. */
static void run_cli(const char *const *args, const char *stdin_line)
{
    char *argv[16] = {G.binary};
    size_t argc = 1;
    for (size_t i = 0; args[i] && argc < 15; i++)
        argv[argc++] = (char *)args[i];
    strv env = {0};
    server_env(&env, NULL);
    char *log = format("%s/cli.log", G.dir);
    G.ran_cli = true;
    int fds[2] = {-1, -1};
    if (stdin_line && pipe(fds) != 0)
        die("pipe: %s", strerror(errno));
    if (stdin_line) {
        set_cloexec(fds[0]);
        set_cloexec(fds[1]);
    }
    pid_t pid = spawn(argv, env.v, fds[0], -1, log);
    strv_free(&env);
    if (stdin_line) {
        close(fds[0]);
        size_t len = strlen(stdin_line);
        if (write(fds[1], stdin_line, len) != (ssize_t)len || write(fds[1], "\n", 1) != 1)
            fprintf(stderr, "harness: writing to `wheelhouse %s` stdin failed\n", args[0]);
        close(fds[1]);
    }
    int status = 0;
    if (!wait_for(pid, CLI_TIMEOUT_MS, &status)) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        print_log_tail(log);
        die("`wheelhouse %s` did not finish in %d ms", args[0], CLI_TIMEOUT_MS);
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char how[64];
        describe_status(status, how, sizeof how);
        print_log_tail(log);
        die("`wheelhouse %s %s` failed: %s", args[0], args[1] ? args[1] : "", how);
    }
    free(log);
}

/* ------------------------------------------------------------------- HTTP */

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
    wht_resp *r = ud;
    size_t len = size * n;
    if (r->body_len + len > BODY_MAX)
        return 0;
    r->body = xrealloc(r->body, r->body_len + len + 1);
    memcpy(r->body + r->body_len, data, len);
    r->body_len += len;
    r->body[r->body_len] = '\0';
    return len;
}

static void clear_headers(wht_resp *r)
{
    for (size_t i = 0; i < r->nheaders; i++) {
        free(r->names[i]);
        free(r->values[i]);
    }
    r->nheaders = 0;
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
    wht_resp *r = ud;
    size_t len = size * n;
    if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
        clear_headers(r); /* a new response (after 100 Continue) starts */
        return len;
    }
    const char *colon = memchr(data, ':', len);
    if (!colon)
        return len;
    size_t name_len = (size_t)(colon - data);
    const char *v = colon + 1;
    const char *end = data + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    r->names = xrealloc(r->names, (r->nheaders + 1) * sizeof *r->names);
    r->values = xrealloc(r->values, (r->nheaders + 1) * sizeof *r->values);
    r->names[r->nheaders] = xcalloc(name_len + 1, 1);
    memcpy(r->names[r->nheaders], data, name_len);
    r->values[r->nheaders] = xcalloc((size_t)(end - v) + 1, 1);
    memcpy(r->values[r->nheaders], v, (size_t)(end - v));
    r->nheaders++;
    return len;
}

static void resp_free(void *p)
{
    wht_resp *r = p;
    clear_headers(r);
    free(r->names);
    free(r->values);
    free(r->body);
    free(r->error);
    free(r->target);
    json_decref(r->json);
    free(r);
}

static bool has_body_method(const char *m)
{
    return strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 || strcmp(m, "PATCH") == 0;
}

static struct curl_slist *add_header(struct curl_slist *list, const char *line)
{
    struct curl_slist *next = curl_slist_append(list, line);
    if (!next)
        die("curl_slist_append failed");
    return next;
}

static struct curl_slist *request_headers(CURL *c, const wht_request *req)
{
    struct curl_slist *h = add_header(NULL, "Expect:"); /* send bodies at once */
    char *line = NULL;
    if (req->token) {
        line = format("Authorization: Bearer %s", req->token);
        h = add_header(h, line);
        free(line);
    }
    if (req->cookie) {
        line = format("Cookie: %s", req->cookie);
        h = add_header(h, line);
        free(line);
    }
    if (req->body || has_body_method(req->method)) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? req->body : "");
        const char *ct = req->content_type ? req->content_type : "application/json";
        if (!req->body || ct[0] == '\0')
            h = add_header(h, "Content-Type:");
        else {
            line = format("Content-Type: %s", ct);
            h = add_header(h, line);
            free(line);
        }
    } else {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    }
    for (size_t i = 0; req->headers && req->headers[i]; i++)
        h = add_header(h, req->headers[i]);
    return h;
}

/* One exchange being made: the easy handle and what it needs until it ends. */
typedef struct exchange {
    const wht_server *srv;
    const char *method, *path;
    CURL *c;
    struct curl_slist *h;
    char *url;
    char errbuf[CURL_ERROR_SIZE];
    wht_resp *r;
} exchange;

/* Prepares req for sending; the response is filled by exchange_end. */
static void exchange_begin(exchange *x, const wht_request *req, long timeout_ms)
{
    const wht_server *srv = req->server ? req->server : G.main;
    if (!srv)
        die("a request to the main server after it was stopped");
    if (!srv)
        die("no server to send %s %s to", req->method, req->path);
    x->srv = srv;
    x->method = req->method;
    x->path = req->path;
    x->r = keep(xcalloc(1, sizeof *x->r), resp_free);
    x->r->target = format("%s %s", req->method, req->path);
    x->r->body = xcalloc(1, 1);
    x->c = curl_easy_init();
    if (!x->c)
        die("curl_easy_init failed");
    x->url = format("%s%s", srv->base, req->path);
    x->errbuf[0] = '\0';
    curl_easy_setopt(x->c, CURLOPT_URL, x->url);
    curl_easy_setopt(x->c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(x->c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(x->c, CURLOPT_ERRORBUFFER, x->errbuf);
    curl_easy_setopt(x->c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(x->c, CURLOPT_WRITEDATA, x->r);
    curl_easy_setopt(x->c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(x->c, CURLOPT_HEADERDATA, x->r);
    x->h = request_headers(x->c, req);
    curl_easy_setopt(x->c, CURLOPT_HTTPHEADER, x->h);
    curl_easy_setopt(x->c, CURLOPT_CUSTOMREQUEST, req->method);
    if (strcmp(req->method, "HEAD") == 0)
        curl_easy_setopt(x->c, CURLOPT_NOBODY, 1L);
}

/* WH_TEST_OPENAPI_LOG names a file to which every answer of a wheelhouse server (not of
 * wh-fake) is appended as one JSON line: method, path (with its query), status, the headers the
 * OpenAPI check reads and the body (text, or hex when it is not UTF-8, e.g. gzip).
 * scripts/openapi-check validates them against docs/openapi.json (docs/testing.md). */
static void record_exchange(const char *method, const char *path, const wht_resp *r)
{
    const char *file = getenv("WH_TEST_OPENAPI_LOG");
    if (!file || !file[0])
        return;
    json_t *line = json_pack("{s:s, s:s, s:i}", "method", method, "path", path, "status",
                             (json_int_t)r->status);
    const char *names[] = {"Content-Type", "Content-Encoding", "Allow"};
    for (size_t i = 0; line && i < sizeof names / sizeof names[0]; i++) {
        const char *v = wht_header(r, names[i]);
        if (v)
            json_object_set_new(line, names[i], json_string(v));
    }
    json_t *body = json_stringn(r->body, r->body_len);
    if (!body) {
        char *hex = xcalloc(r->body_len * 2 + 1, 1);
        for (size_t i = 0; i < r->body_len; i++)
            snprintf(hex + 2 * i, 3, "%02x", (unsigned char)r->body[i]);
        body = json_string(hex);
        free(hex);
        json_object_set_new(line, "body_hex", body);
    } else {
        json_object_set_new(line, "body", body);
    }
    char *text = line ? json_dumps(line, JSON_COMPACT) : NULL;
    json_decref(line);
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", file);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        (void)mkdir(dir, 0755); /* the check's setup empties it; EEXIST is fine */
    }
    FILE *f = text ? fopen(file, "a") : NULL;
    if (!f)
        die("cannot record an answer in WH_TEST_OPENAPI_LOG=%s", file);
    fprintf(f, "%s\n", text);
    fclose(f);
    free(text);
}

/* Records the outcome of the transfer (rc) in the response and frees the rest. */
static wht_resp *exchange_end(exchange *x, CURLcode rc)
{
    wht_resp *r = x->r;
    if (rc != CURLE_OK)
        r->error = format("%s (%s)", curl_easy_strerror(rc), x->errbuf);
    else
        curl_easy_getinfo(x->c, CURLINFO_RESPONSE_CODE, &r->status);
    if (r->status > 0 && !x->srv->fake)
        record_exchange(x->method, x->path, r);
    curl_slist_free_all(x->h);
    curl_easy_cleanup(x->c);
    free(x->url);
    if (r->body_len > 0)
        r->json = json_loadb(r->body, r->body_len, JSON_DECODE_ANY, NULL);
    return r;
}

static wht_resp *http(const wht_request *req, long timeout_ms)
{
    exchange x;
    exchange_begin(&x, req, timeout_ms);
    return exchange_end(&x, curl_easy_perform(x.c));
}

struct wht_flight {
    exchange x;
    CURLM *multi;
    CURLcode rc;
    bool done;
};

/* Lets f's transfer progress for up to ms (until it ends); true once it has ended. */
static bool flight_step(wht_flight *f, long ms)
{
    long long until = wht_now_ms() + ms;
    while (!f->done) {
        int running = 0, left = 0;
        curl_multi_perform(f->multi, &running);
        for (CURLMsg *m; (m = curl_multi_info_read(f->multi, &left)) != NULL;)
            if (m->msg == CURLMSG_DONE) {
                f->rc = m->data.result;
                f->done = true;
            }
        if (f->done || (ms >= 0 && wht_now_ms() >= until))
            break;
        curl_multi_poll(f->multi, NULL, 0, 10, NULL);
    }
    return f->done;
}

wht_flight *wht_flight_start(const wht_request *req)
{
    wht_flight *f = xcalloc(1, sizeof *f);
    exchange_begin(&f->x, req, HTTP_TIMEOUT_MS);
    f->multi = curl_multi_init();
    if (!f->multi)
        die("curl_multi_init failed");
    curl_multi_add_handle(f->multi, f->x.c);
    long long until = wht_now_ms() + 2000;
    for (;;) { /* until the request has left: headers and the whole body */
        curl_off_t sent = 0;
        long header = 0;
        if (flight_step(f, 10))
            break;
        curl_easy_getinfo(f->x.c, CURLINFO_REQUEST_SIZE, &header);
        curl_easy_getinfo(f->x.c, CURLINFO_SIZE_UPLOAD_T, &sent);
        if ((header > 0 && (size_t)sent >= req->body_len) || wht_now_ms() > until)
            break;
    }
    return f;
}

void wht_flight_pump(wht_flight *f, long ms)
{
    (void)flight_step(f, ms);
}

wht_resp *wht_flight_end(wht_flight *f)
{
    (void)flight_step(f, -1);
    curl_multi_remove_handle(f->multi, f->x.c);
    wht_resp *r = exchange_end(&f->x, f->rc);
    curl_multi_cleanup(f->multi);
    free(f);
    return r;
}

wht_resp *wht_do(const wht_request *req)
{
    return http(req, HTTP_TIMEOUT_MS);
}

static wht_resp *send_raw_on(const wht_server *server, const char *method, const char *token,
                             const char *path, const char *content_type, const char *body,
                             size_t len)
{
    char *full = keep(format("%s%s", WHT_API, path), free);
    wht_request req = {
        .method = method,
        .path = full,
        .token = token,
        .body = body,
        .body_len = len,
        .content_type = content_type,
        .server = server,
    };
    return wht_do(&req);
}

wht_resp *wht_send_raw(const char *method, const char *token, const char *path,
                       const char *content_type, const char *body, size_t len)
{
    return send_raw_on(NULL, method, token, path, content_type, body, len);
}

wht_resp *wht_send_on(const wht_server *server, const char *method, const char *token,
                      const char *path, json_t *body)
{
    char *text = NULL;
    if (body) {
        text = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
        json_decref(body);
        if (!text)
            WHT_FAIL("cannot encode the request body for %s %s", method, path);
    }
    wht_resp *r = send_raw_on(server, method, token, path, NULL, text, text ? strlen(text) : 0);
    free(text);
    return r;
}

wht_resp *wht_send(const char *method, const char *token, const char *path, json_t *body)
{
    return wht_send_on(NULL, method, token, path, body);
}

wht_resp *wht_get(const char *token, const char *path)
{
    return wht_send("GET", token, path, NULL);
}

wht_resp *wht_post(const char *token, const char *path, json_t *body)
{
    return wht_send("POST", token, path, body);
}

wht_resp *wht_patch(const char *token, const char *path, json_t *body)
{
    return wht_send("PATCH", token, path, body);
}

wht_resp *wht_put(const char *token, const char *path, json_t *body)
{
    return wht_send("PUT", token, path, body);
}

wht_resp *wht_delete(const char *token, const char *path)
{
    return wht_send("DELETE", token, path, NULL);
}

const char *wht_header_nth(const wht_resp *resp, const char *name, size_t nth)
{
    for (size_t i = 0; i < resp->nheaders; i++) {
        if (strcasecmp(resp->names[i], name) == 0 && nth-- == 0)
            return resp->values[i];
    }
    return NULL;
}

const char *wht_header(const wht_resp *resp, const char *name)
{
    return wht_header_nth(resp, name, 0);
}

/* ---------------------------------------------------------------- servers */

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        die("socket: %s", strerror(errno));
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0)
        die("cannot find a free port: %s", strerror(errno));
    close(fd);
    return ntohs(a.sin_port);
}

static void server_list_add(wht_server *s)
{
    for (size_t i = 0; i < SERVER_MAX; i++) {
        if (!G.servers[i]) {
            G.servers[i] = s;
            return;
        }
    }
    die("more than %d servers at once", SERVER_MAX);
}

static void server_list_remove(const wht_server *s)
{
    for (size_t i = 0; i < SERVER_MAX; i++) {
        if (G.servers[i] == s)
            G.servers[i] = NULL;
    }
}

static void note_bad_exit(const wht_server *s, const char *what, int status)
{
    char how[64];
    describe_status(status, how, sizeof how);
    fprintf(stderr, "harness: server pid %d (port %d) %s: %s; log %s\n", (int)s->pid, s->port, what,
            how, s->log);
    print_log_tail(s->log);
    G.bad_exits++;
}

/* Stops and reaps a server. An exit other than a clean answer to SIGTERM counts as a failure. */
static void server_stop(wht_server *s)
{
    int status = 0;
    if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
        note_bad_exit(s, "had exited before it was stopped", status);
    } else {
        kill(s->pid, SIGTERM);
        if (!wait_for(s->pid, STOP_TIMEOUT_MS, &status)) {
            kill(s->pid, SIGKILL);
            waitpid(s->pid, &status, 0);
            note_bad_exit(s, "ignored SIGTERM for 10 s and was killed", status);
        } else if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0) &&
                   !(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM)) {
            note_bad_exit(s, "stopped badly", status);
        }
    }
    server_list_remove(s);
    if (s == G.main)
        G.main = NULL;
    free(s);
}

static bool healthy(const wht_server *s)
{
    wht_request req = {.method = "GET", .path = "/healthz", .server = s};
    wht_resp *r = http(&req, 1000);
    return r->status == 200;
}

/* Reports a server that exited while starting, and forgets it. */
static wht_server *start_failed(wht_server *s, int status)
{
    char how[64];
    describe_status(status, how, sizeof how);
    fprintf(stderr, "harness: `wheelhouse serve` on port %d exited at start: %s\n", s->port, how);
    print_log_tail(s->log);
    server_list_remove(s);
    free(s);
    return NULL;
}

static pid_t spawn_server(wht_server *s, const char *const *extra)
{
    s->port = free_port();
    snprintf(s->base, sizeof s->base, "http://127.0.0.1:%d", s->port);
    snprintf(s->log, sizeof s->log, "%s/server-%d.log", G.dir, ++G.nservers_started);
    strv env = {0};
    server_env(&env, NULL);
    char *listen = format("WH_LISTEN=127.0.0.1:%d", s->port);
    strv_set(&env, listen);
    free(listen);
    for (size_t i = 0; extra && extra[i]; i++)
        strv_set(&env, extra[i]);
    char *argv[] = {G.binary, (char *)"serve", NULL};
    pid_t pid = spawn(argv, env.v, -1, -1, s->log);
    strv_free(&env);
    return pid;
}

/* Starts one server and waits for /healthz. A server that lost the race for its port exits at
 * once while another process may answer /healthz, so it must still run a moment after. */
static wht_server *server_try(const char *const *extra)
{
    wht_server *s = xcalloc(1, sizeof *s);
    s->pid = spawn_server(s, extra);
    server_list_add(s);
    long long deadline = mono_ms() + HEALTH_TIMEOUT_MS;
    while (mono_ms() < deadline) {
        int status = 0;
        if (waitpid(s->pid, &status, WNOHANG) == s->pid)
            return start_failed(s, status);
        if (healthy(s)) {
            wht_sleep_ms(100);
            if (waitpid(s->pid, &status, WNOHANG) == s->pid)
                return start_failed(s, status);
            return s;
        }
        wht_sleep_ms(50);
    }
    fprintf(stderr, "harness: /healthz on port %d not 200 within %d ms\n", s->port,
            HEALTH_TIMEOUT_MS);
    server_stop(s);
    return NULL;
}

static wht_server *server_start(const char *const *extra)
{
    for (int i = 0; i < START_ATTEMPTS; i++) {
        wht_server *s = server_try(extra);
        if (s)
            return s;
    }
    return NULL;
}

wht_server *wht_server_start(const char *const *env)
{
    wht_server *s = server_start(env);
    if (!s)
        WHT_FAIL("could not start a second `wheelhouse serve` (see the log above)");
    return s;
}

void wht_server_stop(wht_server *server)
{
    if (server)
        server_stop(server);
}

void wht_server_signal(const wht_server *server, int sig)
{
    if (server && kill(server->pid, sig) != 0)
        WHT_FAIL("kill(%d, %d): %s", (int)server->pid, sig, strerror(errno));
}

void wht_server_kill(wht_server *server)
{
    int status = 0;
    if (!server)
        return;
    kill(server->pid, SIGCONT);
    kill(server->pid, SIGKILL);
    waitpid(server->pid, &status, 0);
    server_list_remove(server);
    if (server == G.main)
        G.main = NULL;
    free(server);
}

wht_server *wht_main_server(void)
{
    return G.main;
}

const char *wht_pg_database(void)
{
    return G.pg_db;
}

const char *wht_engine(void)
{
    return G.postgres ? "postgres" : "sqlite";
}

/* ------------------------------------------------------------------ fakes */

static void prepare(void);

/* Reads the fake's first stdout line, "listening on PORT", within FAKE_START_MS; 0 on failure. */
static int read_fake_port(int fd, pid_t pid)
{
    char line[128];
    size_t len = 0;
    long long deadline = mono_ms() + FAKE_START_MS;
    while (len < sizeof line - 1 && !memchr(line, '\n', len)) {
        long long left = deadline - mono_ms();
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int status = 0;
        if (left <= 0 || waitpid(pid, &status, WNOHANG) == pid)
            return 0;
        if (poll(&p, 1, (int)(left < 100 ? left : 100)) <= 0)
            continue;
        ssize_t n = read(fd, line + len, sizeof line - 1 - len);
        if (n <= 0)
            return 0;
        len += (size_t)n;
    }
    line[len] = '\0';
    if (strncmp(line, "listening on ", 13) != 0)
        return 0;
    char *end = NULL;
    long port = strtol(line + 13, &end, 10);
    return end && (*end == '\n' || *end == '\r') && port > 0 && port < 65536 ? (int)port : 0;
}

static wht_server *fake_try(const char *path)
{
    wht_server *s = xcalloc(1, sizeof *s);
    int fds[2];
    if (pipe(fds) != 0)
        die("pipe: %s", strerror(errno));
    set_cloexec(fds[0]);
    set_cloexec(fds[1]);
    s->fake = true;
    snprintf(s->log, sizeof s->log, "%s/fake-%d.log", G.dir, ++G.nfakes_started);
    char *argv[] = {(char *)path, (char *)"--port", (char *)"0", NULL};
    s->pid = spawn(argv, environ, -1, fds[1], s->log);
    close(fds[1]);
    server_list_add(s);
    /* Nothing else is ever written to the fake's stdout, so the pipe can close now. */
    s->port = read_fake_port(fds[0], s->pid);
    close(fds[0]);
    if (s->port == 0) {
        fprintf(stderr, "harness: %s did not say \"listening on PORT\" within %d ms\n", path,
                FAKE_START_MS);
        server_stop(s);
        return NULL;
    }
    snprintf(s->base, sizeof s->base, "http://127.0.0.1:%d", s->port);
    return s;
}

wht_server *wht_fake_start(void)
{
    prepare();
    const char *path = getenv("WH_TEST_FAKE");
    if (!path || !path[0] || access(path, X_OK) != 0)
        die("WH_TEST_FAKE must name the wh-fake binary (got %s)", path ? path : "nothing");
    wht_server *s = fake_try(path);
    if (!s && !G.ready)
        die("wh-fake did not start (see the log above)");
    if (!s)
        WHT_FAIL("could not start wh-fake (see the log above)");
    return s;
}

const char *wht_server_base(const wht_server *server)
{
    return server ? server->base : G.main->base;
}

/* Reads a whole file into a harness-owned string ("" when it cannot be read). */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    size_t len = 0, cap = 0;
    if (f) {
        char chunk[4096];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
            if (len + n + 1 > cap) {
                cap = (len + n + 1) * 2;
                text = xrealloc(text, cap);
            }
            memcpy(text + len, chunk, n);
            len += n;
        }
        fclose(f);
    }
    if (!text)
        text = xcalloc(1, 1);
    text[len] = '\0';
    return keep(text, free);
}

const char *wht_server_log(const wht_server *server)
{
    return slurp(server ? server->log : G.main->log);
}

const char *wht_raw(const wht_server *server, const char *request)
{
    const wht_server *srv = server ? server : G.main;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)srv->port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
        WHT_FAIL("raw connection to port %d: %s", srv->port, strerror(errno));
    size_t len = strlen(request), sent = 0;
    while (sent < len) {
        ssize_t w = send(fd, request + sent, len - sent, MSG_NOSIGNAL);
        if (w <= 0)
            WHT_FAIL("raw send to port %d: %s", srv->port, strerror(errno));
        sent += (size_t)w;
    }
    char *text = NULL;
    size_t got = 0, cap = 0;
    long deadline = (long)(wht_now_ms() + HTTP_TIMEOUT_MS);
    for (;;) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        long left = deadline - (long)wht_now_ms();
        if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
            break;
        if (got + 4097 > cap) {
            cap = (got + 4097) * 2;
            text = xrealloc(text, cap);
        }
        ssize_t n = recv(fd, text + got, 4096, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (!text)
        text = xcalloc(1, 1);
    text[got] = '\0';
    return keep(text, free);
}

json_t *wht_fake_call(const wht_server *fake, const char *method, const char *path, json_t *body)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    wht_request req = {
        .method = method,
        .path = path,
        .body = text,
        .body_len = text ? strlen(text) : 0,
        .server = fake,
    };
    wht_resp *r = wht_do(&req);
    free(text);
    if (r->status != 200 || !json_is_object(r->json))
        WHT_FAIL("wh-fake %s -> %ld %s%s", r->target, r->status, r->error ? r->error : "", r->body);
    return r->json;
}

void wht_fake_reset(const wht_server *fake)
{
    wht_fake_call(fake, "POST", "/_control/reset", NULL);
}

void wht_fake_set(const wht_server *fake, const char *provider, json_t *control)
{
    wht_fake_call(fake, "POST", wht_fmt("/_control/%s", provider), control);
}

void wht_fake_mode(const wht_server *fake, const char *provider, const char *mode)
{
    wht_fake_set(fake, provider, wht_json("{s:s}", "mode", mode));
}

json_t *wht_fake_requests(const wht_server *fake, const char *provider)
{
    json_t *log = wht_fake_call(fake, "GET", wht_fmt("/_requests/%s", provider), NULL);
    json_t *items = json_object_get(log, "items");
    if (!json_is_array(items))
        WHT_FAIL("wh-fake /_requests/%s has no items: %s", provider, wht_dump(log));
    return items;
}

void wht_fake_clear(const wht_server *fake, const char *provider)
{
    wht_fake_call(fake, "DELETE", wht_fmt("/_requests/%s", provider), NULL);
}

void wht_fake_wait_held(const wht_server *fake, const char *provider)
{
    long long deadline = wht_now_ms() + HTTP_TIMEOUT_MS;
    for (;;) {
        size_t i;
        json_t *e;
        json_array_foreach(wht_fake_requests(fake, provider), i, e)
        {
            if (json_is_null(json_object_get(e, "status")))
                return;
        }
        if (wht_now_ms() > deadline)
            WHT_FAIL("%s never received a request to hold", provider);
        wht_sleep_ms(20);
    }
}

const char *wht_mail_to(const json_t *entry)
{
    const char *text = json_string_value(json_object_get(entry, "body"));
    json_t *body = text ? json_loads(text, 0, NULL) : NULL;
    if (!body)
        return "";
    wht_keep_json(body);
    json_t *first = json_array_get(json_object_get(body, "personalizations"), 0);
    json_t *to = json_array_get(json_object_get(first, "to"), 0);
    const char *email = json_string_value(json_object_get(to, "email"));
    return email ? email : "";
}

/* --------------------------------------------------------------- databases */

static void rand_hex(char *out, size_t bytes)
{
    unsigned char buf[16];
    if (bytes > sizeof buf || getrandom(buf, bytes, 0) != (ssize_t)bytes)
        die("getrandom failed");
    for (size_t i = 0; i < bytes; i++)
        snprintf(out + 2 * i, 3, "%02x", buf[i]);
}

static char *url_escape(const char *s)
{
    size_t len = strlen(s);
    char *out = xcalloc(3 * len + 1, 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
            strchr("-._~", ch))
            out[o++] = (char)ch;
        else
            o += (size_t)snprintf(out + o, 4, "%%%02X", ch);
    }
    return out;
}

static PGconn *pg_admin_connect(void)
{
    PGconn *conn = PQconnectdb(G.pg_admin);
    if (PQstatus(conn) != CONNECTION_OK) {
        char *msg = xstrdup(PQerrorMessage(conn));
        PQfinish(conn);
        die("cannot connect to WH_TEST_PG_ADMIN_URL (%s): %s", G.pg_admin, msg);
    }
    return conn;
}

static void pg_exec(PGconn *conn, const char *sql)
{
    PGresult *res = PQexec(conn, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        char *msg = xstrdup(PQerrorMessage(conn));
        PQclear(res);
        die("%s: %s", sql, msg);
    }
    PQclear(res);
}

static void pg_setup(void)
{
    const char *admin = getenv("WH_TEST_PG_ADMIN_URL");
    if (!admin || !admin[0])
        die("WH_TEST_ENGINE=postgres needs WH_TEST_PG_ADMIN_URL (a superuser URL)");
    snprintf(G.pg_admin, sizeof G.pg_admin, "%s", admin);
    char hex[17];
    rand_hex(hex, 8);
    snprintf(G.pg_db, sizeof G.pg_db, "wht_%ld_%s", (long)getpid(), hex);
    PGconn *conn = pg_admin_connect();
    char *sql = format("CREATE DATABASE %s", G.pg_db);
    pg_exec(conn, sql);
    free(sql);
    char *user = url_escape(PQuser(conn));
    char *pass = url_escape(PQpass(conn) ? PQpass(conn) : "");
    char *host = url_escape(PQhost(conn));
    snprintf(G.db_url, sizeof G.db_url, "postgres://%s%s%s@%s:%s/%s", user, pass[0] ? ":" : "",
             pass, host, PQport(conn), G.pg_db);
    free(user);
    free(pass);
    free(host);
    PQfinish(conn);
}

static void pg_drop(void)
{
    if (!G.pg_db[0])
        return;
    PGconn *conn = PQconnectdb(G.pg_admin);
    char *sql = format("DROP DATABASE IF EXISTS %s WITH (FORCE)", G.pg_db);
    PGresult *res = PQexec(conn, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        fprintf(stderr, "harness: %s: %s\n", sql, PQerrorMessage(conn));
    PQclear(res);
    PQfinish(conn);
    free(sql);
    G.pg_db[0] = '\0';
}

/* wht_sql on PostgreSQL: a connection of its own to the test database. */
static long long sql_pg(const char *sql)
{
    long long v = 0;
    const char *failure = NULL;
    PGconn *conn = PQconnectdb(G.db_url);
    PGresult *res = NULL;
    if (PQstatus(conn) != CONNECTION_OK) {
        failure = wht_fmt("%s", PQerrorMessage(conn));
        goto out;
    }
    res = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        failure = wht_fmt("%s", PQerrorMessage(conn));
    else if (st == PGRES_TUPLES_OK && PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
        v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
out:
    PQclear(res);
    PQfinish(conn);
    if (failure)
        WHT_FAIL("wht_sql: %s: %s", sql, failure);
    return v;
}

/* wht_sql on SQLite: the server's file (WAL), waiting out its writer lock. */
static long long sql_sqlite(const char *sql)
{
    long long v = 0;
    const char *failure = NULL;
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_open_v2(G.db_url + strlen("sqlite:"), &db, SQLITE_OPEN_READWRITE, NULL) !=
        SQLITE_OK) {
        failure = wht_fmt("%s", db ? sqlite3_errmsg(db) : "out of memory");
        goto out;
    }
    sqlite3_busy_timeout(db, HTTP_TIMEOUT_MS);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        failure = wht_fmt("%s", sqlite3_errmsg(db));
        goto out;
    }
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = sqlite3_column_int64(st, 0);
    else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        failure = wht_fmt("%s", sqlite3_errmsg(db));
out:
    sqlite3_finalize(st);
    sqlite3_close(db);
    if (failure)
        WHT_FAIL("wht_sql: %s: %s", sql, failure);
    return v;
}

long long wht_sql(const char *sql)
{
    if (!G.ready)
        die("wht_sql before wht_init");
    return G.postgres ? sql_pg(sql) : sql_sqlite(sql);
}

/* ------------------------------------------------------- database digest */

typedef struct {
    char **rows;
    size_t n, cap;
} rowset;

static void rowset_add(rowset *s, char *row)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->rows = xrealloc(s->rows, s->cap * sizeof *s->rows);
    }
    s->rows[s->n++] = row;
}

static int cmp_rows(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends "table rows fnv1a\n" for the rows (sorted, so order does not matter) to out, and
 * frees them. */
static void rowset_digest(rowset *s, const char *table, char **out)
{
    uint64_t h = 1469598103934665603ULL;
    if (s->n > 0) /* qsort of no rows: rows is still NULL */
        qsort(s->rows, s->n, sizeof *s->rows, cmp_rows);
    for (size_t i = 0; i < s->n; i++) {
        for (const unsigned char *p = (const unsigned char *)s->rows[i]; *p; p++)
            h = (h ^ *p) * 1099511628211ULL;
        h = (h ^ '\n') * 1099511628211ULL;
        free(s->rows[i]);
    }
    char *line = format("%s%s %zu %016llx\n", *out ? *out : "", table, s->n, (unsigned long long)h);
    free(*out);
    *out = line;
    free(s->rows);
    *s = (rowset){0};
}

/* True when table (or table.column) is in skip. */
static bool skipped(const char *const *skip, const char *table, const char *column)
{
    for (size_t i = 0; skip && skip[i]; i++) {
        size_t tl = strlen(table);
        if (column ? strncmp(skip[i], table, tl) == 0 && skip[i][tl] == '.' &&
                         strcmp(skip[i] + tl + 1, column) == 0
                   : strcmp(skip[i], table) == 0)
            return true;
    }
    return false;
}

/* One row as text: the kept columns, separated by \x1f, SQL NULL as \x01. */
static char *row_text(size_t ncols, const char *const *names, const char *const *cells,
                      const char *table, const char *const *skip)
{
    char *row = xstrdup("");
    for (size_t c = 0; c < ncols; c++) {
        if (skipped(skip, table, names[c]))
            continue;
        char *next = format("%s%s\x1f", row, cells[c] ? cells[c] : "\x01");
        free(row);
        row = next;
    }
    return row;
}

static void digest_pg_table(PGconn *conn, const char *table, const char *const *skip, char **out)
{
    char *sql = format("SELECT * FROM \"%s\"", table);
    PGresult *res = PQexec(conn, sql);
    free(sql);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        WHT_FAIL("digest of %s: %s", table, PQerrorMessage(conn));
    size_t ncols = (size_t)PQnfields(res);
    const char **names = xcalloc(ncols + 1, sizeof *names);
    const char **cells = xcalloc(ncols + 1, sizeof *cells);
    rowset s = {0};
    for (size_t c = 0; c < ncols; c++)
        names[c] = PQfname(res, (int)c);
    for (int r = 0; r < PQntuples(res); r++) {
        for (size_t c = 0; c < ncols; c++)
            cells[c] = PQgetisnull(res, r, (int)c) ? NULL : PQgetvalue(res, r, (int)c);
        rowset_add(&s, row_text(ncols, names, cells, table, skip));
    }
    rowset_digest(&s, table, out);
    free(names);
    free(cells);
    PQclear(res);
}

static char *digest_pg(const char *const *skip)
{
    char *out = NULL;
    PGconn *conn = PQconnectdb(G.db_url);
    if (PQstatus(conn) != CONNECTION_OK)
        WHT_FAIL("digest: %s", PQerrorMessage(conn));
    PGresult *tables = PQexec(conn, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                                    " ORDER BY tablename");
    for (int i = 0; i < PQntuples(tables); i++)
        if (!skipped(skip, PQgetvalue(tables, i, 0), NULL))
            digest_pg_table(conn, PQgetvalue(tables, i, 0), skip, &out);
    PQclear(tables);
    PQfinish(conn);
    return out;
}

static void digest_sqlite_table(sqlite3 *db, const char *table, const char *const *skip, char **out)
{
    sqlite3_stmt *st = NULL;
    char *sql = format("SELECT * FROM \"%s\"", table);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        WHT_FAIL("digest of %s: %s", table, sqlite3_errmsg(db));
    free(sql);
    size_t ncols = (size_t)sqlite3_column_count(st);
    const char **names = xcalloc(ncols + 1, sizeof *names);
    const char **cells = xcalloc(ncols + 1, sizeof *cells);
    rowset s = {0};
    for (size_t c = 0; c < ncols; c++)
        names[c] = sqlite3_column_name(st, (int)c);
    while (sqlite3_step(st) == SQLITE_ROW) {
        for (size_t c = 0; c < ncols; c++)
            cells[c] = (const char *)sqlite3_column_text(st, (int)c);
        rowset_add(&s, row_text(ncols, names, cells, table, skip));
    }
    rowset_digest(&s, table, out);
    free(names);
    free(cells);
    sqlite3_finalize(st);
}

static char *digest_sqlite(const char *const *skip)
{
    char *out = NULL;
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_open_v2(G.db_url + strlen("sqlite:"), &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        WHT_FAIL("digest: cannot open %s", G.db_url);
    sqlite3_busy_timeout(db, HTTP_TIMEOUT_MS);
    /* one read transaction: every table as of one instant */
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    if (sqlite3_prepare_v2(db,
                           "SELECT name FROM sqlite_master WHERE type = 'table'"
                           " AND name NOT LIKE 'sqlite_%' ORDER BY name",
                           -1, &st, NULL) != SQLITE_OK)
        WHT_FAIL("digest: %s", sqlite3_errmsg(db));
    strv names = {0};
    while (sqlite3_step(st) == SQLITE_ROW)
        strv_set(&names, (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    for (size_t i = 0; i < names.n; i++)
        if (!skipped(skip, names.v[i], NULL))
            digest_sqlite_table(db, names.v[i], skip, &out);
    strv_free(&names);
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(db);
    return out;
}

const char *wht_db_digest(const char *const *skip)
{
    if (!G.ready)
        die("wht_db_digest before wht_init");
    char *d = G.postgres ? digest_pg(skip) : digest_sqlite(skip);
    return keep(d ? d : xstrdup(""), free);
}

/* ------------------------------------------------------- command-line runs */

static char *read_file_text(const char *path)
{
    FILE *f = fopen(path, "r");
    char *text = NULL;
    size_t len = 0;
    if (!f)
        return xstrdup("");
    FILE *m = open_memstream(&text, &len);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, n, m);
    fclose(m);
    fclose(f);
    return text;
}

static pid_t spawn_cli(const char *const *args, const char *const *env, const char *log)
{
    char *argv[16] = {G.binary};
    size_t argc = 1;
    for (size_t i = 0; args[i] && argc < 15; i++)
        argv[argc++] = (char *)args[i];
    strv e = {0};
    server_env(&e, env);
    pid_t pid = spawn(argv, e.v, -1, -1, log);
    strv_free(&e);
    return pid;
}

int wht_cli(const char *const *args, const char *const *env, const char **output)
{
    char *log = format("%s/cli-%d.log", G.dir, ++G.nservers_started);
    pid_t pid = spawn_cli(args, env, log);
    int status = 0;
    G.ran_cli = true;
    if (!wait_for(pid, CLI_TIMEOUT_MS, &status)) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        WHT_FAIL("`wheelhouse %s` did not finish in %d ms", args[0], CLI_TIMEOUT_MS);
    }
    if (output)
        *output = keep(read_file_text(log), free);
    free(log);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

wht_server *wht_cli_start(const char *const *args, const char *const *env)
{
    wht_server *s = xcalloc(1, sizeof *s);
    snprintf(s->log, sizeof s->log, "%s/cli-%d.log", G.dir, ++G.nservers_started);
    s->pid = spawn_cli(args, env, s->log);
    server_list_add(s);
    return s;
}

bool wht_server_wait_log(const wht_server *server, const char *needle, long ms)
{
    long long deadline = mono_ms() + ms;
    const wht_server *s = server ? server : G.main;
    for (;;) {
        char *text = read_file_text(s->log);
        bool found = strstr(text, needle) != NULL;
        free(text);
        if (found)
            return true;
        siginfo_t info = {0};
        /* exited (not reaped here: wht_server_kill or wht_finish does that) */
        bool ended = waitid(P_PID, (id_t)s->pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
                     info.si_pid == s->pid;
        if (ended || mono_ms() >= deadline)
            return false;
        wht_sleep_ms(20);
    }
}

static void remove_dir(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *file = format("%s/%s", path, e->d_name);
        unlink(file);
        free(file);
    }
    closedir(d);
    rmdir(path);
}

/* -------------------------------------------------------------- life cycle */

static void stop_all(void)
{
    for (size_t i = 0; i < SERVER_MAX; i++) {
        if (G.servers[i])
            server_stop(G.servers[i]);
    }
    G.main = NULL;
}

static void cleanup(bool keep_files)
{
    if (G.finished)
        return;
    G.finished = true;
    stop_all();
    release_all();
    free(G.owned);
    G.owned = NULL;
    G.capowned = 0;
    strv_free(&G.extra_env);
    if (G.postgres && !keep_files)
        pg_drop();
    if (keep_files)
        fprintf(stderr, "harness: server logs kept in %s%s%s\n", G.dir,
                G.postgres ? ", database " : "", G.postgres ? G.pg_db : "");
    else if (G.dir[0])
        remove_dir(G.dir);
    curl_global_cleanup();
}

/* An exit before wht_finish() is a failure: keep the logs, if anything ran at all. */
static void cleanup_at_exit(void)
{
    cleanup(G.ran_cli || G.nservers_started > 0 || G.nfakes_started > 0);
}

static void read_config(void)
{
    const char *engine = getenv("WH_TEST_ENGINE");
    if (!engine || (strcmp(engine, "sqlite") != 0 && strcmp(engine, "postgres") != 0))
        die("WH_TEST_ENGINE must be sqlite or postgres (got %s)", engine ? engine : "nothing");
    G.postgres = strcmp(engine, "postgres") == 0;
    const char *binary = getenv("WH_TEST_BINARY");
    if (!binary || !binary[0])
        die("WH_TEST_BINARY must name the wheelhouse binary");
    if (access(binary, X_OK) != 0)
        die("WH_TEST_BINARY %s is not executable: %s", binary, strerror(errno));
    snprintf(G.binary, sizeof G.binary, "%s", binary);
}

static void admin_login(void)
{
    wht_resp *r = wht_login_resp(G.admin_email, G.admin_password);
    if (r->status != 200 || !wht_str(r->json, "token"))
        die("the first admin cannot log in: %ld %s", r->status, r->body);
    snprintf(G.admin_token, sizeof G.admin_token, "%s", wht_str(r->json, "token"));
    wht_resp *me = wht_get(G.admin_token, "/me");
    json_t *user = me->json ? json_object_get(me->json, "user") : NULL;
    if (me->status != 200 || !json_is_integer(json_object_get(user, "id")))
        die("GET /me for the first admin: %ld %s", me->status, me->body);
    G.admin_id = json_integer_value(json_object_get(user, "id"));
}

/* What both wht_init_env and a fake started before it need: configuration, libcurl, the exit
 * handler and the temp dir for logs. Runs once. */
static void prepare(void)
{
    if (G.prepared)
        return;
    G.prepared = true;
    signal(SIGPIPE, SIG_IGN);
    read_config();
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        die("curl_global_init failed");
    atexit(cleanup_at_exit);
    const char *tmp = getenv("TMPDIR") && getenv("TMPDIR")[0] ? getenv("TMPDIR") : "/tmp";
    if (strlen(tmp) > 400)
        die("TMPDIR is too long");
    snprintf(G.dir, sizeof G.dir, "%s/wht-XXXXXX", tmp);
    if (!mkdtemp(G.dir))
        die("mkdtemp: %s", strerror(errno));
}

void wht_init(void)
{
    wht_init_env(NULL);
}

void wht_init_env(const char *const *env)
{
    if (G.ready)
        return;
    prepare();
    for (size_t i = 0; env && env[i]; i++) {
        strv_set(&G.extra_env, env[i]);
        if (strcmp(env[i], "WH_TIMEZONE=UTC") == 0)
            G.utc = true;
    }
    if (G.postgres)
        pg_setup();
    else
        snprintf(G.db_url, sizeof G.db_url, "sqlite:%s/wheelhouse.db", G.dir);
    run_cli((const char *const[]){"migrate", NULL}, NULL);
    snprintf(G.admin_email, sizeof G.admin_email, "admin-%ld@wheelhouse.test", (long)getpid());
    snprintf(G.admin_password, sizeof G.admin_password, "first-admin-password-%ld", (long)getpid());
    run_cli((const char *const[]){"user", "create", "--email", G.admin_email, "--role", "ADMIN",
                                  "--full-name", "First Admin", "--password-stdin", NULL},
            G.admin_password);
    G.main = server_start(NULL);
    if (!G.main)
        die("`wheelhouse serve` did not become healthy");
    G.ready = true;
    admin_login();
    release_all();
}

int wht_finish(int failed)
{
    stop_all();
    int bad = G.bad_exits;
    bool keep_files = failed > 0 || bad > 0 || getenv("WH_TEST_KEEP") != NULL;
    cleanup(keep_files);
    if (bad)
        fprintf(stderr, "harness: %d server process(es) ended abnormally\n", bad);
    return failed + bad;
}

/* ------------------------------------------------------- strings and JSON */

const char *wht_fmt(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = vformat(fmt, ap);
    va_end(ap);
    return keep(p, free);
}

const char *wht_unique(const char *prefix)
{
    return wht_fmt("%s%ldx%lu", prefix, (long)getpid(), ++G.counter);
}

const char *wht_unique_code(void)
{
    return wht_fmt("C%ldX%lu", (long)getpid(), ++G.counter);
}

const char *wht_unique_email(void)
{
    return wht_fmt("user%ldx%lu@wheelhouse.test", (long)getpid(), ++G.counter);
}

json_t *wht_json(const char *fmt, ...)
{
    json_error_t err;
    va_list ap;
    va_start(ap, fmt);
    json_t *v = json_vpack_ex(&err, 0, fmt, ap);
    va_end(ap);
    if (!v)
        WHT_FAIL("wht_json(\"%s\"): %s", fmt, err.text);
    return v;
}

json_t *wht_keep_json(json_t *value)
{
    if (!value)
        WHT_FAIL("wht_keep_json: no value (a json_pack format error?)");
    return keep(value, release_json);
}

void wht_expect_jansson_text(const wht_resp *r)
{
    char *again = json_dumps(r->json, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
    if (!again || strlen(again) != r->body_len || memcmp(again, r->body, r->body_len) != 0)
        WHT_FAIL("the answer is not jansson's text of itself:\n  %.*s\n  %s", (int)r->body_len,
                 r->body, again ? again : "(none)");
    free(again);
}

const char *wht_dump(const json_t *v)
{
    if (!v)
        return "(null)";
    char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_SORT_KEYS);
    return s ? keep(s, free) : "(unprintable)";
}

long long wht_int(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v))
        WHT_FAIL("expected an integer \"%s\" in %s", key, wht_dump(obj));
    return json_integer_value(v);
}

const char *wht_str(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_string(v))
        WHT_FAIL("expected a string \"%s\" in %s", key, wht_dump(obj));
    return json_string_value(v);
}

json_t *wht_items(const wht_resp *resp)
{
    json_t *items = json_object_get(resp->json, "items");
    if (!json_is_array(items))
        WHT_FAIL("%s: expected {items: [...]}, got %ld %s", resp->target, resp->status, resp->body);
    return items;
}

json_t *wht_find_by_id(const json_t *items, long long id)
{
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        json_t *v = json_object_get(item, "id");
        if (json_is_integer(v) && json_integer_value(v) == id)
            return item;
    }
    return NULL;
}

static json_t *replace_text(const char *s, const char *needle)
{
    if (!needle || !needle[0] || !strstr(s, needle))
        return json_string(s);
    size_t nlen = strlen(needle);
    char *out = xcalloc(strlen(s) * 4 + 1, 1);
    size_t o = 0;
    while (*s) {
        if (strncmp(s, needle, nlen) == 0) {
            memcpy(out + o, "{id}", 4);
            o += 4;
            s += nlen;
        } else {
            out[o++] = *s++;
        }
    }
    json_t *v = json_string(out);
    free(out);
    return v;
}

static json_t *shape(const json_t *v, const char *id_text)
{
    if (json_is_string(v))
        return replace_text(json_string_value(v), id_text);
    if (json_is_array(v)) {
        json_t *a = json_array();
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            json_array_append_new(a, shape(e, id_text));
        }
        return a;
    }
    if (json_is_object(v)) {
        json_t *o = json_object();
        const char *k;
        json_t *e;
        json_object_foreach((json_t *)v, k, e)
        {
            json_object_set_new(o, k, shape(e, id_text));
        }
        return o;
    }
    return json_deep_copy(v);
}

json_t *wht_problem_shape(const json_t *problem, const char *id_text)
{
    json_t *copy = shape(problem, id_text);
    /* Members that describe this one request rather than the answer. */
    json_object_del(copy, "instance");
    json_object_del(copy, "request_id");
    json_object_del(copy, "trace_id");
    return wht_keep_json(copy);
}

static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool wht_is_rfc3339_ms_utc(const char *t)
{
    return wht_rfc3339_ms(t) >= 0;
}

long long wht_rfc3339_ms(const char *t)
{
    int y, mo, d, h, mi, s, ms;
    if (!t || strlen(t) != 24 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' ||
        t[16] != ':' || t[19] != '.' || t[23] != 'Z')
        return -1;
    if (!digits(t, 4, &y) || !digits(t + 5, 2, &mo) || !digits(t + 8, 2, &d) ||
        !digits(t + 11, 2, &h) || !digits(t + 14, 2, &mi) || !digits(t + 17, 2, &s) ||
        !digits(t + 20, 3, &ms))
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
        return -1;
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = s};
    return (long long)timegm(&tm) * 1000 + ms;
}

/* --------------------------------------------------------------- assertions */

static void show(const wht_resp *r)
{
    print_error("%s -> %ld%s%s\n%.*s\n", r->target, r->status, r->error ? " transport error: " : "",
                r->error ? r->error : "", SHOW_MAX, r->body);
}

void wht_expect_at(const wht_resp *resp, long status, const char *file, int line)
{
    if (resp->status == status)
        return;
    print_error("expected HTTP %ld\n", status);
    show(resp);
    show_context();
    _fail(file, line);
}

static bool problem_ok(const wht_resp *r, long status, const char *code, const char *field,
                       const char **why)
{
    const char *ct = wht_header(r, "Content-Type");
    json_t *j = r->json;
    *why = "status";
    if (r->status != status)
        return false;
    *why = "Content-Type application/problem+json";
    if (!ct || strncasecmp(ct, "application/problem+json", 24) != 0)
        return false;
    *why = "an object with code, status, title and type";
    if (!json_is_object(j) || !json_is_string(json_object_get(j, "title")) ||
        json_integer_value(json_object_get(j, "status")) != status)
        return false;
    *why = "code";
    const char *got = json_string_value(json_object_get(j, "code"));
    if (!got || strcmp(got, code) != 0)
        return false;
    *why = "type https://wheelhouse.dev/problems/<code>";
    const char *type = json_string_value(json_object_get(j, "type"));
    if (!type || strncmp(type, "https://wheelhouse.dev/problems/", 32) != 0 ||
        strcmp(type + 32, code) != 0)
        return false;
    if (!field)
        return true;
    *why = "errors[0].field";
    const char *f = json_string_value(
        json_object_get(json_array_get(json_object_get(j, "errors"), 0), "field"));
    return f && strcmp(f, field) == 0;
}

void wht_problem_at(const wht_resp *resp, long status, const char *code, const char *field,
                    const char *file, int line)
{
    const char *why = NULL;
    if (problem_ok(resp, status, code, field, &why))
        return;
    print_error("expected problem %ld %s%s%s; wrong: %s\n", status, code, field ? " field " : "",
                field ? field : "", why);
    show(resp);
    show_context();
    _fail(file, line);
}

void wht_json_equal_at(const json_t *a, const json_t *b, const char *file, int line)
{
    if (json_equal((json_t *)a, (json_t *)b))
        return;
    print_error("JSON differs:\n  %s\n  %s\n", wht_dump(a), wht_dump(b));
    show_context();
    _fail(file, line);
}

static bool ids_match(const json_t *items, const char *key, size_t n, const long long *ids)
{
    if (!json_is_array(items) || json_array_size(items) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        json_t *v = key ? json_object_get(json_array_get(items, i), key) : json_array_get(items, i);
        if (!json_is_integer(v))
            return false;
        bool found = false;
        for (size_t k = 0; k < n; k++) {
            json_t *w =
                key ? json_object_get(json_array_get(items, k), key) : json_array_get(items, k);
            if (k != i && json_integer_value(w) == json_integer_value(v))
                return false; /* duplicate */
            found = found || ids[k] == json_integer_value(v);
        }
        if (!found)
            return false;
    }
    return true;
}

void wht_id_set_at(const json_t *items, const char *key, size_t n, const long long *ids,
                   const char *file, int line)
{
    if (ids_match(items, key, n, ids))
        return;
    json_t *want = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(want, json_integer(ids[i]));
    print_error("expected exactly the ids %s (key %s) in\n  %s\n", wht_dump(wht_keep_json(want)),
                key ? key : "-", wht_dump(items));
    show_context();
    _fail(file, line);
}

static bool strs_match(const json_t *items, const char *key, const char *const *expected)
{
    size_t n = 0;
    while (expected[n])
        n++;
    if (!json_is_array(items) || json_array_size(items) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(items, i);
        const char *s = json_string_value(key ? json_object_get(e, key) : e);
        if (!s)
            return false;
        bool found = false;
        for (size_t k = 0; k < n; k++) {
            json_t *o = json_array_get(items, k);
            const char *t = json_string_value(key ? json_object_get(o, key) : o);
            if (k != i && t && strcmp(s, t) == 0)
                return false;
            found = found || strcmp(expected[k], s) == 0;
        }
        if (!found)
            return false;
    }
    return true;
}

void wht_str_set_at(const json_t *items, const char *key, const char *const *expected,
                    const char *file, int line)
{
    if (strs_match(items, key, expected))
        return;
    json_t *want = wht_keep_json(json_array());
    for (size_t i = 0; expected[i]; i++)
        json_array_append_new(want, json_string(expected[i]));
    print_error("expected exactly %s (key %s) in\n  %s\n", wht_dump(want), key ? key : "-",
                wht_dump(items));
    show_context();
    _fail(file, line);
}

/* ---------------------------------------------------------- domain helpers */

const char *wht_admin_token(void)
{
    return G.admin_token;
}

long long wht_admin_id(void)
{
    return G.admin_id;
}

const char *wht_admin_email(void)
{
    return G.admin_email;
}

wht_resp *wht_login_resp(const char *email, const char *password)
{
    return wht_post(NULL, "/auth/login",
                    wht_json("{s:s, s:s}", "email", email, "password", password));
}

const char *wht_login(const char *email, const char *password)
{
    wht_resp *r = wht_login_resp(email, password);
    WHT_EXPECT(r, 200);
    return wht_str(r->json, "token");
}

wht_user wht_user_add(const char *role)
{
    wht_user u = {0};
    copy_str(u.email, sizeof u.email, wht_unique_email());
    copy_str(u.password, sizeof u.password, wht_unique("password-"));
    copy_str(u.role, sizeof u.role, role);
    json_t *body = wht_json("{s:s, s:s, s:s, s:s}", "email", u.email, "full_name",
                            wht_unique("Person "), "role", role, "password", u.password);
    wht_resp *r = wht_post(G.admin_token, "/users", body);
    WHT_EXPECT(r, 201);
    u.id = wht_int(r->json, "id");
    return u;
}

wht_user wht_user_new(const char *role)
{
    wht_user u = wht_user_add(role);
    copy_str(u.token, sizeof u.token, wht_login(u.email, u.password));
    return u;
}

wht_user wht_member_new(const char *role, long long venture_id)
{
    wht_user u = wht_user_new(role);
    if (venture_id)
        wht_set_ventures(u.id, 1, &venture_id);
    return u;
}

long long wht_carrier_new(const wht_server *fake, long long dot)
{
    json_t *c = wht_json("{s:I, s:s, s:s, s:s}", "dotNumber", (json_int_t)dot, "legalName",
                         wht_unique("CARRIER "), "allowedToOperate", "Y", "statusCode", "A");
    wht_fake_call(fake, "POST", "/_control/fmcsa/carriers", c);
    wht_resp *r = wht_post(wht_admin_token(), "/carriers",
                           wht_json("{s:s}", "dot_number", wht_fmt("%lld", dot)));
    wht_expect_at(r, 201, __FILE__, __LINE__);
    return wht_int(r->json, "id");
}

wht_venture wht_venture_new(const char *type)
{
    wht_venture v = {0};
    copy_str(v.name, sizeof v.name, wht_unique("Venture "));
    copy_str(v.code, sizeof v.code, wht_unique_code());
    copy_str(v.type, sizeof v.type, type);
    json_t *body = wht_json("{s:s, s:s, s:s}", "name", v.name, "code", v.code, "type", type);
    wht_resp *r = wht_post(G.admin_token, "/ventures", body);
    WHT_EXPECT(r, 201);
    v.id = wht_int(r->json, "id");
    return v;
}

long long wht_office_new(long long venture_id)
{
    json_t *body = wht_json("{s:s}", "name", wht_unique("Office "));
    wht_resp *r = wht_post(G.admin_token, wht_fmt("/ventures/%lld/offices", venture_id), body);
    WHT_EXPECT(r, 201);
    return wht_int(r->json, "id");
}

static json_t *id_array(size_t n, const long long *ids)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_integer(ids[i]));
    return a;
}

void wht_set_ventures(long long user_id, size_t n, const long long *venture_ids)
{
    json_t *body = wht_json("{s:o}", "venture_ids", id_array(n, venture_ids));
    wht_resp *r = wht_put(G.admin_token, wht_fmt("/users/%lld/ventures", user_id), body);
    WHT_EXPECT(r, 200);
}

void wht_set_offices(long long user_id, size_t n, const long long *office_ids)
{
    json_t *body = wht_json("{s:o}", "office_ids", id_array(n, office_ids));
    wht_resp *r = wht_put(G.admin_token, wht_fmt("/users/%lld/offices", user_id), body);
    WHT_EXPECT(r, 200);
}

json_t *wht_list_all(const char *token, const char *path, size_t limit)
{
    json_t *all = wht_keep_json(json_array());
    const char *sep = strchr(path, '?') ? "&" : "?";
    const char *cursor = NULL;
    for (int page = 0; page < 10000; page++) {
        const char *url = cursor ? wht_fmt("%s%slimit=%zu&cursor=%s", path, sep, limit, cursor)
                                 : wht_fmt("%s%slimit=%zu", path, sep, limit);
        wht_resp *r = wht_get(token, url);
        WHT_EXPECT(r, 200);
        json_array_extend(all, wht_items(r));
        json_t *next = json_object_get(r->json, "next_cursor");
        if (!json_is_true(json_object_get(r->json, "has_more")))
            return all;
        if (!json_is_string(next))
            WHT_FAIL("%s: has_more true without a next_cursor: %s", url, r->body);
        cursor = json_string_value(next);
    }
    WHT_FAIL("%s: more than 10000 pages", path);
    return all;
}

long long wht_audit_head(void)
{
    wht_resp *r = wht_get(G.admin_token, "/audit-log?limit=1");
    WHT_EXPECT(r, 200);
    json_t *first = json_array_get(wht_items(r), 0);
    return first ? wht_int(first, "id") : 0;
}

json_t *wht_audit_since(long long after_id)
{
    json_t *out = wht_keep_json(json_array());
    const char *cursor = NULL;
    for (;;) {
        const char *url =
            cursor ? wht_fmt("/audit-log?limit=50&cursor=%s", cursor) : "/audit-log?limit=50";
        wht_resp *r = wht_get(G.admin_token, url);
        WHT_EXPECT(r, 200);
        size_t i;
        json_t *e;
        json_array_foreach(wht_items(r), i, e)
        {
            if (wht_int(e, "id") <= after_id)
                return out;
            json_array_append(out, e);
        }
        if (!json_is_true(json_object_get(r->json, "has_more")))
            return out;
        cursor = wht_str(r->json, "next_cursor");
    }
}

/* One racer: waits at the gate, sends, and writes (i, status) to out (0: a transport failure);
 * a record of two longs is far below PIPE_BUF, so racers' writes never interleave. */
static void racer(const char *url, const char *method, const char *token, const char *body,
                  int gate, int out, long i)
{
    CURL *h = curl_easy_init();
    struct curl_slist *hdr = NULL;
    long rec[2] = {i, 0};
    char go;
    hdr = curl_slist_append(hdr, "Content-Type: application/json");
    if (token)
        hdr = curl_slist_append(hdr, wht_fmt("Authorization: Bearer %s", token));
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    if (body)
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, fwrite);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, fopen("/dev/null", "w"));
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
    /* EOF when the parent closes its end of the gate: everyone goes at once */
    if (read(gate, &go, 1) >= 0 && curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &rec[1]);
    _exit(write(out, rec, sizeof rec) == (ssize_t)sizeof rec ? 0 : 1);
}

void wht_race(size_t n, const char *method, const char *path, const char *token,
              const char *const *bodies, long *statuses)
{
    const char *url = wht_fmt("%s" WHT_API "%s", wht_server_base(NULL), path);
    int gate[2], out[2];
    pid_t *kids = calloc(n, sizeof *kids);
    if (!kids || pipe(gate) != 0 || pipe(out) != 0)
        die("wht_race: %s", strerror(errno));
    for (size_t i = 0; i < n; i++) {
        statuses[i] = 0;
        fflush(NULL);
        kids[i] = fork();
        if (kids[i] < 0)
            die("fork: %s", strerror(errno));
        if (kids[i] == 0) {
            close(gate[1]);
            close(out[0]);
            racer(url, method, token, bodies ? bodies[i] : NULL, gate[0], out[1], (long)i);
        }
    }
    close(gate[0]);
    close(out[1]);
    wht_sleep_ms(200); /* every racer connected and waiting */
    close(gate[1]);
    long rec[2];
    while (read(out[0], rec, sizeof rec) == (ssize_t)sizeof rec) /* EOF: every racer is done */
        if (rec[0] >= 0 && (size_t)rec[0] < n)
            statuses[rec[0]] = rec[1];
    close(out[0]);
    for (size_t i = 0; i < n; i++)
        while (waitpid(kids[i], NULL, 0) < 0 && errno == EINTR)
            ;
    free(kids);
}

/* The recipient and text of a logged SendGrid request, or false when it is not a mail. */
static bool mail_parts(const json_t *entry, const char **to, const char **text)
{
    const char *raw = json_string_value(json_object_get(entry, "body"));
    json_t *body = raw ? wht_keep_json(json_loads(raw, 0, NULL)) : NULL;
    json_t *first = json_array_get(json_object_get(body, "personalizations"), 0);
    json_t *rcpt = json_array_get(json_object_get(first, "to"), 0);
    json_t *part = json_array_get(json_object_get(body, "content"), 0);
    *to = json_string_value(json_object_get(rcpt, "email"));
    *text = json_string_value(json_object_get(part, "value"));
    return *to && *text;
}

const char *wht_fake_mail_code(const wht_server *fake, const char *recipient, size_t nth)
{
    long long deadline = wht_now_ms() + 15000;
    for (;;) {
        size_t seen = 0, i;
        json_t *e;
        json_array_foreach(wht_fake_requests(fake, "sendgrid"), i, e)
        {
            const char *to, *text, *at;
            json_t *st = json_object_get(e, "status");
            if (!mail_parts(e, &to, &text) || strcasecmp(to, recipient) != 0 ||
                json_integer_value(st) / 100 != 2 || !(at = strstr(text, "code is ")) ||
                strspn(at + 8, "0123456789") < 6)
                continue;
            if (seen++ == nth)
                return wht_fmt("%.6s", at + 8);
        }
        if (wht_now_ms() > deadline)
            WHT_FAIL("SendGrid accepted %zu code e-mails for %s within 15 s, want %zu", seen,
                     recipient, nth + 1);
        wht_sleep_ms(50);
    }
}

/* ------------------------------------------------------------------- CSV */

json_t *wht_csv_parse(const char *s, size_t n)
{
    json_t *records = wht_keep_json(json_array()), *rec = json_array();
    char *field = malloc(n + 1);
    size_t flen = 0, i = 0;
    bool quoted = false;
    while (i < n) {
        char c = s[i];
        if (quoted) {
            if (c == '"' && i + 1 < n && s[i + 1] == '"') {
                field[flen++] = '"';
                i += 2;
            } else if (c == '"') {
                quoted = false;
                i++;
            } else {
                field[flen++] = c;
                i++;
            }
        } else if (c == '"' && flen == 0) {
            quoted = true;
            i++;
        } else if (c == ',' || c == '\r') {
            json_array_append_new(rec, json_stringn(field, flen));
            flen = 0;
            if (c == '\r') {
                if (i + 1 >= n || s[i + 1] != '\n')
                    WHT_FAIL("a record does not end with CRLF at byte %zu", i);
                json_array_append_new(records, rec);
                rec = json_array();
                i += 2;
            } else {
                i++;
            }
        } else if (c == '\n' || c == '"') {
            WHT_FAIL("a bare %s at byte %zu", c == '\n' ? "LF" : "quote", i);
        } else {
            field[flen++] = c;
            i++;
        }
    }
    if (flen || json_array_size(rec) || quoted)
        WHT_FAIL("the last record does not end with CRLF");
    json_decref(rec);
    free(field);
    return records;
}
