/* One error convention: fallible functions return wh_err (WH_OK == 0, failures negative) and
 * the failing layer fills a wh_error, which http/response.c renders as RFC 9457 problem+json.
 * A wh_error is plain caller-owned storage; it holds no heap memory. */
#ifndef WH_CORE_ERR_H
#define WH_CORE_ERR_H

#include "core/limits.h"

#define WH_MUST_USE __attribute__((warn_unused_result))

typedef enum {
    WH_OK = 0,
    WH_ERR_INVALID = -1,     /* input refused: 400 family */
    WH_ERR_NOT_FOUND = -2,   /* 404 */
    WH_ERR_CONFLICT = -3,    /* 409 */
    WH_ERR_UNIQUE = -4,      /* a unique constraint refused the row */
    WH_ERR_FORBIDDEN = -5,   /* 403 */
    WH_ERR_UNAUTH = -6,      /* 401 */
    WH_ERR_DB = -7,          /* database failure other than a unique violation */
    WH_ERR_UNAVAILABLE = -8, /* 503: a dependency is down or the pool is exhausted */
    WH_ERR_INTERNAL = -9,    /* 500 */
    WH_ERR_TOO_LARGE = -10,  /* a bounded buffer would overflow */
} wh_err;

typedef struct {
    char field[64];
    char message[160];
} wh_field_error;

typedef struct {
    int status;       /* HTTP status; 0 while no error was set */
    const char *code; /* API.md error code, a static string */
    char detail[256];
    int nfields;
    wh_field_error fields[WH_LIMIT_FIELD_ERRORS];
} wh_error;

/* Clears an error to "no error". */
void wh_error_init(wh_error *e);

/* Sets status, code and a printf-style detail; returns the wh_err matching the status so
 * callers can write `return wh_error_set(...)`. Overwrites an earlier error. */
wh_err wh_error_set(wh_error *e, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Adds one field error and makes the error 400 validation_failed; returns WH_ERR_INVALID. */
wh_err wh_error_field(wh_error *e, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Maps an error to the wh_err its status stands for. */
wh_err wh_error_kind(const wh_error *e);

/* Title of an API error code ("Not found" for not_found). */
const char *wh_error_title(const char *code);

#endif
