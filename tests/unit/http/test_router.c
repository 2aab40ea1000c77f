/* Router: literal and {param} segments, captured parameters, 404 versus 405 with an Allow list,
 * trailing slashes, the segment limit, and HEAD answered by GET routes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/arena.h"
#include "core/limits.h"
#include "http/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Handlers are never called by the router; distinct functions let the tests tell routes apart
 * by handler as well as by pointer. */
static wh_err h_list(wh_req *r, wh_error *e)
{
    (void)r;
    (void)e;
    return WH_OK;
}

static wh_err h_get(wh_req *r, wh_error *e)
{
    (void)r;
    (void)e;
    return WH_OK;
}

static const wh_route routes[] = {
    {"GET", "/api/v1/ventures", h_list, WH_PERM_SIGNED_IN, WH_RATE_READ, 0, NULL},
    {"POST", "/api/v1/ventures", h_list, WH_PERM_VENTURES_MANAGE, WH_RATE_WRITE,
     WH_ROUTE_IDEMPOTENT, NULL},
    {"GET", "/api/v1/ventures/mine", h_list, WH_PERM_SIGNED_IN, WH_RATE_READ, 0, NULL},
    {"GET", "/api/v1/ventures/{id}", h_get, WH_PERM_SIGNED_IN, WH_RATE_READ, 0, NULL},
    {"PATCH", "/api/v1/ventures/{id}", h_get, WH_PERM_VENTURES_MANAGE, WH_RATE_WRITE, 0, NULL},
    {"DELETE", "/api/v1/ventures/{id}", h_get, WH_PERM_VENTURES_MANAGE, WH_RATE_WRITE, 0, NULL},
    {"PUT", "/api/v1/users/{uid}/offices/{oid}", h_get, WH_PERM_USERS_MANAGE, WH_RATE_WRITE, 0,
     NULL},
    {"POST", "/api/v1/login", h_list, WH_PERM_PUBLIC, WH_RATE_AUTH, 0, NULL},
    {"GET", "/", h_list, WH_PERM_PUBLIC, WH_RATE_NONE, 0, NULL},
    /* a parameter where the router's screening segment is (after /api/v1) */
    {"GET", "/api/v1/{kind}/summary", h_get, WH_PERM_SIGNED_IN, WH_RATE_READ, 0, NULL},
};

#define NROUTES (sizeof routes / sizeof routes[0])

typedef struct {
    wh_router *rt;
    wh_arena arena;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    f->rt = wh_router_new();
    wh_router_add(f->rt, routes, NROUTES);
    wh_arena_init(&f->arena);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    wh_arena_cleanup(&f->arena);
    wh_router_free(f->rt);
    free(f);
    return 0;
}

typedef struct {
    wh_match m;
    const wh_route *route;
    const char *params[WH_LIMIT_PATH_PARAMS];
    int nparams;
    const char *allow;
} result;

static result match(fixture *f, const char *method, const char *path)
{
    result r;
    memset(&r, 0, sizeof r);
    r.nparams = -1;
    r.m = wh_router_match(f->rt, &f->arena, method, path, &r.route, r.params, &r.nparams, &r.allow);
    return r;
}

static void test_literal_match(void **state)
{
    result r = match(*state, "GET", "/api/v1/ventures");
    assert_int_equal(r.m, WH_MATCH_OK);
    assert_ptr_equal(r.route, &routes[0]);
    assert_int_equal(r.nparams, 0);

    r = match(*state, "POST", "/api/v1/ventures");
    assert_int_equal(r.m, WH_MATCH_OK);
    assert_ptr_equal(r.route, &routes[1]);

    r = match(*state, "GET", "/");
    assert_int_equal(r.m, WH_MATCH_OK);
    assert_ptr_equal(r.route, &routes[8]);
}

static void test_literal_before_param(void **state)
{
    /* "mine" is registered before {id}: the literal route wins, with no captures */
    result r = match(*state, "GET", "/api/v1/ventures/mine");
    assert_int_equal(r.m, WH_MATCH_OK);
    assert_ptr_equal(r.route, &routes[2]);
    assert_int_equal(r.nparams, 0);
}

/* The router screens routes by the segment after /api/v1: a route with a parameter there is
 * still tried for every path, after the literal routes registered before it. */
static void test_param_at_the_screened_segment(void **state)
{
    result r = match(*state, "GET", "/api/v1/loads/summary");
    assert_int_equal(r.m, WH_MATCH_OK);
    assert_ptr_equal(r.route, &routes[9]);
    assert_int_equal(r.nparams, 1);
    assert_string_equal(r.params[0], "loads");

    r = match(*state, "GET", "/api/v1/ventures/summary"); /* ventures/{id} comes first */
    assert_int_equal(r.m, WH_MATCH_OK);
    assert_ptr_equal(r.route, &routes[3]);
    assert_string_equal(r.params[0], "summary");

    r = match(*state, "POST", "/api/v1/loads/summary");
    assert_int_equal(r.m, WH_MATCH_NO_METHOD);
    assert_string_equal(r.allow, "GET");

    r = match(*state, "POST", "/api/v1/ventures/summary"); /* both routes allow their methods */
    assert_int_equal(r.m, WH_MATCH_NO_METHOD);
    assert_string_equal(r.allow, "GET, PATCH, DELETE");

    r = match(*state, "GET", "/api/v1/loads/other");
    assert_int_equal(r.m, WH_MATCH_NO_PATH);
}

static void test_param_capture(void **state)
{
    result r = match(*state, "GET", "/api/v1/ventures/42");
    assert_int_equal(r.m, WH_MATCH_OK);
    assert_ptr_equal(r.route, &routes[3]);
    assert_ptr_equal(r.route->handler, h_get);
    assert_int_equal(r.nparams, 1);
    assert_string_equal(r.params[0], "42");

    /* a capture is any one non-empty segment, not only digits */
    r = match(*state, "PATCH", "/api/v1/ventures/abc-def");
    assert_int_equal(r.m, WH_MATCH_OK);
    assert_ptr_equal(r.route, &routes[4]);
    assert_string_equal(r.params[0], "abc-def");
}

static void test_two_params(void **state)
{
    result r = match(*state, "PUT", "/api/v1/users/7/offices/19");
    assert_int_equal(r.m, WH_MATCH_OK);
    assert_ptr_equal(r.route, &routes[6]);
    assert_int_equal(r.nparams, 2);
    assert_string_equal(r.params[0], "7");
    assert_string_equal(r.params[1], "19");
}

static void test_param_is_copied(void **state)
{
    char path[64];
    snprintf(path, sizeof path, "%s", "/api/v1/ventures/77");
    result r = match(*state, "GET", path);
    assert_int_equal(r.m, WH_MATCH_OK);
    memset(path, 'x', strlen(path)); /* the capture must not point into the caller's path */
    assert_string_equal(r.params[0], "77");
}

static void test_unknown_path(void **state)
{
    const char *paths[] = {
        "/api/v1/nothing",         "/api/v1",           "/api/v1/ventures/1/offices",
        "/api/v2/ventures",        "/API/v1/ventures",  "/api/v1/venturesx",
        "/api/v1/users/7/offices", "/api/v1//ventures", "/api/v1/ventures//",
    };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        result r = match(*state, "GET", paths[i]);
        if (r.m != WH_MATCH_NO_PATH)
            fail_msg("%s: expected WH_MATCH_NO_PATH, got %d", paths[i], (int)r.m);
        assert_null(r.route);
    }
}

static void test_empty_param_segment(void **state)
{
    /* "/api/v1/users//offices/3" has an empty segment where {uid} is: no match */
    result r = match(*state, "PUT", "/api/v1/users//offices/3");
    assert_int_equal(r.m, WH_MATCH_NO_PATH);
}

static void test_wrong_method_allow_literal(void **state)
{
    result r = match(*state, "DELETE", "/api/v1/ventures");
    assert_int_equal(r.m, WH_MATCH_NO_METHOD);
    assert_null(r.route);
    assert_non_null(r.allow);
    assert_string_equal(r.allow, "GET, POST");
}

static void test_wrong_method_allow_param(void **state)
{
    result r = match(*state, "POST", "/api/v1/ventures/5");
    assert_int_equal(r.m, WH_MATCH_NO_METHOD);
    assert_non_null(r.allow);
    assert_string_equal(r.allow, "GET, PATCH, DELETE");

    r = match(*state, "GET", "/api/v1/login");
    assert_int_equal(r.m, WH_MATCH_NO_METHOD);
    assert_string_equal(r.allow, "POST");
}

static void test_allow_includes_literal_and_param_routes(void **state)
{
    /* "/api/v1/ventures/mine" is matched by the literal GET and by the {id} routes: the Allow
     * list names every method that path answers, each once */
    result r = match(*state, "POST", "/api/v1/ventures/mine");
    assert_int_equal(r.m, WH_MATCH_NO_METHOD);
    assert_string_equal(r.allow, "GET, PATCH, DELETE");
}

static void test_trailing_slash(void **state)
{
    /* a trailing slash names the same resource */
    result r = match(*state, "GET", "/api/v1/ventures/");
    assert_int_equal(r.m, WH_MATCH_OK);
    assert_ptr_equal(r.route, &routes[0]);

    r = match(*state, "GET", "/api/v1/ventures/9/");
    assert_int_equal(r.m, WH_MATCH_OK);
    assert_ptr_equal(r.route, &routes[3]);
    assert_int_equal(r.nparams, 1);
    assert_string_equal(r.params[0], "9");
}

static void test_too_many_segments(void **state)
{
    char path[256];
    size_t off = 0;
    /* exactly the limit: no route that long, so 404 */
    for (int i = 0; i < WH_LIMIT_PATH_SEGMENTS; i++)
        off += (size_t)snprintf(path + off, sizeof path - off, "/s%d", i);
    result r = match(*state, "GET", path);
    assert_int_equal(r.m, WH_MATCH_NO_PATH);

    /* one more than the limit is refused before matching, also 404 */
    snprintf(path + off, sizeof path - off, "/extra");
    r = match(*state, "GET", path);
    assert_int_equal(r.m, WH_MATCH_NO_PATH);
    assert_null(r.route);

    /* a long path whose prefix is a real route never matches it */
    snprintf(path, sizeof path, "/api/v1/ventures/1/a/b/c/d/e/f/g/h/i/j/k");
    r = match(*state, "GET", path);
    assert_int_equal(r.m, WH_MATCH_NO_PATH);
}

static void test_route_at_segment_limit(void **state)
{
    (void)state;
    static const wh_route deep[] = {
        {"GET", "/a/b/c/d/e/f/g/h/i/j/k/{last}", h_get, WH_PERM_PUBLIC, WH_RATE_NONE, 0, NULL},
    };
    wh_router *rt = wh_router_new();
    wh_arena a;
    const wh_route *route = NULL;
    const char *params[WH_LIMIT_PATH_PARAMS] = {0};
    const char *allow = NULL;
    int np = 0;
    wh_arena_init(&a);
    wh_router_add(rt, deep, 1);
    assert_int_equal(
        wh_router_match(rt, &a, "GET", "/a/b/c/d/e/f/g/h/i/j/k/z", &route, params, &np, &allow),
        WH_MATCH_OK);
    assert_ptr_equal(route, &deep[0]);
    assert_int_equal(np, 1);
    assert_string_equal(params[0], "z");
    route = NULL;
    assert_int_equal(
        wh_router_match(rt, &a, "GET", "/a/b/c/d/e/f/g/h/i/j/k/z/y", &route, params, &np, &allow),
        WH_MATCH_NO_PATH);
    assert_null(route);
    wh_arena_cleanup(&a);
    wh_router_free(rt);
}

static void test_head_matches_get(void **state)
{
    result r = match(*state, "HEAD", "/api/v1/ventures/3");
    assert_int_equal(r.m, WH_MATCH_OK);
    assert_ptr_equal(r.route, &routes[3]);
    assert_string_equal(r.route->method, "GET");
    assert_string_equal(r.params[0], "3");

    r = match(*state, "HEAD", "/api/v1/ventures");
    assert_int_equal(r.m, WH_MATCH_OK);
    assert_ptr_equal(r.route, &routes[0]);

    /* HEAD on a path without GET is a wrong method, not a match */
    r = match(*state, "HEAD", "/api/v1/login");
    assert_int_equal(r.m, WH_MATCH_NO_METHOD);
    assert_string_equal(r.allow, "POST");
}

static void test_method_is_case_sensitive(void **state)
{
    result r = match(*state, "get", "/api/v1/ventures");
    assert_int_equal(r.m, WH_MATCH_NO_METHOD);
    assert_string_equal(r.allow, "GET, POST");
}

static void test_empty_router(void **state)
{
    (void)state;
    wh_router *rt = wh_router_new();
    wh_arena a;
    const wh_route *route = NULL;
    const char *params[WH_LIMIT_PATH_PARAMS];
    const char *allow = NULL;
    int np = 0;
    wh_arena_init(&a);
    assert_int_equal(wh_router_match(rt, &a, "GET", "/", &route, params, &np, &allow),
                     WH_MATCH_NO_PATH);
    assert_null(route);
    wh_arena_cleanup(&a);
    wh_router_free(rt);
    wh_router_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_literal_match, setup, teardown),
        cmocka_unit_test_setup_teardown(test_literal_before_param, setup, teardown),
        cmocka_unit_test_setup_teardown(test_param_capture, setup, teardown),
        cmocka_unit_test_setup_teardown(test_param_at_the_screened_segment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_params, setup, teardown),
        cmocka_unit_test_setup_teardown(test_param_is_copied, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_param_segment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_method_allow_literal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_method_allow_param, setup, teardown),
        cmocka_unit_test_setup_teardown(test_allow_includes_literal_and_param_routes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_trailing_slash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_too_many_segments, setup, teardown),
        cmocka_unit_test(test_route_at_segment_limit),
        cmocka_unit_test_setup_teardown(test_head_matches_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_method_is_case_sensitive, setup, teardown),
        cmocka_unit_test(test_empty_router),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
