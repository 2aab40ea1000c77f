/*
 * Gamification (API.md "Gamification", DOMAIN.md §6), driven through the real triggers of the
 * business APIs: sign-in, call logs, review responses, disputes, EOD reports and loads. Each
 * trigger awards its points exactly once under retries of the same request, Idempotency-Key
 * replays and 16 concurrent requests (libcurl multi); a disabled venture awards nothing; point
 * overrides apply; manual awards answer 201 then 200; the leaderboard ranks ties alike; events,
 * balances and the leaderboard never cross the caller's scope.
 *
 * The server runs with WH_TIMEZONE=UTC so the test knows the business day. The first venture
 * made is a decoy: sign-ins of all-venture roles without memberships are credited to the first
 * active venture, and no assertion looks at it.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

#define CONCURRENT 16
#define MISSING_ID 987654321LL

static wht_server *FAKE;

typedef struct fixture {
    bool ready;
    wht_venture decoy;
    long long carrier; /* an ACTIVE carrier from the fake FMCSA */
} fixture;

static fixture FX;

/* ------------------------------------------------------------------ helpers */

static const fixture *fx(void)
{
    if (FX.ready)
        return &FX;
    FX.decoy = wht_venture_new("TESTING");
    wht_resp *r =
        wht_post(wht_admin_token(), "/carriers", wht_json("{s:s}", "dot_number", "1000001"));
    WHT_EXPECT(r, 201);
    FX.carrier = wht_int(r->json, "id");
    FX.ready = true;
    return &FX;
}

/* The UTC day `back` days before today. */
static const char *day_back(int back)
{
    time_t t = time(NULL) - (time_t)back * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    return wht_fmt("%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* Days back from today to the Monday of the previous week (7..13). */
static int last_monday_back(void)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    return (tm.tm_wday + 6) % 7 + 7;
}

/* Waits until past midnight UTC when it is close, so the test and the server share a today. */
static void avoid_midnight(void)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    int left = 86400 - (tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec);
    if (left < 120)
        wht_sleep_ms((left + 2) * 1000L);
}

/* A user of role in the given ventures (not signed in unless sign_in). */
static wht_user member_of(const char *role, size_t n, const long long *ventures, bool sign_in)
{
    wht_user u = wht_user_add(role);
    if (n)
        wht_set_ventures(u.id, n, ventures);
    if (sign_in)
        snprintf(u.token, sizeof u.token, "%s", wht_login(u.email, u.password));
    return u;
}

/* The user's points in the venture, as the admin reads the balance. */
static long long points_of(long long user, long long venture)
{
    wht_resp *r = wht_get(wht_admin_token(), wht_fmt("/gamification/balance?user_id=%lld", user));
    WHT_EXPECT(r, 200);
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(r->json, "ventures"), i, v)
    {
        if (wht_int(v, "venture_id") == venture)
            return wht_int(v, "points");
    }
    return 0;
}

/* Events of type for the user in the venture (admin view). */
static json_t *events_of(long long user, long long venture, const char *type)
{
    json_t *all = wht_list_all(
        wht_admin_token(),
        wht_fmt("/gamification/events?venture_id=%lld&user_id=%lld", venture, user), 200);
    json_t *out = wht_keep_json(json_array());
    size_t i;
    json_t *v;
    json_array_foreach(all, i, v)
    {
        if (!type || strcmp(wht_str(v, "event_type"), type) == 0)
            json_array_append(out, v);
    }
    return out;
}

static void expect_events(long long user, long long venture, const char *type, size_t n,
                          long long points)
{
    json_t *ev = events_of(user, venture, type);
    assert_int_equal(json_array_size(ev), n);
    assert_int_equal(points_of(user, venture), points);
}

static wht_resp *post_keyed(const char *token, const char *path, const char *key, json_t *body)
{
    const char *text = wht_dump(body);
    json_decref(body);
    const char *headers[] = {wht_fmt("Idempotency-Key: %s", key), NULL};
    wht_request req = {.method = "POST",
                       .path = wht_fmt("/api/v1%s", path),
                       .token = token,
                       .headers = headers,
                       .body = text,
                       .body_len = strlen(text)};
    return wht_do(&req);
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return size * n;
}

/* CONCURRENT identical requests in flight at once; statuses[i] receives each answer's status.
 * key: an Idempotency-Key header shared by all, or NULL. token NULL: no Authorization. */
static void fire(const char *method, const char *path, const char *token, const char *key,
                 json_t *body, long *statuses)
{
    const char *text = wht_dump(body);
    json_decref(body);
    const char *url = wht_fmt("%s/api/v1%s", wht_server_base(wht_main_server()), path);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    CURL *easy[CONCURRENT];
    CURLM *multi = curl_multi_init();
    int running = 0;
    if (token)
        h = curl_slist_append(h, wht_fmt("Authorization: Bearer %s", token));
    if (key)
        h = curl_slist_append(h, wht_fmt("Idempotency-Key: %s", key));
    for (int i = 0; i < CONCURRENT; i++) {
        easy[i] = curl_easy_init();
        curl_easy_setopt(easy[i], CURLOPT_URL, url);
        curl_easy_setopt(easy[i], CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(easy[i], CURLOPT_CUSTOMREQUEST, method);
        curl_easy_setopt(easy[i], CURLOPT_POSTFIELDS, text);
        curl_easy_setopt(easy[i], CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(easy[i], CURLOPT_TIMEOUT, 60L);
        curl_multi_add_handle(multi, easy[i]);
    }
    do {
        curl_multi_perform(multi, &running);
        curl_multi_poll(multi, NULL, 0, 100, NULL);
    } while (running > 0);
    for (int i = 0; i < CONCURRENT; i++) {
        statuses[i] = 0;
        curl_easy_getinfo(easy[i], CURLINFO_RESPONSE_CODE, &statuses[i]);
        curl_multi_remove_handle(multi, easy[i]);
        curl_easy_cleanup(easy[i]);
    }
    curl_multi_cleanup(multi);
    curl_slist_free_all(h);
}

static int count_status(const long *statuses, long status)
{
    int n = 0;
    for (int i = 0; i < CONCURRENT; i++)
        n += statuses[i] == status;
    return n;
}

static wht_resp *put_config(const char *token, long long venture, json_t *body)
{
    return wht_put(token, wht_fmt("/gamification/config/%lld", venture), body);
}

static void disable(long long venture)
{
    wht_resp *r =
        put_config(wht_admin_token(), venture, wht_json("{s:b, s:{}}", "enabled", 0, "points"));
    assert_true(r->status == 200 || r->status == 201);
}

static wht_resp *award(const char *token, long long user, long long venture, const char *type,
                       long long points, const char *key)
{
    json_t *b = wht_json("{s:I, s:I, s:s, s:s}", "user_id", (json_int_t)user, "venture_id",
                         (json_int_t)venture, "event_type", type, "idempotency_key", key);
    if (points >= 0)
        json_object_set_new(b, "points", json_integer(points));
    return wht_post(token, "/gamification/awards", b);
}

/* ------------------------------------------------------------------ triggers */

static void test_first_daily_login_once(void **state)
{
    (void)state;
    avoid_midnight();
    fx();
    wht_venture v = wht_venture_new("BPO");
    wht_user u = member_of("EMPLOYEE", 1, &v.id, false);
    wht_login(u.email, u.password);
    wht_login(u.email, u.password);
    expect_events(u.id, v.id, "FIRST_DAILY_LOGIN", 1, 1);
    json_t *ev = json_array_get(events_of(u.id, v.id, NULL), 0);
    assert_string_equal(wht_str(ev, "idempotency_key"),
                        wht_fmt("first_login:%lld:%s", u.id, day_back(0)));
    assert_true(json_is_null(json_object_get(ev, "office_id")));
    assert_true(wht_is_rfc3339_ms_utc(wht_str(ev, "created_at")));

    /* 16 sign-ins at once: still one point */
    wht_user w = member_of("EMPLOYEE", 1, &v.id, false);
    long st[CONCURRENT];
    fire("POST", "/auth/login", NULL, NULL,
         wht_json("{s:s, s:s}", "email", w.email, "password", w.password), st);
    assert_int_equal(count_status(st, 200), CONCURRENT);
    expect_events(w.id, v.id, "FIRST_DAILY_LOGIN", 1, 1);

    /* no venture: nothing, and the sign-in still works */
    wht_user lone = member_of("EMPLOYEE", 0, NULL, true);
    wht_resp *b = wht_get(lone.token, "/gamification/balance");
    WHT_EXPECT(b, 200);
    assert_int_equal(wht_int(b->json, "total_points"), 0);
    assert_int_equal(json_array_size(json_object_get(b->json, "ventures")), 0);
}

typedef struct bpo {
    wht_venture v;
    wht_user agent_user;
    long long agent;
} bpo;

static bpo bpo_new(void)
{
    bpo b;
    b.v = wht_venture_new("BPO");
    b.agent_user = member_of("EMPLOYEE", 1, &b.v.id, true);
    wht_resp *r = wht_post(wht_admin_token(), "/bpo/agents",
                           wht_json("{s:I, s:I}", "user_id", (json_int_t)b.agent_user.id,
                                    "venture_id", (json_int_t)b.v.id));
    WHT_EXPECT(r, 201);
    b.agent = wht_int(r->json, "id");
    return b;
}

static json_t *call_body(const bpo *b, bool ended, int minute)
{
    json_t *j =
        wht_json("{s:I, s:I, s:s}", "agent_id", (json_int_t)b->agent, "venture_id",
                 (json_int_t)b->v.id, "started_at", wht_fmt("%sT10:%02d:00Z", day_back(1), minute));
    if (ended)
        json_object_set_new(j, "ended_at",
                            json_string(wht_fmt("%sT10:%02d:30Z", day_back(1), minute)));
    return j;
}

static void test_bpo_call_completed(void **state)
{
    (void)state;
    fx();
    bpo b = bpo_new();
    long long login = points_of(b.agent_user.id, b.v.id); /* the sign-in's point */
    wht_resp *r = wht_post(b.agent_user.token, "/bpo/call-logs", call_body(&b, false, 1));
    WHT_EXPECT(r, 201);
    expect_events(b.agent_user.id, b.v.id, "BPO_CALL_COMPLETED", 0, login);
    r = wht_post(b.agent_user.token, "/bpo/call-logs", call_body(&b, true, 2));
    WHT_EXPECT(r, 201);
    expect_events(b.agent_user.id, b.v.id, "BPO_CALL_COMPLETED", 1, login + 3);
    json_t *ev = json_array_get(events_of(b.agent_user.id, b.v.id, "BPO_CALL_COMPLETED"), 0);
    assert_string_equal(wht_str(ev, "idempotency_key"),
                        wht_fmt("bpo_call:%lld", wht_int(r->json, "id")));
    assert_int_equal(wht_int(ev, "points"), 3);

    /* an Idempotency-Key replay saves one call and awards once */
    const char *key = wht_unique("call");
    WHT_EXPECT(post_keyed(b.agent_user.token, "/bpo/call-logs", key, call_body(&b, true, 3)), 201);
    wht_resp *again = post_keyed(b.agent_user.token, "/bpo/call-logs", key, call_body(&b, true, 3));
    WHT_EXPECT(again, 201);
    assert_string_equal(wht_header(again, "Idempotent-Replayed"), "true");
    expect_events(b.agent_user.id, b.v.id, "BPO_CALL_COMPLETED", 2, login + 6);

    /* 16 at once with one key: one call, one award */
    long st[CONCURRENT];
    fire("POST", "/bpo/call-logs", b.agent_user.token, wht_unique("conc"), call_body(&b, true, 4),
         st);
    assert_int_equal(count_status(st, 201), CONCURRENT);
    expect_events(b.agent_user.id, b.v.id, "BPO_CALL_COMPLETED", 3, login + 9);
}

typedef struct hotel {
    wht_venture v;
    wht_user manager, owner;
    long long hotel;
} hotel;

static hotel hotel_new(void)
{
    hotel h;
    h.v = wht_venture_new("HOSPITALITY");
    h.manager = member_of("OFFICE_MANAGER", 1, &h.v.id, false);
    snprintf(h.manager.token, sizeof h.manager.token, "%s",
             wht_login(h.manager.email, h.manager.password));
    h.owner = member_of("CSR", 1, &h.v.id, false);
    wht_resp *r =
        wht_post(wht_admin_token(), "/hotels",
                 wht_json("{s:I, s:s, s:s, s:i}", "venture_id", (json_int_t)h.v.id, "name",
                          wht_unique("Hotel "), "code", wht_unique_code(), "rooms", 40));
    WHT_EXPECT(r, 201);
    h.hotel = wht_int(r->json, "id");
    return h;
}

static long long review_new(const hotel *h)
{
    wht_resp *r = wht_post(
        wht_admin_token(), wht_fmt("/hotels/%lld/reviews", h->hotel),
        wht_json("{s:s, s:i, s:s}", "source", "GOOGLE", "rating", 5, "review_date", day_back(1)));
    WHT_EXPECT(r, 201);
    return wht_int(r->json, "id");
}

static long long dispute_new(const hotel *h)
{
    wht_resp *r = wht_post(wht_admin_token(), wht_fmt("/hotels/%lld/disputes", h->hotel),
                           wht_json("{s:s, s:i}", "type", "CHARGEBACK", "amount_cents", 9900));
    WHT_EXPECT(r, 201);
    return wht_int(r->json, "id");
}

static void test_hotel_review_responded(void **state)
{
    (void)state;
    fx();
    hotel h = hotel_new();
    long long base = points_of(h.manager.id, h.v.id);
    long long rv = review_new(&h);
    const char *path = wht_fmt("/hotel-reviews/%lld/response", rv);
    WHT_EXPECT(wht_post(h.manager.token, path, wht_json("{s:s}", "response_text", "Thank you!")),
               200);
    WHT_PROBLEM(wht_post(h.manager.token, path, wht_json("{s:s}", "response_text", "Again")), 409,
                "conflict", NULL);
    expect_events(h.manager.id, h.v.id, "HOTEL_REVIEW_RESPONDED", 1, base + 8);

    long long rv2 = review_new(&h);
    long st[CONCURRENT];
    fire("POST", wht_fmt("/hotel-reviews/%lld/response", rv2), h.manager.token, NULL,
         wht_json("{s:s}", "response_text", "Thanks"), st);
    assert_int_equal(count_status(st, 200), 1);
    assert_int_equal(count_status(st, 409), CONCURRENT - 1);
    expect_events(h.manager.id, h.v.id, "HOTEL_REVIEW_RESPONDED", 2, base + 16);
}

static void test_hotel_dispute_resolved_once(void **state)
{
    (void)state;
    fx();
    hotel h = hotel_new();
    long long d = dispute_new(&h);
    const char *path = wht_fmt("/hotel-disputes/%lld", d);
    WHT_EXPECT(wht_patch(h.manager.token, path,
                         wht_json("{s:s, s:I}", "status", "IN_PROGRESS", "owner_id",
                                  (json_int_t)h.owner.id)),
               200);
    expect_events(h.owner.id, h.v.id, "HOTEL_DISPUTE_RESOLVED", 0, 0);
    WHT_EXPECT(wht_patch(h.manager.token, path, wht_json("{s:s}", "status", "WON")), 200);
    WHT_EXPECT(wht_patch(h.manager.token, path, wht_json("{s:s}", "status", "WON")), 200);
    WHT_EXPECT(wht_patch(h.manager.token, path, wht_json("{s:s}", "status", "LOST")), 200);
    expect_events(h.owner.id, h.v.id, "HOTEL_DISPUTE_RESOLVED", 1, 15);
    json_t *ev = json_array_get(events_of(h.owner.id, h.v.id, NULL), 0);
    assert_string_equal(wht_str(ev, "idempotency_key"), wht_fmt("hotel_dispute:%lld", d));

    long long d2 = dispute_new(&h);
    long st[CONCURRENT];
    fire("PATCH", wht_fmt("/hotel-disputes/%lld", d2), h.manager.token, NULL,
         wht_json("{s:s, s:I}", "status", "CLOSED_NO_ACTION", "owner_id", (json_int_t)h.owner.id),
         st);
    assert_int_equal(count_status(st, 200), CONCURRENT);
    expect_events(h.owner.id, h.v.id, "HOTEL_DISPUTE_RESOLVED", 2, 30);
}

static wht_resp *put_eod(const char *token, long long venture, const char *date)
{
    return wht_put(token, wht_fmt("/eod-reports/%lld/%s", venture, date),
                   wht_json("{s:s}", "summary", wht_unique("Did things ")));
}

static void test_eod_submitted_and_perfect_week(void **state)
{
    (void)state;
    avoid_midnight();
    fx();
    wht_venture v = wht_venture_new("SAAS");
    wht_user u = member_of("CONTRACTOR", 1, &v.id, false);
    snprintf(u.token, sizeof u.token, "%s", wht_login(u.email, u.password));
    long long base = points_of(u.id, v.id);
    int monday = last_monday_back();
    for (int i = 0; i < 5; i++)
        WHT_EXPECT(put_eod(u.token, v.id, day_back(monday - i)), 201);
    WHT_EXPECT(put_eod(u.token, v.id, day_back(monday)), 200); /* an update: nothing */
    expect_events(u.id, v.id, "EOD_REPORT_SUBMITTED", 5, base + 50 + 25);
    json_t *pw = events_of(u.id, v.id, "PERFECT_WEEK_EOD");
    assert_int_equal(json_array_size(pw), 1);
    assert_string_equal(wht_str(json_array_get(pw, 0), "idempotency_key"),
                        wht_fmt("perfect_week:%lld:%lld:%s", u.id, v.id, day_back(monday)));
    WHT_EXPECT(put_eod(u.token, v.id, day_back(monday - 5)), 201); /* Saturday: no 2nd week */
    expect_events(u.id, v.id, "PERFECT_WEEK_EOD", 1, base + 60 + 25);

    /* 16 PUTs of one new report at once: one report, one award */
    long st[CONCURRENT];
    fire("PUT", wht_fmt("/eod-reports/%lld/%s", v.id, day_back(0)), u.token, NULL,
         wht_json("{s:s}", "summary", "Concurrent"), st);
    assert_int_equal(count_status(st, 201), 1);
    assert_int_equal(count_status(st, 200), CONCURRENT - 1);
    expect_events(u.id, v.id, "EOD_REPORT_SUBMITTED", 7, base + 70 + 25);
}

typedef struct freight {
    wht_venture v;
    long long office;
    wht_user rep;
} freight;

static freight freight_new(void)
{
    freight f;
    f.v = wht_venture_new("LOGISTICS");
    f.office = wht_office_new(f.v.id);
    f.rep = member_of("DISPATCHER", 1, &f.v.id, false);
    wht_set_offices(f.rep.id, 1, &f.office);
    snprintf(f.rep.token, sizeof f.rep.token, "%s", wht_login(f.rep.email, f.rep.password));
    return f;
}

/* A load of the rep, moved to COVERED with the fixture's carrier. */
static long long covered_load(const freight *f)
{
    wht_resp *r =
        wht_post(f->rep.token, "/loads",
                 wht_json("{s:I, s:I, s:s, s:s, s:s, s:s}", "venture_id", (json_int_t)f->v.id,
                          "office_id", (json_int_t)f->office, "pickup_city", "Columbus",
                          "pickup_state", "OH", "drop_city", "Atlanta", "drop_state", "GA"));
    WHT_EXPECT(r, 201);
    long long id = wht_int(r->json, "id");
    const char *path = wht_fmt("/loads/%lld/status", id);
    WHT_EXPECT(wht_post(wht_admin_token(), path, wht_json("{s:s}", "status", "WORKING")), 200);
    WHT_EXPECT(wht_post(wht_admin_token(), path,
                        wht_json("{s:s, s:I}", "status", "COVERED", "carrier_id",
                                 (json_int_t)fx()->carrier)),
               200);
    return id;
}

static void test_load_completed(void **state)
{
    (void)state;
    fx();
    freight f = freight_new();
    long long base = points_of(f.rep.id, f.v.id);
    long long id = covered_load(&f);
    const char *path = wht_fmt("/loads/%lld/status", id);
    /* delivered by someone else: the points go to created_by */
    WHT_EXPECT(wht_post(wht_admin_token(), path, wht_json("{s:s}", "status", "DELIVERED")), 200);
    WHT_EXPECT(wht_post(wht_admin_token(), path, wht_json("{s:s}", "status", "DELIVERED")), 200);
    expect_events(f.rep.id, f.v.id, "LOAD_COMPLETED", 1, base + 25);
    json_t *ev = json_array_get(events_of(f.rep.id, f.v.id, "LOAD_COMPLETED"), 0);
    assert_int_equal(wht_int(ev, "office_id"), f.office);
    assert_string_equal(wht_str(ev, "idempotency_key"), wht_fmt("load_delivered:%lld", id));
    assert_int_equal(points_of(wht_admin_id(), f.v.id), 0);

    long long id2 = covered_load(&f);
    long st[CONCURRENT];
    fire("POST", wht_fmt("/loads/%lld/status", id2), f.rep.token, NULL,
         wht_json("{s:s}", "status", "DELIVERED"), st);
    assert_int_equal(count_status(st, 200), CONCURRENT);
    expect_events(f.rep.id, f.v.id, "LOAD_COMPLETED", 2, base + 50);

    /* an Idempotency-Key replay of the move */
    long long id3 = covered_load(&f);
    const char *key = wht_unique("deliver");
    path = wht_fmt("/loads/%lld/status", id3);
    WHT_EXPECT(post_keyed(f.rep.token, path, key, wht_json("{s:s}", "status", "DELIVERED")), 200);
    WHT_EXPECT(post_keyed(f.rep.token, path, key, wht_json("{s:s}", "status", "DELIVERED")), 200);
    expect_events(f.rep.id, f.v.id, "LOAD_COMPLETED", 3, base + 75);

    /* the leaderboard by office: only events of that office count */
    wht_resp *lb = wht_get(f.rep.token, wht_fmt("/gamification/leaderboard?venture_id=%lld"
                                                "&office_id=%lld",
                                                f.v.id, f.office));
    WHT_EXPECT(lb, 200);
    assert_int_equal(json_array_size(wht_items(lb)), 1);
    assert_int_equal(wht_int(json_array_get(wht_items(lb), 0), "points"), 75);

    /* a recipient who left the venture gets nothing: the load still completes */
    long long id4 = covered_load(&f);
    wht_set_ventures(f.rep.id, 1, &fx()->decoy.id);
    WHT_EXPECT(wht_post(wht_admin_token(), wht_fmt("/loads/%lld/status", id4),
                        wht_json("{s:s}", "status", "DELIVERED")),
               200);
    expect_events(f.rep.id, f.v.id, "LOAD_COMPLETED", 3, base + 75);
}

/* ------------------------------------------------------------------ configuration */

static void test_config_defaults_put_and_overrides(void **state)
{
    (void)state;
    fx();
    wht_venture v = wht_venture_new("SAAS");
    wht_user u = member_of("EMPLOYEE", 1, &v.id, false);
    snprintf(u.token, sizeof u.token, "%s", wht_login(u.email, u.password));
    wht_resp *r = wht_get(u.token, wht_fmt("/gamification/config?venture_id=%lld", v.id));
    WHT_EXPECT(r, 200);
    WHT_JSON_EQUAL(r->json, wht_keep_json(wht_json(
                                "{s:I, s:b, s:{s:i, s:i, s:i, s:i, s:i, s:i, s:i}}", "venture_id",
                                (json_int_t)v.id, "enabled", 1, "points", "FIRST_DAILY_LOGIN", 1,
                                "BPO_CALL_COMPLETED", 3, "HOTEL_REVIEW_RESPONDED", 8,
                                "HOTEL_DISPUTE_RESOLVED", 15, "PERFECT_WEEK_EOD", 25,
                                "EOD_REPORT_SUBMITTED", 10, "LOAD_COMPLETED", 25)));

    /* permissions and scope */
    WHT_PROBLEM(put_config(u.token, v.id, wht_json("{s:b, s:{}}", "enabled", 1, "points")), 403,
                "forbidden", NULL);
    WHT_PROBLEM(
        put_config(wht_admin_token(), MISSING_ID, wht_json("{s:b, s:{}}", "enabled", 1, "points")),
        404, "not_found", NULL);
    WHT_PROBLEM(wht_get(u.token, wht_fmt("/gamification/config?venture_id=%lld", fx()->decoy.id)),
                403, "forbidden", NULL);
    WHT_PROBLEM(wht_get(u.token, "/gamification/config"), 400, "validation_failed", "venture_id");

    /* validation: nothing changes */
    long long head = wht_audit_head();
    WHT_PROBLEM(put_config(wht_admin_token(), v.id,
                           wht_json("{s:b, s:{s:i}}", "enabled", 1, "points", "lower", 3)),
                400, "validation_failed", "points.lower");
    WHT_PROBLEM(
        put_config(wht_admin_token(), v.id,
                   wht_json("{s:b, s:{s:i}}", "enabled", 1, "points", "LOAD_COMPLETED", -1)),
        400, "validation_failed", "points.LOAD_COMPLETED");
    WHT_PROBLEM(put_config(wht_admin_token(), v.id, wht_json("{s:{}}", "points")), 400,
                "validation_failed", "enabled");
    WHT_PROBLEM(put_config(wht_admin_token(), v.id, wht_json("{s:b}", "enabled", 1)), 400,
                "validation_failed", "points");
    WHT_PROBLEM(put_config(wht_admin_token(), v.id,
                           wht_json("{s:b, s:{}, s:i}", "enabled", 1, "points", "extra", 1)),
                400, "validation_failed", "extra");
    assert_int_equal(json_array_size(wht_audit_since(head)), 0);

    /* 201 then 200; the override applies to the next trigger */
    r = put_config(wht_admin_token(), v.id,
                   wht_json("{s:b, s:{s:i, s:i}}", "enabled", 1, "points", "EOD_REPORT_SUBMITTED",
                            7, "MANUAL_BONUS", 4));
    WHT_EXPECT(r, 201);
    assert_int_equal(wht_int(json_object_get(r->json, "points"), "EOD_REPORT_SUBMITTED"), 7);
    assert_int_equal(wht_int(json_object_get(r->json, "points"), "MANUAL_BONUS"), 4);
    assert_int_equal(wht_int(json_object_get(r->json, "points"), "LOAD_COMPLETED"), 25);
    json_t *audit = wht_audit_since(head);
    assert_int_equal(json_array_size(audit), 1);
    assert_string_equal(wht_str(json_array_get(audit, 0), "action"), "gamification_config.update");
    long long base = points_of(u.id, v.id);
    WHT_EXPECT(put_eod(u.token, v.id, day_back(0)), 201);
    expect_events(u.id, v.id, "EOD_REPORT_SUBMITTED", 1, base + 7);
    /* a custom type's override is its default for manual awards */
    r = award(wht_admin_token(), u.id, v.id, "MANUAL_BONUS", -1, wht_unique("k"));
    WHT_EXPECT(r, 201);
    assert_int_equal(wht_int(r->json, "points"), 4);

    r = put_config(wht_admin_token(), v.id, wht_json("{s:b, s:{}}", "enabled", 1, "points"));
    WHT_EXPECT(r, 200);
    assert_int_equal(wht_int(json_object_get(r->json, "points"), "EOD_REPORT_SUBMITTED"), 10);
    assert_null(json_object_get(json_object_get(r->json, "points"), "MANUAL_BONUS"));
}

static void test_disabled_awards_nothing(void **state)
{
    (void)state;
    avoid_midnight();
    fx();
    wht_venture v = wht_venture_new("SAAS");
    wht_user u = member_of("EMPLOYEE", 1, &v.id, false);
    disable(v.id);
    snprintf(u.token, sizeof u.token, "%s", wht_login(u.email, u.password));
    WHT_EXPECT(put_eod(u.token, v.id, day_back(0)), 201);
    expect_events(u.id, v.id, NULL, 0, 0);
    wht_resp *r = wht_get(u.token, wht_fmt("/gamification/config?venture_id=%lld", v.id));
    WHT_EXPECT(r, 200);
    assert_false(json_is_true(json_object_get(r->json, "enabled")));
    WHT_PROBLEM(award(wht_admin_token(), u.id, v.id, "MANUAL_BONUS", 5, wht_unique("k")), 409,
                "conflict", NULL);
    expect_events(u.id, v.id, NULL, 0, 0);
}

/* ------------------------------------------------------------------ manual awards */

static void test_manual_awards(void **state)
{
    (void)state;
    fx();
    wht_venture v = wht_venture_new("HOLDINGS");
    wht_user u = member_of("EMPLOYEE", 1, &v.id, true);
    wht_user stranger = member_of("EMPLOYEE", 1, &fx()->decoy.id, false);
    long long base = points_of(u.id, v.id);
    const char *key = wht_unique("bonus");
    long long head = wht_audit_head();
    wht_resp *first = award(wht_admin_token(), u.id, v.id, "MANUAL_BONUS", 12, key);
    WHT_EXPECT(first, 201);
    assert_int_equal(wht_int(first->json, "points"), 12);
    assert_string_equal(wht_str(first->json, "event_type"), "MANUAL_BONUS");
    assert_string_equal(wht_str(first->json, "idempotency_key"), wht_fmt("manual:%s", key));
    assert_int_equal(wht_int(first->json, "user_id"), u.id);
    assert_int_equal(wht_int(first->json, "venture_id"), v.id);
    json_t *audit = wht_audit_since(head);
    assert_int_equal(json_array_size(audit), 1);
    assert_string_equal(wht_str(json_array_get(audit, 0), "action"), "gamification_event.award");
    wht_resp *again = award(wht_admin_token(), u.id, v.id, "MANUAL_BONUS", 12, key);
    WHT_EXPECT(again, 200);
    WHT_JSON_EQUAL(again->json, first->json);
    assert_int_equal(points_of(u.id, v.id), base + 12);
    /* a built-in type without points gets its default */
    wht_resp *d = award(wht_admin_token(), u.id, v.id, "LOAD_COMPLETED", -1, wht_unique("k"));
    WHT_EXPECT(d, 201);
    assert_int_equal(wht_int(d->json, "points"), 25);
    assert_int_equal(points_of(u.id, v.id), base + 37);

    /* refusals change nothing */
    head = wht_audit_head();
    WHT_PROBLEM(award(u.token, u.id, v.id, "MANUAL_BONUS", 5, wht_unique("k")), 403, "forbidden",
                NULL);
    WHT_PROBLEM(award(wht_admin_token(), u.id, v.id, "CUSTOM_THING", -1, wht_unique("k")), 400,
                "validation_failed", "points");
    WHT_PROBLEM(award(wht_admin_token(), stranger.id, v.id, "MANUAL_BONUS", 5, wht_unique("k")),
                400, "validation_failed", "user_id");
    WHT_PROBLEM(award(wht_admin_token(), u.id, MISSING_ID, "MANUAL_BONUS", 5, wht_unique("k")), 403,
                "forbidden", NULL);
    WHT_PROBLEM(award(wht_admin_token(), u.id, v.id, "lower_case", 5, wht_unique("k")), 400,
                "validation_failed", "event_type");
    WHT_PROBLEM(award(wht_admin_token(), u.id, v.id, "MANUAL_BONUS", 5, ""), 400,
                "validation_failed", "idempotency_key");
    WHT_PROBLEM(award(wht_admin_token(), u.id, v.id, "MANUAL_BONUS", 2000000, wht_unique("k")), 400,
                "validation_failed", "points");
    WHT_PROBLEM(
        wht_post(wht_admin_token(), "/gamification/awards",
                 wht_json("{s:I, s:I, s:s, s:s, s:i}", "user_id", (json_int_t)u.id, "venture_id",
                          (json_int_t)v.id, "event_type", "X", "idempotency_key", "k", "bogus", 1)),
        400, "validation_failed", "bogus");
    WHT_PROBLEM(wht_post(wht_admin_token(), "/gamification/awards", wht_json("{}")), 400,
                "validation_failed", NULL);
    assert_int_equal(json_array_size(wht_audit_since(head)), 0);
    assert_int_equal(points_of(u.id, v.id), base + 37);
    assert_int_equal(points_of(stranger.id, v.id), 0);

    /* 16 awards with one key at once: one event */
    long st[CONCURRENT];
    fire("POST", "/gamification/awards", wht_admin_token(), NULL,
         wht_json("{s:I, s:I, s:s, s:i, s:s}", "user_id", (json_int_t)u.id, "venture_id",
                  (json_int_t)v.id, "event_type", "MANUAL_BONUS", "points", 1, "idempotency_key",
                  wht_unique("conc")),
         st);
    assert_int_equal(count_status(st, 201), 1);
    assert_int_equal(count_status(st, 200), CONCURRENT - 1);
    assert_int_equal(points_of(u.id, v.id), base + 38);
}

/* A manual key is stored as "manual:<key>": a manual award with the key a trigger will use
 * (eod:{report}) does not take that trigger's points; a key is one award: reused for another
 * user or event type it is 409 and writes nothing, replayed for the same ones 200. */
static void test_manual_key_namespace(void **state)
{
    (void)state;
    avoid_midnight();
    fx();
    wht_venture v = wht_venture_new("SAAS");
    wht_user u = member_of("CONTRACTOR", 1, &v.id, true);
    wht_user other = member_of("CONTRACTOR", 1, &v.id, false);
    wht_resp *r = put_eod(u.token, v.id, day_back(3));
    WHT_EXPECT(r, 201);
    long long next = wht_int(r->json, "id") + 1;
    /* the ids the next reports will take, claimed by manual awards first */
    for (long long id = next; id < next + 3; id++)
        WHT_EXPECT(
            award(wht_admin_token(), other.id, v.id, "MANUAL_BONUS", 1, wht_fmt("eod:%lld", id)),
            201);
    long long base = points_of(u.id, v.id);
    r = put_eod(u.token, v.id, day_back(2));
    WHT_EXPECT(r, 201);
    long long report = wht_int(r->json, "id");
    assert_true(report >= next && report < next + 3);
    json_t *eod = events_of(u.id, v.id, "EOD_REPORT_SUBMITTED");
    assert_int_equal(json_array_size(eod), 2);
    assert_int_equal(points_of(u.id, v.id), base + 10);
    bool found = false;
    size_t i;
    json_t *ev;
    json_array_foreach(eod, i, ev) found |=
        strcmp(wht_str(ev, "idempotency_key"), wht_fmt("eod:%lld", report)) == 0;
    assert_true(found);

    /* one key, one award */
    const char *key = wht_unique("once");
    wht_resp *first = award(wht_admin_token(), u.id, v.id, "MANUAL_BONUS", 7, key);
    WHT_EXPECT(first, 201);
    long long head = wht_audit_head(), pu = points_of(u.id, v.id), po = points_of(other.id, v.id);
    WHT_PROBLEM(award(wht_admin_token(), other.id, v.id, "MANUAL_BONUS", 7, key), 409, "conflict",
                NULL);
    WHT_PROBLEM(award(wht_admin_token(), u.id, v.id, "OTHER_BONUS", 7, key), 409, "conflict", NULL);
    r = award(wht_admin_token(), u.id, v.id, "MANUAL_BONUS", 99, key);
    WHT_EXPECT(r, 200);
    WHT_JSON_EQUAL(r->json, first->json);
    assert_int_equal(json_array_size(wht_audit_since(head)), 0);
    assert_int_equal(points_of(u.id, v.id), pu);
    assert_int_equal(points_of(other.id, v.id), po);
}

/* ------------------------------------------------------------------ leaderboard */

static void test_leaderboard_ties(void **state)
{
    (void)state;
    fx();
    wht_venture v = wht_venture_new("HOLDINGS");
    long long vs[] = {v.id};
    wht_user a = member_of("EMPLOYEE", 1, vs, false), b = member_of("EMPLOYEE", 1, vs, false),
             c = member_of("EMPLOYEE", 1, vs, false), d = member_of("EMPLOYEE", 1, vs, true);
    WHT_EXPECT(award(wht_admin_token(), a.id, v.id, "MANUAL_BONUS", 10, wht_unique("k")), 201);
    WHT_EXPECT(award(wht_admin_token(), b.id, v.id, "MANUAL_BONUS", 6, wht_unique("k")), 201);
    WHT_EXPECT(award(wht_admin_token(), b.id, v.id, "MANUAL_BONUS", 4, wht_unique("k")), 201);
    WHT_EXPECT(award(wht_admin_token(), c.id, v.id, "MANUAL_BONUS", 5, wht_unique("k")), 201);
    /* d has the sign-in point */
    const char *base = wht_fmt("/gamification/leaderboard?venture_id=%lld", v.id);
    wht_resp *r = wht_get(d.token, base);
    WHT_EXPECT(r, 200);
    json_t *items = wht_items(r);
    assert_int_equal(json_array_size(items), 4);
    long long ranks[] = {1, 1, 3, 4}, pts[] = {10, 10, 5, 1};
    for (size_t i = 0; i < 4; i++) {
        json_t *it = json_array_get(items, i);
        assert_int_equal(wht_int(it, "rank"), ranks[i]);
        assert_int_equal(wht_int(it, "points"), pts[i]);
        assert_true(strlen(wht_str(it, "full_name")) > 0);
    }
    assert_int_equal(wht_int(json_array_get(items, 0), "user_id"), a.id < b.id ? a.id : b.id);
    assert_int_equal(wht_int(json_array_get(items, 2), "user_id"), c.id);
    assert_int_equal(wht_int(json_array_get(items, 3), "user_id"), d.id);

    r = wht_get(d.token, wht_fmt("%s&limit=2", base));
    WHT_EXPECT(r, 200);
    assert_int_equal(json_array_size(wht_items(r)), 2);
    r = wht_get(d.token, wht_fmt("%s&from=%s&to=%s", base, day_back(0), day_back(0)));
    WHT_EXPECT(r, 200);
    assert_int_equal(json_array_size(wht_items(r)), 4);
    r = wht_get(d.token, wht_fmt("%s&from=%s", base, day_back(-1)));
    WHT_EXPECT(r, 200);
    assert_int_equal(json_array_size(wht_items(r)), 0);
    r = wht_get(d.token, wht_fmt("%s&to=%s", base, day_back(1)));
    WHT_EXPECT(r, 200);
    assert_int_equal(json_array_size(wht_items(r)), 0);

    WHT_PROBLEM(wht_get(d.token, "/gamification/leaderboard"), 400, "validation_failed",
                "venture_id");
    WHT_PROBLEM(wht_get(d.token, wht_fmt("%s&limit=0", base)), 400, "validation_failed", "limit");
    WHT_PROBLEM(wht_get(d.token, wht_fmt("%s&from=2026-02-30", base)), 400, "validation_failed",
                "from");
    WHT_PROBLEM(wht_get(d.token, wht_fmt("%s&from=%s&to=%s", base, day_back(0), day_back(1))), 400,
                "validation_failed", "to");
    WHT_PROBLEM(
        wht_get(d.token, wht_fmt("/gamification/leaderboard?venture_id=%lld", fx()->decoy.id)), 403,
        "forbidden", NULL);
    long long office = wht_office_new(fx()->decoy.id);
    WHT_PROBLEM(wht_get(wht_admin_token(), wht_fmt("%s&office_id=%lld", base, office)), 400,
                "validation_failed", "office_id");
    WHT_PROBLEM(wht_get(d.token, wht_fmt("%s&office_id=%lld", base, office)), 403, "forbidden",
                NULL);
}

/* ------------------------------------------------------------------ scope */

static void test_scope_isolation(void **state)
{
    (void)state;
    fx();
    wht_venture va = wht_venture_new("HOLDINGS"), vb = wht_venture_new("HOLDINGS");
    wht_user ua = member_of("VENTURE_HEAD", 1, &va.id, true);
    wht_user ub = member_of("VENTURE_HEAD", 1, &vb.id, true);
    long long both[] = {va.id, vb.id};
    wht_user shared = member_of("EMPLOYEE", 2, both, false);
    WHT_EXPECT(award(wht_admin_token(), shared.id, va.id, "MANUAL_BONUS", 3, wht_unique("k")), 201);
    WHT_EXPECT(award(wht_admin_token(), shared.id, vb.id, "MANUAL_BONUS", 4, wht_unique("k")), 201);

    /* events: never a foreign row; a foreign venture_id is 403 */
    json_t *seen = wht_list_all(ua.token, "/gamification/events", 50);
    size_t i;
    json_t *ev;
    json_array_foreach(seen, i, ev) assert_int_equal(wht_int(ev, "venture_id"), va.id);
    assert_true(json_array_size(seen) >= 2); /* ua's sign-in and shared's award */
    WHT_PROBLEM(wht_get(ua.token, wht_fmt("/gamification/events?venture_id=%lld", vb.id)), 403,
                "forbidden", NULL);
    json_t *of_shared =
        wht_list_all(ua.token, wht_fmt("/gamification/events?user_id=%lld", shared.id), 50);
    assert_int_equal(json_array_size(of_shared), 1);

    /* balance: only ventures in scope; a user sharing nothing is 403 */
    wht_resp *r = wht_get(ua.token, wht_fmt("/gamification/balance?user_id=%lld", shared.id));
    WHT_EXPECT(r, 200);
    WHT_JSON_EQUAL(r->json,
                   wht_keep_json(wht_json("{s:I, s:i, s:[{s:I, s:i}]}", "user_id",
                                          (json_int_t)shared.id, "total_points", 3, "ventures",
                                          "venture_id", (json_int_t)va.id, "points", 3)));
    r = wht_get(wht_admin_token(), wht_fmt("/gamification/balance?user_id=%lld", shared.id));
    WHT_EXPECT(r, 200);
    assert_int_equal(wht_int(r->json, "total_points"), 7);
    WHT_PROBLEM(wht_get(ua.token, wht_fmt("/gamification/balance?user_id=%lld", ub.id)), 403,
                "forbidden", NULL);
    WHT_PROBLEM(wht_get(ua.token, wht_fmt("/gamification/balance?user_id=%lld", MISSING_ID)), 403,
                "forbidden", NULL);
    r = wht_get(ua.token, "/gamification/balance");
    WHT_EXPECT(r, 200);
    assert_int_equal(wht_int(r->json, "user_id"), ua.id);
    assert_int_equal(wht_int(r->json, "total_points"), 1);

    /* leaderboard of the other venture: 403; one's own never lists foreign points */
    WHT_PROBLEM(wht_get(ua.token, wht_fmt("/gamification/leaderboard?venture_id=%lld", vb.id)), 403,
                "forbidden", NULL);
    r = wht_get(ua.token, wht_fmt("/gamification/leaderboard?venture_id=%lld", va.id));
    WHT_EXPECT(r, 200);
    json_t *it;
    json_array_foreach(wht_items(r), i, it)
    {
        if (wht_int(it, "user_id") == shared.id)
            assert_int_equal(wht_int(it, "points"), 3);
        assert_true(wht_int(it, "user_id") != ub.id);
    }

    /* an empty scope: 200 and nothing */
    wht_user none = member_of("EMPLOYEE", 0, NULL, true);
    r = wht_get(none.token, "/gamification/events");
    WHT_EXPECT(r, 200);
    assert_int_equal(json_array_size(wht_items(r)), 0);
    r = wht_get(none.token, wht_fmt("/gamification/balance?user_id=%lld", shared.id));
    WHT_PROBLEM(r, 403, "forbidden", NULL);
    r = wht_get(none.token, "/gamification/balance");
    WHT_EXPECT(r, 200);
    assert_int_equal(wht_int(r->json, "total_points"), 0);

    /* unauthenticated, wrong method */
    WHT_PROBLEM(wht_get(NULL, "/gamification/events"), 401, "unauthenticated", NULL);
    WHT_PROBLEM(wht_get(NULL, "/gamification/balance"), 401, "unauthenticated", NULL);
    WHT_PROBLEM(wht_post(NULL, "/gamification/awards", wht_json("{}")), 401, "unauthenticated",
                NULL);
    WHT_PROBLEM(wht_delete(wht_admin_token(), "/gamification/events"), 405, "method_not_allowed",
                NULL);

    /* bad query values */
    WHT_PROBLEM(wht_get(ua.token, "/gamification/events?venture_id=abc"), 400, "validation_failed",
                "venture_id");
    WHT_PROBLEM(wht_get(ua.token, "/gamification/balance?user_id=0"), 400, "validation_failed",
                "user_id");
    WHT_PROBLEM(wht_get(ua.token, "/gamification/events?cursor=bm90LWEtY3Vyc29y"), 400,
                "invalid_cursor", NULL);
}

/* The own-events rule: an EMPLOYEE lists only its own events (another user_id is 403); a
 * VENTURE_HEAD of the venture lists everyone's there. */
static void test_events_own_only(void **state)
{
    (void)state;
    fx();
    wht_venture v = wht_venture_new("HOLDINGS");
    wht_user e1 = member_of("EMPLOYEE", 1, &v.id, true);
    wht_user e2 = member_of("EMPLOYEE", 1, &v.id, false);
    wht_user head = member_of("VENTURE_HEAD", 1, &v.id, true);
    WHT_EXPECT(award(wht_admin_token(), e1.id, v.id, "MANUAL_BONUS", 2, wht_unique("k")), 201);
    WHT_EXPECT(award(wht_admin_token(), e2.id, v.id, "MANUAL_BONUS", 3, wht_unique("k")), 201);
    WHT_EXPECT(award(wht_admin_token(), e2.id, v.id, "BPO_CALL_COMPLETED", -1, wht_unique("k")),
               201);

    const char *paths[] = {"/gamification/events",
                           wht_fmt("/gamification/events?venture_id=%lld", v.id),
                           wht_fmt("/gamification/events?user_id=%lld", e1.id)};
    for (size_t p = 0; p < 3; p++) {
        json_t *mine = wht_list_all(e1.token, paths[p], 50);
        size_t i;
        json_t *ev;
        assert_true(json_array_size(mine) >= 2); /* the sign-in point and the award */
        json_array_foreach(mine, i, ev) assert_int_equal(wht_int(ev, "user_id"), e1.id);
    }
    WHT_PROBLEM(wht_get(e1.token, wht_fmt("/gamification/events?user_id=%lld", e2.id)), 403,
                "forbidden", NULL);

    json_t *all =
        wht_list_all(head.token, wht_fmt("/gamification/events?venture_id=%lld", v.id), 50);
    size_t n_e1 = 0, n_e2 = 0, i;
    json_t *ev;
    json_array_foreach(all, i, ev)
    {
        assert_int_equal(wht_int(ev, "venture_id"), v.id);
        n_e1 += wht_int(ev, "user_id") == e1.id;
        n_e2 += wht_int(ev, "user_id") == e2.id;
    }
    assert_true(n_e1 >= 2);
    assert_int_equal(n_e2, 2);
    json_t *of_e2 =
        wht_list_all(head.token, wht_fmt("/gamification/events?user_id=%lld", e2.id), 50);
    assert_int_equal(json_array_size(of_e2), 2);
}

static void test_events_pagination_while_awarding(void **state)
{
    (void)state;
    fx();
    wht_venture v = wht_venture_new("HOLDINGS");
    wht_user u = member_of("EMPLOYEE", 1, &v.id, false);
    long long ids[7];
    for (int i = 0; i < 7; i++) {
        wht_resp *r = award(wht_admin_token(), u.id, v.id, "MANUAL_BONUS", 1, wht_unique("p"));
        WHT_EXPECT(r, 201);
        ids[i] = wht_int(r->json, "id");
    }
    const char *base = wht_fmt("/gamification/events?venture_id=%lld&limit=3", v.id);
    const char *cursor = NULL;
    json_t *seen = wht_keep_json(json_array());
    int pages = 0;
    for (;;) {
        wht_resp *r =
            wht_get(wht_admin_token(), cursor ? wht_fmt("%s&cursor=%s", base, cursor) : base);
        WHT_EXPECT(r, 200);
        json_array_extend(seen, wht_items(r));
        pages++;
        WHT_EXPECT(award(wht_admin_token(), u.id, v.id, "MANUAL_BONUS", 1, wht_unique("p")), 201);
        if (!json_is_true(json_object_get(r->json, "has_more")))
            break;
        cursor = wht_str(r->json, "next_cursor");
    }
    assert_int_equal(pages, 3);
    assert_int_equal(json_array_size(seen), 7);
    for (int i = 0; i < 7; i++)
        assert_int_equal(wht_int(json_array_get(seen, (size_t)i), "id"), ids[6 - i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        WHT_TEST(test_first_daily_login_once),
        WHT_TEST(test_bpo_call_completed),
        WHT_TEST(test_hotel_review_responded),
        WHT_TEST(test_hotel_dispute_resolved_once),
        WHT_TEST(test_eod_submitted_and_perfect_week),
        WHT_TEST(test_load_completed),
        WHT_TEST(test_config_defaults_put_and_overrides),
        WHT_TEST(test_disabled_awards_nothing),
        WHT_TEST(test_manual_awards),
        WHT_TEST(test_manual_key_namespace),
        WHT_TEST(test_leaderboard_ties),
        WHT_TEST(test_scope_isolation),
        WHT_TEST(test_events_own_only),
        WHT_TEST(test_events_pagination_while_awarding),
    };
    FAKE = wht_fake_start();
    char fmcsa[160];
    snprintf(fmcsa, sizeof fmcsa, "WH_FMCSA_BASE_URL=%s", wht_server_base(FAKE));
    const char *const env[] = {fmcsa, "WH_FMCSA_WEBKEY=fake-fmcsa-webkey", "WH_TIMEZONE=UTC", NULL};
    wht_init_env(env);
    return wht_finish(cmocka_run_group_tests_name("api_gamification", tests, NULL, NULL));
}
