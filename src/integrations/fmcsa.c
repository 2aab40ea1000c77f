/* FMCSA QCMobile client: lookups by DOT number and by docket (MC) number, the fields of
 * DOMAIN.md §10, and the status normalisation of DOMAIN.md §2. FMCSA answers numbers as JSON
 * numbers or strings depending on the field and the day, so both are accepted. */
#include "integrations/integrations_int.h"

#include <stdio.h>
#include <string.h>

const char *wh_fmcsa_normalise(const char *allowed, const char *status_code, const char *oos_date)
{
    if ((oos_date && *oos_date) || (status_code && strcmp(status_code, "OOS") == 0))
        return "OUT_OF_SERVICE";
    if (allowed && strcmp(allowed, "Y") == 0)
        return "ACTIVE";
    if (allowed && strcmp(allowed, "N") == 0)
        return "NOT_AUTHORIZED";
    return "UNKNOWN";
}

/* A string field, or a number rendered as text; NULL for null, absent or empty. */
static const char *text_of(wh_arena *a, json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (json_is_string(v) && json_string_length(v) > 0)
        return wh_arena_strdup(a, json_string_value(v));
    if (json_is_integer(v))
        return wh_arena_printf(a, "%lld", (long long)json_integer_value(v));
    return NULL;
}

static bool int_of(json_t *obj, const char *key, int64_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return true;
    }
    if (json_is_string(v)) {
        char *end = NULL;
        long long n = strtoll(json_string_value(v), &end, 10);
        if (end && *end == '\0' && end != json_string_value(v)) {
            *out = n;
            return true;
        }
    }
    return false;
}

static void fill(wh_arena *a, json_t *c, wh_fmcsa_carrier *out)
{
    memset(out, 0, sizeof *out);
    out->legal_name = text_of(a, c, "legalName");
    out->dba_name = text_of(a, c, "dbaName");
    out->dot_number = text_of(a, c, "dotNumber");
    out->mc_number = text_of(a, c, "mcNumber");
    out->phone = text_of(a, c, "telephone");
    out->city = text_of(a, c, "phyCity");
    out->state = text_of(a, c, "phyState");
    out->safety_rating = text_of(a, c, "safetyRating");
    out->has_power_units = int_of(c, "totalPowerUnits", &out->power_units);
    out->has_drivers = int_of(c, "totalDrivers", &out->drivers);
    const char *allowed = text_of(a, c, "allowedToOperate");
    out->status =
        wh_fmcsa_normalise(allowed, text_of(a, c, "statusCode"), text_of(a, c, "oosDate"));
    out->authorized = allowed && strcmp(allowed, "Y") == 0;
}

wh_err wh_fmcsa_parse(wh_arena *a, const char *body, size_t len, bool docket, wh_fmcsa_carrier *out,
                      bool *found, wh_error *e)
{
    json_t *root = json_loadb(body, len, 0, NULL);
    json_t *content = json_object_get(root, "content");
    json_t *carrier = NULL;
    *found = false;
    if (!root) {
        wh_err rc = wh_fail(e, WH_ERR_UNAVAILABLE, "FMCSA answered something not JSON.");
        return rc;
    }
    if (docket && json_is_array(content) && json_array_size(content) > 0)
        carrier = json_object_get(json_array_get(content, 0), "carrier");
    else if (json_is_object(content))
        carrier = json_object_get(content, "carrier");
    if (json_is_object(carrier)) {
        fill(a, carrier, out);
        *found = out->dot_number && out->legal_name;
    }
    json_decref(root);
    return WH_OK;
}

static bool json_object_body(const char *body, size_t len)
{
    json_t *v = json_loadb(body, len, 0, NULL);
    bool ok = json_is_object(v);
    json_decref(v);
    return ok;
}

wh_err wh_fmcsa_lookup(wh_integrations *in, wh_arena *a, bool by_mc, const char *number,
                       wh_fmcsa_carrier *out, bool *found, wh_error *e)
{
    wh_outbound_response resp;
    *found = false;
    if (!wh_integrations_configured(in, WH_PROVIDER_FMCSA))
        return wh_fail(e, WH_ERR_UNAVAILABLE, "FMCSA is not configured (WH_FMCSA_WEBKEY).");
    const char *url =
        wh_arena_printf(a, "%s/qc/services/carriers/%s%s?webKey=%s", in->cfg->fmcsa_base_url,
                        by_mc ? "docket-number/" : "", wh_outbound_escape(a, number),
                        wh_outbound_escape(a, in->cfg->fmcsa_webkey));
    wh_outbound_request req = {.method = "GET", .url = url, .usable = json_object_body};
    wh_err rc = wh_integrations_call(in, WH_PROVIDER_FMCSA, a, &req, &resp, e);
    if (rc != WH_OK)
        return rc;
    if (resp.status == 404)
        return WH_OK;
    if (resp.status != 200)
        return wh_fail(e, WH_ERR_UNAVAILABLE, "FMCSA refused the lookup (HTTP %d).", resp.status);
    rc = wh_fmcsa_parse(a, resp.body, resp.len, by_mc, out, found, e);
    if (rc == WH_OK && *found && by_mc && !out->mc_number)
        out->mc_number = wh_arena_strdup(a, number);
    return rc;
}
