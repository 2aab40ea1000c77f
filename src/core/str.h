/* wh_str: a borrowed slice {p, len}, not NUL-terminated, passed by value. */
#ifndef WH_CORE_STR_H
#define WH_CORE_STR_H

#include "core/arena.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *p;
    size_t len;
} wh_str;

static inline wh_str wh_str_c(const char *s);
bool wh_str_eq(wh_str a, const char *b);
/* Parses a whole slice as a decimal int64 in [min, max]; false on anything else. */
bool wh_str_to_i64(wh_str s, int64_t min, int64_t max, int64_t *out);
/* v in decimal into out (NUL-terminated, at most WH_STR_I64_BYTES with the NUL), without printf;
 * returns the length. */
#define WH_STR_I64_BYTES 21
size_t wh_str_from_i64(long long v, char *out);
/* Number of UTF-8 code points in s (bytes 10xxxxxx are not counted). */
size_t wh_str_utf8_len(const char *s, size_t n);
/* True when s[0..n) is valid UTF-8 (no overlong forms, surrogates or code points past
 * U+10FFFF: what jansson accepts) without NUL bytes. */
bool wh_str_utf8_valid(const char *s, size_t n);
/* The length of s[0..n) without a character cut short at its end: when a byte limit fell inside
 * the last character (snprintf into a fixed buffer), the bytes of that character are dropped;
 * otherwise n. Invalid bytes elsewhere are left for wh_str_utf8_clean. */
size_t wh_str_utf8_cut(const char *s, size_t n);

/* What wh_str_utf8_clean writes for a byte that is not part of valid UTF-8 (or a NUL). */
typedef enum {
    WH_UTF8_REPLACE, /* U+FFFD: text shown to people (problem details, field names) */
    WH_UTF8_ESCAPE,  /* %XX, also for '%' and control bytes, so the raw bytes can be read back
                        unambiguously (request paths in problems and logs) */
} wh_utf8_mode;

/* Copies s[0..n) into out[0..cap) as valid UTF-8 and NUL-terminates it: every invalid byte (and
 * NUL) is written as mode says. When the result would not fit, it is cut on a character (or
 * escape) boundary. Returns the bytes written, excluding the NUL. cap >= 1; thread-safe. */
size_t wh_str_utf8_clean(const char *s, size_t n, char *out, size_t cap, wh_utf8_mode mode);

#include <string.h>
static inline wh_str wh_str_c(const char *s)
{
    wh_str r = {s, s ? strlen(s) : 0};
    return r;
}

/* FNV-1a of a NUL-terminated string: the hash of the in-process tables (cache, rate limiter);
 * not for anything an attacker could exploit by choosing colliding keys at scale. */
uint64_t wh_str_hash(const char *s);
/* The same hash of n bytes (NULs included): keys that are slices or hold a NUL. */
uint64_t wh_str_hash_n(const void *p, size_t n);

/* A LIKE pattern (with ESCAPE '\') matching q as a case-insensitive substring of a lower-cased
 * column: "%" + q lower-cased (ASCII) with %, _ and \ escaped + "%", in the arena. */
const char *wh_str_like_pattern(wh_arena *a, const char *q);

#endif
