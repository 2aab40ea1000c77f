/* wh_str: a borrowed slice {p, len}, not NUL-terminated, passed by value. */
#ifndef WH_CORE_STR_H
#define WH_CORE_STR_H

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
/* Number of UTF-8 code points in s (bytes 10xxxxxx are not counted). */
size_t wh_str_utf8_len(const char *s, size_t n);
/* True when s[0..n) is valid UTF-8 without NUL bytes. */
bool wh_str_utf8_valid(const char *s, size_t n);

#include <string.h>
static inline wh_str wh_str_c(const char *s)
{
    wh_str r = {s, s ? strlen(s) : 0};
    return r;
}

/* FNV-1a of a NUL-terminated string: the hash of the in-process tables (cache, rate limiter);
 * not for anything an attacker could exploit by choosing colliding keys at scale. */
uint64_t wh_str_hash(const char *s);

#endif
