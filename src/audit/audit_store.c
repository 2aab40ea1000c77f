/* SQL for the audit log: writing an entry and listing entries in the caller's scope. */
#include "audit/audit.h"
#include "auth/auth.h"

#include <stdlib.h>

static char *dump(wh_arena *a, json_t *v)
{
    if (!v)
        return NULL;
    char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
    char *copy = wh_arena_strdup(a, s ? s : "null");
    free(s);
    return copy;
}

wh_err wh_audit_record(wh_conn *c, wh_arena *a, const wh_audit_entry *en, wh_error *e)
{
    return wh_db_query(
        c, a,
        "INSERT INTO audit_log (at, actor_id, action, entity, entity_id, venture_id, before_json,"
        " after_json, request_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        WH_ARGS(WH_PI(en->at_ms), en->actor_id ? WH_PI(en->actor_id) : WH_PN, WH_PT(en->action),
                WH_PT(en->entity), en->entity_id ? WH_PI(en->entity_id) : WH_PN,
                en->venture_id ? WH_PI(en->venture_id) : WH_PN, WH_PT(dump(a, en->before)),
                WH_PT(dump(a, en->after)), WH_PT(en->request_id)),
        NULL, e);
}

wh_err wh_audit_list(wh_conn *c, wh_arena *a, const wh_principal *p, const wh_audit_filter *f,
                     wh_rows **out, wh_error *e)
{
    /* entries without a venture are visible only to all-venture callers */
    return wh_db_query(
        c, a,
        "SELECT al.id, al.at, al.actor_id, al.action, al.entity, al.entity_id, al.venture_id,"
        " al.before_json, al.after_json, al.request_id FROM audit_log al WHERE ($3 = 0 OR"
        " al.venture_id = $3) AND ($4 = 0 OR al.actor_id = $4) AND ($5 = '' OR al.action = $5)"
        " AND ($6 = 0 OR al.id < $6) AND ($8 = '' OR (al.entity = $8 AND al.entity_id = $9))"
        " AND ((al.venture_id IS NULL AND $1) OR " WH_SCOPE_SQL(
            "al.venture_id", "$1", "$2") ") ORDER BY al.id DESC LIMIT $7",
        WH_ARGS(WH_PB(p->all_ventures), WH_PI(p->id), WH_PI(f->venture_id), WH_PI(f->actor_id),
                WH_PT(f->action ? f->action : ""), WH_PI(f->before_id), WH_PI(f->limit),
                WH_PT(f->entity ? f->entity : ""), WH_PI(f->entity_id)),
        out, e);
}
