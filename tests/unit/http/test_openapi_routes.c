/* docs/openapi.json equals the route tables (docs/architecture.md "Route tables"): every route
 * is one documented operation and every documented operation one route, and each operation's
 * x-permission, x-rule, x-rate and x-flags say exactly what its route row says, so a reader can
 * trust the document for who may call what. Also: the Idempotency-Key parameter is documented on
 * exactly the idempotent routes, and `security: []` on exactly the public ones. On a mismatch
 * the test prints what the document should say for that operation. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "app.h"
#include "http/http.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IDEMPOTENCY_PARAM "#/components/parameters/IdempotencyKey"

static json_t *load_document(void)
{
    json_error_t err;
    json_t *doc = json_load_file(WH_SOURCE_DIR "/docs/openapi.json", 0, &err);
    if (!doc)
        fail_msg("docs/openapi.json: %s (line %d)", err.text, err.line);
    return doc;
}

/* The path item of a route pattern and its key in doc.paths: under the document's server URL
 * (/api/v1) unless the item names its own server "/". NULL when undocumented. */
static json_t *path_item(json_t *doc, const char *pattern, const char **key)
{
    const char *base = json_string_value(
        json_object_get(json_array_get(json_object_get(doc, "servers"), 0), "url"));
    size_t bl = base ? strlen(base) : 0;
    json_t *paths = json_object_get(doc, "paths");
    json_t *item = NULL;
    if (bl && strncmp(pattern, base, bl) == 0 && pattern[bl] == '/') {
        item = json_object_get(paths, pattern + bl);
        *key = pattern + bl;
        if (item && !json_object_get(item, "servers"))
            return item;
    }
    item = json_object_get(paths, pattern);
    *key = pattern;
    json_t *servers = item ? json_object_get(item, "servers") : NULL;
    const char *url = json_string_value(json_object_get(json_array_get(servers, 0), "url"));
    return url && strcmp(url, "/") == 0 ? item : NULL;
}

static json_t *flags_json(unsigned flags)
{
    json_t *a = json_array();
    if (flags & WH_ROUTE_CACHED)
        json_array_append_new(a, json_string("cached"));
    if (flags & WH_ROUTE_IDEMPOTENT)
        json_array_append_new(a, json_string("idempotent"));
    if (flags & WH_ROUTE_RAW)
        json_array_append_new(a, json_string("raw"));
    if (flags & WH_ROUTE_CSV)
        json_array_append_new(a, json_string("csv"));
    if (flags & WH_ROUTE_UPLOAD)
        json_array_append_new(a, json_string("upload"));
    return a;
}

/* {name, kind, limits: [the roles holding the permission that the rule narrows]}. */
static json_t *rule_json(const wh_route *route)
{
    const wh_rule *rule = route->rule;
    json_t *o = json_pack("{s:s, s:s}", "name", rule->name, "kind", wh_rule_kind_name(rule->kind));
    if (rule->limits) {
        json_t *roles = json_array();
        for (int i = 0; i < WH_ROLE_COUNT; i++)
            if (wh_rbac_allows((wh_role)i, route->perm) && rule->limits((wh_role)i))
                json_array_append_new(roles, json_string(wh_role_name((wh_role)i)));
        json_object_set_new(o, "limits", roles);
    }
    return o;
}

/* What the operation of route must say. */
static json_t *expected(const wh_route *route)
{
    json_t *o = json_pack("{s:s, s:s, s:o}", "x-permission", wh_perm_label(route->perm), "x-rate",
                          wh_rate_class_name(route->rate), "x-flags", flags_json(route->flags));
    if (route->rule)
        json_object_set_new(o, "x-rule", rule_json(route));
    return o;
}

static bool has_idempotency_param(json_t *op)
{
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(op, "parameters"), i, p)
    {
        const char *ref = json_string_value(json_object_get(p, "$ref"));
        if (ref && strcmp(ref, IDEMPOTENCY_PARAM) == 0)
            return true;
    }
    return false;
}

static bool is_public(json_t *op)
{
    json_t *sec = json_object_get(op, "security");
    return json_is_array(sec) && json_array_size(sec) == 0;
}

/* Compares one route with its operation; returns the number of problems printed. */
static int compare(const wh_route *route, const char *key, json_t *op)
{
    int bad = 0;
    json_t *want = expected(route);
    const char *name;
    json_t *v;
    json_object_foreach(want, name, v)
    {
        if (!json_equal(json_object_get(op, name), v))
            bad++;
    }
    if (json_object_get(op, "x-rule") && !route->rule)
        bad++;
    if (has_idempotency_param(op) != ((route->flags & WH_ROUTE_IDEMPOTENT) != 0)) {
        printf("%s %s: the Idempotency-Key parameter must be documented exactly on idempotent "
               "routes\n",
               route->method, key);
        bad++;
    }
    if (is_public(op) != (route->perm == WH_PERM_PUBLIC)) {
        printf("%s %s: `security: []` must be exactly on public routes\n", route->method, key);
        bad++;
    }
    if (bad) {
        char *text = json_dumps(want, JSON_COMPACT);
        printf("%s %s: the route table says %s\n", route->method, key, text ? text : "?");
        free(text);
    }
    json_decref(want);
    return bad;
}

static void test_document_equals_route_tables(void **state)
{
    (void)state;
    json_t *doc = load_document();
    wh_router *rt = wh_router_new();
    wh_app_add_routes(rt);
    json_t *seen = json_object(); /* "method key" of every documented route */
    const wh_route *route;
    int bad = 0;
    size_t nroutes = 0;
    for (; (route = wh_router_route(rt, nroutes)) != NULL; nroutes++) {
        const char *key = NULL;
        char lower[8];
        size_t i = 0;
        for (; route->method[i] && i < sizeof lower - 1; i++)
            lower[i] = (char)(route->method[i] - 'A' + 'a');
        lower[i] = '\0';
        json_t *item = path_item(doc, route->pattern, &key);
        json_t *op = item ? json_object_get(item, lower) : NULL;
        if (!op) {
            printf("%s %s: the route is not in docs/openapi.json\n", route->method, route->pattern);
            bad++;
            continue;
        }
        char id[300];
        snprintf(id, sizeof id, "%s %s", lower, key);
        json_object_set_new(seen, id, json_true());
        bad += compare(route, key, op);
    }
    /* the other direction: no documented operation without a route */
    const char *key;
    json_t *item;
    json_object_foreach(json_object_get(doc, "paths"), key, item)
    {
        static const char *const methods[] = {"get", "put", "post", "delete", "patch"};
        for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++) {
            char id[300];
            snprintf(id, sizeof id, "%s %s", methods[m], key);
            if (json_object_get(item, methods[m]) && !json_object_get(seen, id)) {
                printf("%s: documented, but no route table has it\n", id);
                bad++;
            }
        }
    }
    printf("%zu routes compared with docs/openapi.json: %d problem(s)\n", nroutes, bad);
    json_decref(seen);
    json_decref(doc);
    wh_router_free(rt);
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_document_equals_route_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
