/* Slice helpers and strict number parsing (no atoi: every digit is checked). */
#include "core/str.h"
#include "core/arena.h"

bool wh_str_eq(wh_str a, const char *b)
{
    size_t n = strlen(b);
    return a.len == n && memcmp(a.p, b, n) == 0;
}

size_t wh_str_from_i64(long long v, char *out)
{
    char buf[WH_STR_I64_BYTES], *p = buf + sizeof buf;
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    size_t n = (size_t)(buf + sizeof buf - p);
    memcpy(out, p, n);
    out[n] = '\0';
    return n;
}

bool wh_str_to_i64(wh_str s, int64_t min, int64_t max, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    uint64_t v = 0;
    if (s.len == 0 || s.len > 20)
        return false;
    if (s.p[0] == '-') {
        neg = true;
        i = 1;
        if (s.len == 1)
            return false;
    }
    for (; i < s.len; i++) {
        if (s.p[i] < '0' || s.p[i] > '9')
            return false;
        uint64_t d = (uint64_t)(s.p[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (!neg && v > (uint64_t)INT64_MAX)
        return false;
    if (neg && v > (uint64_t)INT64_MAX + 1)
        return false;
    int64_t r = neg ? (int64_t)(0 - v) : (int64_t)v;
    if (r < min || r > max)
        return false;
    *out = r;
    return true;
}

size_t wh_str_utf8_len(const char *s, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            count++;
    return count;
}

/* The length a UTF-8 character with lead byte c has (1..4), or 0 when c cannot lead one. */
static size_t lead_len(unsigned char c)
{
    return c < 0x80                 ? 1
           : c >= 0xC2 && c <= 0xDF ? 2
           : c >= 0xE0 && c <= 0xEF ? 3
           : c >= 0xF0 && c <= 0xF4 ? 4
                                    : 0;
}

/* The length (1..4) of the valid UTF-8 character at u[0..n), or 0 when u[0] does not start one
 * (invalid lead byte, NUL, bad or missing continuation, overlong form, surrogate, > U+10FFFF). */
static size_t char_len(const unsigned char *u, size_t n)
{
    unsigned char c = u[0];
    size_t len = lead_len(c);
    if (c == 0 || len == 0 || len > n)
        return 0;
    /* the second byte's range excludes overlong forms, surrogates and > U+10FFFF */
    unsigned char lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
    unsigned char hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
    if (len > 1 && (u[1] < lo || u[1] > hi))
        return 0;
    for (size_t k = 2; k < len; k++)
        if ((u[k] & 0xC0) != 0x80)
            return 0;
    return len;
}

bool wh_str_utf8_valid(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t len = char_len(u + i, n - i);
        if (len == 0)
            return false;
        i += len;
    }
    return true;
}

size_t wh_str_utf8_cut(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t start = n;
    /* the last character starts at most 3 bytes back */
    while (start > 0 && n - start < 4 && (u[start - 1] & 0xC0) == 0x80)
        start--;
    if (start == 0 || n - start >= 4)
        return n;
    start--; /* the byte that may lead the last character */
    return lead_len(u[start]) > n - start ? start : n;
}

size_t wh_str_utf8_clean(const char *s, size_t n, char *out, size_t cap, wh_utf8_mode mode)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, o = 0;
    while (i < n) {
        size_t len = char_len(u + i, n - i);
        bool escape =
            mode == WH_UTF8_ESCAPE && (len == 0 || u[i] == '%' || u[i] < 0x20 || u[i] == 0x7F);
        char rep[4] = {(char)0xEF, (char)0xBF, (char)0xBD, 0}; /* U+FFFD */
        const char *src = rep;
        size_t w = 3;
        if (escape) {
            rep[0] = '%';
            rep[1] = hex[u[i] >> 4];
            rep[2] = hex[u[i] & 0x0F];
            len = 1;
        } else if (len > 0) {
            src = s + i;
            w = len;
        } else {
            len = 1;
        }
        if (o + w >= cap)
            break;
        memcpy(out + o, src, w);
        o += w;
        i += len;
    }
    out[o] = '\0';
    return o;
}

uint64_t wh_str_hash(const char *s)
{
    return wh_str_hash_n(s, strlen(s));
}

uint64_t wh_str_hash_n(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ULL;
    }
    return h;
}

const char *wh_str_like_pattern(wh_arena *a, const char *q)
{
    char *out = wh_arena_alloc(a, strlen(q) * 2 + 3), *o = out;
    *o++ = '%';
    for (const char *p = q; *p; p++) {
        if (*p == '%' || *p == '_' || *p == '\\')
            *o++ = '\\';
        *o++ = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    }
    *o++ = '%';
    *o = '\0';
    return out;
}
