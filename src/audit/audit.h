/* The audit log: every change is written with actor, action, entity, venture and before/after
 * JSON, inside the transaction of the change itself, so a change and its record commit or roll
 * back together. */
#ifndef WH_AUDIT_AUDIT_H
#define WH_AUDIT_AUDIT_H

#include "core/arena.h"
#include "auth/auth.h"
#include "core/err.h"
#include "db/db.h"

#include <jansson.h>

typedef struct {
    int64_t actor_id;   /* 0: the system or the command line */
    const char *action; /* "venture.create", "user.update", ... */
    const char *entity; /* "venture", "user", ... */
    int64_t entity_id;
    int64_t venture_id; /* 0: not venture-scoped */
    json_t *before;     /* borrowed; NULL when created */
    json_t *after;      /* borrowed; NULL when deleted */
    const char *request_id;
    int64_t at_ms;
} wh_audit_entry;

WH_MUST_USE wh_err wh_audit_record(wh_conn *c, wh_arena *a, const wh_audit_entry *en, wh_error *e);

/* Longest entity name a filter of the audit list accepts. */
#define WH_AUDIT_ENTITY_CHARS 64

/* Filters of the audit list; 0 / NULL mean "any". */
typedef struct {
    int64_t venture_id, actor_id;
    const char *action;
    const char *entity; /* with entity_id: one record's entries ("load", 12) */
    int64_t entity_id;
} wh_audit_filter;

/* Rows (id, at, actor_id, action, entity, entity_id, venture_id, before_json, after_json,
 * request_id) in p's scope, newest first (id descending, the page of ks). */
void wh_audit_list_sql(const wh_principal *p, const wh_audit_filter *f, const wh_keyset *ks,
                       wh_sqlb *b);

struct wh_req;
/* Records en with the request's actor, request id and clock filled in (the fields of en that
 * the request determines are overwritten). */
WH_MUST_USE wh_err wh_audit_request(struct wh_req *r, wh_conn *c, wh_audit_entry *en, wh_error *e);

/* A change the request made, as the audit log records it: action ("bpo_campaign.update"),
 * entity and id, venture (0: none), and the record before and after it (NULL when created or
 * deleted). */
typedef struct {
    const char *action, *entity;
    int64_t id, venture_id;
    json_t *before, *after;
} wh_change;

/* Records ch in c's transaction with the request's actor, request id and clock. Takes
 * ch->before and ch->after: they are released whatever happens. */
WH_MUST_USE wh_err wh_audit_change(struct wh_req *r, wh_conn *c, const wh_change *ch, wh_error *e);
/* Ends a write that answers the record it changed: records ch (wh_audit_change), commits and
 * answers status with ch->after. Takes ch->before and ch->after. */
WH_MUST_USE wh_err wh_audit_commit(struct wh_req *r, wh_conn *c, int status, const wh_change *ch,
                                   wh_error *e);

struct wh_route;
/* GET /audit-log. */
const struct wh_route *wh_audit_routes(size_t *n);

#endif
