/* The one place that talks to libsodium. */
#include "core/crypto.h"

#include <sodium.h>
#include <string.h>

wh_err wh_crypto_init(void)
{
    return sodium_init() < 0 ? WH_ERR_INTERNAL : WH_OK;
}

void wh_crypto_random(void *buf, size_t n)
{
    randombytes_buf(buf, n);
}

void wh_crypto_random_id(char *out, size_t cap)
{
    /* a system call per request id was 2% of a cached dashboard hit: each thread draws 4 KiB
     * at a time and hands out 16 bytes of it per id (never twice: the pool moves on) */
    static _Thread_local struct {
        unsigned char bytes[4096];
        size_t at;
    } pool = {.at = sizeof pool.bytes};
    if (pool.at + 16 > sizeof pool.bytes) {
        randombytes_buf(pool.bytes, sizeof pool.bytes);
        pool.at = 0;
    }
    wh_crypto_hex(pool.bytes + pool.at, 16, out, cap);
    pool.at += 16;
}

void wh_crypto_token(char *out, size_t cap)
{
    unsigned char raw[WH_CRYPTO_TOKEN_BYTES];
    randombytes_buf(raw, sizeof raw);
    wh_crypto_b64url_encode(raw, sizeof raw, out, cap);
    sodium_memzero(raw, sizeof raw);
}

void wh_crypto_sha256_hex(const void *data, size_t n, char *out)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data, n);
    sodium_bin2hex(out, WH_CRYPTO_SHA256_HEX, h, sizeof h);
}

void wh_crypto_hmac(const void *key, size_t keylen, const void *data, size_t n,
                    unsigned char out[WH_CRYPTO_HMAC_BYTES])
{
    unsigned char k[crypto_auth_hmacsha256_KEYBYTES];
    crypto_hash_sha256(k, key, keylen);
    crypto_auth_hmacsha256(out, data, n, k);
    sodium_memzero(k, sizeof k);
}

void wh_crypto_b64url_encode(const void *bin, size_t n, char *out, size_t cap)
{
    sodium_bin2base64(out, cap, bin, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

bool wh_crypto_b64url_decode(const char *s, size_t slen, void *out, size_t cap, size_t *outlen)
{
    const char *end = NULL;
    if (sodium_base642bin(out, cap, s, slen, NULL, outlen, &end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return false;
    return end == s + slen;
}

void wh_crypto_hex(const void *bin, size_t n, char *out, size_t cap)
{
    sodium_bin2hex(out, cap, bin, n);
}

bool wh_crypto_equal(const void *a, const void *b, size_t n)
{
    return sodium_memcmp(a, b, n) == 0;
}

void wh_crypto_wipe(void *p, size_t n)
{
    sodium_memzero(p, n);
}

wh_err wh_crypto_password_hash(const char *password, char *out)
{
    if (crypto_pwhash_str_alg(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return WH_ERR_INTERNAL;
    return WH_OK;
}

bool wh_crypto_password_verify(const char *hash, const char *password)
{
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}
