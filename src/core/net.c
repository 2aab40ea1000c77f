/* IP addresses and CIDR ranges (core/net.h). */
#include "core/net.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

static const unsigned char v4_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static void map_v4(const void *v4, unsigned char out[16])
{
    memcpy(out, v4_prefix, 12);
    memcpy(out + 12, v4, 4);
}

static bool is_v4(const unsigned char addr[16])
{
    return memcmp(addr, v4_prefix, 12) == 0;
}

static void trim(const char **text, size_t *len)
{
    while (*len > 0 && (**text == ' ' || **text == '\t')) {
        (*text)++;
        (*len)--;
    }
    while (*len > 0 && ((*text)[*len - 1] == ' ' || (*text)[*len - 1] == '\t'))
        (*len)--;
}

bool wh_net_addr_parse(const char *text, size_t len, unsigned char out[16])
{
    char buf[INET6_ADDRSTRLEN];
    unsigned char v4[4];
    trim(&text, &len);
    if (len == 0 || len >= sizeof buf)
        return false;
    memcpy(buf, text, len);
    buf[len] = '\0';
    if (inet_pton(AF_INET, buf, v4) == 1) {
        map_v4(v4, out);
        return true;
    }
    return inet_pton(AF_INET6, buf, out) == 1;
}

bool wh_net_cidr_parse(const char *text, size_t len, wh_net_cidr *out)
{
    trim(&text, &len);
    const char *slash = memchr(text, '/', len);
    size_t alen = slash ? (size_t)(slash - text) : len;
    if (!wh_net_addr_parse(text, alen, out->addr))
        return false;
    bool v4 = is_v4(out->addr) && memchr(text, '.', alen);
    int max = v4 ? 32 : 128;
    int prefix = max;
    if (slash) {
        size_t n = len - alen - 1;
        if (n == 0 || n > 3)
            return false;
        prefix = 0;
        for (size_t i = 0; i < n; i++) {
            char ch = slash[1 + i];
            if (ch < '0' || ch > '9')
                return false;
            prefix = prefix * 10 + (ch - '0');
        }
        if (prefix > max)
            return false;
    }
    out->prefix = v4 ? prefix + 96 : prefix;
    return true;
}

bool wh_net_cidr_match(const wh_net_cidr *c, const unsigned char addr[16])
{
    int full = c->prefix / 8, rest = c->prefix % 8;
    if (memcmp(c->addr, addr, (size_t)full) != 0)
        return false;
    if (rest == 0)
        return true;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (c->addr[full] & mask) == (addr[full] & mask);
}

bool wh_net_addr_of(const struct sockaddr *sa, unsigned char out[16])
{
    if (sa && sa->sa_family == AF_INET) {
        map_v4(&((const struct sockaddr_in *)(const void *)sa)->sin_addr, out);
        return true;
    }
    if (sa && sa->sa_family == AF_INET6) {
        memcpy(out, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
        return true;
    }
    return false;
}

void wh_net_addr_render(const unsigned char addr[16], char *out, size_t cap)
{
    bool v4 = is_v4(addr);
    if (!inet_ntop(v4 ? AF_INET : AF_INET6, v4 ? addr + 12 : addr, out, (socklen_t)cap))
        snprintf(out, cap, "unknown");
}
