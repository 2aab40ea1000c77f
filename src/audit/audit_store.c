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

void wh_audit_list_sql(const wh_principal *p, const wh_audit_filter *f, wh_sqlb *b)
{
    wh_sqlb_init(b,
                 "SELECT al.id, al.at, al.actor_id, al.action, al.entity, al.entity_id,"
                 " al.venture_id, al.before_json, al.after_json, al.request_id FROM audit_log al");
    /* entries without a venture are visible only to all-venture callers */
    WH_SQLB_SCOPE(b, p, "al.venture_id");
    wh_sqlb_and_id(b, "al.venture_id = ?", f->venture_id);
    wh_sqlb_and_id(b, "al.actor_id = ?", f->actor_id);
    wh_sqlb_and_text(b, "al.action = ?", f->action);
    if (f->entity && *f->entity)
        wh_sqlb_and(b, "al.entity = ? AND al.entity_id = ?", WH_PT(f->entity), WH_PI(f->entity_id));
    wh_sqlb_and_id(b, "al.id < ?", f->before_id);
    wh_sqlb_order(b, "al.id DESC", f->limit);
}

wh_err wh_audit_list(wh_conn *c, wh_arena *a, const wh_principal *p, const wh_audit_filter *f,
                     wh_rows **out, wh_error *e)
{
    /* entries without a venture are visible only to all-venture callers */
    wh_sqlb b;
    wh_audit_list_sql(p, f, &b);
    return wh_sqlb_query(c, a, &b, out, e);
}
