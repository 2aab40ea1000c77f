/* Idempotency-Key on POST (API.md): the first response (status and body) is kept for 24 h per
 * (user, key) in the database, so it holds across instances. A replay with the same request
 * gets it back with Idempotent-Replayed: true; the same key with another request is 422
 * idempotency_key_reused; a replay while the first is still running waits for it.
 *
 * The key row is claimed (inserted) before the handler runs, in its own autocommit statement;
 * the unique (user_id, key) primary key makes exactly one of several concurrent requests the
 * owner. 5xx answers are not kept (the row is deleted) so a retry can succeed later. A claim
 * left "in progress" by a dead process for over 5 minutes is taken over. Public routes (login,
 * codes) have no user to key on and are not idempotent: their answers carry secrets. */
#include "http/http_int.h"
#include "app.h"
#include "core/buf.h"
#include "core/crypto.h"
#include "core/limits.h"
#include "core/log.h"

#include <string.h>
#include <time.h>

#define KEEP_MS       (24LL * 3600 * 1000)
#define ABANDONED_MS  (5LL * 60 * 1000)
#define WAIT_STEP_MS  25
#define WAIT_LIMIT_MS 10000
#define KEY_MAX_CHARS 255

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

/* Deletes a row that expired or was abandoned mid-flight, so it can be claimed again. */
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
                       "SELECT request_hash, status, response_body, content_type FROM"
                       " idempotency_keys WHERE user_id = $1 AND key = $2",
                       WH_ARGS(WH_PI(r->user.id), WH_PT(key)), rows, e);
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

/* Someone else holds the key: compare, then wait for their answer or replay it. */
static wh_err follow(wh_req *r, wh_conn *c, const char *key, const char *hash, wh_error *e)
{
    for (int waited = 0;; waited += WAIT_STEP_MS) {
        wh_rows *row = NULL;
        wh_err rc = load(r, c, key, &row, e);
        if (rc != WH_OK)
            return rc;
        if (wh_rows_count(row) == 0)
            return wh_error_set(e, 409, "conflict",
                                "The first request with this Idempotency-Key failed; retry.");
        if (strcmp(wh_rows_text(row, 0, 0), hash) != 0)
            return wh_error_set(e, 422, "idempotency_key_reused",
                                "This Idempotency-Key was used for a different request.");
        if (!wh_rows_null(row, 0, 1))
            return replay(r, row);
        if (waited >= WAIT_LIMIT_MS)
            return wh_error_set(e, 409, "conflict",
                                "The first request with this Idempotency-Key is still running.");
        sleep_ms(WAIT_STEP_MS);
    }
}

wh_err wh_idem_begin(wh_req *r, wh_idem *st, wh_error *e)
{
    const char *key = wh_req_header(r, "Idempotency-Key");
    wh_conn *c = NULL;
    bool mine = false;
    memset(st, 0, sizeof *st);
    if (!key || strcmp(r->method, "POST") != 0 || !r->authed)
        return WH_OK;
    if (!key_valid(key))
        return wh_error_field(e, "Idempotency-Key", "must be 1 to 255 visible ASCII characters");
    request_hash(r, st->hash);
    wh_err rc = wh_req_db(r, &c, e);
    if (rc == WH_OK)
        rc = claim(r, c, key, st->hash, &mine, e);
    if (rc == WH_OK && !mine && (rc = clear_stale(r, c, key, r->now_ms, e)) == WH_OK)
        rc = claim(r, c, key, st->hash, &mine, e);
    if (rc != WH_OK)
        return rc;
    if (mine) {
        st->key = wh_arena_strdup(&r->arena, key);
        return WH_OK;
    }
    st->answered = true;
    return follow(r, c, key, st->hash, e);
}

void wh_idem_end(wh_req *r, const wh_idem *st)
{
    wh_conn *c = NULL;
    wh_error e;
    wh_err rc;
    if (!st->key)
        return;
    wh_error_init(&e);
    rc = wh_req_db(r, &c, &e);
    if (rc == WH_OK && r->status >= 500)
        rc = wh_db_query(c, &r->arena,
                         "DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2",
                         WH_ARGS(WH_PI(r->user.id), WH_PT(st->key)), NULL, &e);
    else if (rc == WH_OK)
        rc = wh_db_query(c, &r->arena,
                         "UPDATE idempotency_keys SET status = $3, response_body = $4,"
                         " content_type = $5 WHERE user_id = $1 AND key = $2",
                         WH_ARGS(WH_PI(r->user.id), WH_PT(st->key), WH_PI(r->status),
                                 WH_PT(wh_arena_strndup(&r->arena, r->resp_body ? r->resp_body : "",
                                                        r->resp_len)),
                                 WH_PT(r->content_type)),
                         NULL, &e);
    if (rc != WH_OK) /* the key stays claimed; it is taken over once abandoned */
        wh_log(WH_LOG_ERROR, "idempotency: cannot store the answer for key %s: %s", st->key,
               e.detail);
}
