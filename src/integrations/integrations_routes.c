/* GET /integrations (integrations.read): configuration and breaker state per provider.
 * GET /outbox?status= (integrations.read): messages, newest first, without their bodies (a
 * body may hold a login code, which an administrator must not be able to read). */
#include "integrations/integrations_int.h"
#include "app.h"
#include "http/http.h"

#include <string.h>

static wh_err list_integrations(wh_req *r, wh_error *e)
{
    json_t *items = json_array();
    (void)e;
    for (int p = 0; p < WH_PROVIDER_COUNT; p++) {
        wh_breaker_state st;
        int failures;
        int64_t opened_at;
        wh_breaker_snapshot(wh_integrations_breaker(r->app->integrations, (wh_provider)p), &st,
                            &failures, &opened_at);
        json_array_append_new(
            items,
            json_pack("{s:s, s:b, s:{s:s, s:i, s:o}}", "name", wh_provider_name(p), "configured",
                      wh_integrations_configured(r->app->integrations, (wh_provider)p), "breaker",
                      "state", wh_breaker_state_name(st), "failures", failures, "opened_at",
                      wh_json_time(opened_at)));
    }
    return wh_resp_json(r, 200, json_pack("{s:o}", "items", items));
}

static json_t *render_message(const wh_rows *m, size_t i)
{
    json_t *o = json_pack("{s:I, s:s, s:s, s:o, s:s, s:I}", "id", wh_rows_int(m, i, 0), "channel",
                          wh_rows_text(m, i, 1), "recipient", wh_rows_text(m, i, 2), "subject",
                          wh_json_str_or_null(wh_rows_text(m, i, 3)), "status",
                          wh_rows_text(m, i, 4), "attempts", wh_rows_int(m, i, 5));
    json_object_set_new(o, "next_attempt_at", wh_json_time(wh_rows_int(m, i, 6)));
    json_object_set_new(o, "last_error", wh_json_str_or_null(wh_rows_text(m, i, 7)));
    json_object_set_new(o, "provider_message_id", wh_json_str_or_null(wh_rows_text(m, i, 8)));
    json_object_set_new(o, "created_at", wh_json_time(wh_rows_int(m, i, 9)));
    json_object_set_new(o, "sent_at", wh_json_time(wh_rows_int(m, i, 10)));
    return o;
}

static const char *const outbox_fields[] = {
    "id",         "channel",  "recipient",           "subject",
    "status",     "attempts", "next_attempt_at",     "last_error",
    "created_at", "sent_at",  "provider_message_id", NULL};
static const wh_list outbox = {"outbox", WH_KEY_ID, 0, 0, render_message, outbox_fields};

static wh_err list_outbox(wh_req *r, wh_error *e)
{
    static const char *const statuses[] = {"PENDING", "SENT", "FAILED"};
    wh_page pg;
    wh_sqlb b;
    wh_conn *c = NULL;
    const char *status = wh_req_query(r, "status");
    wh_err rc = wh_page_parse(r, &outbox, &pg, e);
    if (rc != WH_OK)
        return rc;
    if (status && strcmp(status, statuses[0]) && strcmp(status, statuses[1]) &&
        strcmp(status, statuses[2]))
        return wh_error_field(e, "status", "must be one of PENDING, SENT, FAILED");
    if ((rc = wh_req_db(r, &c, e)) != WH_OK)
        return rc;
    wh_outbox_list_sql(status, &pg.ks, &b);
    return wh_resp_list(r, c, &pg, &b, e);
}

static const wh_route routes[] = {
    {"GET", "/api/v1/integrations", list_integrations, WH_PERM_INTEGRATIONS_READ, WH_RATE_READ, 0,
     NULL},
    {"GET", "/api/v1/outbox", list_outbox, WH_PERM_INTEGRATIONS_READ, WH_RATE_READ, WH_ROUTE_CSV,
     NULL},
};

const wh_route *wh_integrations_routes(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}
