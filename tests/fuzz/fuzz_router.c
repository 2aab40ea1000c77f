/* The router over the real route tables (wh_app_add_routes, as wh_app_init builds it) with a
 * fuzzed method and path. The first input byte picks the method (the seven the server knows,
 * or, past them, the next bytes up to a NUL as an arbitrary method); the rest up to a NUL is the
 * path. Properties: OK names a route whose method matches (HEAD may take GET) with one non-empty,
 * slash-free parameter per {capture}, and substituting the parameters back into the pattern
 * gives a path that matches the same route again; NO_METHOD gives a non-empty Allow list that
 * does not hold the method. */
#include "fuzz.h"

#include "app.h"
#include "core/arena.h"
#include "core/limits.h"
#include "http/http.h"

static const char *const methods[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
#define NMETHODS (sizeof methods / sizeof methods[0])

static wh_router *router(void)
{
    static wh_router *rt; /* built once, read-only afterwards, like the server's */
    if (!rt) {
        rt = wh_router_new();
        wh_app_add_routes(rt);
    }
    return rt;
}

static int captures(const char *pattern)
{
    int n = 0;
    for (const char *p = pattern; *p; p++)
        n += *p == '{';
    return n;
}

/* The pattern with each {capture} replaced by the matching parameter. */
static char *rebuild(wh_arena *a, const char *pattern, const char *const *params)
{
    char *out = wh_arena_strdup(a, "");
    int k = 0;
    for (const char *p = pattern; *p;) {
        if (*p == '{') {
            out = wh_arena_printf(a, "%s%s", out, params[k++]);
            p = strchr(p, '}') + 1;
        } else {
            size_t n = strcspn(p, "{");
            out = wh_arena_printf(a, "%s%.*s", out, (int)n, p);
            p += n;
        }
    }
    return out;
}

static void check_ok(wh_arena *a, const char *method, const wh_route *route, const char **params,
                     int nparams)
{
    FUZZ_CHECK(route != NULL);
    FUZZ_CHECK(strcmp(route->method, method) == 0 ||
               (strcmp(method, "HEAD") == 0 && strcmp(route->method, "GET") == 0));
    FUZZ_CHECK(nparams == captures(route->pattern) && nparams <= WH_LIMIT_PATH_PARAMS);
    for (int i = 0; i < nparams; i++)
        FUZZ_CHECK(params[i][0] != '\0' && strchr(params[i], '/') == NULL);
    const wh_route *again = NULL;
    const char *p2[WH_LIMIT_PATH_PARAMS], *allow = NULL;
    int n2 = -1;
    char *path = rebuild(a, route->pattern, params);
    FUZZ_CHECK(wh_router_match(router(), a, method, path, &again, p2, &n2, &allow) == WH_MATCH_OK);
    FUZZ_CHECK(again == route && n2 == nparams);
    for (int i = 0; i < nparams; i++)
        FUZZ_CHECK(strcmp(p2[i], params[i]) == 0);
}

/* True when the "GET, POST" style list names method. */
static bool allow_has(const char *allow, const char *method)
{
    size_t n = strlen(method);
    for (const char *p = allow; *p;) {
        size_t len = strcspn(p, ",");
        if (len == n && memcmp(p, method, n) == 0)
            return true;
        p += len;
        p += strspn(p, ", ");
    }
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wh_arena a;
    const wh_route *route = NULL;
    const char *params[WH_LIMIT_PATH_PARAMS], *allow = NULL;
    int nparams = -1;
    if (size == 0)
        return 0;
    char *text = fuzz_cstr(data + 1, size - 1);
    const char *method = text, *path = text;
    if (data[0] < NMETHODS)
        method = methods[data[0]];
    else
        path = text + strlen(text) + (strlen(text) < size - 1); /* past the method's NUL */
    wh_arena_init(&a);
    wh_match m = wh_router_match(router(), &a, method, path, &route, params, &nparams, &allow);
    if (m == WH_MATCH_OK) {
        check_ok(&a, method, route, params, nparams);
    } else if (m == WH_MATCH_NO_METHOD) {
        FUZZ_CHECK(allow != NULL && allow[0] != '\0');
        FUZZ_CHECK(!allow_has(allow, method) &&
                   !(strcmp(method, "HEAD") == 0 && allow_has(allow, "GET")));
    } else {
        FUZZ_CHECK(m == WH_MATCH_NO_PATH);
    }
    wh_arena_cleanup(&a);
    free(text);
    return 0;
}
