/* The load status machine and margin arithmetic of DOMAIN.md §2: pure functions, no I/O, no
 * clock (the business day comes in as a parameter), so unit tests drive them directly.
 * Invariant: a load's status is always one of wh_load_statuses and only changes along an edge
 * of `edges` below. */
#include "freight/freight.h"

#include <string.h>

const char *const wh_load_statuses[] = {WH_LOAD_OPEN,
                                        WH_LOAD_WORKING,
                                        WH_LOAD_QUOTED,
                                        WH_LOAD_AT_RISK,
                                        WH_LOAD_COVERED,
                                        WH_LOAD_IN_TRANSIT,
                                        WH_LOAD_DELIVERED,
                                        WH_LOAD_LOST,
                                        WH_LOAD_FELL_OFF,
                                        WH_LOAD_DORMANT,
                                        NULL};

const char *const wh_load_lost_codes[] = {
    "RATE", "CAPACITY", "SHIPPER_CANCELLED", "SERVICE", "COMPETITOR", "OTHER", NULL};

/* Every allowed move, exactly as DOMAIN.md §2 lists them; DELIVERED and LOST are terminal. */
static const struct {
    const char *from;
    const char *to[6]; /* NULL-terminated */
} edges[] = {
    {WH_LOAD_OPEN, {WH_LOAD_WORKING, WH_LOAD_QUOTED, WH_LOAD_LOST, WH_LOAD_DORMANT}},
    {WH_LOAD_WORKING,
     {WH_LOAD_QUOTED, WH_LOAD_COVERED, WH_LOAD_AT_RISK, WH_LOAD_LOST, WH_LOAD_DORMANT}},
    {WH_LOAD_QUOTED, {WH_LOAD_WORKING, WH_LOAD_COVERED, WH_LOAD_LOST, WH_LOAD_OPEN}},
    {WH_LOAD_AT_RISK, {WH_LOAD_COVERED, WH_LOAD_LOST, WH_LOAD_WORKING}},
    {WH_LOAD_COVERED, {WH_LOAD_IN_TRANSIT, WH_LOAD_DELIVERED, WH_LOAD_LOST, WH_LOAD_FELL_OFF}},
    {WH_LOAD_IN_TRANSIT, {WH_LOAD_DELIVERED, WH_LOAD_LOST, WH_LOAD_FELL_OFF}},
    {WH_LOAD_FELL_OFF, {WH_LOAD_COVERED, WH_LOAD_LOST, WH_LOAD_WORKING}},
    {WH_LOAD_DORMANT, {WH_LOAD_WORKING, WH_LOAD_OPEN}},
};

static bool is(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

const char *wh_load_status_find(const char *s)
{
    for (const char *const *p = wh_load_statuses; s && *p; p++)
        if (strcmp(*p, s) == 0)
            return *p;
    return NULL;
}

bool wh_load_transition_allowed(const char *from, const char *to)
{
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
        if (!is(edges[i].from, from))
            continue;
        for (const char *const *t = edges[i].to; *t; t++)
            if (is(*t, to))
                return true;
    }
    return false;
}

wh_load_margin wh_load_margin_of(const wh_load *l)
{
    int64_t bill = l->has_bill_cents ? l->bill_cents : 0;
    int64_t cost = l->has_cost_cents ? l->cost_cents : 0;
    wh_load_margin m = {.margin_cents = bill - cost};
    if (bill != 0) {
        /* |margin| <= WH_FREIGHT_CENTS_MAX, so x 10000 cannot overflow; C division truncates
         * toward zero */
        m.has_bp = true;
        m.margin_bp = m.margin_cents * 10000 / bill;
    }
    return m;
}

int64_t wh_load_move_carrier_id(const wh_load *l, const wh_load_move *m)
{
    if (!is(m->status, WH_LOAD_COVERED))
        return 0;
    return m->carrier_id ? m->carrier_id : l->carrier_id;
}

/* Fields that belong to one target status only, and a billing day that has not happened yet. */
static wh_err check_fields(const wh_load_move *m, const char *today, wh_error *e)
{
    if (m->carrier_id && !is(m->status, WH_LOAD_COVERED))
        return wh_error_field(e, "carrier_id", "is only accepted with status COVERED");
    if (m->billing_date && !is(m->status, WH_LOAD_DELIVERED))
        return wh_error_field(e, "billing_date", "is only accepted with status DELIVERED");
    if (m->pending_reason && !is(m->status, WH_LOAD_COVERED))
        return wh_error_field(e, "pending_carrier_reason", "is only accepted with status COVERED");
    if (m->lost_reason && !is(m->status, WH_LOAD_LOST))
        return wh_error_field(e, "lost_reason", "is only accepted with status LOST");
    if (m->lost_reason_code && !is(m->status, WH_LOAD_LOST))
        return wh_error_field(e, "lost_reason_code", "is only accepted with status LOST");
    if (m->billing_date && strcmp(m->billing_date, today) > 0)
        return wh_error_field(e, "billing_date", "must not be after today (%s)", today);
    return WH_OK;
}

/* Why a carrier that is not assignable is refused, for the 422's detail. */
static const char *refusal(const wh_carrier *c)
{
    if (c->blocked)
        return "it is blocked";
    if (is(c->verification, "PENDING"))
        return "FMCSA has not verified it yet, and assigning a PENDING carrier needs"
               " carriers.assign_pending";
    if (is(c->verification, "NOT_FOUND"))
        return "FMCSA does not know its DOT number";
    return "its FMCSA status is not ACTIVE";
}

/* The assignment rule of DOMAIN-wave2 §14. */
static wh_err check_carrier(int64_t id, const wh_carrier *carrier, const wh_load_move *m,
                            wh_error *e)
{
    if (id == 0)
        return wh_error_field(e, "carrier_id", "is required to move a load to COVERED");
    if (!carrier)
        return wh_error_field(e, "carrier_id", "is not a carrier of the directory");
    if (wh_carrier_assignable(carrier))
        return WH_OK;
    if (!wh_carrier_pending(carrier) || !m->may_assign_pending)
        return wh_fail(e, WH_ERR_BLOCKED, "Carrier %lld may not be assigned: %s.",
                       (long long)carrier->id, refusal(carrier));
    if (!m->pending_reason)
        return wh_error_field(e, "pending_carrier_reason",
                              "is required to assign a carrier FMCSA has not verified yet");
    return WH_OK;
}

wh_err wh_load_move_apply(wh_load *l, const wh_load_move *m, const wh_carrier *carrier,
                          const char *today, bool *noop, wh_error *e)
{
    const char *to = wh_load_status_find(m->status);
    wh_err rc = check_fields(m, today, e);
    *noop = false;
    if (rc != WH_OK)
        return rc;
    if (!to)
        return wh_error_field(e, "status", "is not a load status");
    if (is(l->status, to)) {
        *noop = true;
        return WH_OK;
    }
    if (!wh_load_transition_allowed(l->status, to))
        return wh_fail(e, WH_ERR_TRANSITION, "A load cannot move from %s to %s.", l->status, to);
    if (is(to, WH_LOAD_COVERED)) {
        int64_t id = wh_load_move_carrier_id(l, m);
        rc = check_carrier(id, carrier && carrier->id == id ? carrier : NULL, m, e);
        if (rc != WH_OK)
            return rc;
        l->carrier_id = id;
        if (l->dispatcher_id == 0)
            l->dispatcher_id = m->actor_id;
    }
    if (is(to, WH_LOAD_DELIVERED))
        l->billing_date = m->billing_date ? m->billing_date : today;
    if (is(to, WH_LOAD_LOST)) {
        l->lost_reason = m->lost_reason;
        l->lost_reason_code = m->lost_reason_code ? m->lost_reason_code : "OTHER";
    }
    if (is(to, WH_LOAD_FELL_OFF))
        l->carrier_id = 0;
    l->status = to;
    return WH_OK;
}
