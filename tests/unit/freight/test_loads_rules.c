/* The load status machine and margins (loads_rules.c): every pair of statuses against the
 * table of DOMAIN.md §2 written out again here, the effects of each move, and the margin
 * arithmetic on worked numbers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "freight/freight.h"

#include <string.h>

#define N 10
static const char *const S[N] = {"OPEN",       "WORKING",   "QUOTED", "AT_RISK",  "COVERED",
                                 "IN_TRANSIT", "DELIVERED", "LOST",   "FELL_OFF", "DORMANT"};
/* allowed[from][to], rows and columns in the order of S, copied from DOMAIN.md §2 */
static const int allowed[N][N] = {
    /*            OPEN WORK QUOT ATRI COVE INTR DELI LOST FELL DORM */
    /* OPEN    */ {0, 1, 1, 0, 0, 0, 0, 1, 0, 1},
    /* WORKING */ {0, 0, 1, 1, 1, 0, 0, 1, 0, 1},
    /* QUOTED  */ {1, 1, 0, 0, 1, 0, 0, 1, 0, 0},
    /* AT_RISK */ {0, 1, 0, 0, 1, 0, 0, 1, 0, 0},
    /* COVERED */ {0, 0, 0, 0, 0, 1, 1, 1, 1, 0},
    /* IN_TRAN */ {0, 0, 0, 0, 0, 0, 1, 1, 1, 0},
    /* DELIVER */ {0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    /* LOST    */ {0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    /* FELL_OF */ {0, 1, 0, 0, 1, 0, 0, 1, 0, 0},
    /* DORMANT */ {1, 1, 0, 0, 0, 0, 0, 0, 0, 0},
};

static const wh_carrier ACTIVE = {.id = 7, .fmcsa_status = "ACTIVE", .verification = "VERIFIED"};

static wh_load load_in(const char *status)
{
    wh_load l = {.id = 1, .venture_id = 2, .created_by = 3, .status = status};
    if (strcmp(status, "COVERED") == 0 || strcmp(status, "IN_TRANSIT") == 0)
        l.carrier_id = 7;
    return l;
}

static void every_pair_follows_the_table(void **state)
{
    (void)state;
    for (int f = 0; f < N; f++) {
        for (int t = 0; t < N; t++) {
            wh_load l = load_in(S[f]);
            wh_load_move m = {.status = S[t], .carrier_id = strcmp(S[t], "COVERED") ? 0 : 7};
            wh_error e;
            bool noop = true;
            wh_error_init(&e);
            assert_int_equal(wh_load_transition_allowed(S[f], S[t]), allowed[f][t] == 1);
            wh_err rc = wh_load_move_apply(&l, &m, &ACTIVE, "2026-11-28", &noop, &e);
            if (f == t) {
                assert_int_equal(rc, WH_OK);
                assert_true(noop);
                assert_string_equal(l.status, S[f]);
            } else if (allowed[f][t]) {
                assert_int_equal(rc, WH_OK);
                assert_false(noop);
                assert_string_equal(l.status, S[t]);
            } else {
                assert_int_equal(e.status, 409);
                assert_string_equal(e.code, "invalid_transition");
                assert_string_equal(l.status, S[f]);
            }
        }
    }
}

static void unknown_statuses_never_move(void **state)
{
    (void)state;
    assert_null(wh_load_status_find("open"));
    assert_null(wh_load_status_find(NULL));
    assert_string_equal(wh_load_status_find("LOST"), "LOST");
    assert_false(wh_load_transition_allowed("OPEN", "open"));
    assert_false(wh_load_transition_allowed(NULL, "OPEN"));
    assert_false(wh_load_transition_allowed("DONE", "OPEN"));
}

static wh_err apply(wh_load *l, wh_load_move m, const wh_carrier *c, wh_error *e)
{
    bool noop = false;
    wh_error_init(e);
    return wh_load_move_apply(l, &m, c, "2026-11-28", &noop, e);
}

static void covered_needs_an_assignable_carrier(void **state)
{
    (void)state;
    wh_error e;
    wh_load l = load_in("WORKING");
    wh_carrier blocked = {
        .id = 8, .fmcsa_status = "ACTIVE", .verification = "VERIFIED", .blocked = true};
    wh_carrier unknown = {.id = 9, .fmcsa_status = "UNKNOWN", .verification = "VERIFIED"};
    wh_carrier oos = {.id = 10, .fmcsa_status = "OUT_OF_SERVICE", .verification = "VERIFIED"};

    assert_int_not_equal(apply(&l, (wh_load_move){.status = "COVERED"}, NULL, &e), WH_OK);
    assert_int_equal(e.status, 400);
    assert_string_equal(e.fields[0].field, "carrier_id");
    assert_int_not_equal(apply(&l, (wh_load_move){.status = "COVERED", .carrier_id = 99}, NULL, &e),
                         WH_OK);
    assert_int_equal(e.status, 400);
    const wh_carrier *refused[] = {&blocked, &unknown, &oos};
    for (size_t i = 0; i < 3; i++) {
        wh_load_move m = {.status = "COVERED", .carrier_id = refused[i]->id};
        assert_int_equal(wh_load_move_carrier_id(&l, &m), refused[i]->id);
        assert_int_not_equal(apply(&l, m, refused[i], &e), WH_OK);
        assert_int_equal(e.status, 422);
        assert_string_equal(e.code, "carrier_blocked");
        assert_string_equal(l.status, "WORKING");
        assert_int_equal(l.carrier_id, 0);
    }
    assert_int_equal(apply(&l, (wh_load_move){.status = "COVERED", .carrier_id = 7}, &ACTIVE, &e),
                     WH_OK);
    assert_int_equal(l.carrier_id, 7);
}

/* DOMAIN-wave2 §14: a PENDING carrier needs carriers.assign_pending and a reason; NOT_FOUND, an
 * ACTIVE but unverified status, or a blocked PENDING carrier never. */
static void pending_carriers_need_the_permission_and_a_reason(void **state)
{
    (void)state;
    wh_error e;
    wh_carrier pending = {.id = 11, .fmcsa_status = "UNKNOWN", .verification = "PENDING"};
    wh_carrier blocked = pending;
    blocked.blocked = true;
    wh_carrier gone = {.id = 12, .fmcsa_status = "ACTIVE", .verification = "NOT_FOUND"};
    wh_load l = load_in("WORKING");
    wh_load_move m = {.status = "COVERED", .carrier_id = 11, .pending_reason = "Known to us"};
    assert_int_not_equal(apply(&l, m, &pending, &e), WH_OK);
    assert_int_equal(e.status, 422);
    m.may_assign_pending = true;
    m.pending_reason = NULL;
    assert_int_not_equal(apply(&l, m, &pending, &e), WH_OK);
    assert_int_equal(e.status, 400);
    assert_string_equal(e.fields[0].field, "pending_carrier_reason");
    m.pending_reason = "Known to us for years";
    assert_int_not_equal(apply(&l, m, &blocked, &e), WH_OK);
    assert_int_equal(e.status, 422);
    m.carrier_id = 12;
    assert_int_not_equal(apply(&l, m, &gone, &e), WH_OK);
    assert_int_equal(e.status, 422);
    assert_string_equal(l.status, "WORKING");
    m.carrier_id = 11;
    m.actor_id = 5;
    assert_int_equal(apply(&l, m, &pending, &e), WH_OK);
    assert_int_equal(l.carrier_id, 11);
    assert_int_equal(l.dispatcher_id, 5); /* covered without a dispatcher: the caller */
    /* a reason belongs to COVERED only; a dispatcher already named stays */
    wh_load w = load_in("WORKING");
    w.dispatcher_id = 4;
    assert_int_not_equal(
        apply(&w, (wh_load_move){.status = "LOST", .pending_reason = "Known to us for years"}, NULL,
              &e),
        WH_OK);
    assert_string_equal(e.fields[0].field, "pending_carrier_reason");
    assert_int_equal(
        apply(&w, (wh_load_move){.status = "COVERED", .carrier_id = 7, .actor_id = 5}, &ACTIVE, &e),
        WH_OK);
    assert_int_equal(w.dispatcher_id, 4);
}

/* LOST records its code (default OTHER); a code with another status is 400. */
static void lost_records_its_code(void **state)
{
    (void)state;
    wh_error e;
    wh_load l = load_in("WORKING");
    assert_int_not_equal(
        apply(&l, (wh_load_move){.status = "QUOTED", .lost_reason_code = "RATE"}, NULL, &e), WH_OK);
    assert_string_equal(e.fields[0].field, "lost_reason_code");
    wh_load k = l;
    assert_int_equal(apply(&k, (wh_load_move){.status = "LOST"}, NULL, &e), WH_OK);
    assert_string_equal(k.lost_reason_code, "OTHER");
    assert_int_equal(
        apply(&l, (wh_load_move){.status = "LOST", .lost_reason_code = "CAPACITY"}, NULL, &e),
        WH_OK);
    assert_string_equal(l.lost_reason_code, "CAPACITY");
}

static void fell_off_drops_the_carrier_and_recover_needs_one(void **state)
{
    (void)state;
    wh_error e;
    wh_load l = load_in("COVERED");
    assert_int_equal(apply(&l, (wh_load_move){.status = "FELL_OFF"}, NULL, &e), WH_OK);
    assert_int_equal(l.carrier_id, 0);
    wh_load_move m = {.status = "COVERED"};
    assert_int_equal(wh_load_move_carrier_id(&l, &m), 0);
    assert_int_not_equal(apply(&l, m, NULL, &e), WH_OK);
    assert_int_equal(e.status, 400);
    /* a load that keeps its carrier (QUOTED with one) may be covered without naming it again */
    wh_load q = load_in("QUOTED");
    q.carrier_id = 7;
    assert_int_equal(wh_load_move_carrier_id(&q, &m), 7);
    assert_int_equal(apply(&q, m, &ACTIVE, &e), WH_OK);
}

static void delivered_sets_the_billing_day(void **state)
{
    (void)state;
    wh_error e;
    wh_load l = load_in("COVERED");
    assert_int_equal(apply(&l, (wh_load_move){.status = "DELIVERED"}, NULL, &e), WH_OK);
    assert_string_equal(l.billing_date, "2026-11-28");

    l = load_in("IN_TRANSIT");
    assert_int_equal(
        apply(&l, (wh_load_move){.status = "DELIVERED", .billing_date = "2026-10-01"}, NULL, &e),
        WH_OK);
    assert_string_equal(l.billing_date, "2026-10-01");

    l = load_in("IN_TRANSIT");
    assert_int_not_equal(
        apply(&l, (wh_load_move){.status = "DELIVERED", .billing_date = "2026-11-29"}, NULL, &e),
        WH_OK);
    assert_int_equal(e.status, 400);
    assert_string_equal(e.fields[0].field, "billing_date");
    assert_null(l.billing_date);
    assert_string_equal(l.status, "IN_TRANSIT");
}

static void fields_belong_to_their_status(void **state)
{
    (void)state;
    wh_error e;
    wh_load l = load_in("OPEN");
    assert_int_not_equal(apply(&l, (wh_load_move){.status = "WORKING", .carrier_id = 7}, NULL, &e),
                         WH_OK);
    assert_string_equal(e.fields[0].field, "carrier_id");
    assert_int_not_equal(
        apply(&l, (wh_load_move){.status = "LOST", .billing_date = "2026-11-01"}, NULL, &e), WH_OK);
    assert_string_equal(e.fields[0].field, "billing_date");
    assert_int_not_equal(
        apply(&l, (wh_load_move){.status = "DORMANT", .lost_reason = "x"}, NULL, &e), WH_OK);
    assert_string_equal(e.fields[0].field, "lost_reason");
    assert_int_equal(apply(&l, (wh_load_move){.status = "LOST", .lost_reason = "price"}, NULL, &e),
                     WH_OK);
    assert_string_equal(l.lost_reason, "price");
    /* terminal: LOST -> anything else is refused, LOST -> LOST is a no-op */
    assert_int_not_equal(apply(&l, (wh_load_move){.status = "OPEN"}, NULL, &e), WH_OK);
    assert_int_equal(e.status, 409);
}

static wh_load_margin margin(bool has_bill, int64_t bill, bool has_cost, int64_t cost)
{
    wh_load l = {.has_bill_cents = has_bill,
                 .bill_cents = bill,
                 .has_cost_cents = has_cost,
                 .cost_cents = cost};
    return wh_load_margin_of(&l);
}

static void margins_on_worked_numbers(void **state)
{
    (void)state;
    wh_load_margin m = margin(true, 150000, true, 120000);
    assert_int_equal(m.margin_cents, 30000);
    assert_true(m.has_bp);
    assert_int_equal(m.margin_bp, 2000);

    m = margin(true, 0, true, 5000); /* bill 0: no ratio, never a division by zero */
    assert_int_equal(m.margin_cents, -5000);
    assert_false(m.has_bp);
    m = margin(false, 0, true, 5000); /* missing bill counts 0 */
    assert_int_equal(m.margin_cents, -5000);
    assert_false(m.has_bp);
    m = margin(true, 80000, false, 0); /* missing cost counts 0 */
    assert_int_equal(m.margin_cents, 80000);
    assert_int_equal(m.margin_bp, 10000);
    m = margin(true, 100000, true, 120000);
    assert_int_equal(m.margin_cents, -20000);
    assert_int_equal(m.margin_bp, -2000);
    m = margin(true, 3, true, 2); /* truncated toward zero */
    assert_int_equal(m.margin_bp, 3333);
    m = margin(true, 3, true, 4);
    assert_int_equal(m.margin_bp, -3333);
    m = margin(true, WH_FREIGHT_CENTS_MAX, true, 0);
    assert_int_equal(m.margin_bp, 10000);
    m = margin(true, 1, true, WH_FREIGHT_CENTS_MAX);
    assert_int_equal(m.margin_bp, (1 - WH_FREIGHT_CENTS_MAX) * 10000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_pair_follows_the_table),
        cmocka_unit_test(unknown_statuses_never_move),
        cmocka_unit_test(covered_needs_an_assignable_carrier),
        cmocka_unit_test(pending_carriers_need_the_permission_and_a_reason),
        cmocka_unit_test(lost_records_its_code),
        cmocka_unit_test(fell_off_drops_the_carrier_and_recover_needs_one),
        cmocka_unit_test(delivered_sets_the_billing_day),
        cmocka_unit_test(fields_belong_to_their_status),
        cmocka_unit_test(margins_on_worked_numbers),
    };
    return cmocka_run_group_tests_name("freight_loads_rules", tests, NULL, NULL);
}
