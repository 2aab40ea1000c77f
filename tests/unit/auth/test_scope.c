/* The venture scope (DOMAIN.md §1, Scope) on a real SQLite database: members see exactly their
 * ventures, a user without memberships sees nothing (never "no filter"), all-venture roles see
 * every venture, a foreign venture by id answers like a missing one (404), and a venture_id
 * given as a filter outside the scope is 403. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../support/tempdb.h"

#include "auth/auth.h"
#include "ventures/ventures.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#define NOW 1795892690123LL

typedef struct {
    tempdb *t;
    wh_venture acme, bpo, hotel; /* named so that the list order is acme, bpo, hotel */
    wh_principal member;         /* EMPLOYEE, member of acme only */
    wh_principal two;            /* DISPATCHER, member of bpo and hotel */
    wh_principal lonely;         /* EMPLOYEE without memberships */
    wh_principal ceo;            /* CEO without memberships: scope is every venture */
    wh_principal auditor;        /* AUDITOR without memberships */
    int64_t missing_id;          /* an id no venture has */
} world;

static wh_venture make_venture(tempdb *t, const char *name, const char *code, const char *type)
{
    wh_venture v;
    wh_error e;
    wh_venture_input in = {.name = name, .code = code, .type = type};
    wh_error_init(&e);
    memset(&v, 0, sizeof v);
    if (wh_venture_create(t->conn, &t->arena, &in, NOW, &v, &e) != WH_OK)
        fail_msg("wh_venture_create(%s): %s", code, e.detail);
    assert_true(v.id > 0);
    assert_string_equal(v.code, code);
    assert_true(v.active);
    return v;
}

static wh_principal make_user(tempdb *t, const char *email, wh_role role, const int64_t *ventures,
                              size_t n)
{
    wh_user u;
    wh_error e;
    json_t *before = NULL, *after = NULL;
    wh_user_input in = {.email = email, .full_name = email, .has_role = true, .role = role};
    wh_error_init(&e);
    if (wh_user_create(t->conn, &t->arena, &in, NOW, &u, &e) != WH_OK)
        fail_msg("wh_user_create(%s): %s", email, e.detail);
    assert_int_equal(u.role, role);
    if (wh_membership_set_ventures(t->conn, &t->arena, u.id, ventures, n, NOW, &before, &after,
                                   &e) != WH_OK)
        fail_msg("wh_membership_set_ventures(%s): %s", email, e.detail);
    assert_int_equal(json_array_size(after), n);
    json_decref(before);
    json_decref(after);
    wh_principal p = {.id = u.id,
                      .email = u.email,
                      .full_name = u.full_name,
                      .role = role,
                      .all_ventures = wh_role_all_ventures(role)};
    return p;
}

static int setup(void **state)
{
    world *w = wh_calloc(1, sizeof *w);
    *state = w;
    if (tempdb_setup((void **)&w->t) != 0)
        return -1;
    w->acme = make_venture(w->t, "Acme Freight", "ACME", "LOGISTICS");
    w->bpo = make_venture(w->t, "Bright Calls", "BPO1", "BPO");
    w->hotel = make_venture(w->t, "Harbour Hotel", "HOT1", "HOSPITALITY");
    w->missing_id = w->hotel.id + 1000;
    int64_t only_acme[] = {w->acme.id};
    int64_t bpo_hotel[] = {w->hotel.id, w->bpo.id};
    w->member = make_user(w->t, "member@example.com", WH_ROLE_EMPLOYEE, only_acme, 1);
    w->two = make_user(w->t, "two@example.com", WH_ROLE_DISPATCHER, bpo_hotel, 2);
    w->lonely = make_user(w->t, "lonely@example.com", WH_ROLE_EMPLOYEE, NULL, 0);
    w->ceo = make_user(w->t, "ceo@example.com", WH_ROLE_CEO, NULL, 0);
    w->auditor = make_user(w->t, "auditor@example.com", WH_ROLE_AUDITOR, NULL, 0);
    assert_true(w->ceo.all_ventures);
    assert_true(w->auditor.all_ventures);
    assert_false(w->member.all_ventures);
    return 0;
}

static int teardown(void **state)
{
    world *w = *state;
    if (w)
        tempdb_free(w->t);
    wh_free(w);
    return 0;
}

static bool has(world *w, const wh_principal *p, int64_t venture_id)
{
    bool yes = true;
    wh_error e;
    wh_error_init(&e);
    assert_int_equal(wh_scope_has_venture(w->t->conn, &w->t->arena, p, venture_id, &yes, &e),
                     WH_OK);
    return yes;
}

/* The rows (id, name, ...) of the ventures list statement for p at the keyset ks. */
static const wh_rows *list_page(world *w, const wh_principal *p, const wh_keyset *ks)
{
    wh_sqlb b;
    wh_rows *rows = NULL;
    wh_error e;
    wh_error_init(&e);
    wh_venture_list_sql(p, ks, &b);
    assert_int_equal(wh_sqlb_query(w->t->conn, &w->t->arena, &b, &rows, &e), WH_OK);
    return rows;
}

/* The ids of the ventures list (first page of 50) as "id,id,...". */
static void list_ids(world *w, const wh_principal *p, char *out, size_t cap)
{
    size_t off = 0;
    const wh_rows *r = list_page(w, p, &(wh_keyset){.type = WH_KEY_TEXT, .key = "", .limit = 50});
    out[0] = '\0';
    for (size_t i = 0; i < wh_rows_count(r); i++)
        off += (size_t)snprintf(out + off, cap - off, "%s%lld", i ? "," : "",
                                (long long)wh_rows_int(r, i, 0));
}

static void ids_of(char *out, size_t cap, const wh_venture *const *vs, size_t n)
{
    size_t off = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n; i++)
        off += (size_t)snprintf(out + off, cap - off, "%s%lld", i ? "," : "", (long long)vs[i]->id);
}

static void test_member_sees_own_venture(void **state)
{
    world *w = *state;
    wh_venture v;
    wh_error e;
    wh_error_init(&e);
    assert_true(has(w, &w->member, w->acme.id));
    assert_int_equal(wh_venture_get(w->t->conn, &w->t->arena, &w->member, w->acme.id, &v, &e),
                     WH_OK);
    assert_true(v.id == w->acme.id);
    assert_string_equal(v.name, "Acme Freight");
    assert_string_equal(v.code, "ACME");
    assert_string_equal(v.type, "LOGISTICS");
    assert_true(v.active);
    assert_int_equal(wh_scope_check_venture(w->t->conn, &w->t->arena, &w->member, w->acme.id, &e),
                     WH_OK);
    assert_int_equal(e.status, 0);
}

static void test_member_foreign_venture_is_like_missing(void **state)
{
    world *w = *state;
    wh_venture v;
    wh_error foreign, missing;
    wh_error_init(&foreign);
    wh_error_init(&missing);
    assert_false(has(w, &w->member, w->bpo.id));
    assert_false(has(w, &w->member, w->hotel.id));
    assert_false(has(w, &w->member, w->missing_id));

    assert_int_equal(wh_venture_get(w->t->conn, &w->t->arena, &w->member, w->bpo.id, &v, &foreign),
                     WH_ERR_NOT_FOUND);
    assert_int_equal(
        wh_venture_get(w->t->conn, &w->t->arena, &w->member, w->missing_id, &v, &missing),
        WH_ERR_NOT_FOUND);
    /* indistinguishable: same status, code and detail */
    assert_int_equal(foreign.status, 404);
    assert_string_equal(foreign.code, "not_found");
    assert_int_equal(missing.status, foreign.status);
    assert_string_equal(missing.code, foreign.code);
    assert_string_equal(missing.detail, foreign.detail);
    assert_int_equal(missing.nfields, foreign.nfields);
}

static void test_member_list_is_exactly_memberships(void **state)
{
    world *w = *state;
    char got[128], want[128];
    const wh_venture *acme[] = {&w->acme};
    const wh_venture *two[] = {&w->bpo, &w->hotel}; /* by name */
    list_ids(w, &w->member, got, sizeof got);
    ids_of(want, sizeof want, acme, 1);
    assert_string_equal(got, want);
    list_ids(w, &w->two, got, sizeof got);
    ids_of(want, sizeof want, two, 2);
    assert_string_equal(got, want);
}

static void test_no_memberships_sees_nothing(void **state)
{
    world *w = *state;
    char got[128];
    wh_venture v;
    wh_error e;
    wh_rows *rows = NULL;
    list_ids(w, &w->lonely, got, sizeof got);
    assert_string_equal(got, "");
    assert_false(has(w, &w->lonely, w->acme.id));
    assert_false(has(w, &w->lonely, w->bpo.id));
    wh_error_init(&e);
    assert_int_equal(wh_venture_get(w->t->conn, &w->t->arena, &w->lonely, w->acme.id, &v, &e),
                     WH_ERR_NOT_FOUND);
    wh_error_init(&e);
    assert_int_equal(wh_scope_ventures(w->t->conn, &w->t->arena, &w->lonely, &rows, &e), WH_OK);
    assert_int_equal(wh_rows_count(rows), 0);
}

static void test_all_venture_roles_see_all(void **state)
{
    world *w = *state;
    char got[128], want[128];
    const wh_venture *all[] = {&w->acme, &w->bpo, &w->hotel};
    ids_of(want, sizeof want, all, 3);
    const wh_principal *ps[] = {&w->ceo, &w->auditor};
    for (size_t i = 0; i < 2; i++) {
        wh_venture v;
        wh_error e;
        wh_rows *rows = NULL;
        list_ids(w, ps[i], got, sizeof got);
        assert_string_equal(got, want);
        for (size_t k = 0; k < 3; k++) {
            wh_error_init(&e);
            assert_true(has(w, ps[i], all[k]->id));
            assert_int_equal(wh_venture_get(w->t->conn, &w->t->arena, ps[i], all[k]->id, &v, &e),
                             WH_OK);
            assert_true(v.id == all[k]->id);
            assert_int_equal(
                wh_scope_check_venture(w->t->conn, &w->t->arena, ps[i], all[k]->id, &e), WH_OK);
        }
        /* a missing id is still missing for them */
        assert_false(has(w, ps[i], w->missing_id));
        wh_error_init(&e);
        assert_int_equal(wh_venture_get(w->t->conn, &w->t->arena, ps[i], w->missing_id, &v, &e),
                         WH_ERR_NOT_FOUND);
        wh_error_init(&e);
        assert_int_equal(wh_scope_ventures(w->t->conn, &w->t->arena, ps[i], &rows, &e), WH_OK);
        assert_int_equal(wh_rows_count(rows), 3);
    }
}

static void test_check_venture_outside_scope_is_403(void **state)
{
    world *w = *state;
    wh_error e;
    const struct {
        const wh_principal *p;
        int64_t id;
    } cases[] = {
        {&w->member, w->bpo.id},  {&w->member, w->hotel.id}, {&w->member, w->missing_id},
        {&w->two, w->acme.id},    {&w->lonely, w->acme.id},  {&w->lonely, w->missing_id},
        {&w->ceo, w->missing_id},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wh_error_init(&e);
        assert_int_equal(
            wh_scope_check_venture(w->t->conn, &w->t->arena, cases[i].p, cases[i].id, &e),
            WH_ERR_FORBIDDEN);
        assert_int_equal(e.status, 403);
        assert_string_equal(e.code, "forbidden");
    }
    wh_error_init(&e);
    assert_int_equal(wh_scope_check_venture(w->t->conn, &w->t->arena, &w->two, w->hotel.id, &e),
                     WH_OK);
}

static void test_scope_follows_membership_changes(void **state)
{
    world *w = *state;
    char got[128];
    wh_error e;
    json_t *before = NULL, *after = NULL;
    int64_t ids[] = {w->hotel.id};
    wh_error_init(&e);
    /* member moves from acme to hotel */
    assert_int_equal(wh_membership_set_ventures(w->t->conn, &w->t->arena, w->member.id, ids, 1, NOW,
                                                &before, &after, &e),
                     WH_OK);
    json_decref(before);
    json_decref(after);
    assert_false(has(w, &w->member, w->acme.id));
    assert_true(has(w, &w->member, w->hotel.id));
    snprintf(got, sizeof got, "%lld", (long long)w->hotel.id);
    char list[128];
    list_ids(w, &w->member, list, sizeof list);
    assert_string_equal(list, got);

    /* and then leaves everything */
    assert_int_equal(wh_membership_set_ventures(w->t->conn, &w->t->arena, w->member.id, NULL, 0,
                                                NOW, &before, &after, &e),
                     WH_OK);
    assert_int_equal(json_array_size(after), 0);
    json_decref(before);
    json_decref(after);
    list_ids(w, &w->member, list, sizeof list);
    assert_string_equal(list, "");
    assert_false(has(w, &w->member, w->hotel.id));
}

static void test_list_pages_stay_in_scope(void **state)
{
    world *w = *state;
    /* limit 2: a page of one and the row that tells there is more */
    wh_keyset first = {.type = WH_KEY_TEXT, .key = "", .limit = 2};
    const wh_rows *r = list_page(w, &w->two, &first);
    assert_int_equal(wh_rows_count(r), 2);
    assert_true(wh_rows_int(r, 0, 0) == w->bpo.id);
    /* the page after bpo holds only hotel: acme sorts first and is foreign anyway */
    wh_keyset next = {.after = true,
                      .type = WH_KEY_TEXT,
                      .key = wh_rows_text(r, 0, 1),
                      .id = wh_rows_int(r, 0, 0),
                      .limit = 2};
    r = list_page(w, &w->two, &next);
    assert_int_equal(wh_rows_count(r), 1);
    assert_true(wh_rows_int(r, 0, 0) == w->hotel.id);
    /* a forged position before every name does not widen the scope */
    wh_keyset forged = {.after = true, .type = WH_KEY_TEXT, .key = "", .id = 0, .limit = 50};
    assert_int_equal(wh_rows_count(list_page(w, &w->lonely, &forged)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_member_sees_own_venture, setup, teardown),
        cmocka_unit_test_setup_teardown(test_member_foreign_venture_is_like_missing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_member_list_is_exactly_memberships, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_memberships_sees_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_all_venture_roles_see_all, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_venture_outside_scope_is_403, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scope_follows_membership_changes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_pages_stay_in_scope, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
