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

void wh_audit_list_sql(const wh_principal *p, const wh_audit_filter *f, const wh_keyset *ks,
                       wh_sqlb *b)
{
    wh_sqlb_init(b, "SELECT id, at, actor_id, action, entity, entity_id, venture_id, before_json,"
                    " after_json, request_id FROM audit_log");
    /* entries without a venture are visible only to all-venture callers */
    WH_SQLB_SCOPE_VENTURE(b, p, "audit_log.venture_id", f->venture_id);
    wh_sqlb_and_id(b, "actor_id = ?", f->actor_id);
    wh_sqlb_and_text(b, "action = ?", f->action);
    if (f->entity && *f->entity)
        wh_sqlb_and(b, "entity = ? AND entity_id = ?", WH_PT(f->entity), WH_PI(f->entity_id));
    wh_sqlb_page(b, NULL, "id", true, ks);
}
