/* One error convention: fallible functions return wh_err (WH_OK == 0, failures negative) and
 * the failing layer fills a wh_error, which http/response.c renders as RFC 9457 problem+json.
 * A wh_error is plain caller-owned storage; it holds no heap memory. */
#ifndef WH_CORE_ERR_H
#define WH_CORE_ERR_H

#include "core/limits.h"

#define WH_MUST_USE __attribute__((warn_unused_result))

/* The kinds of failure. Each kind has one HTTP status and one API.md problem code, in one
 * table (core/err.c): a layer says what went wrong (wh_fail), never which status to answer. */
typedef enum {
    WH_OK = 0,
    WH_ERR_INVALID = -1,     /* 400 validation_failed: input refused (wh_error_field) */
    WH_ERR_NOT_FOUND = -2,   /* 404 not_found */
    WH_ERR_CONFLICT = -3,    /* 409 conflict: the state of the data refuses the change */
    WH_ERR_UNIQUE = -4,      /* 409 conflict: a unique constraint refused the row */
    WH_ERR_FORBIDDEN = -5,   /* 403 forbidden */
    WH_ERR_UNAUTH = -6,      /* 401 unauthenticated */
    WH_ERR_DB = -7,          /* 500 internal: a database failure other than a unique violation */
    WH_ERR_UNAVAILABLE = -8, /* 503 unavailable: a dependency is down or the pool is dry; retry */
    WH_ERR_INTERNAL = -9,    /* 500 internal */
    WH_ERR_TOO_LARGE = -10,  /* 413 payload_too_large; also a bounded buffer that would overflow */
    WH_ERR_BAD_JSON = -11,   /* 400 invalid_json */
    WH_ERR_BAD_CURSOR = -12, /* 400 invalid_cursor */
    WH_ERR_TRANSITION = -13, /* 409 invalid_transition */
    WH_ERR_BLOCKED = -14,    /* 422 carrier_blocked */
    WH_ERR_KEY_REUSED = -15, /* 422 idempotency_key_reused */
    WH_ERR_RATE_LIMITED = -16, /* 429 rate_limited */
    WH_ERR_MEDIA_TYPE = -17,   /* 415 unsupported_media_type */
    WH_ERR_METHOD = -18,       /* 405 method_not_allowed */
    WH_ERR_REFUSED = -19,      /* 503 unavailable: a provider refused the request for good (the
                                * outbox fails the message instead of retrying it) */
} wh_err;

typedef struct {
    char field[64];
    char message[160];
} wh_field_error;

typedef struct {
    wh_err kind;      /* WH_OK while no error was set */
    int status;       /* HTTP status of kind; 0 while no error was set */
    const char *code; /* API.md error code of kind, a static string */
    char detail[256];
    int nfields;
    wh_field_error fields[WH_LIMIT_FIELD_ERRORS];
} wh_error;

/* Clears an error to "no error". */
void wh_error_init(wh_error *e);

/* Records a failure of kind with a printf-style detail (status and code come from the kind's
 * row of the table); returns kind so callers can write `return wh_fail(...)`. Overwrites an
 * earlier error. */
wh_err wh_fail(wh_error *e, wh_err kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Adds one field error and makes the error WH_ERR_INVALID (400 validation_failed); returns
 * WH_ERR_INVALID. */
wh_err wh_error_field(wh_error *e, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The kind of e (WH_OK when none was set). */
wh_err wh_error_kind(const wh_error *e);

/* The HTTP status and problem code of a kind (500 internal for one not in the table). */
int wh_err_status(wh_err kind);
const char *wh_err_code(wh_err kind);

/* Title of an API error code ("Not found" for not_found). */
const char *wh_error_title(const char *code);

#endif
