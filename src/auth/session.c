/* Sessions: 256-bit random tokens; only the SHA-256 of a token is stored, so a database leak
 * yields no usable token. Expiry slides: each use pushes it to now + ttl, written at most once
 * per WH_LIMIT_SESSION_TOUCH_MS, but never past created_at + max (the absolute lifetime). A
 * session lives only in its database row: deleting the row ends it on every instance at once. */
#include "auth/auth.h"
#include "core/crypto.h"
#include "core/limits.h"

#include <string.h>

int64_t wh_session_expiry(const wh_session_policy *pol, int64_t created_ms, int64_t now_ms)
{
    int64_t slide = now_ms + pol->ttl_ms, cap = created_ms + pol->max_ms;
    return slide < cap ? slide : cap;
}

wh_err wh_session_create(wh_conn *c, wh_arena *a, int64_t user_id, bool by_code, int64_t now_ms,
                         const wh_session_policy *pol, char *token, size_t token_cap,
                         int64_t *expires_at, wh_error *e)
{
    char hash[WH_CRYPTO_SHA256_HEX];
    wh_crypto_token(token, token_cap);
    wh_crypto_sha256_hex(token, strlen(token), hash);
    *expires_at = wh_session_expiry(pol, now_ms, now_ms);
    return wh_db_query(c, a,
                       "INSERT INTO sessions (user_id, token_hash, created_at, expires_at,"
                       " last_seen_at, method) VALUES ($1, $2, $3, $4, $3, $5)",
                       WH_ARGS(WH_PI(user_id), WH_PT(hash), WH_PI(now_ms), WH_PI(*expires_at),
                               WH_PT(by_code ? "code" : "password")),
                       NULL, e);
}

static wh_err refuse(wh_error *e)
{
    return wh_error_set(e, 401, "unauthenticated", "The session is missing, expired or ended.");
}

wh_err wh_session_resolve(wh_conn *c, wh_arena *a, const char *token, int64_t now_ms,
                          const wh_session_policy *pol, wh_principal *p, wh_error *e)
{
    char hash[WH_CRYPTO_SHA256_HEX];
    wh_rows *r = NULL;
    if (strlen(token) != WH_CRYPTO_TOKEN_CHARS)
        return refuse(e);
    wh_crypto_sha256_hex(token, strlen(token), hash);
    wh_err rc = wh_db_query(c, a,
                            "SELECT s.id, s.expires_at, u.id, u.email, u.full_name, u.role,"
                            " u.active, s.created_at, s.method FROM sessions s"
                            " JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
                            WH_ARGS(WH_PT(hash)), &r, e);
    if (rc != WH_OK)
        return rc;
    if (wh_rows_count(r) == 0)
        return refuse(e);
    int64_t expires = wh_rows_int(r, 0, 1), created = wh_rows_int(r, 0, 7);
    int64_t next = wh_session_expiry(pol, created, now_ms);
    /* the absolute cap also applies to sessions opened under a longer WH_SESSION_MAX_S */
    if (expires <= now_ms || next <= now_ms || !wh_rows_bool(r, 0, 6) ||
        !wh_role_parse(wh_rows_text(r, 0, 5), &p->role))
        return refuse(e);
    p->id = wh_rows_int(r, 0, 2);
    p->email = wh_rows_text(r, 0, 3);
    p->full_name = wh_rows_text(r, 0, 4);
    p->all_ventures = wh_role_all_ventures(p->role);
    p->session_id = wh_rows_int(r, 0, 0);
    p->code_signin = strcmp(wh_rows_text(r, 0, 8), "code") == 0;
    if (next - expires < WH_LIMIT_SESSION_TOUCH_MS && next >= expires)
        return WH_OK;
    return wh_db_query(c, a, "UPDATE sessions SET expires_at = $1, last_seen_at = $2 WHERE id = $3",
                       WH_ARGS(WH_PI(next), WH_PI(now_ms), WH_PI(p->session_id)), NULL, e);
}

wh_err wh_session_delete(wh_conn *c, wh_arena *a, const char *token, wh_error *e)
{
    char hash[WH_CRYPTO_SHA256_HEX];
    wh_crypto_sha256_hex(token, strlen(token), hash);
    return wh_db_query(c, a, "DELETE FROM sessions WHERE token_hash = $1", WH_ARGS(WH_PT(hash)),
                       NULL, e);
}

wh_err wh_session_end_user(wh_conn *c, wh_arena *a, int64_t user_id, int64_t keep_id, wh_error *e)
{
    return wh_db_query(c, a, "DELETE FROM sessions WHERE user_id = $1 AND id <> $2",
                       WH_ARGS(WH_PI(user_id), WH_PI(keep_id)), NULL, e);
}
