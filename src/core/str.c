/* Slice helpers and strict number parsing (no atoi: every digit is checked). */
#include "core/str.h"

bool wh_str_eq(wh_str a, const char *b)
{
    size_t n = strlen(b);
    return a.len == n && memcmp(a.p, b, n) == 0;
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

bool wh_str_utf8_valid(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned char c = u[i];
        size_t extra = c < 0x80         ? 0
                       : (c >> 5) == 6  ? 1
                       : (c >> 4) == 14 ? 2
                       : (c >> 3) == 30 ? 3
                                        : 9;
        if (c == 0 || extra == 9 || (extra && c < 0xC2 && extra == 1) ||
            i + extra >= n + (extra ? 0 : 1))
            return false;
        for (size_t k = 1; k <= extra; k++)
            if ((u[i + k] & 0xC0) != 0x80)
                return false;
        i += extra + 1;
    }
    return true;
}

uint64_t wh_str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}
