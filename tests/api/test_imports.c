/*
 * CSV imports (API-wave2 "Imports", DOMAIN-wave2 §15): a file with one bad record imports
 * nothing and names the line and field; the fixed file imports every record; the same bytes
 * again answer 200 with the first import; a dry run writes nothing and counts; every kind's
 * template with one record imports; quoting, line breaks in quotes, BOM and CRLF; formula-like
 * values stored as given; faults of the whole file; 415 and 413 (the upload route's own body
 * limit); permissions and scope; the import record and its one audit entry.
 * Export -> import round trips: test_roundtrip.c.
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

static const char *admin(void)
{
    return wht_admin_token();
}

static wht_resp *import_on(const wht_server *s, const char *tok, const char *query, const char *csv,
                           size_t n, const char *type)
{
    wht_request rq = {.method = "POST",
                      .path = wht_fmt(WHT_API "/imports?%s", query),
                      .token = tok,
                      .body = csv,
                      .body_len = n,
                      .content_type = type,
                      .server = s};
    return wht_do(&rq);
}

static wht_resp *import(const char *tok, const char *query, const char *csv)
{
    return import_on(NULL, tok, query, csv, strlen(csv), "text/csv");
}

static const char *q(const char *kind, long long venture, bool dry)
{
    return venture ? wht_fmt("kind=%s&venture_id=%lld&dry_run=%s&filename=%s.csv", kind, venture,
                             dry ? "true" : "false", kind)
                   : wht_fmt("kind=%s&dry_run=%s", kind, dry ? "true" : "false");
}

static size_t count(const char *tok, const char *path)
{
    return json_array_size(wht_list_all(tok, path, 200));
}

/* errors[i] of a 400 (or of a report) is {line, field}. */
static void line_error(const json_t *body, size_t i, long long line, const char *field)
{
    json_t *err = json_array_get(json_object_get(body, "errors"), i);
    if (!err || wht_int(err, "line") != line || strcmp(wht_str(err, "field"), field) != 0)
        WHT_FAIL("errors[%zu] is not line %lld field %s: %s", i, line, field, wht_dump(body));
}

/* ------------------------------------------------------------------ tests */

static void test_bad_row_fixed_file_same_bytes(void **state)
{
    (void)state;
    long long v = wht_venture_new("LOGISTICS").id;
    const char *bad = "code,name,email\nACME,Acme,ops@acme.test\nBETA,Beta,not-an-email\n";
    wht_resp *r = import(admin(), q("shippers", v, false), bad);
    WHT_PROBLEM(r, 400, "validation_failed", NULL);
    line_error(r->json, 0, 3, "email");
    assert_int_equal(wht_int(r->json, "rows_total"), 2);
    assert_int_equal(wht_int(r->json, "rows_invalid"), 1);
    assert_false(json_is_true(json_object_get(r->json, "errors_truncated")));
    assert_int_equal(count(admin(), wht_fmt("/shippers?venture_id=%lld", v)), 0);
    assert_int_equal(count(admin(), wht_fmt("/imports?venture_id=%lld", v)), 0);

    /* the dry run of the fixed file reports and writes nothing */
    const char *good = "code,name,email\nACME,Acme,ops@acme.test\nBETA,Beta,beta@beta.test\n";
    r = import(admin(), q("shippers", v, true), good);
    WHT_EXPECT(r, 200);
    assert_int_equal(wht_int(r->json, "rows_total"), 2);
    assert_int_equal(wht_int(r->json, "rows_valid"), 2);
    assert_int_equal(wht_int(r->json, "created"), 2);
    assert_true(json_is_null(json_object_get(r->json, "already_imported_id")));
    assert_int_equal(count(admin(), wht_fmt("/shippers?venture_id=%lld", v)), 0);

    long long head = wht_audit_head();
    r = import(admin(), q("shippers", v, false), good);
    WHT_EXPECT(r, 201);
    long long id = wht_int(r->json, "id");
    assert_int_equal(wht_int(r->json, "created"), 2);
    assert_int_equal(wht_int(r->json, "venture_id"), v);
    assert_string_equal(wht_str(r->json, "kind"), "shippers");
    assert_string_equal(wht_str(r->json, "filename"), "shippers.csv");
    assert_int_equal(strlen(wht_str(r->json, "sha256")), 64);
    assert_int_equal(wht_int(r->json, "size_bytes"), (long long)strlen(good));
    assert_int_equal(count(admin(), wht_fmt("/shippers?venture_id=%lld", v)), 2);
    json_t *audit = wht_audit_since(head);
    assert_int_equal(json_array_size(audit), 1); /* one entry, none per row */
    assert_string_equal(wht_str(json_array_get(audit, 0), "action"), "import.commit");
    assert_int_equal(wht_int(json_array_get(audit, 0), "entity_id"), id);

    /* the same bytes again: 200 with the first import, nothing new */
    r = import(admin(), q("shippers", v, false), good);
    WHT_EXPECT(r, 200);
    assert_int_equal(wht_int(r->json, "id"), id);
    assert_int_equal(json_array_size(wht_audit_since(head)), 1);
    r = import(admin(), q("shippers", v, true), good);
    WHT_EXPECT(r, 200);
    assert_int_equal(wht_int(r->json, "already_imported_id"), id);
    assert_int_equal(wht_int(r->json, "updated"), 2);

    /* an upsert: the existing shipper is updated, a new code created */
    r = import(admin(), q("shippers", v, false),
               "CODE,Name,active\nacme,Acme Two,false\nGAMMA,G,\n");
    WHT_EXPECT(r, 201);
    assert_int_equal(wht_int(r->json, "updated"), 1);
    assert_int_equal(wht_int(r->json, "created"), 1);

    WHT_EXPECT(r = wht_get(admin(), wht_fmt("/imports/%lld", id)), 200);
    assert_int_equal(wht_int(r->json, "rows_total"), 2);
    assert_int_equal(count(admin(), wht_fmt("/imports?venture_id=%lld&kind=shippers", v)), 2);
    assert_int_equal(count(admin(), wht_fmt("/imports?venture_id=%lld&kind=loads", v)), 0);
    WHT_PROBLEM(wht_get(admin(), "/imports?kind=nope"), 400, "validation_failed", "kind");
}

static void test_quoting_bom_crlf_formulas(void **state)
{
    (void)state;
    long long v = wht_venture_new("TRANSPORT").id;
    const char *csv = "\xEF\xBB\xBF"
                      "code , name,contact_name,phone\r\n"
                      "Q1,\"Quote, \"\"Inc\"\"\",\"line one\r\nline two\",=1+2\r\n"
                      "\r\n"
                      "  Q2  ,  @SUM(A1)  ,\"  kept  \",-3\r\n";
    wht_resp *r = import(admin(), q("shippers", v, false), csv);
    WHT_EXPECT(r, 201);
    assert_int_equal(wht_int(r->json, "created"), 2);
    json_t *all = wht_list_all(admin(), wht_fmt("/shippers?venture_id=%lld", v), 50);
    size_t i;
    json_t *it;
    int seen = 0;
    json_array_foreach(all, i, it)
    {
        if (strcmp(wht_str(it, "code"), "Q1") == 0) {
            assert_string_equal(wht_str(it, "name"), "Quote, \"Inc\"");
            assert_string_equal(wht_str(it, "contact_name"), "line one\r\nline two");
            assert_string_equal(wht_str(it, "phone"), "=1+2"); /* stored as given */
            seen++;
        } else {
            assert_string_equal(wht_str(it, "code"), "Q2");
            assert_string_equal(wht_str(it, "name"), "@SUM(A1)");
            assert_string_equal(wht_str(it, "contact_name"), "  kept  ");
            assert_string_equal(wht_str(it, "phone"), "-3");
            seen++;
        }
    }
    assert_int_equal(seen, 2);

    /* the CSV export's formula guard comes off: one ' right before = + - @ TAB CR, no other */
    r = import(admin(), q("shippers", v, false),
               "code,name,contact_name,phone\nQ3,'@SUM(A1),'it's,\"''=1\"\n");
    WHT_EXPECT(r, 201);
    json_t *q3 = NULL;
    json_array_foreach(wht_list_all(admin(), wht_fmt("/shippers?venture_id=%lld", v), 50), i, it)
    {
        q3 = strcmp(wht_str(it, "code"), "Q3") == 0 ? it : q3;
    }
    assert_non_null(q3);
    assert_string_equal(wht_str(q3, "name"), "@SUM(A1)");
    assert_string_equal(wht_str(q3, "contact_name"), "'it's");
    assert_string_equal(wht_str(q3, "phone"), "''=1");

    /* a record's line is where it starts: after a quoted line break the lines move on */
    r = import(admin(), q("shippers", v, true),
               "code,name,email\nA1,\"two\nlines\",x@y.test\nA2,B,bad\n");
    WHT_EXPECT(r, 200);
    line_error(r->json, 0, 4, "email");
    assert_int_equal(wht_int(r->json, "rows_invalid"), 1);
    assert_int_equal(wht_int(r->json, "rows_valid"), 1);
}

static void test_file_faults(void **state)
{
    (void)state;
    long long v = wht_venture_new("LOGISTICS").id;
    const char *qs = q("shippers", v, true);
    wht_resp *r;
    static const char bad_utf8[] = "code,name\nA,ok\nB,\xFF\n";
    r = import_on(NULL, admin(), qs, bad_utf8, sizeof bad_utf8 - 1, "text/csv");
    WHT_PROBLEM(r, 400, "validation_failed", "file");
    line_error(r->json, 0, 3, "file");
    r = import(admin(), q("shippers", v, false), "code,name,colour\nA,B,red\n");
    WHT_PROBLEM(r, 400, "validation_failed", "colour");
    line_error(r->json, 0, 1, "colour");
    r = import(admin(), qs, "code,name,Code\nA,B,C\n");
    WHT_PROBLEM(r, 400, "validation_failed", "Code");
    r = import(admin(), qs, "code,email\nA,a@b.test\n");
    WHT_PROBLEM(r, 400, "validation_failed", "name");
    WHT_PROBLEM(import(admin(), qs, "code,name\n"), 400, "validation_failed", "file");
    WHT_PROBLEM(import(admin(), qs, ""), 400, "validation_failed", "file");
    /* a record with another number of fields is a line error */
    r = import(admin(), qs, "code,name\nA,B,C\nD\nE,F\n");
    WHT_EXPECT(r, 200);
    line_error(r->json, 0, 2, "file");
    line_error(r->json, 1, 3, "file");
    assert_int_equal(wht_int(r->json, "rows_valid"), 1);
    /* errors sorted by line then column order; a value of the wrong form names its field */
    r = import(admin(), q("loads", v, true),
               "reference,pickup_city,pickup_state,drop_city,drop_state,weight_lbs,status\n"
               "R1,,TX,Austin,TX,1.5,LATE\n");
    WHT_EXPECT(r, 200);
    line_error(r->json, 0, 2, "pickup_city");
    line_error(r->json, 1, 2, "weight_lbs");
    line_error(r->json, 2, 2, "status");

    /* media type */
    WHT_PROBLEM(import_on(NULL, admin(), qs, "code,name\nA,B\n", 14, "application/json"), 415,
                "unsupported_media_type", NULL);
    WHT_PROBLEM(import_on(NULL, admin(), qs, "code,name\nA,B\n", 14, "text/csv; charset=latin-1"),
                415, "unsupported_media_type", NULL);
    WHT_EXPECT(import_on(NULL, admin(), qs, "code,name\nA,B\n", 14, "text/csv; charset=UTF-8"),
               200);

    /* the upload route takes more than the usual 1 MiB body */
    size_t big = 1536 * 1024;
    char *body = malloc(big + 32);
    memcpy(body, "code,name\n", 10);
    memset(body + 10, '\n', big);
    memcpy(body + 10 + big, "A,B\n", 5);
    r = import_on(NULL, admin(), qs, body, big + 14, "text/csv");
    WHT_EXPECT(r, 200);
    assert_int_equal(wht_int(r->json, "rows_valid"), 1);
    assert_int_equal(wht_int(r->json, "size_bytes"), (long long)(big + 14));

    /* WH_IMPORT_MAX_ROWS and WH_IMPORT_MAX_BYTES */
    const char *const env[] = {"WH_IMPORT_MAX_ROWS=2", "WH_IMPORT_MAX_BYTES=2048", "WH_JOBS=off",
                               NULL};
    wht_server *s = wht_server_start(env);
    const char *three = "code,name\nA,B\nC,D\nE,F\n";
    r = import_on(s, admin(), qs, three, strlen(three), "text/csv");
    WHT_PROBLEM(r, 400, "validation_failed", "file");
    WHT_EXPECT(import_on(s, admin(), qs, three, strlen(three) - 4, "text/csv"), 200);
    r = import_on(s, admin(), qs, body, 4096, "text/csv");
    WHT_PROBLEM(r, 413, "payload_too_large", NULL);
    wht_server_stop(s);
    free(body);
    assert_int_equal(count(admin(), wht_fmt("/shippers?venture_id=%lld", v)), 0);
}

/* Each kind's template, with one record under it, imports. */
static void template_imports(const char *kind, long long venture, const char *header,
                             const char *row)
{
    wht_resp *r = wht_get(admin(), wht_fmt("/imports/templates/%s", kind));
    WHT_EXPECT(r, 200);
    assert_non_null(strstr(wht_header(r, "Content-Type"), "text/csv"));
    assert_string_equal(r->body, wht_fmt("%s\r\n", header));
    r = import(admin(), q(kind, venture, false), wht_fmt("%s%s\r\n", r->body, row));
    if (r->status != 201)
        WHT_FAIL("%s: %ld %s", kind, r->status, r->body);
    assert_int_equal(wht_int(r->json, "rows_total"), 1);
}

static void test_templates_round_trip(void **state)
{
    (void)state;
    const char *today = wht_utc_day(-1);
    long long fv = wht_venture_new("LOGISTICS").id;
    template_imports("shippers", fv, "code,name,contact_name,email,phone,active",
                     "SH1,Shipper,Ann,ann@sh.test,555,true");
    template_imports(
        "carriers", 0, "dot_number,legal_name,mc_number,dba_name,phone,email,city,state",
        wht_fmt("%lld,Hauler LLC,,Hauler,555,,Austin,TX", 7000000 + wht_now_ms() % 999999));
    template_imports(
        "loads", fv,
        "reference,pickup_city,pickup_state,drop_city,drop_state,office_id,shipper_code,"
        "pickup_date,drop_date,equipment,weight_lbs,miles,bill_cents,cost_cents,created_by_email,"
        "dispatcher_email,status,carrier_dot,billing_date,lost_reason_code,lost_reason,created_on",
        wht_fmt("L-1,Austin,TX,Dallas,TX,,SH1,,,VAN,1000,200,150000,120000,,%s,DELIVERED,,%s,,,%s",
                wht_admin_email(), today, today));
    long long hv = wht_venture_new("HOSPITALITY").id;
    WHT_EXPECT(wht_post(admin(), "/hotels",
                        wht_json("{s:I, s:s, s:s, s:i}", "venture_id", (json_int_t)hv, "name",
                                 "Inn", "code", "INN1", "rooms", 50)),
               201);
    template_imports("hotel_daily", hv,
                     "hotel_code,date,rooms_sold,room_revenue_cents,rooms_available,"
                     "other_revenue_cents,cash_cents,credit_cents,online_cents,refund_cents,"
                     "lost_dues_cents",
                     wht_fmt("inn1,%s,40,400000,,0,,,,,", today));
    long long bv = wht_venture_new("BPO").id;
    wht_user agent = wht_user_add("EMPLOYEE");
    wht_set_ventures(agent.id, 1, &bv);
    wht_resp *cp = wht_post(admin(), "/bpo/campaigns",
                            wht_json("{s:I, s:s}", "venture_id", (json_int_t)bv, "name", "Solar"));
    WHT_EXPECT(cp, 201);
    WHT_EXPECT(
        wht_post(admin(), "/bpo/agents",
                 wht_json("{s:I, s:I, s:I}", "user_id", (json_int_t)agent.id, "venture_id",
                          (json_int_t)bv, "campaign_id", (json_int_t)wht_int(cp->json, "id"))),
        201);
    template_imports("bpo_call_logs", bv,
                     "agent_email,started_at,campaign_name,ended_at,dial_count,connected,"
                     "appointment_set,deal_won,revenue_cents,notes",
                     wht_fmt("%s,%sT15:00:00Z,solar,%sT15:05:00Z,3,true,false,TRUE,0,\"hi, there\"",
                             agent.email, today, today));
    long long sv = wht_venture_new("SAAS").id;
    template_imports("saas_subscriptions", sv,
                     "customer_code,plan_name,mrr_cents,started_on,customer_name,cancelled_on",
                     wht_fmt("c-1,Pro,10000,%s,Customer One,", today));
    assert_int_equal(count(admin(), wht_fmt("/saas/events?venture_id=%lld", sv)), 1);
    assert_int_equal(count(admin(), wht_fmt("/bpo/call-logs?venture_id=%lld", bv)), 1);
    WHT_PROBLEM(wht_get(admin(), "/imports/templates/nope"), 404, "not_found", NULL);
}

static void test_kind_rules(void **state)
{
    (void)state;
    const char *today = wht_utc_day(-1), *earlier = wht_utc_day(-5);
    long long v = wht_venture_new("LOGISTICS").id;
    /* loads: status rules, references, duplicates in the file */
    const char *h = "reference,pickup_city,pickup_state,drop_city,drop_state,status,billing_date,"
                    "lost_reason_code,shipper_code,dispatcher_email,created_on\n";
    wht_resp *r = import(admin(), q("loads", v, true),
                         wht_fmt("%sR1,A,TX,B,TX,OPEN,%s,,,,\nR1,A,TX,B,TX,DELIVERED,,,,,\n"
                                 "R3,A,TX,B,TX,LOST,,RATE,NOPE,nobody@x.test,\n"
                                 "R4,A,TX,B,TX,DELIVERED,%s,,,,%s\n",
                                 h, today, earlier, today));
    WHT_EXPECT(r, 200);
    line_error(r->json, 0, 2, "billing_date");
    line_error(r->json, 1, 3, "reference");
    line_error(r->json, 2, 3, "billing_date");
    line_error(r->json, 3, 4, "shipper_code");
    line_error(r->json, 4, 4, "dispatcher_email");
    line_error(r->json, 5, 5, "billing_date");
    assert_int_equal(wht_int(r->json, "rows_invalid"), 4);
    r = import(
        admin(), q("loads", v, false),
        wht_fmt("%sR1,A,TX,B,TX,DELIVERED,%s,,,,%s\nR2,A,TX,B,TX,LOST,,,,,\n", h, today, earlier));
    WHT_EXPECT(r, 201);
    json_t *loads = wht_list_all(admin(), wht_fmt("/loads?venture_id=%lld", v), 50);
    assert_int_equal(json_array_size(loads), 2);
    assert_int_equal(wht_sql(wht_fmt("SELECT COUNT(*) FROM loads WHERE venture_id = %lld AND"
                                     " lost_reason_code = 'OTHER'",
                                     v)),
                     1);
    assert_int_equal(wht_sql(wht_fmt("SELECT COUNT(*) FROM load_status_changes WHERE venture_id ="
                                     " %lld",
                                     v)),
                     4);
    assert_int_equal(wht_sql(wht_fmt("SELECT COUNT(*) FROM loads WHERE venture_id = %lld AND"
                                     " created_day = '%s'",
                                     v, earlier)),
                     1);
    /* no points for imported work */
    assert_int_equal(wht_sql(wht_fmt("SELECT COUNT(*) FROM gamification_events WHERE venture_id ="
                                     " %lld",
                                     v)),
                     0);
    r = import(admin(), q("loads", v, true), wht_fmt("%sR2,A,TX,B,TX,,,,,,\n", h));
    line_error(r->json, 0, 2, "reference");

    /* carriers: a known DOT is skipped; an MC twice is an error */
    long long dot = 8000000 + wht_now_ms() % 999999;
    r = import(admin(), q("carriers", 0, false),
               wht_fmt("dot_number,legal_name,mc_number\n%lld,One,%lld\n", dot, dot));
    WHT_EXPECT(r, 201);
    assert_int_equal(wht_sql(wht_fmt("SELECT COUNT(*) FROM carriers WHERE dot_number = '%lld' AND"
                                     " source = 'MANUAL' AND verification = 'PENDING'",
                                     dot)),
                     1);
    r = import(
        admin(), q("carriers", 0, true),
        wht_fmt("dot_number,legal_name,mc_number\n%lld,One,\n%lld,Two,%lld\n", dot, dot + 1, dot));
    WHT_EXPECT(r, 200);
    assert_int_equal(wht_int(r->json, "skipped"), 1);
    line_error(r->json, 0, 3, "mc_number");
    assert_true(json_is_null(json_object_get(r->json, "venture_id")));
    /* a delivered load names its (PENDING) carrier by DOT number, leading zeros or not */
    r = import(admin(), q("loads", v, false),
               wht_fmt("reference,pickup_city,pickup_state,drop_city,drop_state,status,"
                       "billing_date,carrier_dot\nRC,A,TX,B,TX,DELIVERED,%s,0%lld\n",
                       today, dot));
    WHT_EXPECT(r, 201);
    assert_int_equal(wht_sql(wht_fmt("SELECT COUNT(*) FROM loads JOIN carriers ON carriers.id ="
                                     " loads.carrier_id WHERE loads.venture_id = %lld AND"
                                     " carriers.dot_number = '%lld'",
                                     v, dot)),
                     1);

    /* saas: starts and cancels in day order; a write before the customer's latest event */
    long long sv = wht_venture_new("SAAS").id;
    r = import(admin(), q("saas_subscriptions", sv, false),
               wht_fmt("customer_code,plan_name,mrr_cents,started_on,customer_name,cancelled_on\n"
                       "K1,Pro,5000,%s,Kay,%s\nK1,Team,2000,%s,,\n",
                       earlier, today, earlier));
    WHT_EXPECT(r, 201);
    json_t *events = wht_list_all(admin(), wht_fmt("/saas/events?venture_id=%lld", sv), 50);
    assert_int_equal(json_array_size(events), 3); /* NEW, EXPANSION, CONTRACTION */
    r = import(admin(), q("saas_subscriptions", sv, true),
               wht_fmt("customer_code,plan_name,mrr_cents,started_on\nK1,Pro,5000,%s\n", earlier));
    WHT_EXPECT(r, 200);
    line_error(r->json, 0, 2, "started_on");
}

static void test_permissions_and_scope(void **state)
{
    (void)state;
    long long v = wht_venture_new("LOGISTICS").id, other = wht_venture_new("LOGISTICS").id;
    long long hv = wht_venture_new("HOSPITALITY").id;
    const char *csv = "code,name\nP1,P\n";
    wht_user om = wht_user_new("OFFICE_MANAGER");
    wht_set_ventures(om.id, 1, &v);
    const char *tok = wht_login(om.email, om.password);
    WHT_EXPECT(import(tok, q("shippers", v, false), csv), 201);
    WHT_PROBLEM(import(tok, q("shippers", other, true), csv), 403, "forbidden", NULL);
    long long foreign = wht_int(import(admin(), q("shippers", other, false), csv)->json, "id");
    WHT_PROBLEM(wht_get(tok, wht_fmt("/imports/%lld", foreign)), 404, "not_found", NULL);
    WHT_PROBLEM(wht_get(tok, wht_fmt("/imports?venture_id=%lld", other)), 403, "forbidden", NULL);
    assert_int_equal(count(tok, "/imports?kind=shippers"), 1);

    WHT_PROBLEM(import(admin(), "kind=carriers&venture_id=1", "dot_number,legal_name\n1,A\n"), 400,
                "validation_failed", "venture_id");
    WHT_PROBLEM(import(admin(), "kind=shippers", csv), 400, "validation_failed", "venture_id");
    WHT_PROBLEM(import(admin(), q("hotel_daily", v, true), csv), 400, "validation_failed",
                "venture_id");
    WHT_PROBLEM(import(admin(), q("shippers", hv, true), csv), 400, "validation_failed",
                "venture_id");
    WHT_PROBLEM(import(admin(), wht_fmt("kind=widgets&venture_id=%lld", v), csv), 400,
                "validation_failed", "kind");
    WHT_PROBLEM(import(admin(), wht_fmt("kind=shippers&venture_id=%lld&dry_run=maybe", v), csv),
                400, "validation_failed", "dry_run");

    /* imports.write and the kind's write permission */
    wht_user fin = wht_user_new("FINANCE"); /* imports.write, not freight.write */
    wht_set_ventures(fin.id, 1, &v);
    const char *ft = wht_login(fin.email, fin.password);
    WHT_PROBLEM(import(ft, q("shippers", v, true), csv), 403, "forbidden", NULL);
    wht_user disp = wht_user_new("DISPATCHER"); /* freight.write, not imports.write */
    wht_set_ventures(disp.id, 1, &v);
    const char *dt = wht_login(disp.email, disp.password);
    WHT_PROBLEM(import(dt, q("shippers", v, true), csv), 403, "forbidden", NULL);
    WHT_PROBLEM(wht_get(dt, "/imports"), 403, "forbidden", NULL);
    wht_user aud = wht_user_new("AUDITOR");
    const char *at = wht_login(aud.email, aud.password);
    WHT_EXPECT(wht_get(at, "/imports"), 200);
    WHT_EXPECT(wht_get(at, "/imports/templates/loads"), 200);
    WHT_PROBLEM(import(at, q("shippers", v, true), csv), 403, "forbidden", NULL);
}

/* Concurrent commits of one file: one answers 201, the others wait for it and answer 200 with
 * its record; the records are written once. */
static void test_concurrent_commits_of_one_file(void **state)
{
    (void)state;
    long long v = wht_venture_new("LOGISTICS").id;
    const char *csv = "code,name\nCC1,One\nCC2,Two\nCC3,Three\n";
    wht_flight *f[4];
    for (size_t i = 0; i < 4; i++) {
        wht_request rq = {.method = "POST",
                          .path = wht_fmt(WHT_API "/imports?%s", q("shippers", v, false)),
                          .token = admin(),
                          .body = csv,
                          .body_len = strlen(csv),
                          .content_type = "text/csv"};
        f[i] = wht_flight_start(&rq);
    }
    int created = 0, again = 0;
    long long id = 0;
    for (size_t i = 0; i < 4; i++) {
        wht_resp *r = wht_flight_end(f[i]);
        created += r->status == 201;
        again += r->status == 200;
        if (id && wht_int(r->json, "id") != id)
            WHT_FAIL("two imports of one file: %lld and %lld", id, wht_int(r->json, "id"));
        id = wht_int(r->json, "id");
    }
    assert_int_equal(created, 1);
    assert_int_equal(again, 3);
    assert_int_equal(count(admin(), wht_fmt("/shippers?venture_id=%lld", v)), 3);
    assert_int_equal(count(admin(), wht_fmt("/imports?venture_id=%lld", v)), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        WHT_TEST(test_bad_row_fixed_file_same_bytes),
        WHT_TEST(test_quoting_bom_crlf_formulas),
        WHT_TEST(test_file_faults),
        WHT_TEST(test_templates_round_trip),
        WHT_TEST(test_kind_rules),
        WHT_TEST(test_permissions_and_scope),
        WHT_TEST(test_concurrent_commits_of_one_file),
    };
    /* days are computed in UTC (wht_utc_day): the server's business day is UTC's too */
    static const char *const env[] = {"WH_TIMEZONE=UTC", NULL};
    wht_init_env(env);
    return wht_finish(cmocka_run_group_tests_name("api_imports", tests, NULL, NULL));
}
