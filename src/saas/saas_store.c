/* SQL for SaaS customers, subscriptions and events. Every read takes the caller's scope into
 * its WHERE clause. A customer's MRR is derived from its events (the sum of their deltas), never
 * stored. Optional strings travel as '' (NULLIF turns them into NULL). */
#include "saas/saas.h"
#include "core/json.h"

#include <string.h>

// clang-format off
/* One column list per table, unqualified (SELECT and RETURNING). */
#define CUSTOMER_COLS                                                                              \
    "id, venture_id, name, code, email, active, created_at, updated_at,"                           \
    " (SELECT COALESCE(SUM(e.mrr_delta_cents), 0) FROM saas_events e"                             \
    " WHERE e.customer_id = saas_customers.id)"
#define SUB_COLS                                                                                   \
    "id, venture_id, customer_id, plan_name, mrr_cents, started_on, cancelled_on, status,"         \
    " created_at, updated_at"
#define EVENT_COLS                                                                                 \
    "id, venture_id, customer_id, subscription_id, type, effective_on, mrr_delta_cents,"           \
    " customer_mrr_before_cents, customer_mrr_after_cents, created_by, created_at"
// clang-format on

/* ------------------------------------------------------------------ rows */

static void customer_row(const wh_rows *r, size_t i, wh_saas_customer *cu)
{
    cu->id = wh_rows_int(r, i, 0);
    cu->venture_id = wh_rows_int(r, i, 1);
    cu->name = wh_rows_text(r, i, 2);
    cu->code = wh_rows_text(r, i, 3);
    cu->email = wh_rows_text(r, i, 4);
    cu->active = wh_rows_bool(r, i, 5);
    cu->created_at = wh_rows_int(r, i, 6);
    cu->updated_at = wh_rows_int(r, i, 7);
    cu->mrr_cents = wh_rows_int(r, i, 8);
}

static void sub_row(const wh_rows *r, size_t i, wh_saas_sub *s)
{
    s->id = wh_rows_int(r, i, 0);
    s->venture_id = wh_rows_int(r, i, 1);
    s->customer_id = wh_rows_int(r, i, 2);
    s->plan_name = wh_rows_text(r, i, 3);
    s->mrr_cents = wh_rows_int(r, i, 4);
    s->started_on = wh_rows_text(r, i, 5);
    s->cancelled_on = wh_rows_text(r, i, 6);
    s->status = wh_rows_text(r, i, 7);
    s->created_at = wh_rows_int(r, i, 8);
    s->updated_at = wh_rows_int(r, i, 9);
}

static void event_row(const wh_rows *r, size_t i, wh_saas_event *ev)
{
    ev->id = wh_rows_int(r, i, 0);
    ev->venture_id = wh_rows_int(r, i, 1);
    ev->customer_id = wh_rows_int(r, i, 2);
    ev->subscription_id = wh_rows_int(r, i, 3);
    ev->type = wh_rows_text(r, i, 4);
    ev->effective_on = wh_rows_text(r, i, 5);
    ev->delta = wh_rows_int(r, i, 6);
    ev->before = wh_rows_int(r, i, 7);
    ev->after = wh_rows_int(r, i, 8);
    ev->created_by = wh_rows_int(r, i, 9);
    ev->created_at = wh_rows_int(r, i, 10);
}

json_t *wh_saas_customer_json(const wh_saas_customer *cu)
{
    return json_pack("{s:I, s:I, s:s, s:s, s:o, s:b, s:I, s:o, s:o}", "id", (json_int_t)cu->id,
                     "venture_id", (json_int_t)cu->venture_id, "name", cu->name, "code", cu->code,
                     "email", wh_json_str_or_null(cu->email), "active", cu->active, "mrr_cents",
                     (json_int_t)cu->mrr_cents, "created_at", wh_json_time(cu->created_at),
                     "updated_at", wh_json_time(cu->updated_at));
}

json_t *wh_saas_sub_json(const wh_saas_sub *s)
{
    return json_pack("{s:I, s:I, s:I, s:s, s:I, s:s, s:o, s:s, s:o, s:o}", "id", (json_int_t)s->id,
                     "venture_id", (json_int_t)s->venture_id, "customer_id",
                     (json_int_t)s->customer_id, "plan_name", s->plan_name, "mrr_cents",
                     (json_int_t)s->mrr_cents, "started_on", s->started_on, "cancelled_on",
                     wh_json_str_or_null(s->cancelled_on), "status", s->status, "created_at",
                     wh_json_time(s->created_at), "updated_at", wh_json_time(s->updated_at));
}

static json_t *event_json(const wh_saas_event *ev)
{
    return json_pack(
        "{s:I, s:I, s:I, s:I, s:s, s:s, s:I, s:I, s:I, s:o, s:o}", "id", (json_int_t)ev->id,
        "venture_id", (json_int_t)ev->venture_id, "customer_id", (json_int_t)ev->customer_id,
        "subscription_id", (json_int_t)ev->subscription_id, "type", ev->type, "effective_on",
        ev->effective_on, "mrr_delta_cents", (json_int_t)ev->delta, "customer_mrr_before_cents",
        (json_int_t)ev->before, "customer_mrr_after_cents", (json_int_t)ev->after, "created_by",
        ev->created_by ? json_integer((json_int_t)ev->created_by) : json_null(), "created_at",
        wh_json_time(ev->created_at));
}

WH_ROW_JSON(wh_saas_customer_row_json, wh_saas_customer, customer_row, wh_saas_customer_json)
WH_ROW_JSON(wh_saas_sub_row_json, wh_saas_sub, sub_row, wh_saas_sub_json)
WH_ROW_JSON(wh_saas_event_row_json, wh_saas_event, event_row, event_json)

/* ------------------------------------------------------------- customers */

wh_err wh_saas_venture_type(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t venture_id,
                            const char **type, bool *found, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(
        c, a, "SELECT v.type FROM ventures v WHERE v.id = $3 AND " WH_SCOPE_SQL("v.id", "$1", "$2"),
        WH_ARGS(WH_PB(p->all_ventures), WH_PI(p->id), WH_PI(venture_id)), &r, e);
    *found = rc == WH_OK && wh_rows_count(r) == 1;
    *type = *found ? wh_rows_text(r, 0, 0) : NULL;
    return rc;
}

/* The customer id in p's scope (all ventures when p is NULL). */
static wh_err customer_read(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t id,
                            wh_saas_customer *out, wh_error *e)
{
    static const wh_principal all = {.all_ventures = true};
    wh_rows *r = NULL;
    if (!p)
        p = &all;
    wh_err rc =
        wh_db_query(c, a,
                    "SELECT " CUSTOMER_COLS " FROM saas_customers WHERE id = $3 AND " WH_SCOPE_SQL(
                        "saas_customers.venture_id", "$1", "$2"),
                    WH_ARGS(WH_PB(p->all_ventures), WH_PI(p->id), WH_PI(id)), &r, e);
    rc = wh_rows_one(rc, r, "No such customer.", NULL, e);
    if (rc == WH_OK)
        customer_row(r, 0, out);
    return rc;
}

/* The id a one-row write returned, then the row read back (with its derived MRR). */
static wh_err customer_written(wh_conn *c, wh_arena *a, wh_err rc, const wh_rows *r,
                               wh_saas_customer *out, wh_error *e)
{
    rc = wh_rows_one(rc, r, "No such customer.", "A customer with this code is in the venture.", e);
    return rc == WH_OK ? customer_read(c, a, NULL, wh_rows_int(r, 0, 0), out, e) : rc;
}

wh_err wh_saas_customer_create(wh_conn *c, wh_arena *a, const wh_saas_customer_input *in,
                               int64_t now_ms, wh_saas_customer *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a,
                            "INSERT INTO saas_customers (venture_id, name, code, email, active,"
                            " created_at, updated_at) VALUES ($1, $2, $3, NULLIF($4, ''), $5, $6,"
                            " $6) RETURNING id",
                            WH_ARGS(WH_PI(in->venture_id), WH_PT(in->name), WH_PT(in->code),
                                    WH_PT(in->email ? in->email : ""),
                                    WH_PB(in->has_active ? in->active : true), WH_PI(now_ms)),
                            &r, e);
    return customer_written(c, a, rc, r, out, e);
}

wh_err wh_saas_customer_get(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t id,
                            wh_saas_customer *out, wh_error *e)
{
    return customer_read(c, a, p, id, out, e);
}

wh_err wh_saas_customer_update(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t id,
                               const wh_saas_customer_input *in, int64_t now_ms,
                               wh_saas_customer *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(
        c, a,
        "UPDATE saas_customers SET name = COALESCE(NULLIF($4, ''), name),"
        " code = COALESCE(NULLIF($5, ''), code), email = CASE WHEN $6 THEN NULLIF($7, '')"
        " ELSE email END, active = CASE WHEN $8 THEN $9 ELSE active END, updated_at = $10"
        " WHERE id = $3 AND " WH_SCOPE_SQL("saas_customers.venture_id", "$1", "$2") " RETURNING id",
        WH_ARGS(WH_PB(p->all_ventures), WH_PI(p->id), WH_PI(id), WH_PT(in->name ? in->name : ""),
                WH_PT(in->code ? in->code : ""), WH_PB(in->has_email),
                WH_PT(in->email ? in->email : ""), WH_PB(in->has_active), WH_PB(in->active),
                WH_PI(now_ms)),
        &r, e);
    return customer_written(c, a, rc, r, out, e);
}

void wh_saas_customer_list_sql(const wh_principal *p, const wh_saas_customer_filter *f,
                               const wh_keyset *ks, wh_sqlb *b)
{
    wh_sqlb_init(b, "SELECT " CUSTOMER_COLS " FROM saas_customers");
    WH_SQLB_SCOPE_VENTURE(b, p, "saas_customers.venture_id", f->venture_id);
    if (f->like && *f->like)
        wh_sqlb_and(b, "lower(name) LIKE ? ESCAPE '\\' OR lower(code) LIKE ? ESCAPE '\\'",
                    WH_PT(f->like), WH_PT(f->like));
    wh_sqlb_and_flag(b, "active = ?", f->has_active, f->active);
    wh_sqlb_page(b, "name", "id", false, ks);
}

/* --------------------------------------------------- subscriptions, events */

wh_err wh_saas_customer_latest(wh_conn *c, wh_arena *a, int64_t customer_id, const char **day,
                               bool *has, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a,
                            "SELECT MAX(effective_on), COUNT(*) FROM saas_events"
                            " WHERE customer_id = $1",
                            WH_ARGS(WH_PI(customer_id)), &r, e);
    *has = rc == WH_OK && wh_rows_int(r, 0, 1) > 0;
    *day = *has ? wh_rows_text(r, 0, 0) : "";
    return rc;
}

static wh_err one_sub(wh_err rc, const wh_rows *r, wh_saas_sub *out, wh_error *e)
{
    rc = wh_rows_one(rc, r, "No such subscription.", NULL, e);
    if (rc == WH_OK)
        sub_row(r, 0, out);
    return rc;
}

wh_err wh_saas_sub_create(wh_conn *c, wh_arena *a, const wh_saas_sub *in, int64_t now_ms,
                          wh_saas_sub *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc =
        wh_db_query(c, a,
                    "INSERT INTO saas_subscriptions (venture_id, customer_id, plan_name,"
                    " mrr_cents, started_on, status, created_at, updated_at) VALUES ($1,"
                    " $2, $3, $4, $5, 'ACTIVE', $6, $6) RETURNING " SUB_COLS,
                    WH_ARGS(WH_PI(in->venture_id), WH_PI(in->customer_id), WH_PT(in->plan_name),
                            WH_PI(in->mrr_cents), WH_PT(in->started_on), WH_PI(now_ms)),
                    &r, e);
    return one_sub(rc, r, out, e);
}

wh_err wh_saas_sub_get(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t id, wh_saas_sub *out,
                       wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc =
        wh_db_query(c, a,
                    "SELECT " SUB_COLS " FROM saas_subscriptions WHERE id = $3 AND " WH_SCOPE_SQL(
                        "saas_subscriptions.venture_id", "$1", "$2"),
                    WH_ARGS(WH_PB(p->all_ventures), WH_PI(p->id), WH_PI(id)), &r, e);
    return one_sub(rc, r, out, e);
}

wh_err wh_saas_sub_save(wh_conn *c, wh_arena *a, const wh_saas_sub *s, int64_t now_ms,
                        wh_saas_sub *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a,
                            "UPDATE saas_subscriptions SET plan_name = $2, mrr_cents = $3,"
                            " status = $4, cancelled_on = NULLIF($5, ''), updated_at = $6"
                            " WHERE id = $1 RETURNING " SUB_COLS,
                            WH_ARGS(WH_PI(s->id), WH_PT(s->plan_name), WH_PI(s->mrr_cents),
                                    WH_PT(s->status), WH_PT(s->cancelled_on ? s->cancelled_on : ""),
                                    WH_PI(now_ms)),
                            &r, e);
    return one_sub(rc, r, out, e);
}

void wh_saas_sub_list_sql(const wh_principal *p, const wh_saas_sub_filter *f, const wh_keyset *ks,
                          wh_sqlb *b)
{
    wh_sqlb_init(b, "SELECT " SUB_COLS " FROM saas_subscriptions");
    WH_SQLB_SCOPE_VENTURE(b, p, "saas_subscriptions.venture_id", f->venture_id);
    wh_sqlb_and_id(b, "customer_id = ?", f->customer_id);
    wh_sqlb_and_text(b, "status = ?", f->status);
    wh_sqlb_page(b, NULL, "id", true, ks);
}

wh_err wh_saas_event_record(wh_conn *c, wh_arena *a, const wh_saas_event *ev, int64_t now_ms,
                            wh_error *e)
{
    wh_err rc = wh_db_query(
        c, a,
        "INSERT INTO saas_events (venture_id, customer_id, subscription_id, type, effective_on,"
        " mrr_delta_cents, customer_mrr_before_cents, customer_mrr_after_cents, created_by,"
        " created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULLIF($9, 0), $10)",
        WH_ARGS(WH_PI(ev->venture_id), WH_PI(ev->customer_id), WH_PI(ev->subscription_id),
                WH_PT(ev->type), WH_PT(ev->effective_on), WH_PI(ev->after - ev->before),
                WH_PI(ev->before), WH_PI(ev->after), WH_PI(ev->created_by), WH_PI(now_ms)),
        NULL, e);
    if (rc != WH_OK)
        return rc;
    /* the KPI rows from this day on are stale until kpi_aggregation rebuilds them */
    return wh_db_query(c, a,
                       "INSERT INTO saas_kpi_stale (venture_id, day) VALUES ($1, $2)"
                       " ON CONFLICT (venture_id) DO UPDATE SET day = CASE WHEN excluded.day <"
                       " saas_kpi_stale.day THEN excluded.day ELSE saas_kpi_stale.day END",
                       WH_ARGS(WH_PI(ev->venture_id), WH_PT(ev->effective_on)), NULL, e);
}

wh_err wh_saas_customer_lock(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t id,
                             wh_saas_customer *out, wh_error *e)
{
    /* a key per customer (PostgreSQL; SQLite's writer lock serialises alike) */
    wh_err rc = wh_db_lock(c, WH_SAAS_CUSTOMER_LOCK(id), e);
    return rc == WH_OK ? wh_saas_customer_get(c, a, p, id, out, e) : rc;
}

wh_err wh_saas_write_event(wh_conn *c, wh_arena *a, const wh_saas_customer *cu, int64_t sub_id,
                           const char *day, int64_t delta, int64_t actor, int64_t now_ms,
                           wh_error *e)
{
    const char *latest = "";
    bool has = false;
    wh_err rc = wh_saas_customer_latest(c, a, cu->id, &latest, &has, e);
    if (rc != WH_OK)
        return rc;
    if (has && strcmp(day, latest) < 0)
        return wh_fail(e, WH_ERR_CONFLICT,
                       "The customer has an event on %s; a write may not be dated before it.",
                       latest);
    wh_saas_event ev = {.venture_id = cu->venture_id,
                        .customer_id = cu->id,
                        .subscription_id = sub_id,
                        .effective_on = day,
                        .before = cu->mrr_cents,
                        .after = cu->mrr_cents + delta,
                        .created_by = actor};
    ev.type = wh_saas_event_type(ev.before, ev.after, has);
    if (!ev.type)
        return WH_OK;
    return wh_saas_event_record(c, a, &ev, now_ms, e);
}

void wh_saas_event_list_sql(const wh_principal *p, const wh_saas_event_filter *f,
                            const wh_keyset *ks, wh_sqlb *b)
{
    wh_sqlb_init(b, "SELECT " EVENT_COLS " FROM saas_events");
    WH_SQLB_SCOPE_VENTURE(b, p, "saas_events.venture_id", f->venture_id);
    wh_sqlb_and_id(b, "customer_id = ?", f->customer_id);
    wh_sqlb_and_id(b, "subscription_id = ?", f->subscription_id);
    wh_sqlb_and_text(b, "type = ?", f->type);
    wh_sqlb_and_text(b, "effective_on >= ?", f->from);
    wh_sqlb_and_text(b, "effective_on <= ?", f->to);
    wh_sqlb_page(b, "effective_on", "id", true, ks);
}
