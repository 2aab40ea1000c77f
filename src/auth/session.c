/* Sessions: 256-bit random tokens; only the SHA-256 of a token is stored, so a database leak
 * yields no usable token. Expiry slides: each use pushes it to now + ttl, written at most once
 * per WH_LIMIT_SESSION_TOUCH_MS, but never past created_at + max (the absolute lifetime). A
 * session's truth is its database row; an instance may keep a copy in its session cache
 * (sesscache.c), so every write that ends a session or changes its user also notifies
 * (wh_db_notify), and each instance drops its copies when that write commits. */
#include "auth/auth.h"
#include "core/crypto.h"
#include "core/limits.h"

#include <stdio.h>
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
    return wh_fail(e, WH_ERR_UNAUTH, "The session is missing, expired or ended.");
}

/* The session of hash as the database holds it, into v (strings in a); 401 when there is none,
 * its user is inactive or its role unknown. */
static wh_err read_session(wh_conn *c, wh_arena *a, const char *hash, wh_sesscache_entry *v,
                           wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a,
                            "SELECT s.id, s.expires_at, u.id, u.email, u.full_name, u.role,"
                            " u.active, s.created_at, s.method FROM sessions s"
                            " JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
                            WH_ARGS(WH_PT(hash)), &r, e);
    if (rc != WH_OK)
        return rc;
    if (wh_rows_count(r) == 0 || !wh_rows_bool(r, 0, 6) ||
        !wh_role_parse(wh_rows_text(r, 0, 5), &v->role))
        return refuse(e);
    v->session_id = wh_rows_int(r, 0, 0);
    v->expires_ms = wh_rows_int(r, 0, 1);
    v->user_id = wh_rows_int(r, 0, 2);
    v->email = wh_rows_text(r, 0, 3);
    v->full_name = wh_rows_text(r, 0, 4);
    v->created_ms = wh_rows_int(r, 0, 7);
    v->code_signin = strcmp(wh_rows_text(r, 0, 8), "code") == 0;
    return WH_OK;
}

/* The expiry a use at now_ms slides v to, or 0 when none is due yet; -1 when v has expired. */
static int64_t touch_due(const wh_sesscache_entry *v, int64_t now_ms, const wh_session_policy *pol)
{
    int64_t next = wh_session_expiry(pol, v->created_ms, now_ms);
    /* the absolute cap also applies to sessions opened under a longer WH_SESSION_MAX_S */
    if (v->expires_ms <= now_ms || next <= now_ms)
        return -1;
    if (next - v->expires_ms < WH_LIMIT_SESSION_TOUCH_MS && next >= v->expires_ms)
        return 0;
    return next;
}

/* Refuses an expired session, else slides its expiry: written at most once per
 * WH_LIMIT_SESSION_TOUCH_MS (and recorded in v). */
static wh_err touch(wh_conn *c, wh_arena *a, wh_sesscache_entry *v, int64_t now_ms,
                    const wh_session_policy *pol, wh_error *e)
{
    int64_t next = touch_due(v, now_ms, pol);
    if (next < 0)
        return refuse(e);
    if (next == 0)
        return WH_OK;
    wh_err rc =
        wh_db_query(c, a, "UPDATE sessions SET expires_at = $1, last_seen_at = $2 WHERE id = $3",
                    WH_ARGS(WH_PI(next), WH_PI(now_ms), WH_PI(v->session_id)), NULL, e);
    if (rc == WH_OK)
        v->expires_ms = next;
    return rc;
}

static void principal_of(const wh_sesscache_entry *v, wh_principal *p)
{
    *p = (wh_principal){.id = v->user_id,
                        .email = v->email,
                        .full_name = v->full_name,
                        .role = v->role,
                        .all_ventures = wh_role_all_ventures(v->role),
                        .session_id = v->session_id,
                        .code_signin = v->code_signin};
}

static bool token_hash(const char *token, char hash[WH_CRYPTO_SHA256_HEX])
{
    if (strlen(token) != WH_CRYPTO_TOKEN_CHARS)
        return false;
    wh_crypto_sha256_hex(token, strlen(token), hash);
    return true;
}

bool wh_session_cached(wh_sesscache *sc, wh_arena *a, const char *token, int64_t now_ms,
                       const wh_session_policy *pol, wh_principal *p)
{
    char hash[WH_CRYPTO_SHA256_HEX];
    wh_sesscache_entry v;
    uint64_t gen = 0;
    if (!token_hash(token, hash) || !wh_sesscache_find(sc, hash, a, &v, &gen) ||
        touch_due(&v, now_ms, pol) != 0)
        return false;
    principal_of(&v, p);
    return true;
}

wh_err wh_session_resolve(wh_conn *c, wh_sesscache *sc, wh_arena *a, const char *token,
                          int64_t now_ms, const wh_session_policy *pol, wh_principal *p,
                          wh_error *e)
{
    char hash[WH_CRYPTO_SHA256_HEX];
    wh_sesscache_entry v;
    uint64_t gen = 0;
    if (!token_hash(token, hash))
        return refuse(e);
    bool hit = sc && wh_sesscache_find(sc, hash, a, &v, &gen);
    /* expired as this process last saw it: another instance may have slid it, so ask */
    if (hit && v.expires_ms <= now_ms)
        hit = false;
    wh_err rc = hit ? WH_OK : read_session(c, a, hash, &v, e);
    int64_t seen = v.expires_ms;
    if (rc == WH_OK)
        rc = touch(c, a, &v, now_ms, pol, e);
    if (rc != WH_OK)
        return rc;
    if (sc && !hit)
        wh_sesscache_put(sc, hash, &v, gen);
    else if (sc && v.expires_ms != seen)
        wh_sesscache_touched(sc, hash, v.expires_ms);
    principal_of(&v, p);
    return WH_OK;
}

wh_err wh_session_delete(wh_conn *c, wh_arena *a, const char *token, wh_error *e)
{
    char hash[WH_CRYPTO_SHA256_HEX];
    wh_crypto_sha256_hex(token, strlen(token), hash);
    char note[WH_LIMIT_DB_NOTE_CHARS];
    snprintf(note, sizeof note, "s:%s", hash);
    wh_err rc = wh_db_query(c, a, "DELETE FROM sessions WHERE token_hash = $1",
                            WH_ARGS(WH_PT(hash)), NULL, e);
    return rc == WH_OK ? wh_db_notify(c, note, e) : rc;
}

wh_err wh_session_end_user(wh_conn *c, wh_arena *a, int64_t user_id, int64_t keep_id, wh_error *e)
{
    wh_err rc = wh_db_query(c, a, "DELETE FROM sessions WHERE user_id = $1 AND id <> $2",
                            WH_ARGS(WH_PI(user_id), WH_PI(keep_id)), NULL, e);
    return rc == WH_OK ? wh_session_forget_user(c, user_id, e) : rc;
}

wh_err wh_session_forget_user(wh_conn *c, int64_t user_id, wh_error *e)
{
    char note[WH_LIMIT_DB_NOTE_CHARS];
    snprintf(note, sizeof note, "u:%lld", (long long)user_id);
    return wh_db_notify(c, note, e);
}
