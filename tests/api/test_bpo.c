/*
 * BPO (API.md "BPO", DOMAIN.md §3): campaigns, agents and call logs. Venture isolation for each
 * resource (a foreign id answers like a missing one, a foreign venture_id is 403, lists hold no
 * foreign row, an empty scope gets 200 and nothing), the EMPLOYEE own-calls rule on list, get
 * and create, validation of every field (a refused write changes nothing), the call filters,
 * audit entries, and cursor pages by started_at that neither repeat nor skip rows while calls
 * are inserted between pages.
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
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define MISSING_ID 987654321LL
/* JSON built only to compare with: the harness releases it. */
#define KEEP(...) wht_keep_json(wht_json(__VA_ARGS__))

typedef struct fixture {
    bool ready;
    wht_venture a, b, logistics;
    long long office_a, office_a2, office_b;
    wht_user manager;  /* OFFICE_MANAGER of a, office office_a */
    wht_user emp1;     /* EMPLOYEE of a, agent ag1 */
    wht_user emp2;     /* EMPLOYEE of a, agent ag2 */
    wht_user emp_b;    /* EMPLOYEE of b, agent ag_b */
    wht_user lead_b;   /* TEAM_LEAD of b */
    wht_user log_user; /* EMPLOYEE of logistics only */
    long long camp_a, camp_b;
    long long ag1, ag2, ag_b;
    long long call_a, call_b; /* one call in each venture, by the admin */
} fixture;

static fixture FX;

/* ---------------------------------------------------------------- helpers */

static wht_user member_of(const char *role, long long venture, long long office)
{
    wht_user u = wht_user_add(role);
    wht_set_ventures(u.id, 1, &venture);
    if (office)
        wht_set_offices(u.id, 1, &office);
    snprintf(u.token, sizeof u.token, "%s", wht_login(u.email, u.password));
    return u;
}

static long long campaign_new(const char *token, long long venture, long long office)
{
    json_t *body =
        wht_json("{s:I, s:s}", "venture_id", (json_int_t)venture, "name", wht_unique("Campaign "));
    if (office)
        json_object_set_new(body, "office_id", json_integer(office));
    wht_resp *r = wht_post(token, "/bpo/campaigns", body);
    WHT_EXPECT(r, 201);
    return wht_int(r->json, "id");
}

static long long agent_new(const char *token, long long user, long long venture, long long camp)
{
    json_t *body =
        wht_json("{s:I, s:I}", "user_id", (json_int_t)user, "venture_id", (json_int_t)venture);
    if (camp)
        json_object_set_new(body, "campaign_id", json_integer(camp));
    wht_resp *r = wht_post(token, "/bpo/agents", body);
    WHT_EXPECT(r, 201);
    return wht_int(r->json, "id");
}

static json_t *call_body(long long agent, long long venture, const char *started_at)
{
    return wht_json("{s:I, s:I, s:s}", "agent_id", (json_int_t)agent, "venture_id",
                    (json_int_t)venture, "started_at", started_at);
}

static long long call_new(const char *token, long long agent, long long venture,
                          const char *started_at)
{
    wht_resp *r = wht_post(token, "/bpo/call-logs", call_body(agent, venture, started_at));
    WHT_EXPECT(r, 201);
    return wht_int(r->json, "id");
}

static const fixture *fx(void)
{
    if (FX.ready)
        return &FX;
    const char *admin = wht_admin_token();
    FX.a = wht_venture_new("BPO");
    FX.b = wht_venture_new("BPO");
    FX.logistics = wht_venture_new("LOGISTICS");
    FX.office_a = wht_office_new(FX.a.id);
    FX.office_a2 = wht_office_new(FX.a.id);
    FX.office_b = wht_office_new(FX.b.id);
    FX.manager = member_of("OFFICE_MANAGER", FX.a.id, FX.office_a);
    FX.emp1 = member_of("EMPLOYEE", FX.a.id, FX.office_a);
    FX.emp2 = member_of("EMPLOYEE", FX.a.id, FX.office_a);
    FX.emp_b = member_of("EMPLOYEE", FX.b.id, 0);
    FX.lead_b = member_of("TEAM_LEAD", FX.b.id, 0);
    FX.log_user = member_of("EMPLOYEE", FX.logistics.id, 0);
    FX.camp_a = campaign_new(admin, FX.a.id, FX.office_a);
    FX.camp_b = campaign_new(admin, FX.b.id, 0);
    FX.ag1 = agent_new(admin, FX.emp1.id, FX.a.id, FX.camp_a);
    FX.ag2 = agent_new(admin, FX.emp2.id, FX.a.id, 0);
    FX.ag_b = agent_new(admin, FX.emp_b.id, FX.b.id, FX.camp_b);
    FX.call_a = call_new(admin, FX.ag2, FX.a.id, "2026-03-02T15:00:00Z");
    FX.call_b = call_new(admin, FX.ag_b, FX.b.id, "2026-03-02T15:00:00Z");
    FX.ready = true;
    return &FX;
}

static void assert_empty_list(const wht_resp *r)
{
    WHT_EXPECT(r, 200);
    assert_int_equal(json_array_size(wht_items(r)), 0);
    assert_true(json_is_false(json_object_get(r->json, "has_more")));
    assert_true(json_is_null(json_object_get(r->json, "next_cursor")));
}

/* GET path/{foreign} answers exactly like GET path/{missing}. */
static void assert_404_like_missing(const char *token, const char *path, long long foreign)
{
    wht_resp *hidden = wht_get(token, wht_fmt("%s/%lld", path, foreign));
    wht_resp *missing = wht_get(token, wht_fmt("%s/%lld", path, MISSING_ID));
    WHT_PROBLEM(hidden, 404, "not_found", NULL);
    WHT_PROBLEM(missing, 404, "not_found", NULL);
    WHT_JSON_EQUAL(wht_problem_shape(hidden->json, wht_fmt("%lld", foreign)),
                   wht_problem_shape(missing->json, wht_fmt("%lld", MISSING_ID)));
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

/* Every item's key equals value. */
static void assert_all(const json_t *items, const char *key, long long value)
{
    size_t i;
    json_t *v;
    json_array_foreach(items, i, v)
    {
        if (wht_int(v, key) != value)
            WHT_FAIL("item %lld has %s %lld, expected %lld", wht_int(v, "id"), key, wht_int(v, key),
                     value);
    }
}

/* The audit entries newer than head about one entity. */
static json_t *audit_about(long long head, const char *entity, long long id)
{
    json_t *out = wht_keep_json(json_array());
    size_t i;
    json_t *e;
    json_array_foreach(wht_audit_since(head), i, e)
    {
        const char *kind = json_string_value(json_object_get(e, "entity"));
        if (kind && strcmp(kind, entity) == 0 && wht_int(e, "entity_id") == id)
            json_array_append(out, e);
    }
    return out;
}

static json_t *audited_once(long long head, const char *entity, long long id, long long actor,
                            long long venture, const char *action)
{
    json_t *entries = audit_about(head, entity, id);
    if (json_array_size(entries) != 1)
        WHT_FAIL("expected one audit entry for %s %lld, got %zu", entity, id,
                 json_array_size(entries));
    json_t *e = json_array_get(entries, 0);
    assert_int_equal(wht_int(e, "actor_id"), actor);
    assert_int_equal(wht_int(e, "venture_id"), venture);
    assert_string_equal(wht_str(e, "action"), action);
    return e;
}

/* ---------------------------------------------------------------- snapshots */

typedef struct snapshot {
    json_t *campaigns, *agents, *calls;
    long long audit;
} snapshot;

static snapshot snap(void)
{
    const char *tok = wht_admin_token();
    return (snapshot){
        .campaigns = wht_list_all(tok, "/bpo/campaigns", 200),
        .agents = wht_list_all(tok, "/bpo/agents", 200),
        .calls = wht_list_all(tok, "/bpo/call-logs", 200),
        .audit = wht_audit_head(),
    };
}

static void unchanged_at(const snapshot *before, const char *file, int line)
{
    snapshot now = snap();
    wht_json_equal_at(before->campaigns, now.campaigns, file, line);
    wht_json_equal_at(before->agents, now.agents, file, line);
    wht_json_equal_at(before->calls, now.calls, file, line);
    if (before->audit != now.audit)
        wht_fail_at(file, line, "a refused write left an audit entry (%lld -> %lld)", before->audit,
                    now.audit);
}

#define UNCHANGED(s) unchanged_at(&(s), __FILE__, __LINE__)

/* A refused POST/PATCH: the problem, naming field (NULL: any), and nothing changed. */
static void refused_at(const char *method, const char *token, const char *path, json_t *body,
                       long status, const char *code, const char *field, const char *file, int line)
{
    snapshot before = snap();
    wht_context("%s %s %s", method, path, wht_dump(body));
    wht_resp *r = wht_send(method, token, path, body);
    wht_problem_at(r, status, code, field, file, line);
    unchanged_at(&before, file, line);
    wht_context("%s", "");
}

#define REFUSED(method, token, path, body, status, code, field)                                    \
    refused_at((method), (token), (path), (body), (status), (code), (field), __FILE__, __LINE__)
#define INVALID(method, token, path, body, field)                                                  \
    REFUSED(method, token, path, body, 400, "validation_failed", field)

static json_t *with(json_t *body, const char *key, json_t *value)
{
    json_object_set_new(body, key, value);
    return body;
}

static const char *repeat(char ch, size_t n)
{
    char *s = calloc(n + 1, 1);
    assert_non_null(s);
    memset(s, ch, n);
    const char *out = wht_fmt("%s", s);
    free(s);
    return out;
}

/* -------------------------------------------------------------- campaigns */

static void test_campaign_create_get_patch(void **state)
{
    (void)state;
    const fixture *f = fx();
    const char *tok = f->manager.token;
    long long head = wht_audit_head();
    const char *name = wht_unique("Solar leads ");
    wht_resp *r = wht_post(tok, "/bpo/campaigns",
                           wht_json("{s:I, s:s}", "venture_id", (json_int_t)f->a.id, "name", name));
    WHT_EXPECT(r, 201);
    long long id = wht_int(r->json, "id");
    json_t *expected =
        KEEP("{s:I, s:I, s:n, s:s, s:n, s:b}", "id", (json_int_t)id, "venture_id",
             (json_int_t)f->a.id, "office_id", "name", name, "client_name", "active", 1);
    WHT_JSON_EQUAL(r->json, expected);
    json_t *e =
        audited_once(head, "bpo_campaign", id, f->manager.id, f->a.id, "bpo_campaign.create");
    assert_true(json_is_null(json_object_get(e, "before")));
    WHT_JSON_EQUAL(json_object_get(e, "after"), expected);

    wht_resp *got = wht_get(tok, wht_fmt("/bpo/campaigns/%lld", id));
    WHT_EXPECT(got, 200);
    WHT_JSON_EQUAL(got->json, expected);

    head = wht_audit_head();
    wht_resp *p =
        wht_patch(tok, wht_fmt("/bpo/campaigns/%lld", id),
                  wht_json("{s:s, s:s, s:I, s:b}", "name", "Renamed", "client_name", "Acme Solar",
                           "office_id", (json_int_t)f->office_a, "active", 0));
    WHT_EXPECT(p, 200);
    json_t *patched = KEEP("{s:I, s:I, s:I, s:s, s:s, s:b}", "id", (json_int_t)id, "venture_id",
                           (json_int_t)f->a.id, "office_id", (json_int_t)f->office_a, "name",
                           "Renamed", "client_name", "Acme Solar", "active", 0);
    WHT_JSON_EQUAL(p->json, patched);
    e = audited_once(head, "bpo_campaign", id, f->manager.id, f->a.id, "bpo_campaign.update");
    WHT_JSON_EQUAL(json_object_get(e, "before"), expected);
    WHT_JSON_EQUAL(json_object_get(e, "after"), patched);

    /* a subset leaves the rest; null clears the optional fields */
    p = wht_patch(tok, wht_fmt("/bpo/campaigns/%lld", id),
                  wht_json("{s:n, s:n}", "client_name", "office_id"));
    WHT_EXPECT(p, 200);
    WHT_JSON_EQUAL(p->json, KEEP("{s:I, s:I, s:n, s:s, s:n, s:b}", "id", (json_int_t)id,
                                 "venture_id", (json_int_t)f->a.id, "office_id", "name", "Renamed",
                                 "client_name", "active", 0));
    p = wht_patch(tok, wht_fmt("/bpo/campaigns/%lld", id), wht_json("{}"));
    WHT_EXPECT(p, 200);
    assert_string_equal(wht_str(p->json, "name"), "Renamed");

    /* every field on create */
    r = wht_post(wht_admin_token(), "/bpo/campaigns",
                 wht_json("{s:I, s:I, s:s, s:s, s:b}", "venture_id", (json_int_t)f->a.id,
                          "office_id", (json_int_t)f->office_a2, "name", "Full", "client_name",
                          "Client", "active", 0));
    WHT_EXPECT(r, 201);
    assert_int_equal(wht_int(r->json, "office_id"), f->office_a2);
    assert_string_equal(wht_str(r->json, "client_name"), "Client");
    assert_true(json_is_false(json_object_get(r->json, "active")));
}

static void test_campaign_validation(void **state)
{
    (void)state;
    const fixture *f = fx();
    const char *tok = wht_admin_token();
    const char *path = "/bpo/campaigns";
#define CBODY() wht_json("{s:I, s:s}", "venture_id", (json_int_t)f->a.id, "name", "Ok")
    INVALID("POST", tok, path, wht_json("{s:s}", "name", "x"), "venture_id");
    INVALID("POST", tok, path, wht_json("{s:I}", "venture_id", (json_int_t)f->a.id), "name");
    INVALID("POST", tok, path, with(CBODY(), "venture_id", json_integer(0)), "venture_id");
    INVALID("POST", tok, path, with(CBODY(), "venture_id", json_string("1")), "venture_id");
    INVALID("POST", tok, path, with(CBODY(), "venture_id", json_null()), "venture_id");
    INVALID("POST", tok, path, with(CBODY(), "name", json_string("")), "name");
    INVALID("POST", tok, path, with(CBODY(), "name", json_string(repeat('n', 201))), "name");
    INVALID("POST", tok, path, with(CBODY(), "name", json_integer(5)), "name");
    INVALID("POST", tok, path, with(CBODY(), "client_name", json_string("")), "client_name");
    INVALID("POST", tok, path, with(CBODY(), "client_name", json_string(repeat('c', 201))),
            "client_name");
    INVALID("POST", tok, path, with(CBODY(), "office_id", json_integer(0)), "office_id");
    INVALID("POST", tok, path, with(CBODY(), "office_id", json_string("x")), "office_id");
    INVALID("POST", tok, path, with(CBODY(), "active", json_string("yes")), "active");
    INVALID("POST", tok, path, with(CBODY(), "active", json_null()), "active");
    INVALID("POST", tok, path, with(CBODY(), "id", json_integer(5)), "id");
    INVALID("POST", tok, path, with(CBODY(), "colour", json_string("red")), "colour");
    /* a venture that is not BPO, an office of another venture */
    INVALID("POST", tok, path, with(CBODY(), "venture_id", json_integer(f->logistics.id)),
            "venture_id");
    INVALID("POST", tok, path, with(CBODY(), "office_id", json_integer(f->office_b)), "office_id");
    REFUSED("POST", tok, path, with(CBODY(), "venture_id", json_integer(MISSING_ID)), 403,
            "forbidden", NULL);
    REFUSED("POST", tok, path, with(CBODY(), "office_id", json_integer(MISSING_ID)), 403,
            "forbidden", NULL);
    wht_resp *bad = wht_send_raw("POST", tok, "/bpo/campaigns", NULL, "{", 1);
    WHT_PROBLEM(bad, 400, "invalid_json", NULL);
#undef CBODY

    const char *one = wht_fmt("/bpo/campaigns/%lld", f->camp_a);
    INVALID("PATCH", tok, one, wht_json("{s:I}", "venture_id", (json_int_t)f->b.id), "venture_id");
    INVALID("PATCH", tok, one, wht_json("{s:n}", "name"), "name");
    INVALID("PATCH", tok, one, wht_json("{s:s}", "name", ""), "name");
    INVALID("PATCH", tok, one, wht_json("{s:n}", "active"), "active");
    INVALID("PATCH", tok, one, wht_json("{s:s}", "client_name", repeat('c', 201)), "client_name");
    INVALID("PATCH", tok, one, wht_json("{s:I}", "office_id", (json_int_t)f->office_b),
            "office_id");
    INVALID("PATCH", tok, one, wht_json("{s:I}", "id", (json_int_t)5), "id");
    REFUSED("PATCH", tok, wht_fmt("/bpo/campaigns/%lld", MISSING_ID),
            wht_json("{s:s}", "name", "x"), 404, "not_found", NULL);
}

static void test_campaign_scope(void **state)
{
    (void)state;
    const fixture *f = fx();
    const char *tok = f->manager.token;
    WHT_EXPECT(wht_get(tok, wht_fmt("/bpo/campaigns/%lld", f->camp_a)), 200);
    assert_404_like_missing(tok, "/bpo/campaigns", f->camp_b);
    json_t *seen = wht_list_all(tok, "/bpo/campaigns", 2);
    assert_non_null(wht_find_by_id(seen, f->camp_a));
    assert_all(seen, "venture_id", f->a.id);
    assert_all(wht_list_all(tok, wht_fmt("/bpo/campaigns?venture_id=%lld", f->a.id), 3),
               "venture_id", f->a.id);
    WHT_PROBLEM(wht_get(tok, wht_fmt("/bpo/campaigns?venture_id=%lld", f->b.id)), 403, "forbidden",
                NULL);
    WHT_PROBLEM(wht_get(tok, wht_fmt("/bpo/campaigns?venture_id=%lld", MISSING_ID)), 403,
                "forbidden", NULL);
    WHT_PROBLEM(wht_get(tok, "/bpo/campaigns?venture_id=abc"), 400, "validation_failed",
                "venture_id");
    /* writes outside the scope */
    REFUSED("POST", tok, "/bpo/campaigns",
            wht_json("{s:I, s:s}", "venture_id", (json_int_t)f->b.id, "name", "x"), 403,
            "forbidden", NULL);
    REFUSED("PATCH", tok, wht_fmt("/bpo/campaigns/%lld", f->camp_b),
            wht_json("{s:s}", "name", "stolen"), 404, "not_found", NULL);
    /* an office of the venture that is not the office manager's own office */
    REFUSED("POST", tok, "/bpo/campaigns",
            wht_json("{s:I, s:s, s:I}", "venture_id", (json_int_t)f->a.id, "name", "x", "office_id",
                     (json_int_t)f->office_a2),
            403, "forbidden", NULL);
    /* the other venture's team lead sees the other side */
    assert_404_like_missing(f->lead_b.token, "/bpo/campaigns", f->camp_a);
    assert_all(wht_list_all(f->lead_b.token, "/bpo/campaigns", 50), "venture_id", f->b.id);
    /* no memberships: nothing, never everything */
    wht_user none = wht_user_new("TEAM_LEAD");
    assert_empty_list(wht_get(none.token, "/bpo/campaigns"));
    assert_404_like_missing(none.token, "/bpo/campaigns", f->camp_a);
    /* all-venture roles see both */
    wht_user auditor = wht_user_new("AUDITOR");
    json_t *all = wht_list_all(auditor.token, "/bpo/campaigns", 200);
    assert_non_null(wht_find_by_id(all, f->camp_a));
    assert_non_null(wht_find_by_id(all, f->camp_b));
}

static void test_campaign_list_pages_newest_first(void **state)
{
    (void)state;
    const fixture *f = fx();
    wht_venture v = wht_venture_new("BPO");
    long long ids[7];
    for (size_t i = 0; i < 7; i++)
        ids[6 - i] = campaign_new(wht_admin_token(), v.id, 0);
    json_t *walked =
        wht_list_all(wht_admin_token(), wht_fmt("/bpo/campaigns?venture_id=%lld", v.id), 2);
    json_t *expected = wht_keep_json(json_array());
    for (size_t i = 0; i < 7; i++)
        json_array_append_new(expected, json_integer(ids[i]));
    WHT_JSON_EQUAL(ids_of(walked), expected);
    (void)f;
}

static void test_bpo_permissions(void **state)
{
    (void)state;
    const fixture *f = fx();
    /* EMPLOYEE: bpo.write covers their own calls only */
    REFUSED("POST", f->emp1.token, "/bpo/campaigns",
            wht_json("{s:I, s:s}", "venture_id", (json_int_t)f->a.id, "name", "x"), 403,
            "forbidden", NULL);
    REFUSED("PATCH", f->emp1.token, wht_fmt("/bpo/campaigns/%lld", f->camp_a),
            wht_json("{s:s}", "name", "x"), 403, "forbidden", NULL);
    REFUSED("POST", f->emp1.token, "/bpo/agents",
            wht_json("{s:I, s:I}", "user_id", (json_int_t)f->emp1.id, "venture_id",
                     (json_int_t)f->a.id),
            403, "forbidden", NULL);
    /* the pipeline refuses them by the route table's rule (bpo_manager), named in the detail,
     * before anything runs: even a malformed body or an unknown id is the rule's 403 */
    wht_resp *why = wht_post(f->emp1.token, "/bpo/agents", wht_json("{}"));
    WHT_PROBLEM(why, 403, "forbidden", NULL);
    assert_non_null(strstr(wht_str(why->json, "detail"), "(rule bpo_manager)"));
    WHT_PROBLEM(wht_patch(f->emp1.token, "/bpo/campaigns/999999999", wht_json("{s:s}", "x", "y")),
                403, "forbidden", NULL);
    WHT_EXPECT(wht_get(f->emp1.token, wht_fmt("/bpo/campaigns/%lld", f->camp_a)), 200);
    /* roles without bpo.read / bpo.write */
    static const char *const no_read[] = {"CONTRACTOR", "CSR",      "DISPATCHER", "CARRIER_TEAM",
                                          "ACCOUNTING", "HR_ADMIN", "TEST_USER"};
    for (size_t i = 0; i < sizeof no_read / sizeof no_read[0]; i++) {
        wht_user u = member_of(no_read[i], f->a.id, 0);
        WHT_PROBLEM(wht_get(u.token, "/bpo/campaigns"), 403, "forbidden", NULL);
        WHT_PROBLEM(wht_get(u.token, "/bpo/agents"), 403, "forbidden", NULL);
        WHT_PROBLEM(wht_get(u.token, "/bpo/call-logs"), 403, "forbidden", NULL);
        WHT_PROBLEM(wht_get(u.token, wht_fmt("/bpo/call-logs/%lld", f->call_a)), 403, "forbidden",
                    NULL);
        REFUSED("POST", u.token, "/bpo/call-logs",
                call_body(f->ag2, f->a.id, "2026-03-01T10:00:00Z"), 403, "forbidden", NULL);
    }
    static const char *const read_only[] = {"AUDITOR", "FINANCE"};
    for (size_t i = 0; i < 2; i++) {
        wht_user u = member_of(read_only[i], f->a.id, 0);
        WHT_EXPECT(wht_get(u.token, wht_fmt("/bpo/call-logs/%lld", f->call_a)), 200);
        WHT_EXPECT(wht_get(u.token, "/bpo/agents"), 200);
        REFUSED("POST", u.token, "/bpo/call-logs",
                call_body(f->ag2, f->a.id, "2026-03-01T10:00:00Z"), 403, "forbidden", NULL);
        REFUSED("POST", u.token, "/bpo/campaigns",
                wht_json("{s:I, s:s}", "venture_id", (json_int_t)f->a.id, "name", "x"), 403,
                "forbidden", NULL);
    }
    /* no session: 401; a method the path does not have: 405 */
    WHT_PROBLEM(wht_get(NULL, "/bpo/call-logs"), 401, "unauthenticated", NULL);
    WHT_PROBLEM(wht_post(NULL, "/bpo/campaigns", wht_json("{}")), 401, "unauthenticated", NULL);
    WHT_PROBLEM(wht_delete(wht_admin_token(), wht_fmt("/bpo/call-logs/%lld", f->call_a)), 405,
                "method_not_allowed", NULL);
    WHT_PROBLEM(
        wht_patch(wht_admin_token(), wht_fmt("/bpo/call-logs/%lld", f->call_a), wht_json("{}")),
        405, "method_not_allowed", NULL);
    /* the team lead of b logs a call for an agent of b */
    wht_resp *r = wht_post(f->lead_b.token, "/bpo/call-logs",
                           call_body(f->ag_b, f->b.id, "2026-03-03T10:00:00Z"));
    WHT_EXPECT(r, 201);
}

/* ------------------------------------------------------------------ agents */

static void test_agent_create_and_rules(void **state)
{
    (void)state;
    const fixture *f = fx();
    const char *tok = f->manager.token;
    wht_user u = member_of("EMPLOYEE", f->a.id, 0);
    long long head = wht_audit_head();
    wht_resp *r = wht_post(tok, "/bpo/agents",
                           wht_json("{s:I, s:I, s:I}", "user_id", (json_int_t)u.id, "venture_id",
                                    (json_int_t)f->a.id, "campaign_id", (json_int_t)f->camp_a));
    WHT_EXPECT(r, 201);
    long long id = wht_int(r->json, "id");
    json_t *expected =
        KEEP("{s:I, s:I, s:I, s:I, s:b}", "id", (json_int_t)id, "user_id", (json_int_t)u.id,
             "venture_id", (json_int_t)f->a.id, "campaign_id", (json_int_t)f->camp_a, "active", 1);
    WHT_JSON_EQUAL(r->json, expected);
    json_t *e = audited_once(head, "bpo_agent", id, f->manager.id, f->a.id, "bpo_agent.create");
    WHT_JSON_EQUAL(json_object_get(e, "after"), expected);

    json_t *body =
        wht_json("{s:I, s:I}", "user_id", (json_int_t)u.id, "venture_id", (json_int_t)f->a.id);
    REFUSED("POST", tok, "/bpo/agents", body, 409, "conflict", NULL);

    /* defaults, and an explicit inactive agent */
    wht_user u2 = member_of("TEAM_LEAD", f->a.id, 0);
    r = wht_post(tok, "/bpo/agents",
                 wht_json("{s:I, s:I, s:n, s:b}", "user_id", (json_int_t)u2.id, "venture_id",
                          (json_int_t)f->a.id, "campaign_id", "active", 0));
    WHT_EXPECT(r, 201);
    assert_true(json_is_null(json_object_get(r->json, "campaign_id")));
    assert_true(json_is_false(json_object_get(r->json, "active")));

    /* DOMAIN.md §3: an agent is a user in a BPO venture */
    wht_user outsider = wht_user_add("EMPLOYEE");
    const char *p = "/bpo/agents";
#define ABODY(uid)                                                                                 \
    wht_json("{s:I, s:I}", "user_id", (json_int_t)(uid), "venture_id", (json_int_t)f->a.id)
    INVALID("POST", tok, p, ABODY(outsider.id), "user_id");
    INVALID("POST", tok, p, ABODY(MISSING_ID), "user_id");
    INVALID("POST", wht_admin_token(), p,
            wht_json("{s:I, s:I}", "user_id", (json_int_t)f->log_user.id, "venture_id",
                     (json_int_t)f->logistics.id),
            "venture_id");
    wht_user u3 = member_of("EMPLOYEE", f->a.id, 0);
    INVALID("POST", tok, p, with(ABODY(u3.id), "campaign_id", json_integer(f->camp_b)),
            "campaign_id");
    INVALID("POST", tok, p, with(ABODY(u3.id), "campaign_id", json_integer(MISSING_ID)),
            "campaign_id");
    INVALID("POST", tok, p, with(ABODY(u3.id), "campaign_id", json_integer(0)), "campaign_id");
    INVALID("POST", tok, p, with(ABODY(u3.id), "active", json_string("no")), "active");
    INVALID("POST", tok, p, with(ABODY(u3.id), "active", json_null()), "active");
    INVALID("POST", tok, p, with(ABODY(u3.id), "office_id", json_integer(f->office_a)),
            "office_id");
    INVALID("POST", tok, p, wht_json("{s:I}", "venture_id", (json_int_t)f->a.id), "user_id");
    INVALID("POST", tok, p, wht_json("{s:I}", "user_id", (json_int_t)u3.id), "venture_id");
    INVALID("POST", tok, p, with(ABODY(u3.id), "user_id", json_string("7")), "user_id");
    REFUSED("POST", tok, p,
            wht_json("{s:I, s:I}", "user_id", (json_int_t)f->emp_b.id, "venture_id",
                     (json_int_t)f->b.id),
            403, "forbidden", NULL);
#undef ABODY
}

static void test_agent_list_scope(void **state)
{
    (void)state;
    const fixture *f = fx();
    json_t *seen = wht_list_all(f->manager.token, "/bpo/agents", 2);
    assert_non_null(wht_find_by_id(seen, f->ag1));
    assert_non_null(wht_find_by_id(seen, f->ag2));
    assert_null(wht_find_by_id(seen, f->ag_b));
    assert_all(seen, "venture_id", f->a.id);
    WHT_PROBLEM(wht_get(f->manager.token, wht_fmt("/bpo/agents?venture_id=%lld", f->b.id)), 403,
                "forbidden", NULL);
    assert_all(wht_list_all(f->lead_b.token, wht_fmt("/bpo/agents?venture_id=%lld", f->b.id), 5),
               "venture_id", f->b.id);
    /* an EMPLOYEE sees their own agent record only */
    json_t *own = wht_list_all(f->emp1.token, "/bpo/agents", 50);
    WHT_ID_SET(own, "id", 1, &f->ag1);
    wht_user none = wht_user_new("VENTURE_HEAD");
    assert_empty_list(wht_get(none.token, "/bpo/agents"));
    /* newest first */
    json_t *all = wht_list_all(wht_admin_token(), "/bpo/agents", 3);
    for (size_t i = 1; i < json_array_size(all); i++)
        assert_true(wht_int(json_array_get(all, i - 1), "id") >
                    wht_int(json_array_get(all, i), "id"));
}

/* --------------------------------------------------------------- call logs */

static void test_call_defaults_and_fields(void **state)
{
    (void)state;
    const fixture *f = fx();
    const char *tok = f->manager.token;
    long long head = wht_audit_head();
    wht_resp *r =
        wht_post(tok, "/bpo/call-logs", call_body(f->ag2, f->a.id, "2026-03-04T09:30:00+02:00"));
    WHT_EXPECT(r, 201);
    long long id = wht_int(r->json, "id");
    json_t *expected =
        KEEP("{s:I, s:I, s:I, s:n, s:s, s:n, s:i, s:b, s:b, s:b, s:i, s:n}", "id", (json_int_t)id,
             "agent_id", (json_int_t)f->ag2, "venture_id", (json_int_t)f->a.id, "campaign_id",
             "started_at", "2026-03-04T07:30:00.000Z", "ended_at", "dial_count", 1, "connected", 0,
             "appointment_set", 0, "deal_won", 0, "revenue_cents", 0, "notes");
    WHT_JSON_EQUAL(r->json, expected);
    json_t *e =
        audited_once(head, "bpo_call_log", id, f->manager.id, f->a.id, "bpo_call_log.create");
    assert_true(json_is_null(json_object_get(e, "before")));
    WHT_JSON_EQUAL(json_object_get(e, "after"), expected);
    wht_resp *got = wht_get(tok, wht_fmt("/bpo/call-logs/%lld", id));
    WHT_EXPECT(got, 200);
    WHT_JSON_EQUAL(got->json, expected);

    /* every field; a completed call (ended_at) also publishes BPO_CALL_COMPLETED */
    json_t *body = wht_json("{s:I, s:I, s:I, s:s, s:s, s:i, s:b, s:b, s:b, s:I, s:s}", "agent_id",
                            (json_int_t)f->ag1, "venture_id", (json_int_t)f->a.id, "campaign_id",
                            (json_int_t)f->camp_a, "started_at", "2026-03-04T10:00:00.5Z",
                            "ended_at", "2026-03-04T05:12:30.250-05:00", "dial_count", 3,
                            "connected", 1, "appointment_set", 1, "deal_won", 1, "revenue_cents",
                            (json_int_t)125050, "notes", "called back");
    r = wht_post(tok, "/bpo/call-logs", body);
    WHT_EXPECT(r, 201);
    id = wht_int(r->json, "id");
    WHT_JSON_EQUAL(r->json,
                   KEEP("{s:I, s:I, s:I, s:I, s:s, s:s, s:i, s:b, s:b, s:b, s:I, s:s}", "id",
                        (json_int_t)id, "agent_id", (json_int_t)f->ag1, "venture_id",
                        (json_int_t)f->a.id, "campaign_id", (json_int_t)f->camp_a, "started_at",
                        "2026-03-04T10:00:00.500Z", "ended_at", "2026-03-04T10:12:30.250Z",
                        "dial_count", 3, "connected", 1, "appointment_set", 1, "deal_won", 1,
                        "revenue_cents", (json_int_t)125050, "notes", "called back"));
    /* ended_at equal to started_at, an empty note, the largest values */
    json_t *edge = call_body(f->ag2, f->a.id, "2026-03-04T11:00:00Z");
    with(edge, "ended_at", json_string("2026-03-04T11:00:00.000Z"));
    with(edge, "notes", json_string(""));
    with(edge, "dial_count", json_integer(100000));
    with(edge, "revenue_cents", json_integer(1000000000000LL));
    with(edge, "campaign_id", json_null());
    with(edge, "ended_at", json_string("2026-03-04T11:00:00Z"));
    r = wht_post(tok, "/bpo/call-logs", edge);
    WHT_EXPECT(r, 201);
    assert_string_equal(wht_str(r->json, "ended_at"), "2026-03-04T11:00:00.000Z");
    assert_string_equal(wht_str(r->json, "notes"), "");
    assert_int_equal(wht_int(r->json, "revenue_cents"), 1000000000000LL);
    /* an explicit null ended_at is an open call */
    json_t *open =
        with(call_body(f->ag2, f->a.id, "2026-03-04T12:00:00Z"), "ended_at", json_null());
    r = wht_post(tok, "/bpo/call-logs", open);
    WHT_EXPECT(r, 201);
    assert_true(json_is_null(json_object_get(r->json, "ended_at")));
}

static void test_call_validation(void **state)
{
    (void)state;
    const fixture *f = fx();
    const char *tok = f->manager.token;
    const char *p = "/bpo/call-logs";
#define BODY() call_body(f->ag2, f->a.id, "2026-03-05T10:00:00Z")
    INVALID("POST", tok, p,
            wht_json("{s:I, s:s}", "venture_id", (json_int_t)f->a.id, "started_at",
                     "2026-03-05T10:00:00Z"),
            "agent_id");
    INVALID("POST", tok, p,
            wht_json("{s:I, s:s}", "agent_id", (json_int_t)f->ag2, "started_at",
                     "2026-03-05T10:00:00Z"),
            "venture_id");
    INVALID(
        "POST", tok, p,
        wht_json("{s:I, s:I}", "agent_id", (json_int_t)f->ag2, "venture_id", (json_int_t)f->a.id),
        "started_at");
    INVALID("POST", tok, p, with(BODY(), "agent_id", json_integer(0)), "agent_id");
    INVALID("POST", tok, p, with(BODY(), "agent_id", json_string("1")), "agent_id");
    INVALID("POST", tok, p, with(BODY(), "venture_id", json_integer(-3)), "venture_id");
    static const char *const bad_instants[] = {"yesterday",
                                               "2026-03-05",
                                               "2026-13-01T10:00:00Z",
                                               "2026-03-05T25:00:00Z",
                                               "2026-03-05T10:00:00",
                                               "1969-12-31T23:59:59Z",
                                               "",
                                               "2026-03-05T10:00:00Zjunk"};
    for (size_t i = 0; i < sizeof bad_instants / sizeof bad_instants[0]; i++) {
        INVALID("POST", tok, p, with(BODY(), "started_at", json_string(bad_instants[i])),
                "started_at");
        INVALID("POST", tok, p, with(BODY(), "ended_at", json_string(bad_instants[i])), "ended_at");
    }
    INVALID("POST", tok, p, with(BODY(), "started_at", json_integer(1772704800000LL)),
            "started_at");
    INVALID("POST", tok, p, with(BODY(), "started_at", json_null()), "started_at");
    /* DOMAIN.md §3: ended_at before started_at */
    INVALID("POST", tok, p, with(BODY(), "ended_at", json_string("2026-03-05T09:59:59.999Z")),
            "ended_at");
    INVALID("POST", tok, p, with(BODY(), "ended_at", json_string("2026-03-05T11:00:00+02:00")),
            "ended_at");
    /* more than a day after the business today: 2026-03-05 is past, these are not */
    INVALID("POST", tok, p, with(BODY(), "ended_at", json_string("9999-12-31T10:00:00Z")),
            "ended_at");
    INVALID("POST", tok, p, call_body(f->ag2, f->a.id, wht_instant_in(3 * 86400L)), "started_at");
    INVALID("POST", tok, p, call_body(f->ag2, f->a.id, "9999-12-31T10:00:00Z"), "started_at");
    INVALID("POST", tok, p, with(BODY(), "dial_count", json_integer(0)), "dial_count");
    INVALID("POST", tok, p, with(BODY(), "dial_count", json_integer(-1)), "dial_count");
    INVALID("POST", tok, p, with(BODY(), "dial_count", json_integer(100001)), "dial_count");
    INVALID("POST", tok, p, with(BODY(), "dial_count", json_string("2")), "dial_count");
    INVALID("POST", tok, p, with(BODY(), "dial_count", json_real(1.5)), "dial_count");
    INVALID("POST", tok, p, with(BODY(), "dial_count", json_null()), "dial_count");
    static const char *const flags[] = {"connected", "appointment_set", "deal_won"};
    for (size_t i = 0; i < 3; i++) {
        INVALID("POST", tok, p, with(BODY(), flags[i], json_string("true")), flags[i]);
        INVALID("POST", tok, p, with(BODY(), flags[i], json_integer(1)), flags[i]);
        INVALID("POST", tok, p, with(BODY(), flags[i], json_null()), flags[i]);
    }
    INVALID("POST", tok, p, with(BODY(), "revenue_cents", json_integer(-1)), "revenue_cents");
    INVALID("POST", tok, p, with(BODY(), "revenue_cents", json_real(10.5)), "revenue_cents");
    INVALID("POST", tok, p, with(BODY(), "revenue_cents", json_integer(1000000000001LL)),
            "revenue_cents");
    INVALID("POST", tok, p, with(BODY(), "revenue_cents", json_null()), "revenue_cents");
    INVALID("POST", tok, p, with(BODY(), "notes", json_string(repeat('x', 10001))), "notes");
    INVALID("POST", tok, p, with(BODY(), "notes", json_integer(3)), "notes");
    INVALID("POST", tok, p, with(BODY(), "campaign_id", json_integer(0)), "campaign_id");
    INVALID("POST", tok, p, with(BODY(), "campaign_id", json_integer(f->camp_b)), "campaign_id");
    INVALID("POST", tok, p, with(BODY(), "campaign_id", json_integer(MISSING_ID)), "campaign_id");
    /* the call's venture must be the agent's */
    INVALID("POST", tok, p, call_body(f->ag_b, f->a.id, "2026-03-05T10:00:00Z"), "agent_id");
    INVALID("POST", tok, p, call_body(MISSING_ID, f->a.id, "2026-03-05T10:00:00Z"), "agent_id");
    INVALID("POST", wht_admin_token(), p, call_body(f->ag2, f->b.id, "2026-03-05T10:00:00Z"),
            "agent_id");
    /* read-only and unknown fields */
    static const char *const refused[] = {"id", "talk_seconds", "user_id", "created_at", "agent"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        INVALID("POST", tok, p, with(BODY(), refused[i], json_integer(1)), refused[i]);
    /* a foreign venture is 403 */
    REFUSED("POST", tok, p, call_body(f->ag_b, f->b.id, "2026-03-05T10:00:00Z"), 403, "forbidden",
            NULL);
    REFUSED("POST", tok, p, call_body(f->ag2, MISSING_ID, "2026-03-05T10:00:00Z"), 403, "forbidden",
            NULL);
    /* several bad fields are all reported */
    wht_resp *r = wht_post(tok, p,
                           wht_json("{s:I, s:s, s:i}", "venture_id", (json_int_t)f->a.id,
                                    "started_at", "nope", "dial_count", 0));
    WHT_PROBLEM(r, 400, "validation_failed", NULL);
    assert_true(json_array_size(json_object_get(r->json, "errors")) >= 3);
#undef BODY
}

static void test_call_scope(void **state)
{
    (void)state;
    const fixture *f = fx();
    const char *tok = f->manager.token;
    WHT_EXPECT(wht_get(tok, wht_fmt("/bpo/call-logs/%lld", f->call_a)), 200);
    assert_404_like_missing(tok, "/bpo/call-logs", f->call_b);
    assert_404_like_missing(f->lead_b.token, "/bpo/call-logs", f->call_a);
    json_t *seen = wht_list_all(tok, "/bpo/call-logs", 3);
    assert_non_null(wht_find_by_id(seen, f->call_a));
    assert_all(seen, "venture_id", f->a.id);
    WHT_PROBLEM(wht_get(tok, wht_fmt("/bpo/call-logs?venture_id=%lld", f->b.id)), 403, "forbidden",
                NULL);
    /* filters naming foreign agents or campaigns never widen the list */
    assert_empty_list(wht_get(tok, wht_fmt("/bpo/call-logs?agent_id=%lld", f->ag_b)));
    assert_empty_list(wht_get(tok, wht_fmt("/bpo/call-logs?campaign_id=%lld", f->camp_b)));
    wht_user none = wht_user_new("OFFICE_MANAGER");
    assert_empty_list(wht_get(none.token, "/bpo/call-logs"));
    assert_404_like_missing(none.token, "/bpo/call-logs", f->call_a);
    wht_user coo = wht_user_new("COO");
    json_t *every = wht_list_all(coo.token, "/bpo/call-logs", 200);
    assert_non_null(wht_find_by_id(every, f->call_a));
    assert_non_null(wht_find_by_id(every, f->call_b));
}

static void test_employee_sees_and_writes_only_own_calls(void **state)
{
    (void)state;
    const fixture *f = fx();
    const char *e1 = f->emp1.token, *e2 = f->emp2.token;
    long long head = wht_audit_head();
    wht_resp *r = wht_post(e1, "/bpo/call-logs",
                           with(call_body(f->ag1, f->a.id, "2026-03-06T14:00:00Z"), "ended_at",
                                json_string("2026-03-06T14:05:00Z")));
    WHT_EXPECT(r, 201);
    long long own1 = wht_int(r->json, "id");
    audited_once(head, "bpo_call_log", own1, f->emp1.id, f->a.id, "bpo_call_log.create");
    long long own2 = call_new(e2, f->ag2, f->a.id, "2026-03-06T15:00:00Z");

    /* create for another agent: 403, nothing written */
    REFUSED("POST", e1, "/bpo/call-logs", call_body(f->ag2, f->a.id, "2026-03-06T16:00:00Z"), 403,
            "forbidden", NULL);
    REFUSED("POST", e2, "/bpo/call-logs", call_body(f->ag1, f->a.id, "2026-03-06T16:00:00Z"), 403,
            "forbidden", NULL);
    /* read another's call: like a missing one */
    WHT_EXPECT(wht_get(e1, wht_fmt("/bpo/call-logs/%lld", own1)), 200);
    assert_404_like_missing(e1, "/bpo/call-logs", own2);
    assert_404_like_missing(e1, "/bpo/call-logs", f->call_a); /* ag2's, by the admin */
    assert_404_like_missing(e2, "/bpo/call-logs", own1);
    /* the list holds only their own, whatever the filters */
    json_t *mine = wht_list_all(e1, "/bpo/call-logs", 1);
    assert_non_null(wht_find_by_id(mine, own1));
    assert_all(mine, "agent_id", f->ag1);
    assert_all(wht_list_all(e1, wht_fmt("/bpo/call-logs?venture_id=%lld", f->a.id), 50), "agent_id",
               f->ag1);
    assert_empty_list(wht_get(e1, wht_fmt("/bpo/call-logs?agent_id=%lld", f->ag2)));
    json_t *theirs = wht_list_all(e2, "/bpo/call-logs", 50);
    assert_non_null(wht_find_by_id(theirs, own2));
    assert_non_null(wht_find_by_id(theirs, f->call_a));
    assert_all(theirs, "agent_id", f->ag2);
    /* the manager sees both */
    json_t *all = wht_list_all(f->manager.token, "/bpo/call-logs", 200);
    assert_non_null(wht_find_by_id(all, own1));
    assert_non_null(wht_find_by_id(all, own2));
    /* an EMPLOYEE of another venture gets 403 for this one */
    REFUSED("POST", f->emp_b.token, "/bpo/call-logs",
            call_body(f->ag1, f->a.id, "2026-03-06T16:00:00Z"), 403, "forbidden", NULL);
}

/* ----------------------------------------------------------------- filters */

typedef struct {
    wht_venture v;
    long long ag_x, ag_y, c1, c2;
    long long calls[6];
} filter_fx;

static long long filtered_call(const filter_fx *ff, long long agent, long long camp,
                               const char *started_at, bool connected, bool deal_won)
{
    json_t *b = call_body(agent, ff->v.id, started_at);
    if (camp)
        with(b, "campaign_id", json_integer(camp));
    with(b, "connected", json_boolean(connected));
    with(b, "deal_won", json_boolean(deal_won));
    wht_resp *r = wht_post(wht_admin_token(), "/bpo/call-logs", b);
    WHT_EXPECT(r, 201);
    return wht_int(r->json, "id");
}

static void expect_ids(const filter_fx *ff, const char *query, size_t n, const long long *ids)
{
    const char *path = wht_fmt("/bpo/call-logs?venture_id=%lld%s", ff->v.id, query);
    wht_context("GET %s", path);
    json_t *items = wht_list_all(wht_admin_token(), path, 2);
    WHT_ID_SET(items, "id", n, ids);
    wht_context("%s", "");
}

static void test_call_filters(void **state)
{
    (void)state;
    filter_fx ff = {.v = wht_venture_new("BPO")};
    wht_user x = member_of("EMPLOYEE", ff.v.id, 0), y = member_of("EMPLOYEE", ff.v.id, 0);
    ff.ag_x = agent_new(wht_admin_token(), x.id, ff.v.id, 0);
    ff.ag_y = agent_new(wht_admin_token(), y.id, ff.v.id, 0);
    ff.c1 = campaign_new(wht_admin_token(), ff.v.id, 0);
    ff.c2 = campaign_new(wht_admin_token(), ff.v.id, 0);
    /* business days in America/New_York: 03:00Z on 10 March is still 9 March there */
    long long *c = ff.calls;
    c[0] = filtered_call(&ff, ff.ag_x, ff.c1, "2026-03-09T14:00:00Z", true, true);
    c[1] = filtered_call(&ff, ff.ag_x, ff.c2, "2026-03-10T03:00:00Z", true, false);
    c[2] = filtered_call(&ff, ff.ag_y, ff.c1, "2026-03-10T15:00:00Z", false, false);
    c[3] = filtered_call(&ff, ff.ag_y, 0, "2026-03-11T03:30:00Z", false, false);
    c[4] = filtered_call(&ff, ff.ag_x, ff.c1, "2026-03-11T05:00:00Z", true, true);
    c[5] = filtered_call(&ff, ff.ag_y, ff.c2, "2026-03-12T12:00:00Z", true, false);

    expect_ids(&ff, "", 6, c);
    expect_ids(&ff, wht_fmt("&agent_id=%lld", ff.ag_x), 3, (long long[]){c[0], c[1], c[4]});
    expect_ids(&ff, wht_fmt("&agent_id=%lld", ff.ag_y), 3, (long long[]){c[2], c[3], c[5]});
    expect_ids(&ff, wht_fmt("&campaign_id=%lld", ff.c1), 3, (long long[]){c[0], c[2], c[4]});
    expect_ids(&ff, wht_fmt("&campaign_id=%lld", ff.c2), 2, (long long[]){c[1], c[5]});
    expect_ids(&ff, "&from=2026-03-10", 4, (long long[]){c[2], c[3], c[4], c[5]});
    expect_ids(&ff, "&to=2026-03-09", 2, (long long[]){c[0], c[1]});
    expect_ids(&ff, "&from=2026-03-10&to=2026-03-10", 2, (long long[]){c[2], c[3]});
    expect_ids(&ff, "&from=2026-03-11&to=2026-03-11", 1, (long long[]){c[4]});
    expect_ids(&ff, "&from=2026-03-13", 0, NULL);
    expect_ids(&ff, "&connected=true", 4, (long long[]){c[0], c[1], c[4], c[5]});
    expect_ids(&ff, "&connected=false", 2, (long long[]){c[2], c[3]});
    expect_ids(&ff, "&deal_won=true", 2, (long long[]){c[0], c[4]});
    expect_ids(&ff, "&deal_won=false", 4, (long long[]){c[1], c[2], c[3], c[5]});
    expect_ids(&ff,
               wht_fmt("&agent_id=%lld&campaign_id=%lld&connected=true&deal_won=true"
                       "&from=2026-03-09&to=2026-03-11",
                       ff.ag_x, ff.c1),
               2, (long long[]){c[0], c[4]});
    expect_ids(&ff, wht_fmt("&agent_id=%lld&connected=false", ff.ag_x), 0, NULL);

    /* order: started_at, newest first */
    json_t *all =
        wht_list_all(wht_admin_token(), wht_fmt("/bpo/call-logs?venture_id=%lld", ff.v.id), 4);
    long long order[] = {c[5], c[4], c[3], c[2], c[1], c[0]};
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(wht_int(json_array_get(all, i), "id"), order[i]);

    /* bad filters */
    static const struct {
        const char *query, *field;
    } bad[] = {
        {"from=2026-02-30", "from"},
        {"from=2026-3-1", "from"},
        {"to=tomorrow", "to"},
        {"to=2026-03-10T00:00:00Z", "to"},
        {"from=2026-03-11&to=2026-03-10", "to"},
        {"connected=yes", "connected"},
        {"connected=1", "connected"},
        {"deal_won=TRUE", "deal_won"},
        {"agent_id=abc", "agent_id"},
        {"agent_id=0", "agent_id"},
        {"campaign_id=-1", "campaign_id"},
        {"venture_id=x", "venture_id"},
        {"limit=0", "limit"},
        {"limit=201", "limit"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        WHT_PROBLEM(wht_get(wht_admin_token(), wht_fmt("/bpo/call-logs?%s", bad[i].query)), 400,
                    "validation_failed", bad[i].field);
    WHT_PROBLEM(wht_get(wht_admin_token(), "/bpo/call-logs?cursor=bm9wZQ"), 400, "invalid_cursor",
                NULL);
}

/* -------------------------------------------------------------- pagination */

static struct {
    long long venture, agent;
    int inserted;
} PG;

static const char *pg_instant(int minute, int second)
{
    return wht_fmt("2026-04-01T10:%02d:%02dZ", minute, second);
}

/* Between pages: a call newer than everything, one older than everything, and one tied with
 * an existing started_at. */
static void insert_between(void)
{
    const char *at[] = {pg_instant(59, PG.inserted), pg_instant(0, PG.inserted), pg_instant(20, 0)};
    for (size_t i = 0; i < 3; i++)
        (void)call_new(wht_admin_token(), PG.agent, PG.venture, at[i]);
    PG.inserted++;
}

static void test_call_pages_stable_while_inserting(void **state)
{
    (void)state;
    wht_venture v = wht_venture_new("BPO");
    wht_user u = member_of("EMPLOYEE", v.id, 0);
    PG.venture = v.id;
    PG.agent = agent_new(wht_admin_token(), u.id, v.id, 0);
    PG.inserted = 0;
    /* 14 calls at 10:10..10:30, several sharing a started_at (ties go by id, newest first) */
    enum { N = 14 };
    long long ids[N];
    int minutes[N] = {10, 12, 12, 14, 16, 16, 16, 18, 20, 22, 24, 26, 28, 30};
    for (int i = 0; i < N; i++)
        ids[i] = call_new(wht_admin_token(), PG.agent, PG.venture, pg_instant(minutes[i], 0));
    /* expected walk order of the original rows: started_at desc, id desc */
    long long expected[N];
    for (int i = 0; i < N; i++)
        expected[i] = ids[N - 1 - i];

    const char *base = wht_fmt("/bpo/call-logs?venture_id=%lld&limit=4", PG.venture);
    const char *cursor = NULL;
    json_t *walked = wht_keep_json(json_array());
    long long last_ms = INT64_MAX, last_id = INT64_MAX;
    int pages = 0;
    do {
        wht_resp *r =
            wht_get(wht_admin_token(), cursor ? wht_fmt("%s&cursor=%s", base, cursor) : base);
        WHT_EXPECT(r, 200);
        size_t i;
        json_t *item;
        json_array_foreach(wht_items(r), i, item)
        {
            long long ms = wht_rfc3339_ms(wht_str(item, "started_at"));
            long long id = wht_int(item, "id");
            /* strictly decreasing (started_at, id) across the whole walk */
            assert_true(ms < last_ms || (ms == last_ms && id < last_id));
            last_ms = ms;
            last_id = id;
            json_array_append_new(walked, json_integer(id));
        }
        json_t *next = json_object_get(r->json, "next_cursor");
        cursor = json_is_string(next) ? json_string_value(next) : NULL;
        if (cursor && PG.inserted < 5)
            insert_between();
        pages++;
        assert_true(pages < 100);
    } while (cursor);
    assert_true(PG.inserted >= 3);
    /* every original row exactly once, in order */
    json_t *originals = wht_keep_json(json_array());
    size_t i;
    json_t *id;
    json_array_foreach(walked, i, id)
    {
        for (int k = 0; k < N; k++)
            if (json_integer_value(id) == ids[k])
                json_array_append(originals, id);
    }
    json_t *want = wht_keep_json(json_array());
    for (int k = 0; k < N; k++)
        json_array_append_new(want, json_integer(expected[k]));
    WHT_JSON_EQUAL(originals, want);
    /* no row twice */
    for (size_t a = 0; a < json_array_size(walked); a++)
        for (size_t b = a + 1; b < json_array_size(walked); b++)
            assert_true(json_integer_value(json_array_get(walked, a)) !=
                        json_integer_value(json_array_get(walked, b)));
    /* a cursor of another list is refused */
    wht_resp *camp = wht_get(wht_admin_token(), "/bpo/campaigns?limit=1");
    WHT_EXPECT(camp, 200);
    const char *foreign = json_string_value(json_object_get(camp->json, "next_cursor"));
    if (foreign)
        WHT_PROBLEM(wht_get(wht_admin_token(), wht_fmt("/bpo/call-logs?cursor=%s", foreign)), 400,
                    "invalid_cursor", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        WHT_TEST(test_campaign_create_get_patch),
        WHT_TEST(test_campaign_validation),
        WHT_TEST(test_campaign_scope),
        WHT_TEST(test_campaign_list_pages_newest_first),
        WHT_TEST(test_bpo_permissions),
        WHT_TEST(test_agent_create_and_rules),
        WHT_TEST(test_agent_list_scope),
        WHT_TEST(test_call_defaults_and_fields),
        WHT_TEST(test_call_validation),
        WHT_TEST(test_call_scope),
        WHT_TEST(test_employee_sees_and_writes_only_own_calls),
        WHT_TEST(test_call_filters),
        WHT_TEST(test_call_pages_stable_while_inserting),
    };
    wht_init();
    return wht_finish(cmocka_run_group_tests_name("api_bpo", tests, NULL, NULL));
}
