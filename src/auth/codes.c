/* E-mailed login codes: 6 digits, stored only as an HMAC under the server's code key, valid 10
 * minutes for 5 tries. A new code does not revoke older ones, but the first successful use
 * spends every open code of the user. Tries are spent by the statement that finds the codes,
 * before any comparison, and verifications are also counted per account per hour in the
 * database, so concurrent guesses and many client addresses buy no extra tries. */
#include "auth/auth.h"
#include "core/crypto.h"
#include "integrations/integrations.h"

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

/* Counts one verification against the account's hourly budget in one upsert (atomic on both
 * engines); *over when the budget was already spent. */
static wh_err spend_budget(wh_conn *c, wh_arena *a, int64_t user_id, int64_t now_ms, bool *over,
                           wh_error *e)
{
    wh_rows *r = NULL;
    int64_t hour = now_ms / (3600 * 1000);
    wh_err rc = wh_db_query(
        c, a,
        "INSERT INTO login_code_budget (user_id, hour, tries) VALUES ($1, $2, 1)"
        " ON CONFLICT (user_id) DO UPDATE SET tries = CASE WHEN login_code_budget.hour ="
        " excluded.hour THEN login_code_budget.tries + 1 ELSE 1 END, hour = excluded.hour"
        " RETURNING tries",
        WH_ARGS(WH_PI(user_id), WH_PI(hour)), &r, e);
    *over = rc == WH_OK && wh_rows_int(r, 0, 0) > WH_LIMIT_CODE_VERIFIES_PER_HOUR;
    return rc;
}

wh_err wh_code_check(wh_conn *c, wh_arena *a, int64_t user_id, const char *hash, int64_t now_ms,
                     bool *ok, wh_error *e)
{
    wh_rows *r = NULL;
    bool over = false;
    *ok = false;
    wh_err rc = spend_budget(c, a, user_id, now_ms, &over, e);
    if (rc != WH_OK || over)
        return rc;
    /* a try is spent on every open code before anything is compared: on PostgreSQL concurrent
     * guesses queue on the row locks and re-check attempts < tries, so at most five compare */
    rc = wh_db_query(c, a,
                     "UPDATE login_codes SET attempts = attempts + 1 WHERE user_id = $1 AND"
                     " used_at IS NULL AND expires_at > $2 AND attempts < $3"
                     " RETURNING id, code_hash",
                     WH_ARGS(WH_PI(user_id), WH_PI(now_ms), WH_PI(WH_LIMIT_CODE_TRIES)), &r, e);
    for (size_t i = 0; rc == WH_OK && i < wh_rows_count(r); i++)
        if (strlen(wh_rows_text(r, i, 1)) == strlen(hash) &&
            wh_crypto_equal(wh_rows_text(r, i, 1), hash, strlen(hash)))
            *ok = true;
    if (rc != WH_OK || !*ok)
        return rc;
    return wh_db_query(c, a, /* a match spends every open code */
                       "UPDATE login_codes SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL",
                       WH_ARGS(WH_PI(user_id), WH_PI(now_ms)), NULL, e);
}

wh_err wh_code_issue(wh_conn *c, wh_arena *a, const unsigned char key[32], const wh_user *u,
                     int64_t now_ms, bool *sent, wh_error *e)
{
    char code[8], hash[WH_CRYPTO_SHA256_HEX];
    uint32_t n;
    int64_t recent = 0;
    *sent = false;
    wh_err rc = wh_code_count_recent(c, a, u->id, now_ms - 3600 * 1000, &recent, e);
    if (rc != WH_OK || recent >= WH_LIMIT_CODES_PER_HOUR)
        return rc;
    wh_crypto_random(&n, sizeof n);
    snprintf(code, sizeof code, "%06u", (unsigned)(n % 1000000u));
    wh_code_hash(key, u->id, code, hash);
    const char *text = wh_arena_printf(a,
                                       "Your Wheelhouse sign-in code is %s.\n\nIt works once, for"
                                       " 10 minutes. If you did not ask for it, ignore this"
                                       " e-mail.\n",
                                       code);
    wh_crypto_wipe(code, sizeof code);
    rc = wh_code_store(c, a, u->id, hash, now_ms, e);
    if (rc == WH_OK)
        rc = wh_outbox_enqueue(c, a, "email", u->email, "Your Wheelhouse sign-in code", text,
                               now_ms, e);
    *sent = rc == WH_OK;
    return rc;
}
