/* SaaS routes (API-wave2 "SaaS"): customers, subscriptions with their start, change and cancel
 * actions, and the event list. Every write runs in one transaction that also records its
 * subscription event (when the customer's MRR moves) and its audit entry. */
#include "saas/saas.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/str.h"
#include "http/http.h"

#include <stdint.h>
#include <string.h>

static const char *const customers_fields[] = {
    "id",     "venture_id", "name",       "code",       "email",
    "active", "mrr_cents",  "created_at", "updated_at", NULL};
static const wh_list customers = {"saas_customers",          WH_KEY_TEXT,     2, 0,
                                  wh_saas_customer_row_json, customers_fields};
static const char *const subscriptions_fields[] = {
    "id",           "venture_id", "customer_id", "plan_name",  "mrr_cents", "started_on",
    "cancelled_on", "status",     "created_at",  "updated_at", NULL};
static const wh_list subscriptions = {"saas_subscriptions", WH_KEY_ID,           0, 0,
                                      wh_saas_sub_row_json, subscriptions_fields};
static const char *const events_fields[] = {"id",
                                            "venture_id",
                                            "customer_id",
                                            "subscription_id",
                                            "type",
                                            "effective_on",
                                            "mrr_delta_cents",
                                            "customer_mrr_before_cents",
                                            "customer_mrr_after_cents",
                                            "created_by",
                                            "created_at",
                                            NULL};
static const wh_list events = {"saas_events",          WH_KEY_TEXT,  5, 0,
                               wh_saas_event_row_json, events_fields};

static const char *const event_types[] = {"NEW",   "EXPANSION",    "CONTRACTION",
                                          "CHURN", "REACTIVATION", NULL};

/* Whether v is one of the NULL-terminated values. */
static bool one_of(const char *v, const char *const *values)
{
    for (const char *const *k = values; *k; k++)
        if (strcmp(v, *k) == 0)
            return true;
    return false;
}

/* The venture of a customer body: 403 when missing or outside the scope, 400 when not SAAS. */
static wh_err saas_venture(wh_req *r, wh_conn *c, int64_t venture_id, wh_error *e)
{
    const char *type = NULL;
    bool found = false;
    wh_err rc = wh_saas_venture_type(c, &r->arena, &r->user, venture_id, &type, &found, e);
    if (rc != WH_OK)
        return rc;
    if (!found)
        return wh_fail(e, WH_ERR_FORBIDDEN, "Venture %lld is outside your scope.",
                       (long long)venture_id);
    if (strcmp(type, "SAAS") != 0)
        return wh_error_field(e, "venture_id", "must be a SAAS venture");
    return WH_OK;
}

/* ------------------------------------------------------------- customers */

static wh_err read_customer(wh_req *r, bool create, wh_saas_customer_input *in, wh_error *e)
{
    static const char *const create_fields[] = {"venture_id", "name",   "code",
                                                "email",      "active", NULL};
    static const char *const patch_fields[] = {"name", "code", "email", "active", NULL};
    json_t *body = NULL;
    wh_jin j;
    wh_err rc = wh_req_json(r, &body, e);
    if (rc != WH_OK)
        return rc;
    wh_jin_init(&j, body, e);
    wh_jin_allow(&j, create ? create_fields : patch_fields);
    if (create)
        in->venture_id = wh_jin_int(&j, "venture_id", true, 1, INT64_MAX, 0);
    in->name = wh_jin_str(&j, "name", create, 1, WH_SAAS_NAME_CHARS);
    const char *code = wh_jin_str(&j, "code", create, 1, WH_SAAS_CODE_CHARS);
    if (code) {
        char *up = wh_arena_strdup(&r->arena, code);
        if (!wh_saas_code_normalise(up)) {
            j.bad = true;
            (void)wh_error_field(e, "code", "must be 1 to 32 of A-Z, 0-9, _ and -");
        }
        in->code = up;
    }
    in->has_email = wh_jin_has(&j, "email");
    in->email = wh_jin_str(&j, "email", false, 3, WH_SAAS_EMAIL_CHARS);
    if (in->email && !strchr(in->email, '@')) {
        j.bad = true;
        (void)wh_error_field(e, "email", "must be an e-mail address");
    }
    in->has_active = wh_jin_has(&j, "active");
    in->active = wh_jin_bool(&j, "active", false, true);
    for (const char *const *k = patch_fields; *k; k++)
        if (strcmp(*k, "email") != 0 && wh_jin_is_null(&j, *k)) {
            j.bad = true;
            (void)wh_error_field(e, *k, "must not be null");
        }
    return wh_jin_done(&j);
}

static wh_err customer_create(wh_req *r, wh_error *e)
{
    wh_saas_customer_input in = {0};
    wh_saas_customer cu;
    wh_conn *c = NULL;
    wh_err rc = read_customer(r, true, &in, e);
    if (rc == WH_OK)
        rc = wh_req_begin(r, &c, e);
    if (rc == WH_OK)
        rc = saas_venture(r, c, in.venture_id, e);
    if (rc == WH_OK)
        rc = wh_saas_customer_create(c, &r->arena, &in, r->now_ms, &cu, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(r, c, 201,
                           &(wh_change){"saas_customer.create", "saas_customer", cu.id,
                                        cu.venture_id, NULL, wh_saas_customer_json(&cu)},
                           e);
}

static wh_err customer_get(wh_req *r, wh_error *e)
{
    int64_t id;
    wh_saas_customer cu;
    wh_conn *c = NULL;
    wh_err rc = wh_req_open(r, false, &c, &id, e);
    if (rc == WH_OK)
        rc = wh_saas_customer_get(c, &r->arena, &r->user, id, &cu, e);
    return rc == WH_OK ? wh_resp_json(r, 200, wh_saas_customer_json(&cu)) : rc;
}

static wh_err customer_patch(wh_req *r, wh_error *e)
{
    int64_t id;
    wh_saas_customer_input in = {0};
    wh_saas_customer before, after;
    wh_conn *c = NULL;
    wh_err rc = wh_req_path_id(r, 0, &id, e);
    if (rc == WH_OK)
        rc = read_customer(r, false, &in, e);
    if (rc == WH_OK)
        rc = wh_req_begin(r, &c, e);
    if (rc == WH_OK)
        rc = wh_saas_customer_get(c, &r->arena, &r->user, id, &before, e);
    if (rc == WH_OK)
        rc = wh_saas_customer_update(c, &r->arena, &r->user, id, &in, r->now_ms, &after, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(r, c, 200,
                           &(wh_change){"saas_customer.update", "saas_customer", id,
                                        after.venture_id, wh_saas_customer_json(&before),
                                        wh_saas_customer_json(&after)},
                           e);
}

static wh_err customer_list(wh_req *r, wh_error *e)
{
    wh_page pg;
    wh_sqlb b;
    wh_saas_customer_filter f = {0};
    wh_conn *c = NULL;
    const char *q = wh_req_query(r, "q");
    wh_err rc = wh_page_parse(r, &customers, &pg, e);
    if (rc == WH_OK)
        rc = wh_req_query_bool(r, "active", &f.has_active, &f.active, e);
    if (rc == WH_OK && q && strlen(q) > WH_SAAS_NAME_CHARS)
        rc = wh_error_field(e, "q", "must be at most %d characters", WH_SAAS_NAME_CHARS);
    if (rc == WH_OK)
        rc = wh_req_venture_filter(r, &c, &f.venture_id, e);
    if (rc != WH_OK)
        return rc;
    f.like = q && *q ? wh_str_like_pattern(&r->arena, q) : NULL;
    wh_saas_customer_list_sql(&r->user, &f, &pg.ks, &b);
    return wh_resp_list(r, c, &pg, &b, e);
}

/* --------------------------------------------------------- subscriptions */

/* A write's day: default today; after today 400; before the subscription's start 400 (when
 * started_on is given). */
static wh_err write_day(wh_req *r, const char *field, const char **day, const char *started_on,
                        wh_error *e)
{
    char today[16];
    wh_clock_day_of(r->now_ms, today, sizeof today);
    if (!*day)
        *day = wh_arena_strdup(&r->arena, today);
    if (strcmp(*day, today) > 0)
        return wh_error_field(e, field, "must not be after today");
    if (started_on && strcmp(*day, started_on) < 0)
        return wh_error_field(e, field, "must not be before the subscription's started_on");
    return WH_OK;
}

/* The event of a write that moves customer cu's MRR by delta on day (wh_saas_write_event). */
static wh_err record_event(wh_req *r, wh_conn *c, const wh_saas_customer *cu, int64_t sub_id,
                           const char *day, int64_t delta, wh_error *e)
{
    return wh_saas_write_event(c, &r->arena, cu, sub_id, day, delta, r->user.id, r->now_ms, e);
}

/* The customer of a subscription, its writes serialised. */
static wh_err lock_customer(wh_req *r, wh_conn *c, int64_t id, wh_saas_customer *cu, wh_error *e)
{
    return wh_saas_customer_lock(c, &r->arena, &r->user, id, cu, e);
}

static wh_err read_sub(wh_req *r, wh_saas_sub *in, wh_error *e)
{
    static const char *const fields[] = {"customer_id", "plan_name", "mrr_cents", "started_on",
                                         NULL};
    json_t *body = NULL;
    wh_jin j;
    wh_err rc = wh_req_json(r, &body, e);
    if (rc != WH_OK)
        return rc;
    wh_jin_init(&j, body, e);
    wh_jin_allow(&j, fields);
    in->customer_id = wh_jin_int(&j, "customer_id", true, 1, INT64_MAX, 0);
    in->plan_name = wh_jin_str(&j, "plan_name", true, 1, WH_SAAS_PLAN_CHARS);
    in->mrr_cents = wh_jin_int(&j, "mrr_cents", true, 1, WH_SAAS_MRR_MAX, 0);
    in->started_on = wh_jin_day(&j, "started_on", false);
    rc = wh_jin_done(&j);
    return rc == WH_OK ? write_day(r, "started_on", &in->started_on, NULL, e) : rc;
}

static wh_err sub_create(wh_req *r, wh_error *e)
{
    wh_saas_sub in = {0}, s;
    wh_saas_customer cu;
    wh_conn *c = NULL;
    wh_err rc = read_sub(r, &in, e);
    if (rc == WH_OK)
        rc = wh_req_begin(r, &c, e);
    if (rc == WH_OK)
        rc = lock_customer(r, c, in.customer_id, &cu, e);
    if (rc == WH_ERR_NOT_FOUND || (rc == WH_OK && !cu.active))
        return wh_error_field(e, "customer_id", "must be an active customer you may see");
    in.venture_id = cu.venture_id;
    if (rc == WH_OK)
        rc = wh_saas_sub_create(c, &r->arena, &in, r->now_ms, &s, e);
    if (rc == WH_OK)
        rc = record_event(r, c, &cu, s.id, s.started_on, s.mrr_cents, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(r, c, 201,
                           &(wh_change){"saas_subscription.create", "saas_subscription", s.id,
                                        s.venture_id, NULL, wh_saas_sub_json(&s)},
                           e);
}

static wh_err sub_get(wh_req *r, wh_error *e)
{
    int64_t id;
    wh_saas_sub s;
    wh_conn *c = NULL;
    wh_err rc = wh_req_open(r, false, &c, &id, e);
    if (rc == WH_OK)
        rc = wh_saas_sub_get(c, &r->arena, &r->user, id, &s, e);
    return rc == WH_OK ? wh_resp_json(r, 200, wh_saas_sub_json(&s)) : rc;
}

/* An action's body: {mrr_cents?, plan_name?, effective_on?} (change) or {cancelled_on?}. */
typedef struct {
    int64_t mrr_cents; /* 0: unchanged */
    const char *plan_name, *day;
} action_input;

static wh_err read_action(wh_req *r, bool cancel, action_input *in, wh_error *e)
{
    static const char *const change_fields[] = {"mrr_cents", "plan_name", "effective_on", NULL};
    static const char *const cancel_fields[] = {"cancelled_on", NULL};
    json_t *body = NULL;
    wh_jin j;
    wh_err rc = wh_req_json(r, &body, e);
    if (rc != WH_OK)
        return rc;
    wh_jin_init(&j, body, e);
    wh_jin_allow(&j, cancel ? cancel_fields : change_fields);
    if (cancel) {
        in->day = wh_jin_day(&j, "cancelled_on", false);
        return wh_jin_done(&j);
    }
    in->mrr_cents = wh_jin_int(&j, "mrr_cents", false, 1, WH_SAAS_MRR_MAX, 0);
    in->plan_name = wh_jin_str(&j, "plan_name", false, 1, WH_SAAS_PLAN_CHARS);
    in->day = wh_jin_day(&j, "effective_on", false);
    if (!j.bad && !wh_jin_has(&j, "mrr_cents") && !wh_jin_has(&j, "plan_name")) {
        j.bad = true;
        (void)wh_error_field(e, "mrr_cents", "give mrr_cents or plan_name");
    }
    return wh_jin_done(&j);
}

/* POST /saas/subscriptions/{id}/change and /cancel. */
static wh_err sub_action(wh_req *r, bool cancel, wh_error *e)
{
    int64_t id;
    action_input in = {0};
    wh_saas_sub before, next, after;
    wh_saas_customer cu;
    wh_conn *c = NULL;
    const char *field = cancel ? "cancelled_on" : "effective_on";
    wh_err rc = wh_req_path_id(r, 0, &id, e);
    if (rc == WH_OK)
        rc = read_action(r, cancel, &in, e);
    if (rc == WH_OK)
        rc = wh_req_begin(r, &c, e);
    if (rc == WH_OK)
        rc = wh_saas_sub_get(c, &r->arena, &r->user, id, &before, e);
    if (rc == WH_OK && strcmp(before.status, "CANCELLED") == 0)
        return wh_fail(e, WH_ERR_TRANSITION, "The subscription is cancelled.");
    if (rc == WH_OK)
        rc = write_day(r, field, &in.day, before.started_on, e);
    if (rc == WH_OK)
        rc = lock_customer(r, c, before.customer_id, &cu, e);
    if (rc != WH_OK)
        return rc;
    next = before;
    if (cancel) {
        next.status = "CANCELLED";
        next.cancelled_on = in.day;
    } else {
        next.mrr_cents = in.mrr_cents ? in.mrr_cents : before.mrr_cents;
        next.plan_name = in.plan_name ? in.plan_name : before.plan_name;
    }
    int64_t delta = cancel ? -before.mrr_cents : next.mrr_cents - before.mrr_cents;
    rc = record_event(r, c, &cu, id, in.day, delta, e);
    if (rc == WH_OK)
        rc = wh_saas_sub_save(c, &r->arena, &next, r->now_ms, &after, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(
        r, c, 200,
        &(wh_change){cancel ? "saas_subscription.cancel" : "saas_subscription.change",
                     "saas_subscription", id, after.venture_id, wh_saas_sub_json(&before),
                     wh_saas_sub_json(&after)},
        e);
}

static wh_err sub_change(wh_req *r, wh_error *e)
{
    return sub_action(r, false, e);
}

static wh_err sub_cancel(wh_req *r, wh_error *e)
{
    return sub_action(r, true, e);
}

static wh_err sub_list(wh_req *r, wh_error *e)
{
    static const char *const statuses[] = {"ACTIVE", "CANCELLED", NULL};
    wh_page pg;
    wh_sqlb b;
    wh_saas_sub_filter f = {0};
    wh_conn *c = NULL;
    bool has = false;
    wh_err rc = wh_page_parse(r, &subscriptions, &pg, e);
    if (rc == WH_OK)
        rc = wh_req_query_id(r, "customer_id", &f.customer_id, &has, e);
    f.status = wh_req_query(r, "status");
    if (rc == WH_OK && f.status && !one_of(f.status, statuses))
        rc = wh_error_field(e, "status", "must be ACTIVE or CANCELLED");
    if (rc == WH_OK)
        rc = wh_req_venture_filter(r, &c, &f.venture_id, e);
    if (rc != WH_OK)
        return rc;
    wh_saas_sub_list_sql(&r->user, &f, &pg.ks, &b);
    return wh_resp_list(r, c, &pg, &b, e);
}

/* ---------------------------------------------------------------- events */

static wh_err event_list(wh_req *r, wh_error *e)
{
    wh_page pg;
    wh_sqlb b;
    wh_saas_event_filter f = {0};
    wh_conn *c = NULL;
    bool has = false;
    wh_err rc = wh_page_parse(r, &events, &pg, e);
    if (rc == WH_OK)
        rc = wh_req_query_id(r, "customer_id", &f.customer_id, &has, e);
    if (rc == WH_OK)
        rc = wh_req_query_id(r, "subscription_id", &f.subscription_id, &has, e);
    if (rc == WH_OK)
        rc = wh_req_query_day(r, "from", &f.from, e);
    if (rc == WH_OK)
        rc = wh_req_query_day(r, "to", &f.to, e);
    f.type = wh_req_query(r, "type");
    if (rc == WH_OK && f.type && !one_of(f.type, event_types))
        rc = wh_error_field(e, "type", "must be an event type");
    if (rc == WH_OK && f.from && f.to && strcmp(f.from, f.to) > 0)
        rc = wh_error_field(e, "to", "must not be before from");
    if (rc == WH_OK)
        rc = wh_req_venture_filter(r, &c, &f.venture_id, e);
    if (rc != WH_OK)
        return rc;
    wh_saas_event_list_sql(&r->user, &f, &pg.ks, &b);
    return wh_resp_list(r, c, &pg, &b, e);
}

/* ---------------------------------------------------------------- routes */

static const wh_route routes[] = {
    {"GET", "/api/v1/saas/customers", customer_list, WH_PERM_SAAS_READ, WH_RATE_READ, WH_ROUTE_CSV,
     NULL},
    {"POST", "/api/v1/saas/customers", customer_create, WH_PERM_SAAS_WRITE, WH_RATE_WRITE,
     WH_ROUTE_IDEMPOTENT, NULL},
    {"GET", "/api/v1/saas/customers/{id}", customer_get, WH_PERM_SAAS_READ, WH_RATE_READ, 0, NULL},
    {"PATCH", "/api/v1/saas/customers/{id}", customer_patch, WH_PERM_SAAS_WRITE, WH_RATE_WRITE, 0,
     NULL},
    {"GET", "/api/v1/saas/subscriptions", sub_list, WH_PERM_SAAS_READ, WH_RATE_READ, WH_ROUTE_CSV,
     NULL},
    {"POST", "/api/v1/saas/subscriptions", sub_create, WH_PERM_SAAS_WRITE, WH_RATE_WRITE,
     WH_ROUTE_IDEMPOTENT, NULL},
    {"GET", "/api/v1/saas/subscriptions/{id}", sub_get, WH_PERM_SAAS_READ, WH_RATE_READ, 0, NULL},
    {"POST", "/api/v1/saas/subscriptions/{id}/change", sub_change, WH_PERM_SAAS_WRITE,
     WH_RATE_WRITE, WH_ROUTE_IDEMPOTENT, NULL},
    {"POST", "/api/v1/saas/subscriptions/{id}/cancel", sub_cancel, WH_PERM_SAAS_WRITE,
     WH_RATE_WRITE, WH_ROUTE_IDEMPOTENT, NULL},
    {"GET", "/api/v1/saas/events", event_list, WH_PERM_SAAS_READ, WH_RATE_READ, WH_ROUTE_CSV, NULL},
};

const wh_route *wh_saas_routes(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}
