/*
 * Cursor lists (API.md "Lists", docs/decisions.md orders): walking every page returns every row
 * exactly once in the documented order, the last page says so, rows inserted between page
 * requests never make the walk repeat or skip a row, and a cursor only works on its own list.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "harness.h"

#define N    23
#define PAGE 5

/* ---------------------------------------------------------------- walking */

static bool base64url(const char *s)
{
    if (!s[0])
        return false;
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

/* Checks one page's envelope and returns its cursor (NULL on the last page). */
static const char *check_page(const wht_resp *r, size_t limit)
{
    WHT_EXPECT(r, 200);
    json_t *items = wht_items(r);
    json_t *more = json_object_get(r->json, "has_more");
    json_t *next = json_object_get(r->json, "next_cursor");
    assert_true(json_is_boolean(more));
    assert_true(json_array_size(items) <= limit);
    if (json_is_false(more)) {
        assert_true(json_is_null(next));
        return NULL;
    }
    assert_int_equal(json_array_size(items), limit);
    assert_true(json_is_string(next));
    if (!base64url(json_string_value(next)))
        WHT_FAIL("%s: next_cursor is not base64url without padding: %s", r->target, r->body);
    return json_string_value(next);
}

/* Hook run after each page of a walk (to insert rows). */
typedef void (*between_pages)(size_t page);

/* Walks path page by page with the given limit; returns every item in order. */
static json_t *walk(const char *path, size_t limit, between_pages between, size_t *pages)
{
    json_t *all = wht_keep_json(json_array());
    const char *sep = strchr(path, '?') ? "&" : "?";
    const char *cursor = NULL;
    size_t n = 0;
    do {
        const char *url = cursor ? wht_fmt("%s%slimit=%zu&cursor=%s", path, sep, limit, cursor)
                                 : wht_fmt("%s%slimit=%zu", path, sep, limit);
        wht_resp *r = wht_get(wht_admin_token(), url);
        cursor = check_page(r, limit);
        json_array_extend(all, wht_items(r));
        n++;
        if (between && cursor)
            between(n);
        assert_true(n < 10000);
    } while (cursor);
    if (pages)
        *pages = n;
    return all;
}

static void assert_no_duplicate_ids(const json_t *items)
{
    size_t n = json_array_size(items);
    for (size_t i = 0; i < n; i++) {
        long long id = wht_int(json_array_get(items, i), "id");
        for (size_t k = i + 1; k < n; k++) {
            if (wht_int(json_array_get(items, k), "id") == id)
                WHT_FAIL("id %lld appears twice in the walk", id);
        }
    }
}

static json_t *ids_of(const json_t *items)
{
    json_t *ids = wht_keep_json(json_array());
    size_t i;
    json_t *v;
    json_array_foreach(items, i, v)
    {
        json_array_append_new(ids, json_integer(wht_int(v, "id")));
    }
    return ids;
}

/* The ids of items, in walk order, that are in the wanted set. */
static json_t *subsequence(const json_t *items, const json_t *wanted_ids)
{
    json_t *out = wht_keep_json(json_array());
    size_t i, k;
    json_t *v, *w;
    json_array_foreach(items, i, v)
    {
        long long id = wht_int(v, "id");
        json_array_foreach(wanted_ids, k, w)
        {
            if (json_integer_value(w) == id)
                json_array_append_new(out, json_integer(id));
        }
    }
    return out;
}

static json_t *ids_array(size_t n, const long long *ids)
{
    json_t *a = wht_keep_json(json_array());
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_integer(ids[i]));
    return a;
}

/* ---------------------------------------------------------------- creating */

static long long venture_named(const char *name)
{
    wht_resp *r = wht_post(
        wht_admin_token(), "/ventures",
        wht_json("{s:s, s:s, s:s}", "name", name, "code", wht_unique_code(), "type", "TESTING"));
    WHT_EXPECT(r, 201);
    return wht_int(r->json, "id");
}

static long long user_named(const char *full_name)
{
    wht_resp *r = wht_post(wht_admin_token(), "/users",
                           wht_json("{s:s, s:s, s:s}", "email", wht_unique_email(), "full_name",
                                    full_name, "role", "EMPLOYEE"));
    WHT_EXPECT(r, 201);
    return wht_int(r->json, "id");
}

static long long office_named(long long venture, const char *name)
{
    wht_resp *r = wht_post(wht_admin_token(), wht_fmt("/ventures/%lld/offices", venture),
                           wht_json("{s:s}", "name", name));
    WHT_EXPECT(r, 201);
    return wht_int(r->json, "id");
}

/* Index i of N created in a shuffled order, so that name order differs from id order. */
static size_t shuffled(size_t i)
{
    return (i * 7) % N;
}

/* ------------------------------------------------------------------ tests */

static void test_ventures_walk_by_name_then_id(void **state)
{
    (void)state;
    const char *prefix = wht_unique("Pg");
    long long by_name[N + 3];
    for (size_t i = 0; i < N; i++)
        by_name[shuffled(i)] = venture_named(wht_fmt("%sa%02zu", prefix, shuffled(i)));
    for (size_t i = 0; i < 3; i++) /* equal names: ordered by id */
        by_name[N + i] = venture_named(wht_fmt("%sb", prefix));
    size_t pages = 0;
    json_t *all = walk("/ventures", PAGE, NULL, &pages);
    assert_no_duplicate_ids(all);
    WHT_JSON_EQUAL(ids_of(all), ids_of(wht_list_all(wht_admin_token(), "/ventures", 200)));
    assert_int_equal(pages, (json_array_size(all) + PAGE - 1) / PAGE);
    json_t *mine = ids_array(N + 3, by_name);
    WHT_JSON_EQUAL(subsequence(all, mine), mine);
}

static void test_users_walk_newest_first(void **state)
{
    (void)state;
    long long ids[N];
    for (size_t i = 0; i < N; i++)
        ids[N - 1 - i] = wht_user_add("CONTRACTOR").id;
    size_t pages = 0;
    json_t *all = walk("/users", PAGE, NULL, &pages);
    assert_no_duplicate_ids(all);
    for (size_t i = 1; i < json_array_size(all); i++)
        assert_true(wht_int(json_array_get(all, i - 1), "id") >
                    wht_int(json_array_get(all, i), "id"));
    assert_int_equal(wht_int(json_array_get(all, 0), "id"), ids[0]);
    WHT_JSON_EQUAL(ids_of(all), ids_of(wht_list_all(wht_admin_token(), "/users", 200)));
    assert_int_equal(pages, (json_array_size(all) + PAGE - 1) / PAGE);
    json_t *mine = ids_array(N, ids);
    WHT_JSON_EQUAL(subsequence(all, mine), mine);
}

static const char *insert_prefix;

static void insert_ventures(size_t page)
{
    /* Odd numbers fall between the existing even ones, before and after the walk's position. */
    venture_named(wht_fmt("%sa%02zu", insert_prefix, 1 + 2 * (page % 6)));
    venture_named(wht_fmt("%sa%02zu", insert_prefix, 21 - 2 * (page % 6)));
    venture_named(wht_fmt("%s", insert_prefix)); /* sorts before every row of the prefix */
}

static void insert_users(size_t page)
{
    (void)page;
    wht_user_add("CSR");
    wht_user_add("CSR");
}

static void test_inserts_between_pages_never_repeat_or_skip(void **state)
{
    (void)state;
    insert_prefix = wht_unique("Ins");
    for (size_t i = 0; i < 12; i++)
        venture_named(wht_fmt("%sa%02zu", insert_prefix, 2 * i));
    json_t *before = ids_of(wht_list_all(wht_admin_token(), "/ventures", 200));
    json_t *walked = walk("/ventures", PAGE, insert_ventures, NULL);
    assert_no_duplicate_ids(walked);
    WHT_JSON_EQUAL(subsequence(walked, before), before);

    for (size_t i = 0; i < 12; i++)
        wht_user_add("EMPLOYEE");
    before = ids_of(wht_list_all(wht_admin_token(), "/users", 200));
    walked = walk("/users", PAGE, insert_users, NULL);
    assert_no_duplicate_ids(walked);
    WHT_JSON_EQUAL(subsequence(walked, before), before);
}

static void test_limit_may_change_between_pages(void **state)
{
    (void)state;
    for (size_t i = 0; i < 10; i++)
        venture_named(wht_unique("Lim"));
    json_t *all = ids_of(wht_list_all(wht_admin_token(), "/ventures", 200));
    wht_resp *first = wht_get(wht_admin_token(), "/ventures?limit=3");
    const char *cursor = check_page(first, 3);
    assert_non_null(cursor);
    wht_resp *second = wht_get(wht_admin_token(), wht_fmt("/ventures?limit=7&cursor=%s", cursor));
    check_page(second, 7);
    json_t *got = ids_of(wht_items(first));
    json_array_extend(got, ids_of(wht_items(second)));
    for (size_t i = 0; i < json_array_size(got); i++)
        assert_int_equal(json_integer_value(json_array_get(got, i)),
                         json_integer_value(json_array_get(all, i)));
    assert_int_equal(json_array_size(got), 10);
}

static void test_offices_and_people_walk_by_name_then_id(void **state)
{
    (void)state;
    long long v = venture_named(wht_unique("People "));
    const char *prefix = wht_unique("Pp");
    long long offices[7], people[7];
    for (size_t i = 0; i < 7; i++) {
        size_t k = (i * 3) % 7;
        offices[k] = office_named(v, wht_fmt("%s%02zu", prefix, k));
        people[k] = user_named(wht_fmt("%s%02zu", prefix, k));
    }
    for (size_t i = 0; i < 7; i++)
        wht_set_ventures(people[i], 1, &v);
    json_t *o = walk(wht_fmt("/ventures/%lld/offices", v), 3, NULL, NULL);
    WHT_JSON_EQUAL(ids_of(o), ids_array(7, offices));
    json_t *p = walk(wht_fmt("/ventures/%lld/people", v), 3, NULL, NULL);
    WHT_JSON_EQUAL(ids_of(p), ids_array(7, people));
}

static void test_audit_log_walk_newest_first(void **state)
{
    (void)state;
    for (size_t i = 0; i < 6; i++)
        venture_named(wht_unique("Audit walk "));
    json_t *all = walk("/audit-log", 7, NULL, NULL);
    assert_true(json_array_size(all) >= 6);
    assert_no_duplicate_ids(all);
    for (size_t i = 1; i < json_array_size(all); i++)
        assert_true(wht_int(json_array_get(all, i - 1), "id") >
                    wht_int(json_array_get(all, i), "id"));
    WHT_JSON_EQUAL(ids_of(all), ids_of(wht_list_all(wht_admin_token(), "/audit-log", 200)));
}

static const char *first_cursor(const char *path)
{
    const char *sep = strchr(path, '?') ? "&" : "?";
    wht_resp *r = wht_get(wht_admin_token(), wht_fmt("%s%slimit=1", path, sep));
    const char *cursor = check_page(r, 1);
    if (!cursor)
        WHT_FAIL("%s has fewer than two rows", path);
    return cursor;
}

static void test_cursor_from_another_list_is_400(void **state)
{
    (void)state;
    long long v = venture_named(wht_unique("Cross "));
    office_named(v, "Cross A");
    office_named(v, "Cross B");
    long long u1 = user_named("Cross One"), u2 = user_named("Cross Two");
    wht_set_ventures(u1, 1, &v);
    wht_set_ventures(u2, 1, &v);
    const char *lists[] = {
        "/ventures",
        "/users",
        "/audit-log",
        wht_fmt("/ventures/%lld/offices", v),
        wht_fmt("/ventures/%lld/people", v),
    };
    const size_t n = sizeof lists / sizeof lists[0];
    const char *cursors[sizeof lists / sizeof lists[0]];
    for (size_t i = 0; i < n; i++)
        cursors[i] = first_cursor(lists[i]);
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < n; k++) {
            if (i == k)
                continue;
            wht_context("cursor of %s used on %s", lists[k], lists[i]);
            wht_resp *r = wht_get(wht_admin_token(), wht_fmt("%s?cursor=%s", lists[i], cursors[k]));
            WHT_PROBLEM(r, 400, "invalid_cursor", NULL);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        WHT_TEST(test_ventures_walk_by_name_then_id),
        WHT_TEST(test_users_walk_newest_first),
        WHT_TEST(test_inserts_between_pages_never_repeat_or_skip),
        WHT_TEST(test_limit_may_change_between_pages),
        WHT_TEST(test_offices_and_people_walk_by_name_then_id),
        WHT_TEST(test_audit_log_walk_newest_first),
        WHT_TEST(test_cursor_from_another_list_is_400),
    };
    wht_init();
    return wht_finish(cmocka_run_group_tests_name("api_pagination", tests, NULL, NULL));
}
