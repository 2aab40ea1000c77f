/* Router: a flat list of routes matched segment by segment, screened first by the hash of the
 * segment after /api/v1 (KEY_SEGMENT). Patterns are split once at
 * registration; {name} segments capture. Lookup is read-only and thread-safe. */
#include "http/http.h"
#include "core/alloc.h"
#include "core/log.h"
#include "core/str.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The segment whose hash screens the entries before they are compared: after "/api/v1", the
 * resource ("loads", "dashboard"), which tells most routes apart. */
#define KEY_SEGMENT 2

typedef struct {
    const wh_route *route;
    const char *seg[WH_LIMIT_PATH_SEGMENTS];
    size_t seglen[WH_LIMIT_PATH_SEGMENTS];
} entry;

/* An entry's screen, kept apart from the entries: a lookup walks only these 16-byte heads
 * (a few KiB, in cache) and reads an entry only when its head fits the path. */
typedef struct {
    uint64_t key; /* hash of segment KEY_SEGMENT when it is a literal, else 0 (any) */
    int nseg;
} head;

struct wh_router {
    entry *entries;
    head *heads; /* heads[i] screens entries[i] */
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
    wh_free(rt->heads);
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

static bool is_param(const char *s, size_t len)
{
    return len >= 2 && s[0] == '{' && s[len - 1] == '}';
}

/* FNV-1a of a segment, never 0 (0 marks an entry that any segment may match). */
static uint64_t segment_key(const char *s, size_t len)
{
    uint64_t h = wh_str_hash_n(s, len);
    return h ? h : 1;
}

/* The key of a path split into nseg segments, or of a pattern (0 where a parameter stands). */
static uint64_t key_of(int nseg, const char **seg, const size_t *len)
{
    if (nseg <= KEY_SEGMENT || is_param(seg[KEY_SEGMENT], len[KEY_SEGMENT]))
        return 0;
    return segment_key(seg[KEY_SEGMENT], len[KEY_SEGMENT]);
}

static bool method_known(const char *m)
{
    static const char *const known[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(m, known[i]) == 0)
            return true;
    return false;
}

static const char *rule_problem(const wh_route *rt)
{
    if (!rt->rule)
        return NULL;
    if (rt->perm == WH_PERM_PUBLIC)
        return "a rule on a public route";
    if (!rt->rule->name || !rt->rule->text)
        return "a rule without a name or text";
    if ((rt->rule->kind == WH_RULE_TARGET) != (rt->rule->limits == NULL))
        return "a rule's predicate must be set unless it is WH_RULE_TARGET";
    return NULL;
}

bool wh_route_check(const wh_route *rt, const char **why)
{
    bool get = rt->method && strcmp(rt->method, "GET") == 0;
    bool post = rt->method && strcmp(rt->method, "POST") == 0;
    bool idem = (rt->flags & WH_ROUTE_IDEMPOTENT) != 0;
    *why = NULL;
    if (!rt->method || !method_known(rt->method) || !rt->pattern || rt->pattern[0] != '/' ||
        !rt->handler)
        *why = "a method, a pattern starting with / and a handler are required";
    else if (idem != (post && rt->perm != WH_PERM_PUBLIC))
        *why = "WH_ROUTE_IDEMPOTENT is on exactly the signed-in POSTs (API.md Idempotency-Key)";
    else if ((rt->flags & (WH_ROUTE_CACHED | WH_ROUTE_RAW | WH_ROUTE_CSV)) && !get)
        *why = "WH_ROUTE_CACHED, WH_ROUTE_RAW and WH_ROUTE_CSV are for GET routes";
    else if ((rt->flags & WH_ROUTE_UPLOAD) && !post)
        *why = "WH_ROUTE_UPLOAD is for POST routes";
    else if (rt->flags & ~(unsigned)(WH_ROUTE_CACHED | WH_ROUTE_IDEMPOTENT | WH_ROUTE_RAW |
                                     WH_ROUTE_CSV | WH_ROUTE_UPLOAD))
        *why = "an unknown flag";
    else
        *why = rule_problem(rt);
    return *why == NULL;
}

const char *wh_rate_class_name(wh_rate_class c)
{
    switch (c) {
    case WH_RATE_AUTH:
        return "auth";
    case WH_RATE_READ:
        return "read";
    case WH_RATE_WRITE:
        return "write";
    default:
        return "none";
    }
}

const wh_route *wh_router_route(const wh_router *rt, size_t idx)
{
    return idx < rt->n ? rt->entries[idx].route : NULL;
}

void wh_router_add(wh_router *rt, const wh_route *routes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *why = NULL;
        if (!wh_route_check(&routes[i], &why)) {
            wh_log(WH_LOG_ERROR, "route %s %s: %s", routes[i].method ? routes[i].method : "?",
                   routes[i].pattern ? routes[i].pattern : "?", why);
            abort();
        }
        if (rt->n == rt->cap) {
            rt->cap = rt->cap ? rt->cap * 2 : 64;
            rt->entries = wh_realloc(rt->entries, rt->cap * sizeof *rt->entries);
            rt->heads = wh_realloc(rt->heads, rt->cap * sizeof *rt->heads);
        }
        entry *en = &rt->entries[rt->n];
        head *h = &rt->heads[rt->n++];
        en->route = &routes[i];
        h->nseg = split(routes[i].pattern, en->seg, en->seglen);
        h->key = key_of(h->nseg, en->seg, en->seglen);
    }
}

/* The key a path's entries are screened by (path_key: key_of, for a path). */
static uint64_t path_key(int nseg, const char **seg, const size_t *len)
{
    return nseg > KEY_SEGMENT ? segment_key(seg[KEY_SEGMENT], len[KEY_SEGMENT]) : 0;
}

/* Entry idx matches the path of nseg segments screened by key (its head first); its parameters
 * are captured into params when that is not NULL. */
static bool match_entry(const wh_router *rt, size_t idx, int nseg, const char **seg,
                        const size_t *len, uint64_t key, wh_arena *a, const char **params,
                        int *nparams)
{
    const head *h = &rt->heads[idx];
    const entry *en = &rt->entries[idx];
    int np = 0;
    if (h->nseg != nseg || (h->key && h->key != key))
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
    uint64_t key = path_key(nseg, seg, len);
    char *allow = wh_arena_strdup(a, "");
    for (size_t i = 0; i < rt->n; i++) {
        const entry *en = &rt->entries[i];
        if (!match_entry(rt, i, nseg, seg, len, key, a, NULL, NULL) ||
            strstr(allow, en->route->method))
            continue;
        allow = wh_arena_printf(a, "%s%s%s", allow, *allow ? ", " : "", en->route->method);
    }
    return allow;
}

unsigned wh_router_flags(const wh_router *rt, const char *method, const char *path)
{
    const char *seg[WH_LIMIT_PATH_SEGMENTS];
    size_t len[WH_LIMIT_PATH_SEGMENTS];
    int nseg = split(path, seg, len);
    uint64_t key = nseg >= 0 ? path_key(nseg, seg, len) : 0;
    for (size_t i = 0; nseg >= 0 && i < rt->n; i++) {
        const entry *en = &rt->entries[i];
        if (strcmp(en->route->method, method) == 0 &&
            match_entry(rt, i, nseg, seg, len, key, NULL, NULL, NULL))
            return en->route->flags;
    }
    return 0;
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
    uint64_t key = path_key(nseg, seg, len);
    for (size_t i = 0; i < rt->n; i++) {
        const entry *en = &rt->entries[i];
        if (!match_entry(rt, i, nseg, seg, len, key, a, params, nparams))
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
