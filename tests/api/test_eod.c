/*
 * End-of-day reports (API.md "End-of-day reports", DOMAIN.md §5): PUT upserts the caller's own
 * report (201 created, 200 replaced, one row), for today or up to 14 days back; eod.write for
 * every role but AUDITOR; a venture outside the scope in the path is 404 like a missing one, a
 * venture_id filter outside it 403; everyone reads their own reports, only leadership,
 * OFFICE_MANAGER and TEAM_LEAD read other users' (within the scope); every field is validated
 * and a refused write changes nothing; the list walks newest first by (date, id) without
 * repeating or skipping rows while reports are filed between pages.
 *
 * The server runs in its default business time zone (America/New_York); the test computes
 * "today" there too, and waits out the last two minutes before midnight so both agree.
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

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define MISSING_ID 987654321LL
#define ZONE       "America/New_York"

/* ---- days in the business time zone ---- */

/* The business day `back` days before today (negative: after), as YYYY-MM-DD. */
static const char *day_back(int back)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    tm.tm_hour = 12; /* noon: a DST change never moves the day */
    tm.tm_min = tm.tm_sec = 0;
    tm.tm_mday -= back;
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    localtime_r(&t, &tm);
    return wht_fmt("%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* Days back from today to the Monday of the previous week (7..13). */
static int last_monday_back(void)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    int since_monday = (tm.tm_wday + 6) % 7;
    return since_monday + 7;
}

/* Waits until past midnight when it is close, so the test and the server share one today. */
static void avoid_midnight(void)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    int left = 86400 - (tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec);
    if (left < 120)
        wht_sleep_ms((left + 2) * 1000L);
}

/* ---- fixture ---- */

typedef struct fixture {
    bool ready;
    wht_venture a, b, foreign;
    wht_user emp;      /* EMPLOYEE in a and b */
    wht_user emp2;     /* EMPLOYEE in a */
    wht_user lead;     /* TEAM_LEAD in a */
    wht_user head_b;   /* VENTURE_HEAD in b */
    wht_user manager;  /* OFFICE_MANAGER in a */
    wht_user outsider; /* EMPLOYEE in foreign */
} fixture;

static fixture FX;

static wht_user member(const char *role, size_t n, const long long *ventures)
{
    wht_user u = wht_user_new(role);
    wht_set_ventures(u.id, n, ventures);
    return u;
}

static const fixture *fx(void)
{
    if (FX.ready)
        return &FX;
    FX.a = wht_venture_new("LOGISTICS");
    FX.b = wht_venture_new("BPO");
    FX.foreign = wht_venture_new("HOSPITALITY");
    long long ab[] = {FX.a.id, FX.b.id};
    FX.emp = member("EMPLOYEE", 2, ab);
    FX.emp2 = member("EMPLOYEE", 1, &FX.a.id);
    FX.lead = member("TEAM_LEAD", 1, &FX.a.id);
    FX.head_b = member("VENTURE_HEAD", 1, &FX.b.id);
    FX.manager = member("OFFICE_MANAGER", 1, &FX.a.id);
    FX.outsider = member("EMPLOYEE", 1, &FX.foreign.id);
    FX.ready = true;
    return &FX;
}

/* ---- helpers ---- */

static const char *report_path(long long venture, const char *date)
{
    return wht_fmt("/eod-reports/%lld/%s", venture, date);
}

static wht_resp *put_report(const char *token, long long venture, const char *date, json_t *body)
{
    return wht_put(token, report_path(venture, date), body);
}

/* Files a report (expects 201) and returns its id. */
static long long file(const wht_user *u, long long venture, const char *date)
{
    wht_resp *r =
        put_report(u->token, venture, date, wht_json("{s:s}", "summary", wht_unique("summary ")));
    WHT_EXPECT(r, 201);
    return wht_int(r->json, "id");
}

static json_t *all(const char *token, const char *query)
{
    return wht_list_all(token, wht_fmt("/eod-reports%s", query), 200);
}

static json_t *ids_of(const json_t *items)
{
    json_t *out = wht_keep_json(json_array());
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it) json_array_append_new(out, json_integer(wht_int(it, "id")));
    return out;
}

static bool has_id(const json_t *items, long long id)
{
    return wht_find_by_id(items, id) != NULL;
}

/* Every item belongs to the venture / the user given (0: not checked). */
static void assert_only(const json_t *items, long long venture, long long user)
{
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        if (venture)
            assert_int_equal(wht_int(it, "venture_id"), venture);
        if (user)
            assert_int_equal(wht_int(it, "user_id"), user);
    }
}

static void assert_empty_list(const wht_resp *r)
{
    WHT_EXPECT(r, 200);
    assert_int_equal(json_array_size(wht_items(r)), 0);
    assert_true(json_is_false(json_object_get(r->json, "has_more")));
    assert_true(json_is_null(json_object_get(r->json, "next_cursor")));
}

static const char *long_text(size_t n)
{
    char *s = malloc(n + 1);
    memset(s, 'x', n);
    s[n] = '\0';
    const char *out = wht_fmt("%s", s);
    free(s);
    return out;
}

/* ---- tests ---- */

static void test_put_creates_201_then_replaces_200(void **state)
{
    (void)state;
    const fixture *f = fx();
    wht_user u = member("EMPLOYEE", 1, &f->a.id);
    const char *today = day_back(0);
    long long audit0 = wht_audit_head();

    wht_resp *c = put_report(u.token, f->a.id, today,
                             wht_json("{s:s, s:s, s:s, s:s, s:f}", "summary", "Shipped it",
                                      "accomplishments", "three loads", "blockers", "none",
                                      "tomorrow_plan", "more loads", "hours_worked", 7.5));
    WHT_EXPECT(c, 201);
    long long id = wht_int(c->json, "id");
    assert_int_equal(wht_int(c->json, "user_id"), u.id);
    assert_int_equal(wht_int(c->json, "venture_id"), f->a.id);
    assert_string_equal(wht_str(c->json, "date"), today);
    assert_string_equal(wht_str(c->json, "summary"), "Shipped it");
    assert_string_equal(wht_str(c->json, "accomplishments"), "three loads");
    assert_string_equal(wht_str(c->json, "blockers"), "none");
    assert_string_equal(wht_str(c->json, "tomorrow_plan"), "more loads");
    assert_true(json_is_number(json_object_get(c->json, "hours_worked")));
    assert_true(json_number_value(json_object_get(c->json, "hours_worked")) == 7.5);
    assert_true(wht_is_rfc3339_ms_utc(wht_str(c->json, "created_at")));
    assert_true(wht_is_rfc3339_ms_utc(wht_str(c->json, "updated_at")));
    const char *created_at = wht_fmt("%s", wht_str(c->json, "created_at"));

    /* a PUT replaces the whole report: omitted optional fields become null */
    wht_resp *up =
        put_report(u.token, f->a.id, today,
                   wht_json("{s:s, s:s}", "summary", "Shipped more", "blockers", "rain"));
    WHT_EXPECT(up, 200);
    assert_int_equal(wht_int(up->json, "id"), id);
    assert_string_equal(wht_str(up->json, "summary"), "Shipped more");
    assert_string_equal(wht_str(up->json, "blockers"), "rain");
    assert_true(json_is_null(json_object_get(up->json, "accomplishments")));
    assert_true(json_is_null(json_object_get(up->json, "tomorrow_plan")));
    assert_true(json_is_null(json_object_get(up->json, "hours_worked")));
    assert_string_equal(wht_str(up->json, "created_at"), created_at);
    assert_true(wht_rfc3339_ms(wht_str(up->json, "updated_at")) >= wht_rfc3339_ms(created_at));

    /* one row, as the list shows it */
    json_t *mine = all(u.token, wht_fmt("?venture_id=%lld", f->a.id));
    assert_int_equal(json_array_size(mine), 1);
    WHT_JSON_EQUAL(json_array_get(mine, 0), up->json);

    /* the same day in another venture is another report */
    long long b_id = 0;
    wht_set_ventures(u.id, 2, (long long[]){f->a.id, f->b.id});
    b_id = file(&u, f->b.id, today);
    assert_true(b_id != id);

    /* audit: create then update (with before and after), then the other create */
    json_t *log = wht_audit_since(audit0);
    json_t *entries = wht_keep_json(json_array());
    size_t i;
    json_t *en;
    json_array_foreach(log, i, en) if (strncmp(wht_str(en, "action"), "eod_report.", 11) == 0)
        json_array_append(entries, en);
    assert_int_equal(json_array_size(entries), 3);
    json_t *upd = json_array_get(entries, 1), *crt = json_array_get(entries, 2);
    assert_string_equal(wht_str(crt, "action"), "eod_report.create");
    assert_string_equal(wht_str(crt, "entity"), "eod_report");
    assert_int_equal(wht_int(crt, "entity_id"), id);
    assert_int_equal(wht_int(crt, "venture_id"), f->a.id);
    assert_int_equal(wht_int(crt, "actor_id"), u.id);
    assert_true(json_is_null(json_object_get(crt, "before")));
    WHT_JSON_EQUAL(json_object_get(crt, "after"), c->json);
    assert_string_equal(wht_str(upd, "action"), "eod_report.update");
    WHT_JSON_EQUAL(json_object_get(upd, "before"), c->json);
    WHT_JSON_EQUAL(json_object_get(upd, "after"), up->json);
    assert_int_equal(wht_int(json_array_get(entries, 0), "entity_id"), b_id);
}

static void test_hours_keep_hundredths_and_render_as_numbers(void **state)
{
    (void)state;
    const fixture *f = fx();
    wht_user u = member("CONTRACTOR", 1, &f->a.id);
    struct {
        const char *sent, *shown;
    } cases[] = {{"7.33", "7.33"}, {"8", "8"},       {"0", "0"},         {"24", "24"},
                 {"24.0", "24"},   {"0.01", "0.01"}, {"7.3333", "7.33"}, {"7.336", "7.34"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wht_context("hours_worked %s", cases[i].sent);
        const char *body = wht_fmt("{\"summary\":\"s\",\"hours_worked\":%s}", cases[i].sent);
        wht_resp *r = wht_send_raw("PUT", u.token, report_path(f->a.id, day_back((int)i)), NULL,
                                   body, strlen(body));
        WHT_EXPECT(r, 201);
        assert_non_null(strstr(r->body, wht_fmt("\"hours_worked\":%s,", cases[i].shown)));
    }
}

static void test_date_window(void **state)
{
    (void)state;
    const fixture *f = fx();
    wht_user u = member("DISPATCHER", 1, &f->a.id);
    file(&u, f->a.id, day_back(0));
    file(&u, f->a.id, day_back(14));
    file(&u, f->a.id, day_back(7));
    json_t *before = all(u.token, "");
    assert_int_equal(json_array_size(before), 3);
    long long audit0 = wht_audit_head();

    const char *bad[] = {day_back(15), day_back(-1), day_back(-30), day_back(400),
                         "2026-02-30", "2026-2-03",  "today",       "20260203"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        wht_context("date %s", bad[i]);
        wht_resp *r = put_report(u.token, f->a.id, bad[i], wht_json("{s:s}", "summary", "late"));
        WHT_PROBLEM(r, 400, "validation_failed", "date");
    }
    WHT_JSON_EQUAL(all(u.token, ""), before);
    assert_int_equal(wht_audit_head(), audit0);

    /* an update of a day that is still in the window works; the window is for filing */
    WHT_EXPECT(put_report(u.token, f->a.id, day_back(14), wht_json("{s:s}", "summary", "edit")),
               200);
}

static void test_auditor_may_not_write(void **state)
{
    (void)state;
    const fixture *f = fx();
    wht_user aud = wht_user_new("AUDITOR");
    wht_resp *r = put_report(aud.token, f->a.id, day_back(0), wht_json("{s:s}", "summary", "x"));
    WHT_PROBLEM(r, 403, "forbidden", NULL);
    /* refused before anything else: a missing venture or a bad body is still 403 */
    WHT_PROBLEM(put_report(aud.token, MISSING_ID, "bad", wht_json("{}")), 403, "forbidden", NULL);
    assert_int_equal(json_array_size(all(wht_admin_token(), wht_fmt("?user_id=%lld", aud.id))), 0);
}

static void test_every_other_role_may_write(void **state)
{
    (void)state;
    const fixture *f = fx();
    const char *roles[] = {"CEO",       "ADMIN",    "COO",        "VENTURE_HEAD", "OFFICE_MANAGER",
                           "TEAM_LEAD", "EMPLOYEE", "CONTRACTOR", "FINANCE",      "HR_ADMIN",
                           "TEST_USER", "CSR",      "DISPATCHER", "CARRIER_TEAM", "ACCOUNTING"};
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        wht_context("role %s", roles[i]);
        wht_user u = member(roles[i], 1, &f->b.id);
        file(&u, f->b.id, day_back(1));
        json_t *mine = all(u.token, wht_fmt("?user_id=%lld", u.id));
        assert_int_equal(json_array_size(mine), 1);
        assert_only(mine, f->b.id, u.id);
    }
}

static void test_path_venture_outside_scope_is_404(void **state)
{
    (void)state;
    const fixture *f = fx();
    const char *today = day_back(0);
    wht_resp *missing =
        put_report(f->emp.token, MISSING_ID, today, wht_json("{s:s}", "summary", "x"));
    WHT_PROBLEM(missing, 404, "not_found", NULL);
    wht_resp *foreign =
        put_report(f->emp.token, f->foreign.id, today, wht_json("{s:s}", "summary", "x"));
    WHT_PROBLEM(foreign, 404, "not_found", NULL);
    WHT_JSON_EQUAL(wht_problem_shape(foreign->json, wht_fmt("%lld", f->foreign.id)),
                   wht_problem_shape(missing->json, wht_fmt("%lld", MISSING_ID)));
    const char *bad_ids[] = {"0", "-1", "abc", "1.5"};
    for (size_t i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; i++)
        WHT_PROBLEM(wht_put(f->emp.token, wht_fmt("/eod-reports/%s/%s", bad_ids[i], today),
                            wht_json("{s:s}", "summary", "x")),
                    404, "not_found", NULL);
    /* no membership at all: nothing may be filed anywhere */
    wht_user none = wht_user_new("EMPLOYEE");
    WHT_PROBLEM(put_report(none.token, f->a.id, today, wht_json("{s:s}", "summary", "x")), 404,
                "not_found", NULL);
    assert_empty_list(wht_get(none.token, "/eod-reports"));
    assert_empty_list(wht_get(none.token, wht_fmt("/eod-reports?user_id=%lld", none.id)));
}

static void test_lists_never_show_foreign_rows(void **state)
{
    (void)state;
    const fixture *f = fx();
    const char *d = day_back(2);
    long long emp_a = file(&f->emp, f->a.id, d);
    long long emp_b = file(&f->emp, f->b.id, d);
    long long emp2_a = file(&f->emp2, f->a.id, d);
    long long out_f = file(&f->outsider, f->foreign.id, d);

    /* a venture_id filter outside the scope is 403 */
    WHT_PROBLEM(wht_get(f->emp.token, wht_fmt("/eod-reports?venture_id=%lld", f->foreign.id)), 403,
                "forbidden", NULL);
    WHT_PROBLEM(wht_get(f->lead.token, wht_fmt("/eod-reports?venture_id=%lld", f->b.id)), 403,
                "forbidden", NULL);
    WHT_PROBLEM(wht_get(f->lead.token, wht_fmt("/eod-reports?venture_id=%lld", MISSING_ID)), 403,
                "forbidden", NULL);

    /* the team lead of a sees a's reports of everyone, never b's or the foreign venture's */
    json_t *lead = all(f->lead.token, "");
    assert_true(has_id(lead, emp_a) && has_id(lead, emp2_a));
    assert_false(has_id(lead, emp_b) || has_id(lead, out_f));
    assert_only(lead, f->a.id, 0);
    /* asking for emp's reports does not widen it to b */
    json_t *lead_emp = all(f->lead.token, wht_fmt("?user_id=%lld", f->emp.id));
    assert_true(has_id(lead_emp, emp_a));
    assert_false(has_id(lead_emp, emp_b));
    assert_only(lead_emp, f->a.id, f->emp.id);
    /* and asking for the outsider's gives nothing (their venture is not the lead's) */
    assert_int_equal(json_array_size(all(f->lead.token, wht_fmt("?user_id=%lld", f->outsider.id))),
                     0);

    /* the venture head of b sees b only */
    json_t *head = all(f->head_b.token, "");
    assert_true(has_id(head, emp_b));
    assert_false(has_id(head, emp_a) || has_id(head, emp2_a) || has_id(head, out_f));
    assert_only(head, f->b.id, 0);

    /* the outsider sees only their own */
    json_t *out = all(f->outsider.token, "");
    assert_true(has_id(out, out_f));
    assert_only(out, f->foreign.id, f->outsider.id);

    /* the CEO sees everything */
    json_t *ceo = all(wht_admin_token(), "");
    assert_true(has_id(ceo, emp_a) && has_id(ceo, emp_b) && has_id(ceo, emp2_a) &&
                has_id(ceo, out_f));

    /* leaving a venture hides its reports, even one's own */
    wht_user leaver = member("EMPLOYEE", 1, &f->a.id);
    long long gone = file(&leaver, f->a.id, d);
    wht_set_ventures(leaver.id, 1, &f->b.id);
    assert_false(has_id(all(leaver.token, ""), gone));
    WHT_PROBLEM(wht_get(leaver.token, wht_fmt("/eod-reports?venture_id=%lld", f->a.id)), 403,
                "forbidden", NULL);
}

static void test_other_users_reports_by_role(void **state)
{
    (void)state;
    const fixture *f = fx();
    const char *d = day_back(3);
    long long emp_a = file(&f->emp, f->a.id, d);
    long long emp2_a = file(&f->emp2, f->a.id, d);
    const char *q_emp = wht_fmt("?user_id=%lld", f->emp.id);

    /* everyone reads their own, with or without naming themselves */
    json_t *own = all(f->emp2.token, "");
    assert_true(has_id(own, emp2_a));
    assert_false(has_id(own, emp_a));
    assert_only(own, 0, f->emp2.id);
    WHT_JSON_EQUAL(ids_of(all(f->emp2.token, wht_fmt("?user_id=%lld", f->emp2.id))), ids_of(own));

    /* readers of the team: leadership, OFFICE_MANAGER, TEAM_LEAD */
    assert_true(has_id(all(f->lead.token, q_emp), emp_a));
    assert_true(has_id(all(f->manager.token, q_emp), emp_a));
    wht_user head_a = member("VENTURE_HEAD", 1, &f->a.id);
    assert_true(has_id(all(head_a.token, q_emp), emp_a));
    const char *leaders[] = {"CEO", "ADMIN", "COO"};
    for (size_t i = 0; i < 3; i++) {
        wht_user u = wht_user_new(leaders[i]);
        assert_true(has_id(all(u.token, q_emp), emp_a));
    }

    /* anyone else: another user's reports are 403, and a plain list shows only their own */
    const char *others[] = {"EMPLOYEE",  "CONTRACTOR", "AUDITOR",    "FINANCE",      "HR_ADMIN",
                            "TEST_USER", "CSR",        "DISPATCHER", "CARRIER_TEAM", "ACCOUNTING"};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        wht_context("role %s", others[i]);
        wht_user u = member(others[i], 1, &f->a.id);
        WHT_PROBLEM(wht_get(u.token, wht_fmt("/eod-reports%s", q_emp)), 403, "forbidden", NULL);
        WHT_PROBLEM(wht_get(u.token, wht_fmt("/eod-reports?user_id=%lld", MISSING_ID)), 403,
                    "forbidden", NULL);
        assert_empty_list(wht_get(u.token, "/eod-reports"));
        assert_empty_list(wht_get(u.token, wht_fmt("/eod-reports?venture_id=%lld", f->a.id)));
    }
}

static void test_filters(void **state)
{
    (void)state;
    const fixture *f = fx();
    wht_user u = member("EMPLOYEE", 2, (long long[]){f->a.id, f->b.id});
    long long r5 = file(&u, f->a.id, day_back(5));
    long long r4 = file(&u, f->a.id, day_back(4));
    long long r3 = file(&u, f->b.id, day_back(3));
    long long r1 = file(&u, f->a.id, day_back(1));
    const char *me = wht_fmt("user_id=%lld", u.id);

    WHT_ID_SET(all(u.token, ""), "id", 4, ((long long[]){r5, r4, r3, r1}));
    WHT_ID_SET(all(u.token, wht_fmt("?venture_id=%lld", f->a.id)), "id", 3,
               ((long long[]){r5, r4, r1}));
    WHT_ID_SET(all(u.token, wht_fmt("?from=%s&to=%s", day_back(4), day_back(3))), "id", 2,
               ((long long[]){r4, r3}));
    WHT_ID_SET(all(u.token, wht_fmt("?from=%s", day_back(3))), "id", 2, ((long long[]){r3, r1}));
    WHT_ID_SET(all(u.token, wht_fmt("?to=%s", day_back(5))), "id", 1, ((long long[]){r5}));
    WHT_ID_SET(
        all(wht_admin_token(), wht_fmt("?%s&venture_id=%lld&from=%s", me, f->a.id, day_back(4))),
        "id", 2, ((long long[]){r4, r1}));
    assert_int_equal(
        json_array_size(all(u.token, wht_fmt("?from=%s&to=%s", day_back(1), day_back(5)))), 0);

    /* newest first by date */
    json_t *items = all(u.token, "");
    long long order[] = {r1, r3, r4, r5};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(wht_int(json_array_get(items, i), "id"), order[i]);

    const char *bad[][2] = {{"from", "2026-02-30"}, {"to", "yesterday"}, {"venture_id", "x"},
                            {"user_id", "-3"},      {"limit", "0"},      {"limit", "201"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        wht_context("%s=%s", bad[i][0], bad[i][1]);
        WHT_PROBLEM(wht_get(u.token, wht_fmt("/eod-reports?%s=%s", bad[i][0], bad[i][1])), 400,
                    "validation_failed", bad[i][0]);
    }
    WHT_PROBLEM(wht_get(u.token, "/eod-reports?cursor=bogus"), 400, "invalid_cursor", NULL);
    wht_resp *ven = wht_get(wht_admin_token(), "/ventures?limit=1");
    WHT_EXPECT(ven, 200);
    const char *foreign_cursor = json_string_value(json_object_get(ven->json, "next_cursor"));
    if (foreign_cursor)
        WHT_PROBLEM(wht_get(u.token, wht_fmt("/eod-reports?cursor=%s", foreign_cursor)), 400,
                    "invalid_cursor", NULL);
}

/* One refused PUT: 400 validation_failed naming field. */
static void refused(const wht_user *u, long long venture, const char *date, const char *body,
                    const char *field)
{
    wht_context("body %.120s", body);
    wht_resp *r =
        wht_send_raw("PUT", u->token, report_path(venture, date), NULL, body, strlen(body));
    WHT_PROBLEM(r, 400, "validation_failed", field);
}

static void test_validation_of_each_field(void **state)
{
    (void)state;
    const fixture *f = fx();
    wht_user u = member("EMPLOYEE", 1, &f->a.id);
    const char *d = day_back(0);
    long long id = file(&u, f->a.id, day_back(1));
    json_t *before = all(u.token, "");
    long long audit0 = wht_audit_head();
    const char *too_long = long_text(10001);
    struct {
        const char *body, *field;
    } cases[] = {
        {"{}", "summary"},
        {"{\"summary\":null}", "summary"},
        {"{\"summary\":\"\"}", "summary"},
        {"{\"summary\":\"  \\n \"}", "summary"},
        {"{\"summary\":5}", "summary"},
        {"{\"summary\":[\"a\"]}", "summary"},
        {wht_fmt("{\"summary\":\"%s\"}", too_long), "summary"},
        {"{\"summary\":\"s\",\"accomplishments\":7}", "accomplishments"},
        {wht_fmt("{\"summary\":\"s\",\"accomplishments\":\"%s\"}", too_long), "accomplishments"},
        {"{\"summary\":\"s\",\"blockers\":true}", "blockers"},
        {wht_fmt("{\"summary\":\"s\",\"blockers\":\"%s\"}", too_long), "blockers"},
        {"{\"summary\":\"s\",\"tomorrow_plan\":{}}", "tomorrow_plan"},
        {wht_fmt("{\"summary\":\"s\",\"tomorrow_plan\":\"%s\"}", too_long), "tomorrow_plan"},
        {"{\"summary\":\"s\",\"hours_worked\":-0.5}", "hours_worked"},
        {"{\"summary\":\"s\",\"hours_worked\":24.01}", "hours_worked"},
        {"{\"summary\":\"s\",\"hours_worked\":25}", "hours_worked"},
        {"{\"summary\":\"s\",\"hours_worked\":\"8\"}", "hours_worked"},
        {"{\"summary\":\"s\",\"hours_worked\":true}", "hours_worked"},
        {"{\"summary\":\"s\",\"date\":\"2026-01-01\"}", "date"},
        {"{\"summary\":\"s\",\"user_id\":1}", "user_id"},
        {"{\"summary\":\"s\",\"venture_id\":1}", "venture_id"},
        {"{\"summary\":\"s\",\"id\":1}", "id"},
        {"{\"summary\":\"s\",\"created_at\":\"2026-01-01T00:00:00Z\"}", "created_at"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        refused(&u, f->a.id, d, cases[i].body, cases[i].field);
    /* the same refusals on an existing report leave it as it was */
    refused(&u, f->a.id, day_back(1), "{\"summary\":\"\"}", "summary");
    refused(&u, f->a.id, day_back(1), "{\"summary\":\"s\",\"hours_worked\":30}", "hours_worked");

    /* every bad field is named in one answer */
    const char *many = "{\"summary\":\"\",\"hours_worked\":99,\"blockers\":1,\"nope\":true}";
    wht_resp *r =
        wht_send_raw("PUT", u.token, report_path(f->a.id, day_back(20)), NULL, many, strlen(many));
    WHT_PROBLEM(r, 400, "validation_failed", NULL);
    const char *fields[] = {"date", "summary", "hours_worked", "blockers", "nope", NULL};
    WHT_STR_SET(json_object_get(r->json, "errors"), "field", fields);

    /* not JSON, or not an object, or another content type */
    WHT_PROBLEM(wht_send_raw("PUT", u.token, report_path(f->a.id, d), NULL, "{\"summary\":", 11),
                400, "invalid_json", NULL);
    WHT_PROBLEM(wht_send_raw("PUT", u.token, report_path(f->a.id, d), NULL, "[1]", 3), 400,
                "validation_failed", NULL);
    WHT_PROBLEM(wht_send_raw("PUT", u.token, report_path(f->a.id, d), "text/plain",
                             "{\"summary\":\"s\"}", 15),
                415, "unsupported_media_type", NULL);

    /* nothing changed */
    WHT_JSON_EQUAL(all(u.token, ""), before);
    assert_int_equal(wht_audit_head(), audit0);
    assert_int_equal(wht_int(json_array_get(before, 0), "id"), id);

    /* the limits themselves are accepted, and null optional fields too */
    const char *edge = long_text(10000);
    wht_resp *ok =
        put_report(u.token, f->a.id, d,
                   wht_json("{s:s, s:s, s:s, s:s, s:i}", "summary", edge, "accomplishments", edge,
                            "blockers", "", "tomorrow_plan", edge, "hours_worked", 24));
    WHT_EXPECT(ok, 201);
    assert_int_equal(strlen(wht_str(ok->json, "summary")), 10000);
    assert_string_equal(wht_str(ok->json, "blockers"), "");
    wht_resp *nulls =
        put_report(u.token, f->a.id, d,
                   wht_json("{s:s, s:n, s:n, s:n, s:n}", "summary", "é 漢字", "accomplishments",
                            "blockers", "tomorrow_plan", "hours_worked"));
    WHT_EXPECT(nulls, 200);
    assert_string_equal(wht_str(nulls->json, "summary"), "é 漢字");
    assert_true(json_is_null(json_object_get(nulls->json, "accomplishments")));
    assert_true(json_is_null(json_object_get(nulls->json, "hours_worked")));
}

static void test_a_full_week_is_accepted(void **state)
{
    (void)state;
    const fixture *f = fx();
    /* Monday to Sunday of last week: the 5th report publishes PERFECT_WEEK_EOD (not observable
     * over HTTP yet), the 6th and 7th nothing more; every write succeeds, and re-filing a day
     * is an update. */
    wht_user u = member("TEAM_LEAD", 1, &f->b.id);
    int monday = last_monday_back();
    for (int k = 0; k < 7; k++)
        file(&u, f->b.id, day_back(monday - k));
    WHT_EXPECT(
        put_report(u.token, f->b.id, day_back(monday - 4), wht_json("{s:s}", "summary", "again")),
        200);
    assert_int_equal(json_array_size(all(u.token, wht_fmt("?user_id=%lld", u.id))), 7);
}

static void test_concurrent_puts_make_one_report(void **state)
{
    (void)state;
    const fixture *f = fx();
    enum { N = 16 };
    wht_user u = member("EMPLOYEE", 1, &f->a.id);
    const char *bodies[N];
    long statuses[N];
    for (int i = 0; i < N; i++)
        bodies[i] = wht_fmt("{\"summary\":\"racer %d\"}", i);
    wht_race(N, "PUT", report_path(f->a.id, day_back(6)), u.token, bodies, statuses);
    int created = 0, replaced = 0;
    for (int i = 0; i < N; i++) {
        created += statuses[i] == 201;
        replaced += statuses[i] == 200;
    }
    assert_int_equal(created, 1);
    assert_int_equal(replaced, N - 1);
    assert_int_equal(json_array_size(all(u.token, "")), 1);
}

/* Walks the list as token with limit per page, calling between(page) after each page. */
static json_t *walk(const char *token, const char *query, size_t limit, void (*between)(int))
{
    json_t *out = wht_keep_json(json_array());
    const char *cursor = NULL;
    for (int page = 0;; page++) {
        wht_resp *r = wht_get(
            token, cursor ? wht_fmt("/eod-reports?%s&limit=%zu&cursor=%s", query, limit, cursor)
                          : wht_fmt("/eod-reports?%s&limit=%zu", query, limit));
        WHT_EXPECT(r, 200);
        assert_true(json_array_size(wht_items(r)) <= limit);
        json_array_extend(out, wht_items(r));
        if (!json_is_true(json_object_get(r->json, "has_more"))) {
            assert_true(json_is_null(json_object_get(r->json, "next_cursor")));
            return out;
        }
        assert_int_equal(json_array_size(wht_items(r)), limit);
        cursor = wht_str(r->json, "next_cursor");
        if (between)
            between(page);
    }
}

static wht_user walkers[4];
static long long walk_venture;

/* Between pages: new reports on every date, newer, older and equal to the rows seen so far. */
static void insert_reports(int page)
{
    if (page >= 3)
        return;
    wht_user *u = &walkers[page + 1];
    for (int back = 0; back <= 14; back += 2)
        file(u, walk_venture, day_back(back));
}

static void test_pagination_with_inserts_between_pages(void **state)
{
    (void)state;
    wht_venture v = wht_venture_new("SAAS");
    walk_venture = v.id;
    for (size_t i = 0; i < 4; i++)
        walkers[i] = member("EMPLOYEE", 1, &v.id);
    /* 15 reports of one user, and 3 of another on the same dates: ties on date break by id */
    for (int back = 0; back <= 14; back++)
        file(&walkers[0], v.id, day_back(back));
    const char *q = wht_fmt("venture_id=%lld", v.id);

    json_t *before = all(wht_admin_token(), wht_fmt("?%s", q));
    assert_int_equal(json_array_size(before), 15);
    json_t *walked = walk(wht_admin_token(), q, 4, insert_reports);

    /* no row twice; every row present before the walk is there, in the same order */
    json_t *seen = ids_of(walked);
    for (size_t i = 0; i < json_array_size(seen); i++)
        for (size_t k = i + 1; k < json_array_size(seen); k++)
            assert_true(json_integer_value(json_array_get(seen, i)) !=
                        json_integer_value(json_array_get(seen, k)));
    json_t *want = ids_of(before);
    size_t w = 0;
    for (size_t i = 0; i < json_array_size(seen) && w < json_array_size(want); i++)
        if (json_integer_value(json_array_get(seen, i)) ==
            json_integer_value(json_array_get(want, w)))
            w++;
    assert_int_equal(w, json_array_size(want));

    /* the walk is ordered newest first by (date, id) */
    for (size_t i = 1; i < json_array_size(walked); i++) {
        json_t *p = json_array_get(walked, i - 1), *c = json_array_get(walked, i);
        int cmp = strcmp(wht_str(p, "date"), wht_str(c, "date"));
        assert_true(cmp > 0 || (cmp == 0 && wht_int(p, "id") > wht_int(c, "id")));
    }

    /* a walk after the inserts sees everything exactly once */
    json_t *after = all(wht_admin_token(), wht_fmt("?%s", q));
    assert_int_equal(json_array_size(after), 15 + 3 * 8);
    WHT_JSON_EQUAL(ids_of(walk(wht_admin_token(), q, 7, NULL)), ids_of(after));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        WHT_TEST(test_put_creates_201_then_replaces_200),
        WHT_TEST(test_hours_keep_hundredths_and_render_as_numbers),
        WHT_TEST(test_date_window),
        WHT_TEST(test_auditor_may_not_write),
        WHT_TEST(test_every_other_role_may_write),
        WHT_TEST(test_path_venture_outside_scope_is_404),
        WHT_TEST(test_lists_never_show_foreign_rows),
        WHT_TEST(test_other_users_reports_by_role),
        WHT_TEST(test_filters),
        WHT_TEST(test_validation_of_each_field),
        WHT_TEST(test_a_full_week_is_accepted),
        WHT_TEST(test_concurrent_puts_make_one_report),
        WHT_TEST(test_pagination_with_inserts_between_pages),
    };
    setenv("TZ", ZONE, 1);
    tzset();
    avoid_midnight();
    wht_init();
    return wht_finish(cmocka_run_group_tests_name("api_eod", tests, NULL, NULL));
}
