/* wh_error filling and the table of API.md error codes. */
#include "core/err.h"
#include "core/str.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void wh_error_init(wh_error *e)
{
    memset(e, 0, sizeof *e);
}

wh_err wh_error_kind(const wh_error *e)
{
    switch (e->status) {
    case 0:
        return WH_OK;
    case 401:
        return WH_ERR_UNAUTH;
    case 403:
        return WH_ERR_FORBIDDEN;
    case 404:
        return WH_ERR_NOT_FOUND;
    case 409:
        return WH_ERR_CONFLICT;
    case 503:
        return WH_ERR_UNAVAILABLE;
    case 500:
        return WH_ERR_INTERNAL;
    default:
        return WH_ERR_INVALID;
    }
}

/* After a print of written bytes into buf[cap]: when it was cut short, the cut is moved back to a
 * character boundary, so a problem never carries half a UTF-8 character. */
static void fit(char *buf, size_t cap, int written)
{
    if (written >= 0 && (size_t)written >= cap)
        buf[wh_str_utf8_cut(buf, strlen(buf))] = '\0';
}

wh_err wh_error_set(wh_error *e, int status, const char *code, const char *fmt, ...)
{
    va_list ap;
    e->status = status;
    e->code = code;
    va_start(ap, fmt);
    fit(e->detail, sizeof e->detail, vsnprintf(e->detail, sizeof e->detail, fmt, ap));
    va_end(ap);
    return wh_error_kind(e);
}

wh_err wh_error_field(wh_error *e, const char *field, const char *fmt, ...)
{
    va_list ap;
    if (e->status != 400 || !e->code || strcmp(e->code, "validation_failed") != 0) {
        e->nfields = 0;
        wh_error_set(e, 400, "validation_failed", "The request has invalid fields.");
    }
    if (e->nfields < WH_LIMIT_FIELD_ERRORS) {
        wh_field_error *f = &e->fields[e->nfields++];
        fit(f->field, sizeof f->field, snprintf(f->field, sizeof f->field, "%s", field));
        va_start(ap, fmt);
        fit(f->message, sizeof f->message, vsnprintf(f->message, sizeof f->message, fmt, ap));
        va_end(ap);
    }
    return WH_ERR_INVALID;
}

static const struct {
    const char *code;
    const char *title;
} titles[] = {
    {"invalid_json", "Invalid JSON"},
    {"validation_failed", "Validation failed"},
    {"invalid_cursor", "Invalid cursor"},
    {"unauthenticated", "Unauthenticated"},
    {"forbidden", "Forbidden"},
    {"not_found", "Not found"},
    {"method_not_allowed", "Method not allowed"},
    {"conflict", "Conflict"},
    {"invalid_transition", "Invalid transition"},
    {"payload_too_large", "Payload too large"},
    {"unsupported_media_type", "Unsupported media type"},
    {"idempotency_key_reused", "Idempotency key reused"},
    {"carrier_blocked", "Carrier blocked"},
    {"rate_limited", "Rate limited"},
    {"internal", "Internal error"},
    {"unavailable", "Unavailable"},
};

const char *wh_error_title(const char *code)
{
    for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++)
        if (code && strcmp(titles[i].code, code) == 0)
            return titles[i].title;
    return "Error";
}
