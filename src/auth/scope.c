/* The scope function: all-venture roles see every venture; everyone else exactly the ventures
 * they are members of. No membership means no venture data - the SQL says so, never a
 * missing filter. */
#include "auth/auth.h"

wh_err wh_scope_has_venture(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t venture_id,
                            bool *yes, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(
        c, a, "SELECT 1 FROM ventures v WHERE v.id = $3 AND " WH_SCOPE_SQL("v.id", "$1", "$2"),
        WH_ARGS(WH_PB(p->all_ventures), WH_PI(p->id), WH_PI(venture_id)), &r, e);
    *yes = rc == WH_OK && wh_rows_count(r) == 1;
    return rc;
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
    if (venture_id)
        *venture_id = wh_rows_int(r, 0, 0);
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
