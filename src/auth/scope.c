/* The scope function: all-venture roles see every venture; everyone else exactly the ventures
 * they are members of. No membership means no venture data - the SQL says so, never a
 * missing filter. */
#include "auth/auth.h"
#include "core/limits.h"

#include <stdio.h>

/* The memo keys of the scope answers of one user (the owner): a venture's, or an office's (its
 * value the office's venture). The flags that change the answer are part of the key. */
static int64_t venture_key(const wh_principal *p, int64_t venture_id)
{
    return venture_id * 2 + (p->all_ventures ? 1 : 0);
}

static int64_t office_key(const wh_principal *p, bool by_membership, int64_t office_id)
{
    return -(office_id * 4 + (p->all_ventures ? 2 : 0) + (by_membership ? 1 : 0));
}

bool wh_scope_venture_known(const wh_principal *p, int64_t venture_id)
{
    int64_t yes = 0;
    return p->scopes && venture_id > 0 && venture_id < INT64_MAX / 4 &&
           wh_memo_find(p->scopes, p->id, venture_key(p, venture_id), &yes, NULL);
}

wh_err wh_scope_has_venture(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t venture_id,
                            bool *yes, wh_error *e)
{
    wh_rows *r = NULL;
    uint64_t gen = 0;
    *yes = wh_scope_venture_known(p, venture_id);
    if (*yes)
        return WH_OK;
    if (p->scopes) /* the drop count before the read: a change heard meanwhile is not undone */
        gen = wh_memo_gen(p->scopes);
    wh_err rc = wh_db_query(
        c, a, "SELECT 1 FROM ventures v WHERE v.id = $3 AND " WH_SCOPE_SQL("v.id", "$1", "$2"),
        WH_ARGS(WH_PB(p->all_ventures), WH_PI(p->id), WH_PI(venture_id)), &r, e);
    *yes = rc == WH_OK && wh_rows_count(r) == 1;
    /* only a yes is kept: ventures are never deleted, and a no for an id that does not exist
     * yet would outlive the venture's creation, which sends no note */
    /* nor an answer a replica gave: it may predate the change the memo last heard of */
    if (*yes && p->scopes && venture_id < INT64_MAX / 4 && !wh_db_is_replica(c))
        wh_memo_put(p->scopes, p->id, venture_key(p, venture_id), 1, gen);
    return rc;
}

wh_err wh_scope_forget_user(wh_conn *c, int64_t user_id, wh_error *e)
{
    char note[WH_LIMIT_DB_NOTE_CHARS];
    snprintf(note, sizeof note, "m:%lld", (long long)user_id);
    return wh_db_notify(c, note, e);
}

wh_err wh_scope_check_venture(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t venture_id,
                              wh_error *e)
{
    bool yes = false;
    wh_err rc = wh_scope_has_venture(c, a, p, venture_id, &yes, e);
    if (rc != WH_OK)
        return rc;
    if (!yes)
        return wh_fail(e, WH_ERR_FORBIDDEN, "Venture %lld is outside your scope.",
                       (long long)venture_id);
    return WH_OK;
}

wh_err wh_scope_ventures(wh_conn *c, wh_arena *a, const wh_principal *p, wh_rows **out, wh_error *e)
{
    /* all-venture roles: every active venture; members: their ventures, active or not */
    return wh_db_query(c, a,
                       "SELECT v.id, v.name, v.code, v.type FROM ventures v WHERE ($1 AND"
                       " v.active) OR v.id IN (SELECT venture_id FROM venture_users WHERE"
                       " user_id = $2) ORDER BY v.name, v.id",
                       WH_ARGS(WH_PB(p->all_ventures), WH_PI(p->id)), out, e);
}

wh_err wh_scope_offices(wh_conn *c, wh_arena *a, const wh_principal *p, wh_rows **out, wh_error *e)
{
    return wh_db_query(c, a,
                       "SELECT o.id, o.venture_id, o.name FROM offices o JOIN ventures v ON"
                       " v.id = o.venture_id WHERE ($1 AND v.active) OR o.id IN (SELECT"
                       " office_id FROM office_users WHERE user_id = $2) ORDER BY o.name, o.id",
                       WH_ARGS(WH_PB(p->all_ventures), WH_PI(p->id)), out, e);
}

wh_err wh_scope_check_office(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t office_id,
                             int64_t *venture_id, wh_error *e)
{
    wh_rows *r = NULL;
    bool by_membership = wh_role_office_scoped(p->role);
    int64_t key = office_id < INT64_MAX / 8 ? office_key(p, by_membership, office_id) : 0, v = 0;
    uint64_t gen = 0;
    if (p->scopes && key && wh_memo_find(p->scopes, p->id, key, &v, &gen)) {
        if (venture_id)
            *venture_id = v;
        return WH_OK;
    }
    wh_err rc = wh_db_query(
        c, a,
        "SELECT o.venture_id FROM offices o WHERE o.id = $3 AND " WH_SCOPE_SQL(
            "o.venture_id", "$1", "$2") " AND (NOT $4 OR EXISTS (SELECT 1"
                                        " FROM office_users ou WHERE"
                                        " ou.user_id = $2 AND ou.office_id ="
                                        " o.id))",
        WH_ARGS(WH_PB(p->all_ventures), WH_PI(p->id), WH_PI(office_id), WH_PB(by_membership)), &r,
        e);
    if (rc != WH_OK)
        return rc;
    if (wh_rows_count(r) == 0)
        return wh_fail(e, WH_ERR_FORBIDDEN, "Office %lld is outside your scope.",
                       (long long)office_id);
    v = wh_rows_int(r, 0, 0);
    /* offices are never deleted nor moved to another venture; a replica's answer may predate
     * a membership change the memo last heard of, so only the primary's is kept */
    if (p->scopes && key && !wh_db_is_replica(c))
        wh_memo_put(p->scopes, p->id, key, v, gen);
    if (venture_id)
        *venture_id = v;
    return WH_OK;
}

wh_err wh_scope_first_venture(wh_conn *c, wh_arena *a, int64_t user_id, bool all_ventures,
                              int64_t *venture_id, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a,
                            "SELECT venture_id FROM (SELECT vu.venture_id, 0 AS pick, vu.created_at"
                            " AS at FROM venture_users vu WHERE vu.user_id = $1 UNION ALL SELECT"
                            " v.id, 1, 0 FROM ventures v WHERE $2 AND v.active) x ORDER BY pick,"
                            " at, venture_id LIMIT 1",
                            WH_ARGS(WH_PI(user_id), WH_PB(all_ventures)), &r, e);
    *venture_id = rc == WH_OK && wh_rows_count(r) ? wh_rows_int(r, 0, 0) : 0;
    return rc;
}
