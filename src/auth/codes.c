/* E-mailed login codes: 6 digits, stored only as an HMAC under the server's code key, valid 10
 * minutes for 5 tries. A new code does not revoke older ones, but the first successful use
 * spends every open code of the user. */
#include "auth/auth.h"
#include "core/crypto.h"

#include <stdio.h>
#include <string.h>

void wh_code_hash(const unsigned char key[32], int64_t user_id, const char *code,
                  char out[WH_CRYPTO_SHA256_HEX])
{
    unsigned char mac[WH_CRYPTO_HMAC_BYTES];
    char msg[64];
    int n = snprintf(msg, sizeof msg, "%lld:%s", (long long)user_id, code);
    wh_crypto_hmac(key, 32, msg, (size_t)n, mac);
    wh_crypto_hex(mac, sizeof mac, out, WH_CRYPTO_SHA256_HEX);
    wh_crypto_wipe(msg, sizeof msg);
}

wh_err wh_code_count_recent(wh_conn *c, wh_arena *a, int64_t user_id, int64_t since_ms,
                            int64_t *count, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a,
                            "SELECT COUNT(*) FROM login_codes WHERE user_id = $1 AND"
                            " created_at >= $2",
                            WH_ARGS(WH_PI(user_id), WH_PI(since_ms)), &r, e);
    *count = rc == WH_OK ? wh_rows_int(r, 0, 0) : 0;
    return rc;
}

wh_err wh_code_store(wh_conn *c, wh_arena *a, int64_t user_id, const char *hash, int64_t now_ms,
                     wh_error *e)
{
    return wh_db_query(
        c, a,
        "INSERT INTO login_codes (user_id, code_hash, attempts, created_at,"
        " expires_at) VALUES ($1, $2, 0, $3, $4)",
        WH_ARGS(WH_PI(user_id), WH_PT(hash), WH_PI(now_ms), WH_PI(now_ms + WH_LIMIT_CODE_TTL_MS)),
        NULL, e);
}

wh_err wh_code_check(wh_conn *c, wh_arena *a, int64_t user_id, const char *hash, int64_t now_ms,
                     bool *ok, wh_error *e)
{
    wh_rows *r = NULL;
    *ok = false;
    wh_err rc =
        wh_db_query(c, a,
                    "SELECT id, code_hash FROM login_codes WHERE user_id = $1 AND"
                    " used_at IS NULL AND expires_at > $2 AND attempts < $3"
                    " ORDER BY id DESC",
                    WH_ARGS(WH_PI(user_id), WH_PI(now_ms), WH_PI(WH_LIMIT_CODE_TRIES)), &r, e);
    for (size_t i = 0; rc == WH_OK && i < wh_rows_count(r); i++)
        if (strlen(wh_rows_text(r, i, 1)) == strlen(hash) &&
            wh_crypto_equal(wh_rows_text(r, i, 1), hash, strlen(hash)))
            *ok = true;
    if (rc != WH_OK || wh_rows_count(r) == 0)
        return rc;
    if (*ok) /* spends every open code */
        return wh_db_query(c, a,
                           "UPDATE login_codes SET used_at = $2 WHERE user_id = $1 AND used_at IS"
                           " NULL",
                           WH_ARGS(WH_PI(user_id), WH_PI(now_ms)), NULL, e);
    /* a wrong code costs a try on every open code, so five guesses end them all */
    return wh_db_query(c, a,
                       "UPDATE login_codes SET attempts = attempts + 1 WHERE user_id = $1 AND"
                       " used_at IS NULL AND expires_at > $2",
                       WH_ARGS(WH_PI(user_id), WH_PI(now_ms)), NULL, e);
}
