/* Freight: the shared carrier directory (this file so far). Carriers are not venture-scoped:
 * every freight role of any venture reads the one directory. Their FMCSA fields are written
 * only from FMCSA answers, never from client input. */
#ifndef WH_FREIGHT_FREIGHT_H
#define WH_FREIGHT_FREIGHT_H

#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"
#include "integrations/integrations.h"

#include <jansson.h>

typedef struct {
    int64_t id;
    const char *name, *legal_name, *dba_name, *dot_number, *mc_number;
    const char *phone, *email, *city, *state, *safety_rating;
    bool has_power_units, has_drivers;
    int64_t power_units, drivers;
    const char *fmcsa_status;
    bool fmcsa_authorized;
    int64_t fmcsa_checked_at; /* 0: never */
    const char *fmcsa_error;
    bool blocked;
} wh_carrier;

/* Contact fields and the blocked flag; NULL / has_blocked false leave a field unchanged. */
typedef struct {
    const char *phone, *email;
    bool has_blocked, blocked;
} wh_carrier_patch_input;

/* Finds a carrier by DOT or MC number (either may be NULL). */
WH_MUST_USE wh_err wh_carrier_find_number(wh_conn *c, wh_arena *a, const char *dot, const char *mc,
                                          wh_carrier *out, bool *found, wh_error *e);
/* Inserts a carrier from an FMCSA answer checked at now_ms; 409 when its number is known. */
WH_MUST_USE wh_err wh_carrier_insert(wh_conn *c, wh_arena *a, const wh_fmcsa_carrier *f,
                                     int64_t now_ms, wh_carrier *out, wh_error *e);
WH_MUST_USE wh_err wh_carrier_get(wh_conn *c, wh_arena *a, int64_t id, wh_carrier *out,
                                  wh_error *e);
/* Replaces the FMCSA fields with a fresh answer and clears the error. */
WH_MUST_USE wh_err wh_carrier_apply_fmcsa(wh_conn *c, wh_arena *a, int64_t id,
                                          const wh_fmcsa_carrier *f, int64_t now_ms,
                                          wh_carrier *out, wh_error *e);
/* Records a failed check: the last known status stays, the error and its time are kept. */
WH_MUST_USE wh_err wh_carrier_record_error(wh_conn *c, wh_arena *a, int64_t id, const char *error,
                                           int64_t now_ms, wh_carrier *out, wh_error *e);
WH_MUST_USE wh_err wh_carrier_patch(wh_conn *c, wh_arena *a, int64_t id,
                                    const wh_carrier_patch_input *in, int64_t now_ms,
                                    wh_carrier *out, wh_error *e);
/* Up to limit carriers by (name, id) after the keyset position, filtered by a case-insensitive
 * substring q of name, legal name, DBA name, DOT or MC number, and by FMCSA status. */
WH_MUST_USE wh_err wh_carrier_list(wh_conn *c, wh_arena *a, const char *q, const char *status,
                                   bool after, const char *after_name, int64_t after_id, int limit,
                                   wh_carrier **out, size_t *n, wh_error *e);
/* True when a carrier may be assigned to a load: not blocked and ACTIVE. */
bool wh_carrier_assignable(const wh_carrier *c);
json_t *wh_carrier_json(const wh_carrier *c);

struct wh_route;
const struct wh_route *wh_carriers_routes(size_t *n);

#endif
