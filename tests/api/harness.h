/*
 * Black-box API test harness: runs the real `wheelhouse` binary on a fresh database (SQLite or
 * PostgreSQL, chosen by WH_TEST_ENGINE) and talks to it over loopback HTTP; external providers
 * are the `wh-fake` server (WH_TEST_FAKE), driven through its control API.
 *
 * Lifetimes: every wht_resp, json_t and string a wht_* function returns is owned by the harness
 * and released by wht_test_teardown() (after each test) or at exit, so tests never free them.
 * Anything a fixture keeps across tests must be copied into the fixed-size structs below.
 *
 * Failures inside helpers are cmocka failures reported at the caller's file and line where the
 * helper is a macro; setup problems outside a test (no binary, no database) end the program with
 * a message and a non-zero status. Servers are always stopped (SIGTERM, then SIGKILL) at exit, and
 * they die with the test program (PR_SET_PDEATHSIG) if it is killed.
 *
 * Not thread-safe: one test program drives its servers from one thread.
 */
#ifndef WHT_HARNESS_H
#define WHT_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#define WHT_API "/api/v1"

typedef struct wht_server wht_server;

/* One HTTP exchange. status is 0 when the transport failed (error says why). */
typedef struct wht_resp {
    long status;
    char *body; /* NUL-terminated; "" when empty */
    size_t body_len;
    json_t *json; /* the parsed body, or NULL */
    size_t nheaders;
    char **names;
    char **values;
    char *error;  /* transport error, or NULL */
    char *target; /* "METHOD /path", for messages */
} wht_resp;

/* A request; zero fields mean "not sent". path is the full path on the wire. */
typedef struct wht_request {
    const char *method;
    const char *path;
    const char *token;          /* Authorization: Bearer <token> */
    const char *cookie;         /* Cookie: <cookie> */
    const char *const *headers; /* extra "Name: value" lines, NULL-terminated */
    const char *body;           /* body bytes, or NULL for no body */
    size_t body_len;
    const char *content_type; /* NULL: application/json when there is a body; "": no header */
    const wht_server *server; /* NULL: the main server */
} wht_request;

typedef struct wht_user {
    long long id;
    char email[160];
    char password[64];
    char role[32];
    char token[512]; /* "" when not logged in */
} wht_user;

typedef struct wht_venture {
    long long id;
    char name[128];
    char code[40];
    char type[32];
} wht_venture;

/* ---- life cycle ---- */
/* Reads WH_TEST_ENGINE / WH_TEST_BINARY (/ WH_TEST_PG_ADMIN_URL), makes a fresh database, runs
 * `migrate`, creates the first ADMIN with `user create --password-stdin`, starts the main server
 * and signs the admin in. Exits non-zero with a message on any failure. Call once, first. */
void wht_init(void);
/* As wht_init, with extra "NAME=value" lines (NULL-ended, copied) in the environment of every
 * `wheelhouse` process this program starts: the CLI runs, the main server and every
 * wht_server_start (whose own env still overrides them). */
void wht_init_env(const char *const *env);
/* Stops every server, drops the database and the temp dir (kept, with logs, when anything
 * failed or WH_TEST_KEEP is set). Returns failed plus the servers that ended abnormally. */
int wht_finish(int failed);
/* cmocka teardown: releases everything the harness handed out during the test. */
int wht_test_teardown(void **state);
#define WHT_TEST(f) cmocka_unit_test_teardown(f, wht_test_teardown)

/* ---- servers ---- */
/* Starts another `serve` on the same database, with wht_init_env's environment; env: further
 * "NAME=value" overrides, NULL-ended. */
wht_server *wht_server_start(const char *const *env);
/* SIGTERM, wait (SIGKILL after 10 s), reap; NULL is fine. An unclean end fails wht_finish.
 * The main server may be stopped too: requests without a server then end the program. */
void wht_server_stop(wht_server *server);
/* Sends sig to a server (SIGSTOP / SIGCONT to pause and resume it). */
void wht_server_signal(const wht_server *server, int sig);
/* SIGKILL, reap and forget a server: a crash the test asked for, not counted as a failure. */
void wht_server_kill(wht_server *server);
wht_server *wht_main_server(void);
/* "sqlite" or "postgres". */
const char *wht_engine(void);
/* The name of the test's PostgreSQL database ("" on SQLite). */
const char *wht_pg_database(void);
/* "http://127.0.0.1:PORT" of a server or a fake (NULL: the main server); harness-owned. */
const char *wht_server_base(const wht_server *server);
/* Everything a server (NULL: the main one) has logged so far, its stderr: one JSON line per
 * event (harness-owned; "" when unreadable). */
const char *wht_server_log(const wht_server *server);
/* Sends request, raw bytes as they are (for what libcurl will not send, e.g. HTTP/1.1 without
 * Host), to a server (NULL: the main one) on a new connection and returns everything read
 * until the server closes it (send "Connection: close") or the HTTP timeout passes
 * (harness-owned). Fails the test when the connection cannot be made. */
const char *wht_raw(const wht_server *server, const char *request);

/* ---- the fake FMCSA, SendGrid and Twilio (tests/fakes/README.md) ----
 * A fake is a wht_server: stopped at exit like the others, or earlier with wht_server_stop. */
/* Starts `$WH_TEST_FAKE --port 0` and reads its port from its first stdout line. May be called
 * before wht_init_env, so the main server's base URLs can point at it (exits non-zero on
 * failure there, fails the test inside one). */
wht_server *wht_fake_start(void);
/* One control-API call (full path, e.g. "/_control/fmcsa"); body JSON (stolen) or NULL. Fails
 * the test unless the fake answers 200 with an object; returns that object. */
json_t *wht_fake_call(const wht_server *fake, const char *method, const char *path, json_t *body);
/* POST /_control/reset: every provider ok, logs cleared, built-in fixtures only. */
void wht_fake_reset(const wht_server *fake);
/* POST /_control/{provider} with control (stolen), e.g. {"mode": "stall", "stall_ms": 800};
 * wht_fake_mode sends just the mode. */
void wht_fake_set(const wht_server *fake, const char *provider, json_t *control);
void wht_fake_mode(const wht_server *fake, const char *provider, const char *mode);
/* The items of GET /_requests/{provider}, oldest first; DELETE clears that log. */
json_t *wht_fake_requests(const wht_server *fake, const char *provider);
void wht_fake_clear(const wht_server *fake, const char *provider);
/* Waits (up to a minute) until the fake holds (stalls) a request of provider. */
void wht_fake_wait_held(const wht_server *fake, const char *provider);
/* The recipient of a logged SendGrid request ("" when its body is unreadable). */
const char *wht_mail_to(const json_t *entry);

/* ---- HTTP (paths of the wht_send family are relative to /api/v1) ---- */
/* Sends req (full path) and returns the response; never fails the test by itself. */
wht_resp *wht_do(const wht_request *req);
wht_resp *wht_get(const char *token, const char *path);
/* body is JSON to send (the reference is stolen; NULL sends no body and no Content-Type). */
wht_resp *wht_post(const char *token, const char *path, json_t *body);
wht_resp *wht_patch(const char *token, const char *path, json_t *body);
wht_resp *wht_put(const char *token, const char *path, json_t *body);
wht_resp *wht_delete(const char *token, const char *path);
wht_resp *wht_send(const char *method, const char *token, const char *path, json_t *body);
/* As wht_send, to a given server (NULL: the main one). */
wht_resp *wht_send_on(const wht_server *server, const char *method, const char *token,
                      const char *path, json_t *body);
/* A request in flight while the test does other things (several may be in flight at once):
 * wht_flight_start sends req and returns once it has left (headers and body); the transfer
 * progresses only inside wht_flight_pump and wht_flight_end, which waits for the answer and
 * returns it like wht_do (harness-owned; the flight is freed). Every flight must be ended. */
typedef struct wht_flight wht_flight;
wht_flight *wht_flight_start(const wht_request *req);
void wht_flight_pump(wht_flight *f, long ms);
wht_resp *wht_flight_end(wht_flight *f);
/* Sends len raw bytes; content_type as in wht_request. */
wht_resp *wht_send_raw(const char *method, const char *token, const char *path,
                       const char *content_type, const char *body, size_t len);
/* The first (or nth) value of a response header, by case-insensitive name; NULL if absent. */
const char *wht_header(const wht_resp *resp, const char *name);
const char *wht_header_nth(const wht_resp *resp, const char *name, size_t nth);

/* ---- strings and JSON ---- */
/* printf into a harness-owned string. */
const char *wht_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Names, venture codes and e-mails that never collide within a database. */
const char *wht_unique(const char *prefix);
const char *wht_unique_code(void);
const char *wht_unique_email(void);
/* json_pack that fails the test on a format error; returns a new reference. */
json_t *wht_json(const char *fmt, ...);
/* Hands value (a new reference) to the harness; returns it. */
json_t *wht_keep_json(json_t *value);
/* Compact, key-sorted JSON text of value. */
const char *wht_dump(const json_t *value);
/* The answer's body is exactly the text jansson writes for its own JSON (parsed, dumped compact
 * again: the same bytes): what a list written straight to text must keep (wh_resp_list_text). */
void wht_expect_jansson_text(const wht_resp *r);
/* obj[key] as an integer / a string; fails the test when it is not one. */
long long wht_int(const json_t *obj, const char *key);
const char *wht_str(const json_t *obj, const char *key);
/* The records of RFC 4180 text as a CSV export writes it: an array of records, each an array
 * of strings (quotes undone). Fails the test on a record that does not end with CRLF, a bare LF
 * or quote, or an unclosed quote. */
json_t *wht_csv_parse(const char *text, size_t len);
/* The items array of a list response; fails the test when there is none. */
json_t *wht_items(const wht_resp *resp);
/* The object in items whose "id" is id, or NULL (borrowed). */
json_t *wht_find_by_id(const json_t *items, long long id);
/* A problem without its request-specific members (instance, request_id, trace_id) and with
 * id_text replaced by "{id}" in every string, for comparing two answers. */
json_t *wht_problem_shape(const json_t *problem, const char *id_text);
/* True for YYYY-MM-DDTHH:MM:SS.mmmZ; the instant in Unix ms (-1 when malformed). */
bool wht_is_rfc3339_ms_utc(const char *text);
long long wht_rfc3339_ms(const char *text);
long long wht_now_ms(void);
void wht_sleep_ms(long ms);
/* The UTC calendar day YYYY-MM-DD at now + days (harness-owned). Fails the test unless its
 * servers run with WH_TIMEZONE=UTC, so that it is the server's business day too. */
const char *wht_utc_day(int days);
/* The instant now + seconds as RFC 3339 UTC (an instant: right in any server time zone). */
const char *wht_instant_in(long seconds);

/* ---- caller and domain helpers (all as the first admin; fail the test on an error) ---- */
const char *wht_admin_token(void);
long long wht_admin_id(void);
const char *wht_admin_email(void);
/* POST /auth/login, whatever the answer. */
wht_resp *wht_login_resp(const char *email, const char *password);
/* Signs in (expects 200) and returns the token. */
const char *wht_login(const char *email, const char *password);
/* Creates a user of role with a unique e-mail and a password (token ""); _new also signs in. */
wht_user wht_user_add(const char *role);
wht_user wht_user_new(const char *role);
/* Creates a venture of type with a unique name and code. */
/* A signed-in user of role, member of venture_id (0: of none). */
wht_user wht_member_new(const char *role, long long venture_id);
/* An assignable (ACTIVE) carrier onboarded by the admin through the fake FMCSA under DOT number
 * dot (a number no other carrier of the test has); returns its id. */
long long wht_carrier_new(const wht_server *fake, long long dot);
wht_venture wht_venture_new(const char *type);
/* Creates an office with a unique name in the venture; returns its id. */
long long wht_office_new(long long venture_id);
/* PUT /users/{id}/ventures and /offices with exactly these ids (expects 200). */
void wht_set_ventures(long long user_id, size_t n, const long long *venture_ids);
void wht_set_offices(long long user_id, size_t n, const long long *office_ids);
/* Every item of a cursor list, walking pages of limit rows as token. */
json_t *wht_list_all(const char *token, const char *path, size_t limit);
/* The id of the newest audit entry (0: none); the entries newer than after_id, newest first. */
long long wht_audit_head(void);
json_t *wht_audit_since(long long after_id);

/* The sign-in code in the nth (0-based) e-mail the fake SendGrid accepted for recipient
 * ("... code is NNNNNN"), waiting up to 15 s for it to arrive; fails the test otherwise. */
const char *wht_fake_mail_code(const wht_server *fake, const char *recipient, size_t nth);

/* ---- races ----
 * Sends n requests at once, each from its own process over its own connection, released
 * together through one gate: method and path on the main server with token, bodies[i] as the
 * JSON body of the i-th (NULL: no body). statuses[i] receives its HTTP status (0: transport
 * failure). For the unique keys and atomic statements that concurrency must not break. */
void wht_race(size_t n, const char *method, const char *path, const char *token,
              const char *const *bodies, long *statuses);

/* ---- the database itself, for states the API cannot make (e.g. a change dated a past day) ----
 * Runs one SQL statement (in the subset both engines accept) on the test database over a
 * connection of its own, and returns the first column of its first row as an integer: 0 when
 * there is no row or it is NULL. Fails the test on an error. */
long long wht_sql(const char *sql);

/* A digest of the whole database: one line "table rows hash" per table, every row's text in a
 * sorted order, so two digests are equal exactly when every table holds the same rows. skip
 * (NULL-terminated, or NULL) names tables ("sessions") or columns ("sessions.last_seen_at")
 * left out. Read over a connection of its own, in one read transaction on SQLite. */
const char *wht_db_digest(const char *const *skip);

/* ---- other `wheelhouse` commands (with wht_init_env's environment, then env) ---- */
/* Runs `wheelhouse args...` to completion; returns its exit status (-1: killed by a signal) and,
 * when output is not NULL, its stdout and stderr together (harness-owned). */
int wht_cli(const char *const *args, const char *const *env, const char **output);
/* Starts `wheelhouse args...` in the background; stop it with wht_server_kill. */
wht_server *wht_cli_start(const char *const *args, const char *const *env);
/* Waits up to ms for needle to appear in a server's (or command's) log; false when it did not,
 * or at once when the process has ended. */
bool wht_server_wait_log(const wht_server *server, const char *needle, long ms);

/* ---- assertions (report at the caller's line, with the request and the response) ---- */
/* Text printed with any harness assertion failure until the test ends. */
void wht_context(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void wht_fail_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The status is exactly status. */
void wht_expect_at(const wht_resp *resp, long status, const char *file, int line);
/* An RFC 9457 answer: status, Content-Type application/problem+json, code, status, title,
 * type https://wheelhouse.dev/problems/<code>, and errors[0].field == field unless NULL. */
void wht_problem_at(const wht_resp *resp, long status, const char *code, const char *field,
                    const char *file, int line);
void wht_json_equal_at(const json_t *a, const json_t *b, const char *file, int line);
/* items[*][key] (or items[*] when key is NULL) are exactly the n ids, in any order. */
void wht_id_set_at(const json_t *items, const char *key, size_t n, const long long *ids,
                   const char *file, int line);
/* items[*][key] (or items[*]) are exactly the NULL-terminated strings, in any order. */
void wht_str_set_at(const json_t *items, const char *key, const char *const *expected,
                    const char *file, int line);

#define WHT_FAIL(...)            wht_fail_at(__FILE__, __LINE__, __VA_ARGS__)
#define WHT_EXPECT(resp, status) wht_expect_at((resp), (status), __FILE__, __LINE__)
#define WHT_PROBLEM(resp, status, code, field)                                                     \
    wht_problem_at((resp), (status), (code), (field), __FILE__, __LINE__)
#define WHT_JSON_EQUAL(a, b)           wht_json_equal_at((a), (b), __FILE__, __LINE__)
#define WHT_ID_SET(items, key, n, ids) wht_id_set_at((items), (key), (n), (ids), __FILE__, __LINE__)
#define WHT_STR_SET(items, key, expected)                                                          \
    wht_str_set_at((items), (key), (expected), __FILE__, __LINE__)

#endif
