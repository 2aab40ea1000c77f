/* libsodium wrappers: CSPRNG, hashing, HMAC, base64url, argon2id passwords. All functions are
 * thread-safe after wh_crypto_init. Secrets are wiped by the callers with wh_crypto_wipe. */
#ifndef WH_CORE_CRYPTO_H
#define WH_CORE_CRYPTO_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>

#define WH_CRYPTO_TOKEN_BYTES  32
#define WH_CRYPTO_TOKEN_CHARS  43 /* base64url of 32 bytes, no padding */
#define WH_CRYPTO_SHA256_HEX   65 /* 64 hex digits + NUL */
#define WH_CRYPTO_HMAC_BYTES   32
#define WH_CRYPTO_PWHASH_CHARS 128 /* crypto_pwhash_STRBYTES */

WH_MUST_USE wh_err wh_crypto_init(void);
void wh_crypto_random(void *buf, size_t n);
/* 128 random bits as 32 lower-case hex digits (out needs 33 bytes): a request's id. Drawn from
 * a per-thread pool refilled from the CSPRNG, so not for secrets (tokens use wh_crypto_token). */
void wh_crypto_random_id(char *out, size_t cap);
/* A fresh 256-bit token rendered base64url (out needs WH_CRYPTO_TOKEN_CHARS + 1 bytes). */
void wh_crypto_token(char *out, size_t cap);
/* Lower-case hex SHA-256 of data (out needs WH_CRYPTO_SHA256_HEX bytes). */
void wh_crypto_sha256_hex(const void *data, size_t n, char *out);
/* HMAC-SHA256 of data under key (key of any length; it is hashed to 32 bytes first). */
void wh_crypto_hmac(const void *key, size_t keylen, const void *data, size_t n,
                    unsigned char out[WH_CRYPTO_HMAC_BYTES]);
/* base64url without padding. encode: out needs 4*ceil(n/3)+1 bytes. decode: false on bad input
 * or when the result would exceed cap. */
void wh_crypto_b64url_encode(const void *bin, size_t n, char *out, size_t cap);
bool wh_crypto_b64url_decode(const char *s, size_t slen, void *out, size_t cap, size_t *outlen);
/* Hex encoding of bytes (out needs 2n + 1). */
void wh_crypto_hex(const void *bin, size_t n, char *out, size_t cap);
/* Constant-time equality. */
bool wh_crypto_equal(const void *a, const void *b, size_t n);
void wh_crypto_wipe(void *p, size_t n);
/* argon2id with libsodium's INTERACTIVE limits; out needs WH_CRYPTO_PWHASH_CHARS bytes. */
WH_MUST_USE wh_err wh_crypto_password_hash(const char *password, char *out);
/* True when password matches the stored hash. Constant time in the password. */
bool wh_crypto_password_verify(const char *hash, const char *password);

#endif
