/*
 * wh-fake: one local HTTP server that impersonates FMCSA QCMobile, SendGrid and Twilio on their
 * real wire formats, so Wheelhouse's integration tests talk to a real socket rather than mocks
 * (STYLE.md rule 21). A JSON control API lets a test make each provider fail, stall, rate-limit
 * or answer garbage, add FMCSA carriers, and read back every request the provider received.
 * README.md in this folder documents the wire formats and the control API.
 *
 * Invariants:
 * - All mutable state lives in one struct fake guarded by fake.lock. Handlers copy what they need
 *   under the lock and render outside it; the request log is rendered under it because a log
 *   entry's "status" is filled in when its request is answered.
 * - A request to a provider path is logged exactly once, when its body is complete and before
 *   any mode or credential check, so tests see refused requests too.
 * - A stalled request is suspended (MHD_suspend_connection), never slept on, so it holds no
 *   worker thread and cannot delay the control API. One timer thread resumes it when its time is
 *   up; shutdown resumes every suspended request before stopping the daemon, as MHD requires.
 * - Credentials and the listening address are fixed at start-up (command line).
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <jansson.h>
#include <microhttpd.h>

#define FAKE_MAX_BODY     (1024 * 1024) /* request body bytes kept; a longer body is a 413 */
#define FAKE_MAX_LOG      10000         /* requests kept per provider; the oldest is dropped */
#define FAKE_THREADS      8             /* MHD worker threads (internal thread pool) */
#define FAKE_MAX_STALL_MS 600000        /* longest stall a test may ask for: 10 minutes */
#define FAKE_MAX_RETRY    86400         /* largest Retry-After, in seconds */
#define FAKE_MAX_COUNT    1000000       /* largest "count" of requests a mode applies to */
#define FAKE_MAX_DIGITS   15            /* DOT and MC numbers: up to 15 decimal digits */
#define FAKE_MAX_AUTH     512           /* decoded Basic credentials, bytes */
#define FAKE_MAX_SID      64            /* Twilio account SID in the path, bytes */

#define DEFAULT_FMCSA_KEY    "fake-fmcsa-webkey"
#define DEFAULT_SENDGRID_KEY "SG.fake-sendgrid-key"
#define DEFAULT_TWILIO_SID   "AC0123456789abcdef0123456789abcdef"
#define DEFAULT_TWILIO_TOKEN "fake-twilio-token"

#define DEFAULT_RETRY_AFTER 1     /* seconds, mode "ratelimit" */
#define DEFAULT_STALL_MS    10000 /* mode "stall" */

enum prov { PROV_FMCSA, PROV_SENDGRID, PROV_TWILIO, PROV_COUNT, PROV_NONE = PROV_COUNT };
static const char *const prov_names[PROV_COUNT] = {"fmcsa", "sendgrid", "twilio"};

enum mode { MODE_OK, MODE_FAIL500, MODE_FAIL503, MODE_RATELIMIT, MODE_STALL, MODE_BADJSON, MODE_N };
static const char *const mode_names[MODE_N] = {"ok",        "fail500", "fail503",
                                               "ratelimit", "stall",   "badjson"};

/* How a provider answers its next requests. count < 0: until changed; else that many more. */
struct behaviour {
    enum mode mode;
    long retry_after;
    long stall_ms;
    long count;
};

struct provider {
    struct behaviour b;
    json_t *log; /* array of request entries, oldest first */
};

struct keys {
    const char *fmcsa;
    const char *sendgrid;
    const char *twilio_sid;
    const char *twilio_token;
};

struct req;

/* Suspended (stalled) requests and the thread that resumes them. */
struct stalls {
    pthread_mutex_t lock;
    pthread_cond_t cond; /* CLOCK_MONOTONIC */
    struct req *head;
    bool stopping;
    pthread_t thread;
};

struct fake {
    pthread_mutex_t lock;
    struct provider prov[PROV_COUNT];
    json_t *carriers; /* DOT (decimal) -> carrier object, or JSON null for "content": null */
    json_t *dockets;  /* MC (decimal) -> DOT (decimal) */
    unsigned long long next_id;
    struct keys keys;
    struct stalls stalls;
};

struct buf {
    char *p; /* NUL-terminated once anything was appended */
    size_t len, cap;
};

enum stage { STAGE_HEADERS, STAGE_BODY, STAGE_STALLED };

/* One HTTP request, from the URI log callback to the completion callback. */
struct req {
    char *uri; /* raw request target: path and query, still percent-encoded */
    struct buf body;
    bool too_big;
    enum stage stage;
    json_t *entry; /* this request's log entry (a reference shared with the log), or NULL */
    struct MHD_Connection *conn;
    long long wake_ms; /* CLOCK_MONOTONIC, while stalled */
    struct req *next;  /* in stalls.head */
};

/* What a handler works on: borrowed for the duration of one handler call. */
struct call {
    struct fake *f;
    struct req *r;
    struct MHD_Connection *c;
    enum prov p; /* PROV_NONE for the control API */
    const char *url;
    const char *method;
};

struct hdr {
    const char *name;
    const char *value;
};

/* ------------------------------------------------------------------------------- utilities */

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL) {
        fputs("wh-fake: out of memory\n", stderr);
        abort();
    }
    return p;
}

static char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static void buf_append(struct buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (p == NULL) {
            fputs("wh-fake: out of memory\n", stderr);
            abort();
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static const char *buf_str(const struct buf *b)
{
    return b->p ? b->p : "";
}

static bool has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static long long now_ms(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Parses 1..FAKE_MAX_DIGITS decimal digits and nothing else. */
static bool parse_number(const char *s, unsigned long long *out)
{
    unsigned long long v = 0;
    size_t n = 0;
    for (; s[n] != '\0'; n++) {
        if (s[n] < '0' || s[n] > '9' || n == FAKE_MAX_DIGITS)
            return false;
        v = v * 10 + (unsigned)(s[n] - '0');
    }
    *out = v;
    return n > 0;
}

/* A JSON string from bytes that may not be UTF-8: bytes of invalid input become '?'. */
static json_t *json_text(const char *s, size_t n)
{
    json_t *j = json_stringn(s, n);
    if (j != NULL)
        return j;
    char *copy = xstrndup(s, n);
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)copy[i] >= 0x80)
            copy[i] = '?';
    }
    j = json_stringn(copy, n);
    free(copy);
    return j;
}

static json_t *json_text_or_null(const char *s)
{
    return s ? json_text(s, strlen(s)) : json_null();
}

/* True if the Content-Type header names the media type want (parameters allowed). */
static bool ctype_is(const char *header, const char *want)
{
    size_t n = strlen(want);
    if (header == NULL || strncasecmp(header, want, n) != 0)
        return false;
    return header[n] == '\0' || header[n] == ';' || header[n] == ' ';
}

static void utc_iso(char *out, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, n, "%Y-%m-%dT%H:%M:%S.000+0000", &tm);
}

static void utc_rfc2822(char *out, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, n, "%a, %d %b %Y %H:%M:%S +0000", &tm);
}

static int b64_value(char ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    if (ch == '+')
        return 62;
    if (ch == '/')
        return 63;
    return -1;
}

/* Decodes standard base64 (padding optional) into out, NUL-terminated; false if invalid. */
static bool b64_decode(const char *in, char *out, size_t cap)
{
    unsigned acc = 0;
    int bits = 0;
    size_t n = 0;
    for (; *in != '\0' && *in != '='; in++) {
        int v = b64_value(*in);
        if (v < 0)
            return false;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n + 1 >= cap)
                return false;
            out[n++] = (char)((acc >> bits) & 0xff);
        }
    }
    out[n] = '\0';
    return memchr(out, '\0', n) == NULL;
}

static int hex_value(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Decodes one form-encoded token ('+' is a space, %XX a byte) into a new string. */
static char *form_decode(const char *s, size_t n)
{
    char *out = xmalloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] == '+') {
            out[o++] = ' ';
        } else if (s[i] == '%' && i + 2 < n && (hi = hex_value(s[i + 1])) >= 0 &&
                   (lo = hex_value(s[i + 2])) >= 0) {
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return out;
}

/* The decoded value of the first field named key in a form-encoded body, or NULL. */
static char *form_get(const char *body, const char *key)
{
    const char *p = body;
    while (*p != '\0') {
        size_t len = strcspn(p, "&");
        const char *eq = memchr(p, '=', len);
        size_t klen = eq ? (size_t)(eq - p) : len;
        char *name = form_decode(p, klen);
        bool match = strcmp(name, key) == 0;
        free(name);
        if (match)
            return eq ? form_decode(eq + 1, len - klen - 1) : form_decode("", 0);
        p += len;
        if (*p == '&')
            p++;
    }
    return NULL;
}

/* -------------------------------------------------------------------------------- replies */

/* Records the status in the request's log entry, so GET /_requests shows what was answered. */
static void note_status(struct call *k, unsigned status)
{
    if (k->r->entry == NULL)
        return;
    pthread_mutex_lock(&k->f->lock);
    json_object_set_new(k->r->entry, "status", json_integer(status));
    pthread_mutex_unlock(&k->f->lock);
}

/* Queues a response. body is malloc'd (or NULL for none) and always consumed. */
static enum MHD_Result reply(struct call *k, unsigned status, char *body, const char *ctype,
                             const struct hdr *hdrs, size_t nhdrs)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(body ? strlen(body) : 0, body, MHD_RESPMEM_MUST_FREE);
    if (resp == NULL) {
        free(body);
        return MHD_NO;
    }
    if (ctype != NULL)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    for (size_t i = 0; i < nhdrs; i++)
        MHD_add_response_header(resp, hdrs[i].name, hdrs[i].value);
    note_status(k, status);
    enum MHD_Result ret = MHD_queue_response(k->c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* Queues a JSON response; body is consumed. */
static enum MHD_Result reply_json(struct call *k, unsigned status, json_t *body,
                                  const struct hdr *hdrs, size_t nhdrs)
{
    char *text = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(body);
    return reply(k, status, text, "application/json", hdrs, nhdrs);
}

static int twilio_code(unsigned status)
{
    switch (status) {
    case 401:
        return 20003;
    case 404:
        return 20404;
    case 405:
        return 20004;
    case 429:
        return 20429;
    case 503:
        return 20503;
    default:
        return status >= 500 ? 20500 : 21620;
    }
}

static json_t *twilio_error(unsigned status, int code, const char *message)
{
    char info[64];
    snprintf(info, sizeof info, "https://www.twilio.com/docs/errors/%d", code);
    return json_pack("{s:i, s:s, s:s, s:i}", "code", code, "message", message, "more_info", info,
                     "status", (int)status);
}

/* An error body in the style of the provider (or of the control API for PROV_NONE). The message
 * may quote request bytes (a JSON parse error does), so it goes through json_text. */
static json_t *error_body(enum prov p, unsigned status, const char *message)
{
    json_t *m = json_text_or_null(message);
    switch (p) {
    case PROV_SENDGRID:
        return json_pack("{s:[{s:o, s:n, s:n}]}", "errors", "message", m, "field", "help");
    case PROV_TWILIO:
        json_decref(m);
        return twilio_error(status, twilio_code(status), message);
    case PROV_FMCSA:
        return json_pack("{s:o}", "message", m);
    default:
        return json_pack("{s:o}", "error", m);
    }
}

static enum MHD_Result reply_error(struct call *k, unsigned status, const char *message)
{
    return reply_json(k, status, error_body(k->p, status, message), NULL, 0);
}

/* --------------------------------------------------------------------------- FMCSA fixtures */

enum ftype { F_STR, F_INT };

/* The carrier fields QCMobile answers, in its order. Each is a string or integer, or null. */
static const struct {
    const char *name;
    enum ftype type;
} carrier_fields[] = {
    {"legalName", F_STR},        {"dbaName", F_STR},         {"dotNumber", F_INT},
    {"allowedToOperate", F_STR}, {"statusCode", F_STR},      {"oosDate", F_STR},
    {"safetyRating", F_STR},     {"totalPowerUnits", F_INT}, {"totalDrivers", F_INT},
    {"phyCity", F_STR},          {"phyState", F_STR},        {"telephone", F_STR},
};
#define CARRIER_NFIELDS (sizeof carrier_fields / sizeof carrier_fields[0])

/* The fixtures every run starts with, and returns to on reset (README.md lists them). */
static const char *const builtin_carriers[] = {
    "{\"dotNumber\": 1000001, \"mcNumber\": 500001, \"legalName\": \"ACME FREIGHT LLC\","
    " \"dbaName\": \"ACME EXPRESS\", \"allowedToOperate\": \"Y\", \"statusCode\": \"A\","
    " \"oosDate\": null, \"safetyRating\": \"S\", \"totalPowerUnits\": 12, \"totalDrivers\": 14,"
    " \"phyCity\": \"COLUMBUS\", \"phyState\": \"OH\", \"telephone\": \"(614) 555-0101\"}",
    "{\"dotNumber\": 1000002, \"mcNumber\": 500002, \"legalName\": \"ROADBLOCK TRUCKING INC\","
    " \"dbaName\": null, \"allowedToOperate\": \"Y\", \"statusCode\": \"OOS\","
    " \"oosDate\": \"2024-01-02\", \"safetyRating\": \"U\", \"totalPowerUnits\": 3,"
    " \"totalDrivers\": 3, \"phyCity\": \"GARY\", \"phyState\": \"IN\","
    " \"telephone\": \"(219) 555-0102\"}",
    "{\"dotNumber\": 1000003, \"mcNumber\": 500003, \"legalName\": \"NOAUTH HAULING LLC\","
    " \"dbaName\": \"NOAUTH\", \"allowedToOperate\": \"N\", \"statusCode\": \"A\","
    " \"oosDate\": null, \"safetyRating\": null, \"totalPowerUnits\": 1, \"totalDrivers\": 1,"
    " \"phyCity\": \"RENO\", \"phyState\": \"NV\", \"telephone\": \"(775) 555-0103\"}",
    "{\"dotNumber\": 1000004, \"mcNumber\": 500004, \"contentNull\": true}",
};

/* A validated fixture: carrier is owned (NULL when content_null). */
struct fixture {
    char dot[FAKE_MAX_DIGITS + 1];
    char mc[FAKE_MAX_DIGITS + 1]; /* "" when none */
    bool content_null;
    json_t *carrier;
};

static bool carrier_key_known(const char *key)
{
    if (strcmp(key, "mcNumber") == 0 || strcmp(key, "contentNull") == 0)
        return true;
    for (size_t i = 0; i < CARRIER_NFIELDS; i++) {
        if (strcmp(key, carrier_fields[i].name) == 0)
            return true;
    }
    return false;
}

/* A DOT or MC number given as a positive JSON integer or a string of digits. */
static bool fixture_number(json_t *v, char out[FAKE_MAX_DIGITS + 1])
{
    unsigned long long n;
    if (json_is_integer(v) && json_integer_value(v) > 0) {
        n = (unsigned long long)json_integer_value(v);
    } else if (!json_is_string(v) || !parse_number(json_string_value(v), &n) || n == 0) {
        return false;
    }
    int len = snprintf(out, FAKE_MAX_DIGITS + 1, "%llu", n);
    return len > 0 && len <= FAKE_MAX_DIGITS;
}

/* Copies the known carrier fields, type-checked, in QCMobile's order; missing ones are null.
 * dotNumber is left null for the caller to fill in. */
static json_t *carrier_render(json_t *in, char *err, size_t errlen)
{
    json_t *out = json_object();
    for (size_t i = 0; i < CARRIER_NFIELDS; i++) {
        json_t *v = json_object_get(in, carrier_fields[i].name);
        if (strcmp(carrier_fields[i].name, "dotNumber") == 0) {
            /* Checked by fixture_parse, which may get it as a string; set there. */
            json_object_set_new(out, "dotNumber", json_null());
            continue;
        }
        bool ok = v == NULL || json_is_null(v) ||
                  (carrier_fields[i].type == F_STR ? json_is_string(v) : json_is_integer(v));
        if (!ok) {
            snprintf(err, errlen, "%s must be %s or null", carrier_fields[i].name,
                     carrier_fields[i].type == F_STR ? "a string" : "an integer");
            json_decref(out);
            return NULL;
        }
        json_object_set_new(out, carrier_fields[i].name, v ? json_incref(v) : json_null());
    }
    return out;
}

/* Validates a control-API carrier object into fx; false with a message in err. */
static bool fixture_parse(json_t *in, struct fixture *fx, char *err, size_t errlen)
{
    const char *key;
    json_t *v;
    memset(fx, 0, sizeof *fx);
    if (!json_is_object(in)) {
        snprintf(err, errlen, "the carrier must be a JSON object");
        return false;
    }
    json_object_foreach(in, key, v)
    {
        if (!carrier_key_known(key)) {
            snprintf(err, errlen, "unknown field: %s", key);
            return false;
        }
    }
    if (!fixture_number(json_object_get(in, "dotNumber"), fx->dot)) {
        snprintf(err, errlen, "dotNumber must be a positive integer");
        return false;
    }
    v = json_object_get(in, "mcNumber");
    if (v != NULL && !json_is_null(v) && !fixture_number(v, fx->mc)) {
        snprintf(err, errlen, "mcNumber must be a positive integer or a string of digits");
        return false;
    }
    v = json_object_get(in, "contentNull");
    if (v != NULL && !json_is_boolean(v)) {
        snprintf(err, errlen, "contentNull must be a boolean");
        return false;
    }
    fx->content_null = json_is_true(v);
    if (fx->content_null)
        return true;
    fx->carrier = carrier_render(in, err, errlen);
    if (fx->carrier != NULL)
        json_object_set_new(fx->carrier, "dotNumber", json_integer(strtoll(fx->dot, NULL, 10)));
    return fx->carrier != NULL;
}

/* Adds or replaces a fixture; consumes fx->carrier. Caller holds f->lock. */
static void fixture_put_locked(struct fake *f, struct fixture *fx)
{
    const char *key;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(f->dockets, tmp, key, v)
    {
        if (strcmp(json_string_value(v), fx->dot) == 0)
            json_object_del(f->dockets, key);
    }
    json_object_set_new(f->carriers, fx->dot, fx->content_null ? json_null() : fx->carrier);
    fx->carrier = NULL;
    if (fx->mc[0] != '\0')
        json_object_set_new(f->dockets, fx->mc, json_string(fx->dot));
}

/* Restores the built-in fixtures. Caller holds f->lock. */
static void fixtures_reset_locked(struct fake *f)
{
    json_object_clear(f->carriers);
    json_object_clear(f->dockets);
    for (size_t i = 0; i < sizeof builtin_carriers / sizeof builtin_carriers[0]; i++) {
        struct fixture fx;
        char err[160];
        json_t *in = json_loads(builtin_carriers[i], 0, NULL);
        bool ok = fixture_parse(in, &fx, err, sizeof err);
        json_decref(in);
        if (!ok) {
            fprintf(stderr, "wh-fake: bad built-in carrier %zu: %s\n", i, err);
            abort();
        }
        fixture_put_locked(f, &fx);
    }
}

/* ------------------------------------------------------------------------------------ FMCSA */

/* A copy of the fixture for dot, NULL if unknown; JSON null is the "content": null fixture. */
static json_t *carrier_copy(struct fake *f, const char *dot, bool by_mc)
{
    pthread_mutex_lock(&f->lock);
    if (by_mc) {
        dot = json_string_value(json_object_get(f->dockets, dot));
    }
    json_t *v = dot ? json_object_get(f->carriers, dot) : NULL;
    json_t *copy = v ? json_deep_copy(v) : NULL;
    pthread_mutex_unlock(&f->lock);
    return copy;
}

static enum MHD_Result fmcsa_found(struct call *k, json_t *carrier, bool docket)
{
    char date[48];
    json_t *content;
    if (docket) {
        content = json_array();
        if (!json_is_null(carrier))
            json_array_append_new(content, json_pack("{s:O}", "carrier", carrier));
    } else {
        content = json_is_null(carrier) ? json_null() : json_pack("{s:O}", "carrier", carrier);
    }
    json_decref(carrier);
    utc_iso(date, sizeof date);
    return reply_json(k, 200, json_pack("{s:o, s:s}", "content", content, "retrievalDate", date),
                      NULL, 0);
}

static enum MHD_Result fmcsa_handle(struct call *k)
{
    static const char base[] = "/qc/services/carriers/";
    static const char docket_part[] = "docket-number/";
    if (strcmp(k->method, "GET") != 0)
        return reply_error(k, 405, "Method Not Allowed");
    if (!has_prefix(k->url, base))
        return reply_error(k, 404, "Not Found");
    const char *num = k->url + strlen(base);
    bool docket = has_prefix(num, docket_part);
    if (docket)
        num += strlen(docket_part);
    const char *key = MHD_lookup_connection_value(k->c, MHD_GET_ARGUMENT_KIND, "webKey");
    if (key == NULL || strcmp(key, k->f->keys.fmcsa) != 0)
        return reply_error(k, 401, "Unauthorized: missing or invalid webKey");

    unsigned long long n;
    char canon[FAKE_MAX_DIGITS + 1];
    if (!parse_number(num, &n))
        return reply_error(k, 400, docket ? "Invalid docket number" : "Invalid DOT number");
    snprintf(canon, sizeof canon, "%llu", n);
    json_t *carrier = carrier_copy(k->f, canon, docket);
    if (carrier == NULL)
        return reply_error(k, 404, "Carrier not found");
    return fmcsa_found(k, carrier, docket);
}

/* --------------------------------------------------------------------------------- SendGrid */

static void sg_error(json_t *errors, const char *field, const char *message)
{
    json_array_append_new(errors,
                          json_pack("{s:s, s:s, s:s}", "message", message, "field", field, "help",
                                    "http://sendgrid.com/docs/API_Reference/"
                                    "Web_API_v3/Mail/errors.html"));
}

static bool email_ok(json_t *v)
{
    const char *s = json_string_value(v);
    if (s == NULL || s[0] == '@' || strpbrk(s, " \t\r\n<>") != NULL)
        return false;
    const char *at = strchr(s, '@');
    return at != NULL && at[1] != '\0' && strchr(at + 1, '@') == NULL;
}

static void sg_check_to(json_t *to, size_t i, json_t *errors)
{
    char field[96];
    if (!json_is_array(to) || json_array_size(to) == 0) {
        snprintf(field, sizeof field, "personalizations.%zu.to", i);
        sg_error(errors, field,
                 "The to array is required for all personalization objects, and must have at "
                 "least one email object with a valid email address.");
        return;
    }
    for (size_t j = 0; j < json_array_size(to); j++) {
        if (!email_ok(json_object_get(json_array_get(to, j), "email"))) {
            snprintf(field, sizeof field, "personalizations.%zu.to.%zu.email", i, j);
            sg_error(errors, field, "Does not contain a valid address.");
        }
    }
}

/* Checks personalizations; *all_subject tells whether every one carries its own subject. */
static void sg_check_personalizations(json_t *mail, json_t *errors, bool *all_subject)
{
    json_t *ps = json_object_get(mail, "personalizations");
    *all_subject = false;
    if (!json_is_array(ps) || json_array_size(ps) == 0) {
        sg_error(errors, "personalizations",
                 "The personalizations field is required and must have at least one "
                 "personalization.");
        return;
    }
    *all_subject = true;
    for (size_t i = 0; i < json_array_size(ps); i++) {
        json_t *p = json_array_get(ps, i);
        sg_check_to(json_object_get(p, "to"), i, errors);
        const char *subject = json_string_value(json_object_get(p, "subject"));
        if (subject == NULL || subject[0] == '\0')
            *all_subject = false;
    }
}

static void sg_check_content(json_t *mail, json_t *errors)
{
    json_t *content = json_object_get(mail, "content");
    bool plain = false;
    char field[96];
    if (!json_is_array(content) || json_array_size(content) == 0) {
        sg_error(errors, "content",
                 "Unless a valid template_id is provided, the content parameter is required. "
                 "There must be at least one defined content block.");
        return;
    }
    for (size_t i = 0; i < json_array_size(content); i++) {
        json_t *item = json_array_get(content, i);
        const char *type = json_string_value(json_object_get(item, "type"));
        const char *value = json_string_value(json_object_get(item, "value"));
        if (type == NULL || type[0] == '\0') {
            snprintf(field, sizeof field, "content.%zu.type", i);
            sg_error(errors, field,
                     "The content type must be a string at least one character "
                     "in length.");
        } else if (strcmp(type, "text/plain") == 0) {
            plain = true;
            if (i != 0) {
                snprintf(field, sizeof field, "content.%zu.type", i);
                sg_error(errors, field,
                         "If present, text/plain must be first, followed by "
                         "text/html, followed by any other content.");
            }
        }
        if (value == NULL || value[0] == '\0') {
            snprintf(field, sizeof field, "content.%zu.value", i);
            sg_error(errors, field,
                     "The content value must be a string at least one character "
                     "in length.");
        }
    }
    if (!plain)
        sg_error(errors, "content", "Every message must carry a text/plain content block.");
}

static json_t *sg_validate(json_t *mail)
{
    json_t *errors = json_array();
    bool all_subject;
    sg_check_personalizations(mail, errors, &all_subject);
    if (!email_ok(json_object_get(json_object_get(mail, "from"), "email")))
        sg_error(errors, "from.email",
                 "The from object must be provided for every email send. It is an object that "
                 "requires the email parameter, but may also contain a name parameter.");
    const char *subject = json_string_value(json_object_get(mail, "subject"));
    if ((subject == NULL || subject[0] == '\0') && !all_subject)
        sg_error(errors, "subject",
                 "The subject is required. You can get around this requirement if you use a "
                 "template with a subject defined or if every personalization has a subject "
                 "defined.");
    sg_check_content(mail, errors);
    return errors;
}

static bool bearer_ok(const char *header, const char *key)
{
    static const char scheme[] = "Bearer ";
    return header != NULL && strncasecmp(header, scheme, strlen(scheme)) == 0 &&
           strcmp(header + strlen(scheme), key) == 0;
}

static unsigned long long next_id(struct fake *f)
{
    pthread_mutex_lock(&f->lock);
    unsigned long long id = ++f->next_id;
    pthread_mutex_unlock(&f->lock);
    return id;
}

static enum MHD_Result sendgrid_accept(struct call *k)
{
    char id[40];
    snprintf(id, sizeof id, "fake%018llu.filter0001", next_id(k->f));
    struct hdr h[] = {{"X-Message-Id", id}};
    return reply(k, 202, NULL, NULL, h, 1);
}

static enum MHD_Result sendgrid_handle(struct call *k)
{
    if (strcmp(k->url, "/v3/mail/send") != 0)
        return reply_error(k, 404, "resource not found");
    if (strcmp(k->method, "POST") != 0)
        return reply_error(k, 405, "method not allowed");
    const char *auth = MHD_lookup_connection_value(k->c, MHD_HEADER_KIND, "Authorization");
    if (auth == NULL)
        return reply_error(k, 401, "authorization required");
    if (!bearer_ok(auth, k->f->keys.sendgrid))
        return reply_error(k, 401,
                           "The provided authorization grant is invalid, expired, or "
                           "revoked");
    const char *ctype = MHD_lookup_connection_value(k->c, MHD_HEADER_KIND, "Content-Type");
    if (!ctype_is(ctype, "application/json"))
        return reply_error(k, 400, "Content-Type should be application/json.");

    json_t *mail = json_loadb(buf_str(&k->r->body), k->r->body.len, 0, NULL);
    if (!json_is_object(mail)) {
        json_decref(mail);
        return reply_error(k, 400, "Bad Request");
    }
    json_t *errors = sg_validate(mail);
    json_decref(mail);
    if (json_array_size(errors) > 0)
        return reply_json(k, 400, json_pack("{s:o}", "errors", errors), NULL, 0);
    json_decref(errors);
    return sendgrid_accept(k);
}

/* ----------------------------------------------------------------------------------- Twilio */

/* Copies the account SID out of /2010-04-01/Accounts/{SID}/Messages.json; false if no match. */
static bool twilio_path(const char *url, char sid[FAKE_MAX_SID + 1])
{
    static const char base[] = "/2010-04-01/Accounts/";
    if (!has_prefix(url, base))
        return false;
    const char *s = url + strlen(base);
    size_t n = strcspn(s, "/");
    if (n == 0 || n > FAKE_MAX_SID || strcmp(s + n, "/Messages.json") != 0)
        return false;
    memcpy(sid, s, n);
    sid[n] = '\0';
    return true;
}

static bool twilio_auth_ok(struct call *k, const char *path_sid)
{
    static const char scheme[] = "Basic ";
    const char *auth = MHD_lookup_connection_value(k->c, MHD_HEADER_KIND, "Authorization");
    char cred[FAKE_MAX_AUTH];
    if (auth == NULL || strncasecmp(auth, scheme, strlen(scheme)) != 0 ||
        !b64_decode(auth + strlen(scheme), cred, sizeof cred))
        return false;
    char *colon = strchr(cred, ':');
    if (colon == NULL)
        return false;
    *colon = '\0';
    return strcmp(cred, k->f->keys.twilio_sid) == 0 &&
           strcmp(colon + 1, k->f->keys.twilio_token) == 0 &&
           strcmp(path_sid, k->f->keys.twilio_sid) == 0;
}

/* E.164: '+' then 8 to 15 digits, the first not 0. */
static bool e164_ok(const char *s)
{
    size_t n = 0;
    if (s[0] != '+' || s[1] == '0')
        return false;
    for (s++; *s != '\0'; s++, n++) {
        if (*s < '0' || *s > '9')
            return false;
    }
    return n >= 8 && n <= 15;
}

static enum MHD_Result twilio_fail(struct call *k, unsigned status, int code, const char *message)
{
    return reply_json(k, status, twilio_error(status, code, message), NULL, 0);
}

static enum MHD_Result twilio_created(struct call *k, const char *to, const char *from,
                                      const char *msid, const char *body)
{
    char sid[40], uri[160], date[48];
    snprintf(sid, sizeof sid, "SM%032llx", next_id(k->f));
    snprintf(uri, sizeof uri, "/2010-04-01/Accounts/%s/Messages/%s.json", k->f->keys.twilio_sid,
             sid);
    utc_rfc2822(date, sizeof date);
    json_t *msg = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?, s:s, s:s, s:s}", "sid", sid,
                            "account_sid", k->f->keys.twilio_sid, "status", "queued", "to", to,
                            "from", from, "messaging_service_sid", msid, "body", body, "direction",
                            "outbound-api", "api_version", "2010-04-01");
    json_object_set_new(msg, "num_segments", json_string("1"));
    json_object_set_new(msg, "num_media", json_string("0"));
    json_object_set_new(msg, "date_created", json_string(date));
    json_object_set_new(msg, "date_updated", json_string(date));
    json_object_set_new(msg, "date_sent", json_null());
    json_object_set_new(msg, "error_code", json_null());
    json_object_set_new(msg, "error_message", json_null());
    json_object_set_new(msg, "price", json_null());
    json_object_set_new(msg, "price_unit", json_string("USD"));
    json_object_set_new(msg, "uri", json_string(uri));
    return reply_json(k, 201, msg, NULL, 0);
}

/* Treats an empty form value as missing, as Twilio does. */
static char *form_field(struct call *k, const char *name)
{
    const char *ctype = MHD_lookup_connection_value(k->c, MHD_HEADER_KIND, "Content-Type");
    if (!ctype_is(ctype, "application/x-www-form-urlencoded"))
        return NULL;
    char *v = form_get(buf_str(&k->r->body), name);
    if (v != NULL && v[0] == '\0') {
        free(v);
        v = NULL;
    }
    return v;
}

static enum MHD_Result twilio_send(struct call *k)
{
    enum MHD_Result ret;
    char *to = form_field(k, "To");
    char *from = form_field(k, "From");
    char *msid = form_field(k, "MessagingServiceSid");
    char *body = form_field(k, "Body");
    if (to == NULL) {
        ret = twilio_fail(k, 400, 21604, "A 'To' phone number is required.");
    } else if (!e164_ok(to)) {
        ret = twilio_fail(k, 400, 21211, "Invalid 'To' Phone Number");
    } else if (from == NULL && msid == NULL) {
        ret = twilio_fail(k, 400, 21603,
                          "A 'From' or 'MessagingServiceSid' parameter is required to send a "
                          "message.");
    } else if (body == NULL) {
        ret = twilio_fail(k, 400, 21602, "Message body is required.");
    } else {
        ret = twilio_created(k, to, from, msid, body);
    }
    free(to);
    free(from);
    free(msid);
    free(body);
    return ret;
}

static enum MHD_Result twilio_handle(struct call *k)
{
    char sid[FAKE_MAX_SID + 1];
    if (!twilio_path(k->url, sid))
        return reply_error(k, 404, "The requested resource was not found");
    if (strcmp(k->method, "POST") != 0)
        return reply_error(k, 405, "Method not allowed");
    if (!twilio_auth_ok(k, sid)) {
        struct hdr h[] = {{"WWW-Authenticate", "Basic realm=\"Twilio API\""}};
        return reply_json(k, 401, twilio_error(401, 20003, "Authenticate"), h, 1);
    }
    return twilio_send(k);
}

/* ------------------------------------------------------------------------------ behaviours */

static struct behaviour behaviour_default(void)
{
    return (struct behaviour){MODE_OK, DEFAULT_RETRY_AFTER, DEFAULT_STALL_MS, -1};
}

/* The behaviour for one incoming request; counts it down. Caller holds f->lock. */
static struct behaviour behaviour_take_locked(struct behaviour *b)
{
    struct behaviour now = *b;
    if (b->mode != MODE_OK && b->count > 0 && --b->count == 0)
        *b = behaviour_default();
    return now;
}

static json_t *behaviour_render(enum prov p, const struct behaviour *b)
{
    return json_pack("{s:s, s:s, s:i, s:i, s:o}", "provider", prov_names[p], "mode",
                     mode_names[b->mode], "retry_after", (int)b->retry_after, "stall_ms",
                     (int)b->stall_ms, "count",
                     b->count < 0 ? json_null() : json_integer(b->count));
}

/* Reads an optional integer field within [lo, hi] into *out. */
static bool int_field(json_t *in, const char *name, long lo, long hi, long *out, char *err,
                      size_t errlen)
{
    json_t *v = json_object_get(in, name);
    if (v == NULL || json_is_null(v))
        return true;
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
        snprintf(err, errlen, "%s must be an integer from %ld to %ld", name, lo, hi);
        return false;
    }
    *out = (long)json_integer_value(v);
    return true;
}

static bool mode_parse(json_t *v, enum mode *out)
{
    const char *s = json_string_value(v);
    for (int i = 0; s != NULL && i < MODE_N; i++) {
        if (strcmp(s, mode_names[i]) == 0) {
            *out = (enum mode)i;
            return true;
        }
    }
    return false;
}

static bool behaviour_parse(json_t *in, struct behaviour *b, char *err, size_t errlen)
{
    static const char *const allowed[] = {"mode", "retry_after", "stall_ms", "count"};
    const char *key;
    json_t *v;
    *b = behaviour_default();
    if (!json_is_object(in)) {
        snprintf(err, errlen, "the body must be a JSON object");
        return false;
    }
    json_object_foreach(in, key, v)
    {
        size_t i = 0;
        while (i < 4 && strcmp(key, allowed[i]) != 0)
            i++;
        if (i == 4) {
            snprintf(err, errlen, "unknown field: %s", key);
            return false;
        }
    }
    if (!mode_parse(json_object_get(in, "mode"), &b->mode)) {
        snprintf(err, errlen,
                 "mode must be one of ok, fail500, fail503, ratelimit, stall, "
                 "badjson");
        return false;
    }
    return int_field(in, "retry_after", 0, FAKE_MAX_RETRY, &b->retry_after, err, errlen) &&
           int_field(in, "stall_ms", 0, FAKE_MAX_STALL_MS, &b->stall_ms, err, errlen) &&
           int_field(in, "count", 1, FAKE_MAX_COUNT, &b->count, err, errlen);
}

/* Answers with the provider's success status and a body that is not valid JSON. */
static enum MHD_Result reply_badjson(struct call *k)
{
    switch (k->p) {
    case PROV_SENDGRID:
        return reply(k, 202, strdup("{\"message\": \"accep"), "application/json", NULL, 0);
    case PROV_TWILIO:
        return reply(k, 201, strdup("{\"sid\": \"SM00000000000000000000000000000000\", \"sta"),
                     "application/json", NULL, 0);
    default:
        return reply(k, 200, strdup("{\"content\": {\"carrier\": {\"legalName\": \"ACME FR"),
                     "application/json", NULL, 0);
    }
}

/* Applies a failure mode (anything but ok and stall). */
static enum MHD_Result reply_mode(struct call *k, const struct behaviour *b)
{
    char seconds[24];
    switch (b->mode) {
    case MODE_FAIL500:
        return reply_error(k, 500, "Internal Server Error");
    case MODE_FAIL503:
        return reply_error(k, 503, "Service Unavailable");
    case MODE_RATELIMIT: {
        snprintf(seconds, sizeof seconds, "%ld", b->retry_after);
        struct hdr h[] = {{"Retry-After", seconds}};
        return reply_json(k, 429, error_body(k->p, 429, "Too Many Requests"), h, 1);
    }
    default:
        return reply_badjson(k);
    }
}

/* ------------------------------------------------------------------------------ request log */

static json_t *log_entry_new(struct call *k)
{
    const char *uri = k->r->uri ? k->r->uri : k->url;
    const char *q = strchr(uri, '?');
    size_t plen = q ? (size_t)(q - uri) : strlen(uri);
    const char *auth = MHD_lookup_connection_value(k->c, MHD_HEADER_KIND, "Authorization");
    const char *ctype = MHD_lookup_connection_value(k->c, MHD_HEADER_KIND, "Content-Type");
    json_t *e = json_object();
    json_object_set_new(e, "method", json_text_or_null(k->method));
    json_object_set_new(e, "path", json_text(uri, plen));
    json_object_set_new(e, "query", json_text_or_null(q ? q + 1 : NULL));
    json_object_set_new(e, "headers",
                        json_pack("{s:o, s:o}", "authorization", json_text_or_null(auth),
                                  "content-type", json_text_or_null(ctype)));
    json_object_set_new(e, "body", json_text(buf_str(&k->r->body), k->r->body.len));
    json_object_set_new(e, "at_ms", json_integer(now_ms(CLOCK_REALTIME)));
    json_object_set_new(e, "status", json_null());
    return e;
}

/* Appends an entry (consumed), dropping the oldest past FAKE_MAX_LOG. Caller holds f->lock. */
static void log_append_locked(struct provider *p, json_t *entry)
{
    if (json_array_size(p->log) >= FAKE_MAX_LOG)
        json_array_remove(p->log, 0);
    json_array_append_new(p->log, entry);
}

/* ---------------------------------------------------------------------------------- stalls */

static void *stall_run(void *arg)
{
    struct stalls *s = arg;
    pthread_mutex_lock(&s->lock);
    for (;;) {
        long long now = now_ms(CLOCK_MONOTONIC), next = -1;
        for (struct req **pp = &s->head; *pp != NULL;) {
            struct req *r = *pp;
            if (s->stopping || r->wake_ms <= now) {
                *pp = r->next;
                MHD_resume_connection(r->conn);
                continue;
            }
            if (next < 0 || r->wake_ms < next)
                next = r->wake_ms;
            pp = &r->next;
        }
        if (s->stopping)
            break;
        if (next < 0) {
            pthread_cond_wait(&s->cond, &s->lock);
        } else {
            struct timespec ts = {.tv_sec = next / 1000, .tv_nsec = (next % 1000) * 1000000};
            pthread_cond_timedwait(&s->cond, &s->lock, &ts);
        }
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

/* Suspends the connection for ms; false (not suspended) once shutdown has begun. */
static bool stall_begin(struct stalls *s, struct req *r, struct MHD_Connection *c, long ms)
{
    pthread_mutex_lock(&s->lock);
    bool ok = !s->stopping;
    if (ok) {
        r->conn = c;
        r->wake_ms = now_ms(CLOCK_MONOTONIC) + ms;
        r->next = s->head;
        s->head = r;
        /* Under s->lock, so the timer thread cannot resume it before it is suspended. */
        MHD_suspend_connection(c);
        pthread_cond_signal(&s->cond);
    }
    pthread_mutex_unlock(&s->lock);
    return ok;
}

static int stalls_start(struct stalls *s)
{
    pthread_condattr_t attr;
    pthread_mutex_init(&s->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&s->cond, &attr);
    pthread_condattr_destroy(&attr);
    s->head = NULL;
    s->stopping = false;
    return pthread_create(&s->thread, NULL, stall_run, s);
}

/* Resumes every stalled request and stops the timer thread. */
static void stalls_stop(struct stalls *s)
{
    pthread_mutex_lock(&s->lock);
    s->stopping = true;
    pthread_cond_signal(&s->cond);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    pthread_cond_destroy(&s->cond);
    pthread_mutex_destroy(&s->lock);
}

/* ------------------------------------------------------------------------ provider requests */

static enum prov prov_of_path(const char *url)
{
    if (has_prefix(url, "/qc/"))
        return PROV_FMCSA;
    if (has_prefix(url, "/v3/"))
        return PROV_SENDGRID;
    if (has_prefix(url, "/2010-04-01/"))
        return PROV_TWILIO;
    return PROV_NONE;
}

/* Logs the request and picks its behaviour: the first time its body is complete. */
static struct behaviour provider_admit(struct call *k)
{
    json_t *entry = log_entry_new(k);
    k->r->entry = json_incref(entry);
    pthread_mutex_lock(&k->f->lock);
    log_append_locked(&k->f->prov[k->p], entry);
    struct behaviour b = behaviour_take_locked(&k->f->prov[k->p].b);
    pthread_mutex_unlock(&k->f->lock);
    return b;
}

static enum MHD_Result provider_request(struct call *k)
{
    struct behaviour b = behaviour_default();
    if (k->r->stage != STAGE_STALLED) {
        b = provider_admit(k);
        if (b.mode == MODE_STALL && stall_begin(&k->f->stalls, k->r, k->c, b.stall_ms)) {
            k->r->stage = STAGE_STALLED;
            return MHD_YES;
        }
    }
    /* A stall ends in a normal answer: a client whose timeout is longer sees success. */
    if (b.mode != MODE_OK && b.mode != MODE_STALL)
        return reply_mode(k, &b);
    if (k->r->too_big)
        return reply_error(k, 413, "Payload Too Large");
    switch (k->p) {
    case PROV_FMCSA:
        return fmcsa_handle(k);
    case PROV_SENDGRID:
        return sendgrid_handle(k);
    default:
        return twilio_handle(k);
    }
}

/* ------------------------------------------------------------------------------ control API */

static enum prov prov_find(const char *name)
{
    for (int i = 0; i < PROV_COUNT; i++) {
        if (strcmp(name, prov_names[i]) == 0)
            return (enum prov)i;
    }
    return PROV_NONE;
}

/* The request body as JSON (NULL with a message when it is not). */
static json_t *control_body(struct call *k, char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *in = json_loadb(buf_str(&k->r->body), k->r->body.len, 0, &jerr);
    if (in == NULL)
        snprintf(err, errlen, "invalid JSON: %.100s", jerr.text);
    return in;
}

static enum MHD_Result control_mode_set(struct call *k, enum prov p)
{
    char err[160] = "";
    struct behaviour b;
    json_t *in = control_body(k, err, sizeof err);
    bool ok = in != NULL && behaviour_parse(in, &b, err, sizeof err);
    json_decref(in);
    if (!ok)
        return reply_error(k, 400, err);
    if (b.mode == MODE_OK)
        b.count = -1;
    pthread_mutex_lock(&k->f->lock);
    k->f->prov[p].b = b;
    pthread_mutex_unlock(&k->f->lock);
    return reply_json(k, 200, behaviour_render(p, &b), NULL, 0);
}

static enum MHD_Result control_mode_get(struct call *k, enum prov p)
{
    pthread_mutex_lock(&k->f->lock);
    struct behaviour b = k->f->prov[p].b;
    pthread_mutex_unlock(&k->f->lock);
    return reply_json(k, 200, behaviour_render(p, &b), NULL, 0);
}

static enum MHD_Result control_carrier(struct call *k)
{
    char err[160] = "";
    struct fixture fx;
    json_t *in = control_body(k, err, sizeof err);
    bool ok = in != NULL && fixture_parse(in, &fx, err, sizeof err);
    json_decref(in);
    if (!ok)
        return reply_error(k, 400, err);
    json_t *out = json_pack(
        "{s:o, s:o, s:b}", "carrier", fx.content_null ? json_null() : json_deep_copy(fx.carrier),
        "mcNumber", fx.mc[0] ? json_string(fx.mc) : json_null(), "contentNull", fx.content_null);
    pthread_mutex_lock(&k->f->lock);
    fixture_put_locked(k->f, &fx);
    pthread_mutex_unlock(&k->f->lock);
    return reply_json(k, 200, out, NULL, 0);
}

static enum MHD_Result control_reset(struct call *k)
{
    pthread_mutex_lock(&k->f->lock);
    for (int i = 0; i < PROV_COUNT; i++) {
        k->f->prov[i].b = behaviour_default();
        json_array_clear(k->f->prov[i].log);
    }
    fixtures_reset_locked(k->f);
    pthread_mutex_unlock(&k->f->lock);
    return reply_json(k, 200, json_pack("{s:b}", "reset", 1), NULL, 0);
}

/* The log is dumped under the lock: entries of requests still in flight change. */
static enum MHD_Result requests_list(struct call *k, enum prov p)
{
    pthread_mutex_lock(&k->f->lock);
    json_t *log = k->f->prov[p].log;
    json_t *out = json_pack("{s:I, s:O}", "count", (json_int_t)json_array_size(log), "items", log);
    char *text = json_dumps(out, JSON_COMPACT);
    json_decref(out);
    pthread_mutex_unlock(&k->f->lock);
    return reply(k, 200, text, "application/json", NULL, 0);
}

static enum MHD_Result requests_clear(struct call *k, enum prov p)
{
    pthread_mutex_lock(&k->f->lock);
    json_array_clear(k->f->prov[p].log);
    pthread_mutex_unlock(&k->f->lock);
    return reply_json(k, 200, json_pack("{s:i, s:[]}", "count", 0, "items"), NULL, 0);
}

static enum MHD_Result control_request(struct call *k)
{
    static const char ctl[] = "/_control/", reqs[] = "/_requests/";
    bool get = strcmp(k->method, "GET") == 0, post = strcmp(k->method, "POST") == 0;
    if (k->r->too_big)
        return reply_error(k, 413, "request body too large");
    if (strcmp(k->url, "/_control/reset") == 0)
        return post ? control_reset(k) : reply_error(k, 405, "use POST");
    if (strcmp(k->url, "/_control/fmcsa/carriers") == 0)
        return post ? control_carrier(k) : reply_error(k, 405, "use POST");
    if (has_prefix(k->url, ctl)) {
        enum prov p = prov_find(k->url + strlen(ctl));
        if (p == PROV_NONE)
            return reply_error(k, 404, "unknown provider");
        if (post || get)
            return post ? control_mode_set(k, p) : control_mode_get(k, p);
        return reply_error(k, 405, "use GET or POST");
    }
    enum prov p = prov_find(k->url + strlen(reqs));
    if (p == PROV_NONE)
        return reply_error(k, 404, "unknown provider");
    if (get)
        return requests_list(k, p);
    if (strcmp(k->method, "DELETE") == 0)
        return requests_clear(k, p);
    return reply_error(k, 405, "use GET or DELETE");
}

/* --------------------------------------------------------------------------- MHD callbacks */

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    (void)c;
    struct req *r = xmalloc(sizeof *r);
    memset(r, 0, sizeof *r);
    r->uri = xstrndup(uri, strlen(uri));
    return r;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **ctx,
                         enum MHD_RequestTerminationCode toe)
{
    struct req *r = *ctx;
    (void)cls;
    (void)c;
    (void)toe;
    if (r == NULL)
        return;
    free(r->uri);
    free(r->body.p);
    json_decref(r->entry);
    free(r);
    *ctx = NULL;
}

static void body_append(struct req *r, const char *data, size_t n)
{
    size_t room = FAKE_MAX_BODY - r->body.len;
    if (n > room) {
        r->too_big = true;
        n = room;
    }
    if (n > 0)
        buf_append(&r->body, data, n);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **ctx)
{
    struct req *r = *ctx;
    (void)version;
    if (r == NULL)
        return MHD_NO; /* on_uri runs first for every request */
    if (r->stage == STAGE_HEADERS) {
        r->stage = STAGE_BODY;
        return MHD_YES;
    }
    if (*size != 0) {
        body_append(r, data, *size);
        *size = 0;
        return MHD_YES;
    }
    struct call k = {cls, r, c, prov_of_path(url), url, method};
    if (k.p != PROV_NONE)
        return provider_request(&k);
    if (has_prefix(url, "/_control/") || has_prefix(url, "/_requests/"))
        return control_request(&k);
    return reply_error(&k, 404, "no such route");
}

/* ------------------------------------------------------------------------------ start-up */

struct opts {
    unsigned port;
    const char *bind;
    struct keys keys;
};

static void usage(FILE *out)
{
    fputs("usage: wh-fake --port P [--bind ADDR] [--fmcsa-key K] [--sendgrid-key K]\n"
          "               [--twilio-sid SID] [--twilio-token T]\n"
          "  --port 0 picks a free port; the first line on stdout is \"listening on PORT\".\n"
          "  Defaults: --bind 127.0.0.1 --fmcsa-key " DEFAULT_FMCSA_KEY
          " --sendgrid-key " DEFAULT_SENDGRID_KEY "\n"
          "            --twilio-sid " DEFAULT_TWILIO_SID " --twilio-token " DEFAULT_TWILIO_TOKEN
          "\n",
          out);
}

/* Returns 0 to run, 1 for a usage error, 2 when help was printed. */
static int opts_parse(int argc, char **argv, struct opts *o)
{
    *o = (struct opts){
        0,
        "127.0.0.1",
        {DEFAULT_FMCSA_KEY, DEFAULT_SENDGRID_KEY, DEFAULT_TWILIO_SID, DEFAULT_TWILIO_TOKEN}};
    bool have_port = false;
    for (int i = 1; i < argc; i += 2) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        unsigned long long n;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
            return 2;
        if (v == NULL)
            return 1;
        if (strcmp(a, "--port") == 0 && parse_number(v, &n) && n <= 65535) {
            o->port = (unsigned)n;
            have_port = true;
        } else if (strcmp(a, "--bind") == 0) {
            o->bind = v;
        } else if (strcmp(a, "--fmcsa-key") == 0) {
            o->keys.fmcsa = v;
        } else if (strcmp(a, "--sendgrid-key") == 0) {
            o->keys.sendgrid = v;
        } else if (strcmp(a, "--twilio-sid") == 0) {
            o->keys.twilio_sid = v;
        } else if (strcmp(a, "--twilio-token") == 0) {
            o->keys.twilio_token = v;
        } else {
            return 1;
        }
    }
    return have_port ? 0 : 1;
}

static void fake_init(struct fake *f, const struct keys *keys)
{
    memset(f, 0, sizeof *f);
    pthread_mutex_init(&f->lock, NULL);
    for (int i = 0; i < PROV_COUNT; i++) {
        f->prov[i].b = behaviour_default();
        f->prov[i].log = json_array();
    }
    f->carriers = json_object();
    f->dockets = json_object();
    f->keys = *keys;
    pthread_mutex_lock(&f->lock);
    fixtures_reset_locked(f);
    pthread_mutex_unlock(&f->lock);
}

static void fake_cleanup(struct fake *f)
{
    for (int i = 0; i < PROV_COUNT; i++)
        json_decref(f->prov[i].log);
    json_decref(f->carriers);
    json_decref(f->dockets);
    pthread_mutex_destroy(&f->lock);
}

static struct MHD_Daemon *daemon_start(struct fake *f, const struct opts *o)
{
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)o->port);
    if (inet_pton(AF_INET, o->bind, &addr.sin_addr) != 1) {
        fprintf(stderr, "wh-fake: --bind needs an IPv4 address: %s\n", o->bind);
        return NULL;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ERROR_LOG;
    return MHD_start_daemon(flags, (uint16_t)o->port, NULL, NULL, on_request, f,
                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                            MHD_OPTION_THREAD_POOL_SIZE, (unsigned)FAKE_THREADS,
                            MHD_OPTION_URI_LOG_CALLBACK, on_uri, (void *)f,
                            MHD_OPTION_NOTIFY_COMPLETED, on_completed, (void *)f, MHD_OPTION_END);
}

/* Blocks the stop signals in every thread (workers inherit the mask); main waits for them. */
static void signals_block(sigset_t *set)
{
    signal(SIGPIPE, SIG_IGN);
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    pthread_sigmask(SIG_BLOCK, set, NULL);
}

static int serve(struct fake *f, const struct opts *o)
{
    sigset_t set;
    int sig = 0;
    signals_block(&set);
    if (stalls_start(&f->stalls) != 0) {
        fputs("wh-fake: cannot start the stall thread\n", stderr);
        return 1;
    }
    struct MHD_Daemon *d = daemon_start(f, o);
    if (d == NULL) {
        fprintf(stderr, "wh-fake: cannot listen on %s:%u\n", o->bind, o->port);
        stalls_stop(&f->stalls);
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    printf("listening on %u\n", info ? (unsigned)info->port : o->port);
    fflush(stdout);
    while (sigwait(&set, &sig) != 0) {
    }
    fprintf(stderr, "wh-fake: signal %d, stopping\n", sig);
    stalls_stop(&f->stalls); /* MHD must not be stopped with suspended connections */
    MHD_stop_daemon(d);
    return 0;
}

int main(int argc, char **argv)
{
    struct opts o;
    struct fake f;
    int rc = opts_parse(argc, argv, &o);
    if (rc != 0) {
        usage(rc == 2 ? stdout : stderr);
        return rc == 2 ? 0 : 2;
    }
    fake_init(&f, &o.keys);
    rc = serve(&f, &o);
    fake_cleanup(&f);
    return rc;
}
