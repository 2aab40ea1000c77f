/* Idempotency-Key on POST (API.md): the first response (status and body) is kept for 24 h per
 * (user, key) in the database, so it holds across instances. A replay with the same request
 * gets it back with Idempotent-Replayed: true; the same key with another request is 422
 * idempotency_key_reused; a replay while the first is still running waits for it.
 *
 * The key row is claimed (inserted) before the handler runs, in its own autocommit statement;
 * the unique (user_id, key) primary key makes exactly one of several concurrent requests the
 * owner. The answer is stored in the handler's own transaction: while the owner runs, commits
 * on its connection are held (wh_db_hold), so the handler's "commit" leaves the transaction
 * open, the pipeline renders the answer, writes it into the claim row and only then commits
 * once. A crash before that commit loses the change and the answer together (a retry runs the
 * request again, once); after it, both are in. A request that committed nothing (a refusal, a
 * read) stores its answer afterwards on its own, as nothing can run twice there.
 *
 * Invariants: a claim with status NULL committed nothing and may be deleted (5xx answers, or
 * left unanswered by a dead process for 5 minutes) so the request can run again; a claim with
 * a status never is, until it expires. Status 0 (EXECUTED) marks a claim whose request had to
 * commit before its answer existed (it gave its connection back mid-request, wh_req_db_done):
 * its changes are in, so a retry waits for the answer and, if the owner died, is refused 409
 * rather than run twice. Waiters hold no pooled connection while they sleep, and at most
 * WH_LIMIT_IDEMPOTENCY_WAITERS of one process wait per key (more are 409 at once). Only routes
 * flagged WH_ROUTE_IDEMPOTENT take part: every signed-in POST. Public routes (login, codes) have
 * no user to key on and are not flagged: their answers carry secrets. */
#include "http/http_int.h"
#include "app.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/crypto.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/str.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#define KEEP_MS       (24LL * 3600 * 1000)
#define ABANDONED_MS  (5LL * 60 * 1000)
#define WAIT_STEP_MS  25
#define WAIT_LIMIT_MS 10000
#define KEY_MAX_CHARS 255
#define EXECUTED      0  /* status: changes committed, answer not stored yet */
#define WAIT_KEYS     64 /* keys waited on at once in one process; more are 409 at once */

struct wh_req_hook {
    struct wh_req_hook *next;
    wh_req_commit_fn fn;
    void *arg;
};

/* ---- the waiters of one process, per key ---- */

struct wh_idem_waits {
    pthread_mutex_t mu;
    struct {
        uint64_t key; /* hash of (user, key); 0: free */
        int n;
    } slots[WAIT_KEYS];
};

wh_idem_waits *wh_idem_waits_new(void)
{
    wh_idem_waits *w = wh_calloc(1, sizeof *w);
    pthread_mutex_init(&w->mu, NULL);
    return w;
}

void wh_idem_waits_free(wh_idem_waits *w)
{
    if (!w)
        return;
    pthread_mutex_destroy(&w->mu);
    wh_free(w);
}

/* Takes a waiting place for k; false when WH_LIMIT_IDEMPOTENCY_WAITERS already wait on it (or
 * WAIT_KEYS other keys are waited on). */
static bool wait_enter(wh_idem_waits *w, uint64_t k)
{
    int free_slot = -1;
    bool ok = false;
    pthread_mutex_lock(&w->mu);
    for (int i = 0; i < WAIT_KEYS; i++) {
        if (w->slots[i].n > 0 && w->slots[i].key == k) {
            ok = w->slots[i].n < WH_LIMIT_IDEMPOTENCY_WAITERS;
            w->slots[i].n += ok;
            free_slot = -2;
            break;
        }
        if (w->slots[i].n == 0 && free_slot == -1)
            free_slot = i;
    }
    if (free_slot >= 0) {
        w->slots[free_slot].key = k;
        w->slots[free_slot].n = 1;
        ok = true;
    }
    pthread_mutex_unlock(&w->mu);
    return ok;
}

static void wait_leave(wh_idem_waits *w, uint64_t k)
{
    pthread_mutex_lock(&w->mu);
    for (int i = 0; i < WAIT_KEYS; i++)
        if (w->slots[i].n > 0 && w->slots[i].key == k) {
            w->slots[i].n--;
            break;
        }
    pthread_mutex_unlock(&w->mu);
}

/* ---- the claim row ---- */

static void request_hash(wh_req *r, char out[WH_CRYPTO_SHA256_HEX])
{
    wh_buf b;
    wh_buf_init(&b, WH_LIMIT_BODY_BYTES + 4096);
    if (wh_buf_printf(&b, "%s\n%s\n", r->method, r->path) != WH_OK ||
        wh_buf_append(&b, r->body ? r->body : "", r->body_len) != WH_OK)
        b.len = 0;
    wh_crypto_sha256_hex(b.data ? b.data : "", b.len, out);
    wh_buf_cleanup(&b);
}

static bool key_valid(const char *k)
{
    size_t n = strlen(k);
    if (n == 0 || n > KEY_MAX_CHARS)
        return false;
    for (const char *p = k; *p; p++)
        if (*p < 0x21 || *p > 0x7e)
            return false;
    return true;
}

static wh_err claim(wh_req *r, wh_conn *c, const char *key, const char *hash, bool *mine,
                    wh_error *e)
{
    wh_rows *rows = NULL;
    wh_err rc = wh_db_query(c, &r->arena,
                            "INSERT INTO idempotency_keys (user_id, key, request_hash, created_at,"
                            " expires_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, key)"
                            " DO NOTHING RETURNING user_id",
                            WH_ARGS(WH_PI(r->user.id), WH_PT(key), WH_PT(hash), WH_PI(r->now_ms),
                                    WH_PI(r->now_ms + KEEP_MS)),
                            &rows, e);
    *mine = rc == WH_OK && wh_rows_count(rows) == 1;
    return rc;
}

/* Deletes a row that expired or was abandoned mid-flight having committed nothing, so it can
 * be claimed again. */
static wh_err clear_stale(wh_req *r, wh_conn *c, const char *key, int64_t now, wh_error *e)
{
    return wh_db_query(
        c, &r->arena,
        "DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND"
        " (expires_at <= $3 OR (status IS NULL AND created_at <= $4))",
        WH_ARGS(WH_PI(r->user.id), WH_PT(key), WH_PI(now), WH_PI(now - ABANDONED_MS)), NULL, e);
}

static wh_err load(wh_req *r, wh_conn *c, const char *key, wh_rows **rows, wh_error *e)
{
    return wh_db_query(c, &r->arena,
                       "SELECT request_hash, status, response_body, content_type, created_at FROM"
                       " idempotency_keys WHERE user_id = $1 AND key = $2",
                       WH_ARGS(WH_PI(r->user.id), WH_PT(key)), rows, e);
}

/* Writes the request's answer (status, body, content type) into its claim. */
static wh_err store(wh_req *r, wh_conn *c, const char *key, wh_error *e)
{
    const char *body = wh_arena_strndup(&r->arena, r->resp_body ? r->resp_body : "", r->resp_len);
    return wh_db_query(c, &r->arena,
                       "UPDATE idempotency_keys SET status = $3, response_body = $4,"
                       " content_type = $5 WHERE user_id = $1 AND key = $2",
                       WH_ARGS(WH_PI(r->user.id), WH_PT(key), WH_PI(r->status), WH_PT(body),
                               WH_PT(r->content_type)),
                       NULL, e);
}

/* Forgets a claim that committed nothing; *gone false when it had (it is kept). */
static wh_err forget(wh_req *r, wh_conn *c, const char *key, bool *gone, wh_error *e)
{
    wh_rows *rows = NULL;
    wh_err rc = wh_db_query(c, &r->arena,
                            "DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND"
                            " status IS NULL RETURNING user_id",
                            WH_ARGS(WH_PI(r->user.id), WH_PT(key)), &rows, e);
    *gone = rc == WH_OK && wh_rows_count(rows) == 1;
    return rc;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {0, (long)ms * 1000000L};
    nanosleep(&ts, NULL);
}

static wh_err replay(wh_req *r, const wh_rows *row)
{
    const char *body = wh_rows_text(row, 0, 2);
    const char *ctype = wh_rows_text(row, 0, 3);
    wh_resp_header_add(r, "Idempotent-Replayed", "true");
    return wh_resp_raw(r, (int)wh_rows_int(row, 0, 1),
                       ctype ? wh_arena_strdup(&r->arena, ctype) : NULL, body ? (char *)body : NULL,
                       body ? strlen(body) : 0);
}

/* What the claim row says to a request that does not own it: WH_OK with *done false means
 * "still running, wait"; otherwise the replay or the refusal is final. */
static wh_err judge(wh_req *r, const wh_rows *row, const char *hash, bool *done, wh_error *e)
{
    *done = true;
    if (wh_rows_count(row) == 0)
        return wh_fail(e, WH_ERR_CONFLICT,
                       "The first request with this Idempotency-Key failed; retry.");
    if (strcmp(wh_rows_text(row, 0, 0), hash) != 0)
        return wh_fail(e, WH_ERR_KEY_REUSED,
                       "This Idempotency-Key was used for a different request.");
    if (!wh_rows_null(row, 0, 1) && wh_rows_int(row, 0, 1) != EXECUTED)
        return replay(r, row);
    if (!wh_rows_null(row, 0, 1) && wh_rows_int(row, 0, 4) <= r->now_ms - ABANDONED_MS)
        return wh_fail(e, WH_ERR_CONFLICT,
                       "The first request with this Idempotency-Key made its changes, but"
                       " its answer was lost; it is not run again.");
    *done = false;
    return WH_OK;
}

/* Someone else holds the key: compare, then wait for their answer or replay it. No pooled
 * connection is held while waiting, and a process lets only so many requests wait per key. */
static wh_err follow(wh_req *r, const char *key, const char *hash, wh_error *e)
{
    wh_idem_waits *w = r->app->idem_waits;
    uint64_t k = wh_str_hash(wh_arena_printf(&r->arena, "%lld:%s", (long long)r->user.id, key));
    bool waiting = false, done = false;
    wh_err rc = WH_OK;
    for (int waited = 0; !done; waited += WAIT_STEP_MS) {
        wh_rows *row = NULL;
        wh_conn *c = NULL;
        rc = wh_req_primary(r, &c, e);
        if (rc == WH_OK)
            rc = load(r, c, key, &row, e);
        wh_req_db_done(r);
        if (rc == WH_OK)
            rc = judge(r, row, hash, &done, e);
        if (rc != WH_OK || done)
            break;
        if (waited >= WAIT_LIMIT_MS)
            rc = wh_fail(e, WH_ERR_CONFLICT,
                         "The first request with this Idempotency-Key is still running.");
        else if (!waiting && !(waiting = wait_enter(w, k)))
            rc = wh_fail(e, WH_ERR_CONFLICT,
                         "Too many requests are waiting for this Idempotency-Key; retry"
                         " later.");
        if (rc != WH_OK)
            break;
        sleep_ms(WAIT_STEP_MS);
    }
    if (waiting)
        wait_leave(w, k);
    return rc;
}

wh_err wh_idem_begin(wh_req *r, wh_idem *st, wh_error *e)
{
    const char *key = wh_req_header(r, "Idempotency-Key");
    wh_conn *c = NULL;
    bool mine = false;
    memset(st, 0, sizeof *st);
    /* only the routes flagged WH_ROUTE_IDEMPOTENT (the signed-in POSTs, wh_route_check) claim
     * a key; others ignore the header */
    if (!key || !(r->route->flags & WH_ROUTE_IDEMPOTENT) || !r->authed)
        return WH_OK;
    if (!key_valid(key))
        return wh_error_field(e, "Idempotency-Key", "must be 1 to 255 visible ASCII characters");
    request_hash(r, st->hash);
    wh_err rc = wh_req_primary(r, &c, e);
    if (rc == WH_OK)
        rc = claim(r, c, key, st->hash, &mine, e);
    if (rc == WH_OK && !mine && (rc = clear_stale(r, c, key, r->now_ms, e)) == WH_OK)
        rc = claim(r, c, key, st->hash, &mine, e);
    if (rc != WH_OK)
        return rc;
    if (mine) {
        st->key = wh_arena_strdup(&r->arena, key);
        r->idem_key = st->key; /* from here on the request's commits are held */
        wh_db_hold(c);
        return WH_OK;
    }
    st->answered = true;
    return follow(r, key, st->hash, e);
}

/* ---- commits held for the answer ---- */

void wh_req_after_commit(wh_req *r, wh_req_commit_fn fn, void *arg)
{
    if (!r->db || !wh_db_commit_held(r->db)) {
        fn(r, arg);
        return;
    }
    struct wh_req_hook *h = wh_arena_alloc(&r->arena, sizeof *h), **tail = &r->after_commit;
    h->next = NULL;
    h->fn = fn;
    h->arg = arg;
    while (*tail)
        tail = &(*tail)->next;
    *tail = h;
}

static void run_hooks(wh_req *r)
{
    struct wh_req_hook *h = r->after_commit;
    r->after_commit = NULL;
    for (; h; h = h->next)
        h->fn(r, h->arg);
}

/* WH_TEST_CRASH_AFTER_COMMIT (tests only): dies like a kill -9 at the point between the
 * handler's commit and the answer's write, for the request owning exactly that key. */
static void crash_point(const wh_req *r, const char *key)
{
    const char *crash = r->app->config.test_crash_key;
    if (crash && strcmp(crash, key) == 0) {
        wh_log(WH_LOG_WARN, "WH_TEST_CRASH_AFTER_COMMIT: killing the process at key %s", key);
        raise(SIGKILL);
    }
}

void wh_idem_flush(wh_req *r)
{
    wh_error e;
    wh_err rc;
    if (!r->idem_key || !r->db || !wh_db_unhold(r->db))
        return;
    wh_error_init(&e);
    rc = wh_db_query(r->db, &r->arena,
                     "UPDATE idempotency_keys SET status = $3 WHERE user_id = $1 AND key = $2",
                     WH_ARGS(WH_PI(r->user.id), WH_PT(r->idem_key), WH_PI(EXECUTED)), NULL, &e);
    if (rc == WH_OK)
        rc = wh_db_commit(r->db, &e);
    if (rc != WH_OK) {
        wh_db_rollback(r->db);
        r->commit_failed = true;
        r->after_commit = NULL;
        wh_log(WH_LOG_ERROR, "request %s: cannot commit its changes: %s", r->id, e.detail);
        return;
    }
    run_hooks(r);
}

/* The handler committed (held): writes the answer in that transaction, then commits both. On
 * failure nothing is in, the answer becomes the failure and the claim is forgotten. */
static void commit_with_answer(wh_req *r, wh_conn *c, const char *key)
{
    wh_error e;
    bool gone = false;
    wh_error_init(&e);
    crash_point(r, key);
    wh_err rc = store(r, c, key, &e);
    if (rc == WH_OK)
        rc = wh_db_commit(c, &e);
    if (rc == WH_OK) {
        run_hooks(r);
        return;
    }
    wh_db_rollback(c);
    r->after_commit = NULL;
    wh_log(WH_LOG_ERROR, "request %s: cannot commit its changes with the answer for key %s: %s",
           r->id, key, e.detail);
    wh_resp_problem(r, &e);
    wh_error_init(&e);
    rc = forget(r, c, key, &gone, &e);
    if (rc == WH_OK && !gone) /* an earlier flush committed: the claim keeps an answer */
        rc = store(r, c, key, &e);
    if (rc != WH_OK)
        wh_log(WH_LOG_ERROR, "idempotency: cannot settle key %s: %s", key, e.detail);
}

void wh_idem_end(wh_req *r, const wh_idem *st)
{
    wh_conn *c = r->db;
    wh_error e;
    wh_err rc = WH_OK;
    bool gone = false;
    r->idem_key = NULL;
    if (!st->key)
        return;
    if (c && wh_db_unhold(c)) {
        commit_with_answer(r, c, st->key);
        return;
    }
    if (c)
        wh_db_rollback(c); /* a transaction the handler left open committed nothing */
    wh_error_init(&e);
    if (r->commit_failed) { /* a flush failed: its changes are gone, say so */
        wh_fail(&e, WH_ERR_UNAVAILABLE, "The change could not be committed; retry.");
        wh_resp_problem(r, &e);
        wh_error_init(&e);
    }
    rc = wh_req_primary(r, &c, &e);
    if (rc == WH_OK && r->status >= 500)
        rc = forget(r, c, st->key, &gone, &e);
    if (rc == WH_OK && !gone)
        rc = store(r, c, st->key, &e);
    if (rc != WH_OK) /* the key stays claimed; it is taken over once abandoned */
        wh_log(WH_LOG_ERROR, "idempotency: cannot store the answer for key %s: %s", st->key,
               e.detail);
}
