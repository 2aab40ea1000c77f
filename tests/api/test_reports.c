/*
 * Reports (API-wave2 "Reports", DOMAIN-wave2 §17, docs/reports.md): every report's figures on a
 * hand-computed example (null ratios, rounding half away from zero, the null row, ties), the
 * permission, the scope, the venture's type, the filters of another venture and bad ranges.
 *
 * Loads are made and moved through the API; the dispatcher, the lost reason code and the lost
 * day are set with wht_sql (the load API on this branch does not take them yet).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "harness.h"

#define FROM  "2026-11-01"
#define TO    "2026-11-30"
#define NONE  (-1LL)
#define NUL   INT64_MIN /* an expected null figure */
#define RANGE "&from=" FROM "&to=" TO

static wht_server *FAKE;
static long long CARRIER;

/* ------------------------------------------------------------------ helpers */

static long long carrier(void)
{
    if (!CARRIER)
        CARRIER = wht_carrier_new(FAKE, 3300001);
    return CARRIER;
}

static long long shipper_new(long long venture)
{
    wht_resp *r = wht_post(wht_admin_token(), "/shippers",
                           wht_json("{s:I, s:s, s:s}", "venture_id", (json_int_t)venture, "name",
                                    wht_unique("Shipper "), "code", wht_unique_code()));
    WHT_EXPECT(r, 201);
    return wht_int(r->json, "id");
}

typedef struct {
    long long shipper;
    const char *from, *to;       /* states */
    long long bill, cost, miles; /* NONE: absent */
} load_spec;

static long long load_new(long long venture, const load_spec *s)
{
    json_t *b =
        wht_json("{s:I, s:s, s:s, s:s, s:s}", "venture_id", (json_int_t)venture, "pickup_city",
                 "Columbus", "pickup_state", s->from, "drop_city", "Atlanta", "drop_state", s->to);
    if (s->shipper)
        json_object_set_new(b, "shipper_id", json_integer(s->shipper));
    if (s->bill != NONE)
        json_object_set_new(b, "bill_cents", json_integer(s->bill));
    if (s->cost != NONE)
        json_object_set_new(b, "cost_cents", json_integer(s->cost));
    if (s->miles != NONE)
        json_object_set_new(b, "miles", json_integer(s->miles));
    wht_resp *r = wht_post(wht_admin_token(), "/loads", b);
    WHT_EXPECT(r, 201);
    return wht_int(r->json, "id");
}

static void move(long long load, json_t *body)
{
    WHT_EXPECT(wht_post(wht_admin_token(), wht_fmt("/loads/%lld/status", load), body), 200);
}

/* A load delivered with billing_date day, its dispatcher (0: none) set in SQL. */
static long long delivered(long long venture, const load_spec *s, const char *day,
                           long long dispatcher)
{
    long long id = load_new(venture, s);
    move(id, wht_json("{s:s}", "status", "WORKING"));
    move(id, wht_json("{s:s, s:I}", "status", "COVERED", "carrier_id", (json_int_t)carrier()));
    move(id, wht_json("{s:s, s:s}", "status", "DELIVERED", "billing_date", day));
    wht_sql(wht_fmt("UPDATE loads SET dispatcher_id = %s WHERE id = %lld",
                    dispatcher ? wht_fmt("%lld", dispatcher) : "NULL", id));
    return id;
}

/* A load lost on day with code (NULL: the code the API left). */
static long long lost(long long venture, long long bill, const char *code, const char *day)
{
    load_spec s = {0, "OH", "GA", bill, NONE, NONE};
    long long id = load_new(venture, &s);
    move(id, wht_json("{s:s, s:s}", "status", "LOST", "lost_reason", "went elsewhere"));
    if (code)
        wht_sql(wht_fmt("UPDATE loads SET lost_reason_code = '%s' WHERE id = %lld", code, id));
    wht_sql(wht_fmt("UPDATE load_status_changes SET day = '%s' WHERE load_id = %lld AND"
                    " to_status = 'LOST'",
                    day, id));
    return id;
}

static json_t *report(const char *token, const char *path, long status)
{
    wht_resp *r = wht_get(token, path);
    WHT_EXPECT(r, status);
    return r->json;
}

/* obj[key] is want (NUL: null). */
static void figure(const json_t *obj, const char *key, long long want)
{
    json_t *v = json_object_get(obj, key);
    if (want == NUL ? !json_is_null(v) : (!json_is_integer(v) || json_integer_value(v) != want))
        WHT_FAIL("%s: want %lld, got %s in %s", key, want, v ? wht_dump(v) : "(absent)",
                 wht_dump(obj));
}

/* The figures of a freight P&L row or totals. */
static void pl(const json_t *o, long long loads, long long rev, long long cost, long long bp)
{
    figure(o, "loads", loads);
    figure(o, "revenue_cents", rev);
    figure(o, "cost_cents", cost);
    figure(o, "margin_cents", rev - cost);
    figure(o, "margin_bp", bp);
}

static const json_t *item(const json_t *body, size_t i)
{
    const json_t *items = json_object_get(body, "items");
    if (i >= json_array_size(items))
        WHT_FAIL("no item %zu in %s", i, wht_dump(body));
    return json_array_get(items, i);
}

static void item_count(const json_t *body, size_t n)
{
    if (json_array_size(json_object_get(body, "items")) != n)
        WHT_FAIL("want %zu items: %s", n, wht_dump(body));
}

/* ------------------------------------------------------------------ freight */

typedef struct {
    bool ready;
    wht_venture v;
    long long s1, s2, d1, d2;
} freight_fx;

static freight_fx FF;

/*
 * Venture F, range November 2026. Delivered loads (billing_date):
 *   L1 S1 OH-GA bill 100000 cost 80000  miles 500  D1  11-05
 *   L2 S1 OH-GA bill  50000 cost -      miles 250  D2  11-06
 *   L3 S2 TX-CA bill 150000 cost 160000 miles -    D1  11-07
 *   L4 -  OH-GA bill  20000 cost 19999  miles -    -   11-30
 *   L5 S2 TX-CA bill 999999 cost 1      miles 9    D1  10-31 (outside)
 * plus a covered load (not delivered). Lost: RATE 7000 on 11-10 and 2000 on 11-30, CAPACITY
 * 5000 on 11-11, the API's code (OTHER) with no bill on 11-12, RATE 1000 on 10-20 (outside).
 */
static const freight_fx *freight(void)
{
    if (FF.ready)
        return &FF;
    FF.v = wht_venture_new("LOGISTICS");
    FF.s1 = shipper_new(FF.v.id);
    FF.s2 = shipper_new(FF.v.id);
    FF.d1 = wht_member_new("DISPATCHER", FF.v.id).id;
    FF.d2 = wht_member_new("DISPATCHER", FF.v.id).id;
    const load_spec l1 = {FF.s1, "OH", "GA", 100000, 80000, 500};
    const load_spec l2 = {FF.s1, "OH", "GA", 50000, NONE, 250};
    const load_spec l3 = {FF.s2, "TX", "CA", 150000, 160000, NONE};
    const load_spec l4 = {0, "OH", "GA", 20000, 19999, NONE};
    const load_spec l5 = {FF.s2, "TX", "CA", 999999, 1, 9};
    delivered(FF.v.id, &l1, "2026-11-05", FF.d1);
    delivered(FF.v.id, &l2, "2026-11-06", FF.d2);
    delivered(FF.v.id, &l3, "2026-11-07", FF.d1);
    delivered(FF.v.id, &l4, "2026-11-30", 0);
    delivered(FF.v.id, &l5, "2026-10-31", FF.d1);
    long long open = load_new(FF.v.id, &l1);
    move(open, wht_json("{s:s}", "status", "WORKING"));
    lost(FF.v.id, 7000, "RATE", "2026-11-10");
    lost(FF.v.id, 2000, "RATE", "2026-11-30");
    lost(FF.v.id, 5000, "CAPACITY", "2026-11-11");
    lost(FF.v.id, NONE, NULL, "2026-11-12");
    lost(FF.v.id, 1000, "RATE", "2026-10-20");
    FF.ready = true;
    return &FF;
}

static void test_freight_shippers(void **state)
{
    (void)state;
    const freight_fx *f = freight();
    json_t *b = report(wht_admin_token(),
                       wht_fmt("/reports/freight/shippers?venture_id=%lld" RANGE, f->v.id), 200);
    assert_int_equal(wht_int(b, "venture_id"), f->v.id);
    assert_string_equal(wht_str(b, "from"), FROM);
    assert_string_equal(wht_str(b, "to"), TO);
    item_count(b, 3);
    /* S1 and S2 tie on revenue: shipper id ascending; the no-shipper row last */
    figure(item(b, 0), "shipper_id", f->s1);
    pl(item(b, 0), 2, 150000, 80000, 4667); /* 70000 / 150000 = 4666.67 bp */
    figure(item(b, 1), "shipper_id", f->s2);
    pl(item(b, 1), 1, 150000, 160000, -667); /* -10000 / 150000 = -666.67 bp */
    assert_non_null(wht_str(item(b, 1), "shipper_code"));
    figure(item(b, 2), "shipper_id", NUL);
    figure(item(b, 2), "shipper_code", NUL);
    figure(item(b, 2), "shipper_name", NUL);
    pl(item(b, 2), 1, 20000, 19999, 1); /* 1 / 20000 = 0.5 bp, half away from zero */
    pl(json_object_get(b, "totals"), 4, 320000, 259999, 1875); /* 60001 / 320000 = 1875.03 */
    assert_null(json_object_get(json_object_get(b, "totals"), "shipper_id"));
}

static void test_freight_lanes(void **state)
{
    (void)state;
    const freight_fx *f = freight();
    json_t *b = report(wht_admin_token(),
                       wht_fmt("/reports/freight/lanes?venture_id=%lld" RANGE, f->v.id), 200);
    item_count(b, 2);
    assert_string_equal(wht_str(item(b, 0), "origin_state"), "OH");
    assert_string_equal(wht_str(item(b, 0), "destination_state"), "GA");
    pl(item(b, 0), 3, 170000, 99999, 4118); /* 70001 / 170000 = 4117.71 */
    figure(item(b, 0), "miles", 750);
    figure(item(b, 0), "revenue_per_mile_cents", 227); /* 170000 / 750 = 226.67 */
    assert_string_equal(wht_str(item(b, 1), "origin_state"), "TX");
    pl(item(b, 1), 1, 150000, 160000, -667);
    figure(item(b, 1), "miles", 0);
    figure(item(b, 1), "revenue_per_mile_cents", NUL);
    const json_t *t = json_object_get(b, "totals");
    pl(t, 4, 320000, 259999, 1875);
    figure(t, "miles", 750);
    figure(t, "revenue_per_mile_cents", 427); /* 320000 / 750 = 426.67 */
}

static void test_freight_dispatchers(void **state)
{
    (void)state;
    const freight_fx *f = freight();
    json_t *b = report(wht_admin_token(),
                       wht_fmt("/reports/freight/dispatchers?venture_id=%lld" RANGE, f->v.id), 200);
    item_count(b, 3);
    figure(item(b, 0), "dispatcher_id", f->d1);
    assert_non_null(wht_str(item(b, 0), "dispatcher_name"));
    pl(item(b, 0), 2, 250000, 240000, 400);
    figure(item(b, 1), "dispatcher_id", f->d2);
    pl(item(b, 1), 1, 50000, 0, 10000); /* a missing cost counts 0 */
    figure(item(b, 2), "dispatcher_id", NUL);
    figure(item(b, 2), "dispatcher_name", NUL);
    pl(item(b, 2), 1, 20000, 19999, 1);
    pl(json_object_get(b, "totals"), 4, 320000, 259999, 1875);
}

static void test_freight_lost_reasons(void **state)
{
    (void)state;
    const freight_fx *f = freight();
    json_t *b =
        report(wht_admin_token(),
               wht_fmt("/reports/freight/lost-reasons?venture_id=%lld" RANGE, f->v.id), 200);
    item_count(b, 3);
    /* RATE has 2 loads; CAPACITY and OTHER tie at 1: code ascending */
    const char *codes[] = {"RATE", "CAPACITY", "OTHER"};
    const long long loads[] = {2, 1, 1}, lost_rev[] = {9000, 5000, 0};
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(wht_str(item(b, i), "lost_reason_code"), codes[i]);
        figure(item(b, i), "loads", loads[i]);
        figure(item(b, i), "lost_revenue_cents", lost_rev[i]);
    }
    figure(json_object_get(b, "totals"), "loads", 4);
    figure(json_object_get(b, "totals"), "lost_revenue_cents", 14000);
    /* one day: the lost day is the business day of the move (from the history) */
    b = report(
        wht_admin_token(),
        wht_fmt("/reports/freight/lost-reasons?venture_id=%lld&from=2026-11-30&to=2026-11-30",
                f->v.id),
        200);
    item_count(b, 1);
    figure(item(b, 0), "lost_revenue_cents", 2000);
}

static void test_empty_report_and_default_range(void **state)
{
    (void)state;
    wht_venture v = wht_venture_new("TRANSPORT");
    json_t *b =
        report(wht_admin_token(), wht_fmt("/reports/freight/shippers?venture_id=%lld", v.id), 200);
    item_count(b, 0);
    pl(json_object_get(b, "totals"), 0, 0, 0, NUL);
    /* to defaults to today, from to 29 days before it */
    const char *to = wht_str(b, "to"), *from = wht_str(b, "from");
    assert_int_equal(strlen(to), 10);
    assert_int_equal(wht_sql(wht_fmt("SELECT CASE WHEN '%s' < '%s' THEN 1 ELSE 0 END", from, to)),
                     1);
}

/* ------------------------------------------------------------------ hotels */

static long long hotel_new(long long venture, const char *status)
{
    json_t *b = wht_json("{s:I, s:s, s:s, s:I}", "venture_id", (json_int_t)venture, "name",
                         wht_unique("Hotel "), "code", wht_unique_code(), "rooms", (json_int_t)100);
    if (status)
        json_object_set_new(b, "status", json_string(status));
    wht_resp *r = wht_post(wht_admin_token(), "/hotels", b);
    WHT_EXPECT(r, 201);
    return wht_int(r->json, "id");
}

static void daily(long long hotel, const char *date, long long sold, long long avail,
                  long long room, long long other, long long refund, long long lost_dues)
{
    WHT_EXPECT(
        wht_put(wht_admin_token(), wht_fmt("/hotels/%lld/daily/%s", hotel, date),
                wht_json("{s:I, s:I, s:I, s:I, s:I, s:I}", "rooms_sold", (json_int_t)sold,
                         "rooms_available", (json_int_t)avail, "room_revenue_cents",
                         (json_int_t)room, "other_revenue_cents", (json_int_t)other, "refund_cents",
                         (json_int_t)refund, "lost_dues_cents", (json_int_t)lost_dues)),
        201);
}

typedef struct {
    long long days, sold, avail, occ, adr, revpar, room, other, refund, lost, high;
} hotel_want;

static void hotel_figures(const json_t *o, const hotel_want *w)
{
    figure(o, "days", w->days);
    figure(o, "rooms_sold", w->sold);
    figure(o, "rooms_available", w->avail);
    figure(o, "occupancy_bp", w->occ);
    figure(o, "adr_cents", w->adr);
    figure(o, "revpar_cents", w->revpar);
    figure(o, "room_revenue_cents", w->room);
    figure(o, "other_revenue_cents", w->other);
    figure(o, "total_revenue_cents", w->room + w->other);
    figure(o, "refund_cents", w->refund);
    figure(o, "lost_dues_cents", w->lost);
    figure(o, "losses_cents", w->refund + w->lost);
    figure(o, "net_revenue_cents", w->room + w->other - w->refund - w->lost);
    figure(o, "high_loss_days", w->high);
}

static void test_hotels(void **state)
{
    (void)state;
    wht_venture v = wht_venture_new("HOSPITALITY"), other = wht_venture_new("HOSPITALITY");
    long long a = hotel_new(v.id, NULL), b = hotel_new(v.id, NULL), c = hotel_new(v.id, NULL);
    long long d = hotel_new(v.id, "CLOSED"), e = hotel_new(v.id, NULL);
    long long foreign = hotel_new(other.id, NULL);
    daily(a, "2026-11-01", 80, 100, 1200000, 5000, 1000, 0);
    daily(a, "2026-11-02", 1, 3, 10000, 0, 0, 1000);  /* lost dues 10% of room revenue: high */
    daily(a, "2026-10-31", 50, 100, 999999, 0, 0, 0); /* outside */
    daily(b, "2026-11-03", 2, 3, 5, 0, 0, 0);
    daily(c, "2026-11-04", 0, 10, 0, 100, 0, 60000); /* 60000 >= 50000: high */
    daily(foreign, "2026-11-04", 5, 10, 777, 0, 0, 0);
    WHT_EXPECT(wht_patch(wht_admin_token(), wht_fmt("/hotels/%lld", c),
                         wht_json("{s:s}", "status", "CLOSED")),
               200);
    json_t *r =
        report(wht_admin_token(), wht_fmt("/reports/hotels?venture_id=%lld" RANGE, v.id), 200);
    /* by total revenue: a, c (closed, with an entry), b, e (active, no entry); d is left out */
    item_count(r, 4);
    const long long order[] = {a, c, b, e};
    for (size_t i = 0; i < 4; i++)
        figure(item(r, i), "hotel_id", order[i]);
    /* occupancy 81/103 = 7864.08, ADR 1210000/81 = 14938.27, RevPAR 1210000/103 = 11747.57 */
    hotel_figures(item(r, 0),
                  &(hotel_want){2, 81, 103, 7864, 14938, 11748, 1210000, 5000, 1000, 1000, 1});
    hotel_figures(item(r, 1), &(hotel_want){1, 0, 10, 0, NUL, 0, 0, 100, 0, 60000, 1});
    /* 2/3 = 6666.67 bp; ADR 5/2 = 2.5 -> 3; RevPAR 5/3 = 1.67 -> 2 */
    hotel_figures(item(r, 2), &(hotel_want){1, 2, 3, 6667, 3, 2, 5, 0, 0, 0, 0});
    hotel_figures(item(r, 3), &(hotel_want){0, 0, 0, NUL, NUL, NUL, 0, 0, 0, 0, 0});
    assert_non_null(wht_str(item(r, 0), "hotel_code"));
    assert_non_null(wht_str(item(r, 0), "hotel_name"));
    /* 83/116 = 7155.17; 1210005/83 = 14578.37; 1210005/116 = 10431.08 */
    hotel_figures(json_object_get(r, "totals"),
                  &(hotel_want){4, 83, 116, 7155, 14578, 10431, 1210005, 5100, 1000, 61000, 2});
    /* one hotel, even a closed one without entries */
    r = report(wht_admin_token(),
               wht_fmt("/reports/hotels?venture_id=%lld&hotel_id=%lld" RANGE, v.id, b), 200);
    item_count(r, 1);
    figure(item(r, 0), "hotel_id", b);
    r = report(wht_admin_token(),
               wht_fmt("/reports/hotels?venture_id=%lld&hotel_id=%lld" RANGE, v.id, d), 200);
    item_count(r, 1);
    hotel_figures(item(r, 0), &(hotel_want){0, 0, 0, NUL, NUL, NUL, 0, 0, 0, 0, 0});
    /* a hotel of another venture */
    WHT_PROBLEM(wht_get(wht_admin_token(),
                        wht_fmt("/reports/hotels?venture_id=%lld&hotel_id=%lld", v.id, foreign)),
                400, "validation_failed", "hotel_id");
    WHT_PROBLEM(
        wht_get(wht_admin_token(), wht_fmt("/reports/hotels?venture_id=%lld&hotel_id=abc", v.id)),
        400, "validation_failed", "hotel_id");
}

/* ------------------------------------------------------------------ BPO */

static long long campaign_new(long long venture)
{
    wht_resp *r = wht_post(
        wht_admin_token(), "/bpo/campaigns",
        wht_json("{s:I, s:s}", "venture_id", (json_int_t)venture, "name", wht_unique("Campaign ")));
    WHT_EXPECT(r, 201);
    return wht_int(r->json, "id");
}

static long long agent_new(long long venture, long long campaign)
{
    long long user = wht_member_new("EMPLOYEE", venture).id;
    json_t *b =
        wht_json("{s:I, s:I}", "user_id", (json_int_t)user, "venture_id", (json_int_t)venture);
    if (campaign)
        json_object_set_new(b, "campaign_id", json_integer(campaign));
    wht_resp *r = wht_post(wht_admin_token(), "/bpo/agents", b);
    WHT_EXPECT(r, 201);
    return wht_int(r->json, "id");
}

typedef struct {
    long long agent, campaign;
    const char *started, *ended;
    long long dials;
    bool connected, appointment, deal;
    long long revenue;
} call_spec;

static void call(long long venture, const call_spec *s)
{
    json_t *b =
        wht_json("{s:I, s:I, s:I, s:s, s:I, s:b, s:b, s:b, s:I}", "agent_id", (json_int_t)s->agent,
                 "venture_id", (json_int_t)venture, "campaign_id", (json_int_t)s->campaign,
                 "started_at", s->started, "dial_count", (json_int_t)s->dials, "connected",
                 s->connected, "appointment_set", s->appointment, "deal_won", s->deal,
                 "revenue_cents", (json_int_t)s->revenue);
    if (s->ended)
        json_object_set_new(b, "ended_at", json_string(s->ended));
    WHT_EXPECT(wht_post(wht_admin_token(), "/bpo/call-logs", b), 201);
}

typedef struct {
    long long calls, dials, connects, appts, deals, talk, revenue, connect_bp, conversion_bp;
} agent_want;

static void agent_figures(const json_t *o, const agent_want *w)
{
    figure(o, "calls", w->calls);
    figure(o, "dials", w->dials);
    figure(o, "connects", w->connects);
    figure(o, "appointments", w->appts);
    figure(o, "deals", w->deals);
    figure(o, "talk_seconds", w->talk);
    figure(o, "revenue_cents", w->revenue);
    figure(o, "connect_rate_bp", w->connect_bp);
    figure(o, "conversion_bp", w->conversion_bp);
}

static void test_bpo_agents(void **state)
{
    (void)state;
    wht_venture v = wht_venture_new("BPO"), other = wht_venture_new("BPO");
    long long k1 = campaign_new(v.id), k2 = campaign_new(v.id), foreign = campaign_new(other.id);
    long long g1 = agent_new(v.id, k1), g2 = agent_new(v.id, k2), g3 = agent_new(v.id, 0);
    long long g4 = agent_new(v.id, k1), g5 = agent_new(v.id, k1);
    /* business days in America/New_York */
    call(v.id, &(call_spec){g1, k1, "2026-11-05T15:00:00Z", "2026-11-05T15:10:30.900Z", 3, true,
                            true, true, 50000});
    call(v.id, &(call_spec){g1, k1, "2026-11-06T15:00:00Z", NULL, 2, false, false, false, 0});
    call(v.id, &(call_spec){g2, k2, "2026-11-07T15:00:00Z", "2026-11-07T15:01:00Z", 1, true, false,
                            true, 50000});
    /* 22:00 on 30 November in New York: in the range */
    call(v.id, &(call_spec){g2, k2, "2026-12-01T03:00:00Z", NULL, 1, false, false, false, 0});
    call(v.id, &(call_spec){g2, k2, "2026-10-31T12:00:00Z", NULL, 1, true, false, true, 99999});
    call(v.id, &(call_spec){g3, k1, "2026-11-08T15:00:00Z", "2026-11-08T15:00:10Z", 4, true, false,
                            false, 0});
    /* g3 (with a counted call) and g5 (without) become inactive (no agent PATCH in the API) */
    wht_sql(wht_fmt("UPDATE bpo_agents SET active = FALSE WHERE id IN (%lld, %lld)", g3, g5));
    json_t *r =
        report(wht_admin_token(), wht_fmt("/reports/bpo/agents?venture_id=%lld" RANGE, v.id), 200);
    item_count(r, 4);
    /* g1 and g2 tie on deals and revenue: agent id ascending; g3 and g4 tie at 0 */
    const long long order[] = {g1, g2, g3, g4};
    for (size_t i = 0; i < 4; i++)
        figure(item(r, i), "agent_id", order[i]);
    assert_non_null(wht_str(item(r, 0), "full_name"));
    assert_true(wht_int(item(r, 0), "user_id") > 0);
    agent_figures(item(r, 0), &(agent_want){2, 5, 1, 1, 1, 630, 50000, 2000, 10000});
    agent_figures(item(r, 1), &(agent_want){2, 2, 1, 0, 1, 60, 50000, 5000, 10000});
    agent_figures(item(r, 2), &(agent_want){1, 4, 1, 0, 0, 10, 0, 2500, 0});
    agent_figures(item(r, 3), &(agent_want){0, 0, 0, 0, 0, 0, 0, NUL, NUL});
    /* 3/11 = 2727.27; 2/3 = 6666.67 */
    agent_figures(json_object_get(r, "totals"),
                  &(agent_want){5, 11, 3, 1, 2, 700, 100000, 2727, 6667});
    /* one campaign: its active agents and any agent with a call of it */
    r = report(wht_admin_token(),
               wht_fmt("/reports/bpo/agents?venture_id=%lld&campaign_id=%lld" RANGE, v.id, k1),
               200);
    item_count(r, 3);
    const long long k1_order[] = {g1, g3, g4};
    for (size_t i = 0; i < 3; i++)
        figure(item(r, i), "agent_id", k1_order[i]);
    /* 2/9 = 2222.2; 1/2 */
    agent_figures(json_object_get(r, "totals"),
                  &(agent_want){3, 9, 2, 1, 1, 640, 50000, 2222, 5000});
    WHT_PROBLEM(wht_get(wht_admin_token(), wht_fmt("/reports/bpo/agents?venture_id=%lld"
                                                   "&campaign_id=%lld",
                                                   v.id, foreign)),
                400, "validation_failed", "campaign_id");
}

/* ------------------------------------------------------------------ access and input */

static void test_permissions_and_scope(void **state)
{
    (void)state;
    const freight_fx *f = freight();
    wht_venture elsewhere = wht_venture_new("LOGISTICS");
    const char *path = wht_fmt("/reports/freight/shippers?venture_id=%lld" RANGE, f->v.id);
    /* reports.read: leadership, OFFICE_MANAGER, TEAM_LEAD, FINANCE, ACCOUNTING, AUDITOR */
    const char *allowed[] = {"VENTURE_HEAD", "OFFICE_MANAGER", "TEAM_LEAD", "FINANCE",
                             "ACCOUNTING"};
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
        pl(json_object_get(report(wht_member_new(allowed[i], f->v.id).token, path, 200), "totals"),
           4, 320000, 259999, 1875);
    report(wht_member_new("AUDITOR", 0).token, path, 200); /* every venture */
    const char *refused[] = {"EMPLOYEE",   "DISPATCHER", "CSR",      "CARRIER_TEAM",
                             "CONTRACTOR", "HR_ADMIN",   "TEST_USER"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        WHT_PROBLEM(wht_get(wht_member_new(refused[i], f->v.id).token, path), 403, "forbidden",
                    NULL);
    /* a venture outside the caller's scope, or none at all */
    const char *lead = wht_member_new("OFFICE_MANAGER", elsewhere.id).token;
    WHT_PROBLEM(wht_get(lead, path), 403, "forbidden", NULL);
    WHT_PROBLEM(wht_get(lead, wht_fmt("/reports/bpo/agents?venture_id=%lld", f->v.id)), 403,
                "forbidden", NULL);
    WHT_PROBLEM(wht_get(wht_admin_token(), "/reports/freight/lanes?venture_id=987654321"), 403,
                "forbidden", NULL);
    WHT_PROBLEM(wht_get(NULL, path), 401, "unauthenticated", NULL);
}

static void test_bad_input(void **state)
{
    (void)state;
    const freight_fx *f = freight();
    wht_venture hotels = wht_venture_new("HOSPITALITY"), bpo = wht_venture_new("BPO");
    const char *admin = wht_admin_token();
    const char *freight_paths[] = {"shippers", "lanes", "dispatchers", "lost-reasons"};
    for (size_t i = 0; i < 4; i++) {
        const char *p = wht_fmt("/reports/freight/%s", freight_paths[i]);
        WHT_PROBLEM(wht_get(admin, p), 400, "validation_failed", "venture_id");
        WHT_PROBLEM(wht_get(admin, wht_fmt("%s?venture_id=%lld", p, hotels.id)), 400,
                    "validation_failed", "venture_id");
    }
    WHT_PROBLEM(wht_get(admin, "/reports/hotels"), 400, "validation_failed", "venture_id");
    WHT_PROBLEM(wht_get(admin, "/reports/bpo/agents?venture_id=x"), 400, "validation_failed",
                "venture_id");
    WHT_PROBLEM(wht_get(admin, wht_fmt("/reports/hotels?venture_id=%lld", f->v.id)), 400,
                "validation_failed", "venture_id");
    WHT_PROBLEM(wht_get(admin, wht_fmt("/reports/bpo/agents?venture_id=%lld", hotels.id)), 400,
                "validation_failed", "venture_id");
    WHT_PROBLEM(wht_get(admin, wht_fmt("/reports/hotels?venture_id=%lld", bpo.id)), 400,
                "validation_failed", "venture_id");
    /* ranges */
    const char *p = wht_fmt("/reports/freight/shippers?venture_id=%lld", f->v.id);
    WHT_PROBLEM(wht_get(admin, wht_fmt("%s&from=2026-11-30&to=2026-11-01", p)), 400,
                "validation_failed", "to");
    WHT_PROBLEM(wht_get(admin, wht_fmt("%s&from=2025-11-29&to=2026-11-30", p)), 400,
                "validation_failed", "from");
    WHT_PROBLEM(wht_get(admin, wht_fmt("%s&from=2026-02-30", p)), 400, "validation_failed", "from");
    WHT_PROBLEM(wht_get(admin, wht_fmt("%s&to=yesterday", p)), 400, "validation_failed", "to");
    /* 366 days inclusive is the longest range */
    report(admin, wht_fmt("%s&from=2025-11-30&to=2026-11-30", p), 200);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        WHT_TEST(test_freight_shippers),
        WHT_TEST(test_freight_lanes),
        WHT_TEST(test_freight_dispatchers),
        WHT_TEST(test_freight_lost_reasons),
        WHT_TEST(test_empty_report_and_default_range),
        WHT_TEST(test_hotels),
        WHT_TEST(test_bpo_agents),
        WHT_TEST(test_permissions_and_scope),
        WHT_TEST(test_bad_input),
    };
    FAKE = wht_fake_start();
    char fmcsa[160];
    snprintf(fmcsa, sizeof fmcsa, "WH_FMCSA_BASE_URL=%s", wht_server_base(FAKE));
    const char *const env[] = {fmcsa, "WH_FMCSA_WEBKEY=fake-fmcsa-webkey",
                               "WH_TIMEZONE=America/New_York", NULL};
    wht_init_env(env);
    return wht_finish(cmocka_run_group_tests_name("api_reports", tests, NULL, NULL));
}
