/* SendGrid (v3 mail send, bearer key, JSON; 202 is success) and Twilio (Messages.json, basic
 * auth SID:TOKEN, form body; 201 with a sid is success). Every e-mail has a text/plain part. */
#include "integrations/integrations_int.h"

#include <string.h>

wh_err wh_sendgrid_send(wh_integrations *in, wh_arena *a, const char *to, const char *subject,
                        const char *text, const char **msg_id, wh_error *e)
{
    wh_outbound_response resp;
    const wh_config *c = in->cfg;
    if (!wh_integrations_configured(in, WH_PROVIDER_SENDGRID))
        return wh_fail(e, WH_ERR_UNAVAILABLE, "SendGrid is not configured.");
    json_t *body =
        json_pack("{s:[{s:[{s:s}]}], s:{s:s}, s:s, s:[{s:s, s:s}]}", "personalizations", "to",
                  "email", to, "from", "email", c->sendgrid_from, "subject", subject ? subject : "",
                  "content", "type", "text/plain", "value", text);
    char *json = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    char *copy = wh_arena_strdup(a, json ? json : "{}");
    free(json);
    const char *headers[] = {wh_arena_printf(a, "Authorization: Bearer %s", c->sendgrid_api_key),
                             "Content-Type: application/json", NULL};
    wh_outbound_request req = {.method = "POST",
                               .url = wh_arena_printf(a, "%s/v3/mail/send", c->sendgrid_base_url),
                               .headers = headers,
                               .body = copy,
                               .body_len = strlen(copy)};
    wh_err rc = wh_integrations_call(in, WH_PROVIDER_SENDGRID, a, &req, &resp, e);
    if (rc != WH_OK)
        return rc;
    if (resp.status != 202 && resp.status != 200)
        return wh_fail(e, WH_ERR_REFUSED, "SendGrid refused the message (HTTP %d).", resp.status);
    *msg_id = resp.message_id ? resp.message_id : "";
    return WH_OK;
}

static bool has_sid(const char *body, size_t len)
{
    json_t *v = json_loadb(body, len, 0, NULL);
    bool ok = json_is_string(json_object_get(v, "sid"));
    json_decref(v);
    return ok;
}

wh_err wh_twilio_send(wh_integrations *in, wh_arena *a, const char *to, const char *body,
                      const char **sid, wh_error *e)
{
    wh_outbound_response resp;
    const wh_config *c = in->cfg;
    if (!wh_integrations_configured(in, WH_PROVIDER_TWILIO))
        return wh_fail(e, WH_ERR_UNAVAILABLE, "Twilio is not configured.");
    const char *form =
        wh_arena_printf(a, "To=%s&From=%s&Body=%s", wh_outbound_escape(a, to),
                        wh_outbound_escape(a, c->twilio_from), wh_outbound_escape(a, body));
    const char *headers[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    wh_outbound_request req = {
        .method = "POST",
        .url = wh_arena_printf(a, "%s/2010-04-01/Accounts/%s/Messages.json", c->twilio_base_url,
                               wh_outbound_escape(a, c->twilio_sid)),
        .headers = headers,
        .body = form,
        .body_len = strlen(form),
        .userpwd = wh_arena_printf(a, "%s:%s", c->twilio_sid, c->twilio_token),
        .usable = has_sid};
    wh_err rc = wh_integrations_call(in, WH_PROVIDER_TWILIO, a, &req, &resp, e);
    if (rc != WH_OK)
        return rc;
    json_t *j = json_loadb(resp.body, resp.len, 0, NULL);
    const char *s = json_string_value(json_object_get(j, "sid"));
    *sid = s ? wh_arena_strdup(a, s) : NULL;
    json_decref(j);
    if (resp.status != 201 || !*sid)
        return wh_fail(e, WH_ERR_REFUSED, "Twilio refused the message (HTTP %d).", resp.status);
    return WH_OK;
}
