/* Router: a flat list of routes matched segment by segment. Patterns are split once at
 * registration; {name} segments capture. Lookup is read-only and thread-safe. */
#include "http/http.h"
#include "core/alloc.h"

#include <string.h>

typedef struct {
    const wh_route *route;
    int nseg;
    const char *seg[WH_LIMIT_PATH_SEGMENTS];
    size_t seglen[WH_LIMIT_PATH_SEGMENTS];
} entry;

struct wh_router {
    entry *entries;
    size_t n, cap;
};

wh_router *wh_router_new(void)
{
    return wh_calloc(1, sizeof(wh_router));
}

void wh_router_free(wh_router *rt)
{
    if (!rt)
        return;
    wh_free(rt->entries);
    wh_free(rt);
}

/* Splits "/a/b/c" into segments; returns -1 when there are too many. */
static int split(const char *path, const char **seg, size_t *len)
{
    int n = 0;
    const char *p = path;
    while (*p == '/') {
        p++;
        const char *end = strchr(p, '/');
        size_t l = end ? (size_t)(end - p) : strlen(p);
        if (l == 0 && !end)
            break; /* trailing slash or "/" itself */
        if (n == WH_LIMIT_PATH_SEGMENTS)
            return -1;
        seg[n] = p;
        len[n] = l;
        n++;
        p += l;
    }
    return n;
}

void wh_router_add(wh_router *rt, const wh_route *routes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (rt->n == rt->cap) {
            rt->cap = rt->cap ? rt->cap * 2 : 64;
            rt->entries = wh_realloc(rt->entries, rt->cap * sizeof *rt->entries);
        }
        entry *en = &rt->entries[rt->n++];
        en->route = &routes[i];
        en->nseg = split(routes[i].pattern, en->seg, en->seglen);
    }
}

static bool is_param(const char *s, size_t len)
{
    return len >= 2 && s[0] == '{' && s[len - 1] == '}';
}

static bool match_entry(const entry *en, int nseg, const char **seg, const size_t *len, wh_arena *a,
                        const char **params, int *nparams)
{
    int np = 0;
    if (en->nseg != nseg)
        return false;
    for (int i = 0; i < nseg; i++) {
        if (is_param(en->seg[i], en->seglen[i])) {
            if (len[i] == 0 || np == WH_LIMIT_PATH_PARAMS)
                return false;
            if (params)
                params[np] = wh_arena_strndup(a, seg[i], len[i]);
            np++;
        } else if (en->seglen[i] != len[i] || memcmp(en->seg[i], seg[i], len[i]) != 0) {
            return false;
        }
    }
    if (nparams)
        *nparams = np;
    return true;
}

static const char *allow_list(const wh_router *rt, int nseg, const char **seg, size_t *len,
                              wh_arena *a)
{
    char *allow = wh_arena_strdup(a, "");
    for (size_t i = 0; i < rt->n; i++) {
        const entry *en = &rt->entries[i];
        if (!match_entry(en, nseg, seg, len, a, NULL, NULL) || strstr(allow, en->route->method))
            continue;
        allow = wh_arena_printf(a, "%s%s%s", allow, *allow ? ", " : "", en->route->method);
    }
    return allow;
}

wh_match wh_router_match(const wh_router *rt, wh_arena *a, const char *method, const char *path,
                         const wh_route **route, const char **params, int *nparams,
                         const char **allow)
{
    const char *seg[WH_LIMIT_PATH_SEGMENTS];
    size_t len[WH_LIMIT_PATH_SEGMENTS];
    int nseg = split(path, seg, len);
    bool path_found = false;
    if (nseg < 0)
        return WH_MATCH_NO_PATH;
    for (size_t i = 0; i < rt->n; i++) {
        const entry *en = &rt->entries[i];
        if (!match_entry(en, nseg, seg, len, a, params, nparams))
            continue;
        path_found = true;
        if (strcmp(en->route->method, method) == 0 ||
            (strcmp(method, "HEAD") == 0 && strcmp(en->route->method, "GET") == 0)) {
            *route = en->route;
            return WH_MATCH_OK;
        }
    }
    if (!path_found)
        return WH_MATCH_NO_PATH;
    *allow = allow_list(rt, nseg, seg, len, a);
    return WH_MATCH_NO_METHOD;
}
