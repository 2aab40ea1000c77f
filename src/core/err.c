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

/* After a print of written bytes into buf[cap]: when it was cut short, the cut is moved back to a
 * character boundary, so a problem never carries half a UTF-8 character. */
static void fit(char *buf, size_t cap, int written)
{
    if (written >= 0 && (size_t)written >= cap)
        buf[wh_str_utf8_cut(buf, strlen(buf))] = '\0';
}

/* The one table from a kind of failure to its HTTP answer (API.md "Errors"). */
static const struct {
    wh_err kind;
    int status;
    const char *code, *title;
} kinds[] = {
    {WH_ERR_INVALID, 400, "validation_failed", "Validation failed"},
    {WH_ERR_BAD_JSON, 400, "invalid_json", "Invalid JSON"},
    {WH_ERR_BAD_CURSOR, 400, "invalid_cursor", "Invalid cursor"},
    {WH_ERR_UNAUTH, 401, "unauthenticated", "Unauthenticated"},
    {WH_ERR_FORBIDDEN, 403, "forbidden", "Forbidden"},
    {WH_ERR_NOT_FOUND, 404, "not_found", "Not found"},
    {WH_ERR_METHOD, 405, "method_not_allowed", "Method not allowed"},
    {WH_ERR_CONFLICT, 409, "conflict", "Conflict"},
    {WH_ERR_UNIQUE, 409, "conflict", "Conflict"},
    {WH_ERR_TRANSITION, 409, "invalid_transition", "Invalid transition"},
    {WH_ERR_TOO_LARGE, 413, "payload_too_large", "Payload too large"},
    {WH_ERR_MEDIA_TYPE, 415, "unsupported_media_type", "Unsupported media type"},
    {WH_ERR_KEY_REUSED, 422, "idempotency_key_reused", "Idempotency key reused"},
    {WH_ERR_BLOCKED, 422, "carrier_blocked", "Carrier blocked"},
    {WH_ERR_RATE_LIMITED, 429, "rate_limited", "Rate limited"},
    {WH_ERR_DB, 500, "internal", "Internal error"},
    {WH_ERR_INTERNAL, 500, "internal", "Internal error"},
    {WH_ERR_UNAVAILABLE, 503, "unavailable", "Unavailable"},
    {WH_ERR_REFUSED, 503, "unavailable", "Unavailable"},
};
enum { NKINDS = sizeof kinds / sizeof kinds[0] };

static size_t row_of(wh_err kind)
{
    for (size_t i = 0; i < NKINDS; i++)
        if (kinds[i].kind == kind)
            return i;
    return kind == WH_ERR_INTERNAL ? 0 : row_of(WH_ERR_INTERNAL);
}

int wh_err_status(wh_err kind)
{
    return kinds[row_of(kind)].status;
}

const char *wh_err_code(wh_err kind)
{
    return kinds[row_of(kind)].code;
}

wh_err wh_error_kind(const wh_error *e)
{
    return e->kind;
}

static void set_kind(wh_error *e, wh_err kind)
{
    size_t i = row_of(kind == WH_OK ? WH_ERR_INTERNAL : kind);
    e->kind = kinds[i].kind;
    e->status = kinds[i].status;
    e->code = kinds[i].code;
}

wh_err wh_fail(wh_error *e, wh_err kind, const char *fmt, ...)
{
    va_list ap;
    set_kind(e, kind);
    va_start(ap, fmt);
    fit(e->detail, sizeof e->detail, vsnprintf(e->detail, sizeof e->detail, fmt, ap));
    va_end(ap);
    return e->kind;
}

wh_err wh_error_field(wh_error *e, const char *field, const char *fmt, ...)
{
    va_list ap;
    if (e->kind != WH_ERR_INVALID) {
        e->nfields = 0;
        (void)wh_fail(e, WH_ERR_INVALID, "The request has invalid fields.");
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

const char *wh_error_title(const char *code)
{
    for (size_t i = 0; i < NKINDS; i++)
        if (code && strcmp(kinds[i].code, code) == 0)
            return kinds[i].title;
    return "Error";
}
