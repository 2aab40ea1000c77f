/* Membership replacement: the new set is validated (every id must exist, offices must lie in
 * the user's ventures), then written as delete-missing + insert-new inside the caller's
 * transaction. Removing a venture also removes the user's offices in it. Every change has every
 * instance forget the user's scope answers at commit (wh_scope_forget_user). */
#include "ventures/ventures.h"

static json_t *ids_json(const wh_rows *r)
{
    json_t *out = json_array();
    for (size_t i = 0; i < wh_rows_count(r); i++)
        json_array_append_new(out, json_integer(wh_rows_int(r, i, 0)));
    return out;
}

static wh_err current(wh_conn *c, wh_arena *a, const char *sql, int64_t user_id, json_t **out,
                      wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a, sql, WH_ARGS(WH_PI(user_id)), &r, e);
    *out = rc == WH_OK ? ids_json(r) : NULL;
    return rc;
}

#define VENTURES_OF "SELECT venture_id FROM venture_users WHERE user_id = $1 ORDER BY venture_id"
#define OFFICES_OF  "SELECT office_id FROM office_users WHERE user_id = $1 ORDER BY office_id"

/* Checks that every id exists via sql (one $1 parameter, returns a row when valid). */
static wh_err all_exist(wh_conn *c, wh_arena *a, const char *sql, const int64_t *ids, size_t n,
                        int64_t user_id, const char *field, wh_error *e)
{
    for (size_t i = 0; i < n; i++) {
        wh_rows *r = NULL;
        wh_err rc = wh_db_query(c, a, sql, WH_ARGS(WH_PI(ids[i]), WH_PI(user_id)), &r, e);
        if (rc != WH_OK)
            return rc;
        if (wh_rows_count(r) == 0)
            return wh_error_field(e, field, "id %lld is unknown or not allowed here",
                                  (long long)ids[i]);
    }
    return WH_OK;
}

static bool contains(const int64_t *ids, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id)
            return true;
    return false;
}

/* Deletes the rows of `table` for the user whose `col` is not in ids, then inserts the new. */
static wh_err replace(wh_conn *c, wh_arena *a, const char *select_sql, const char *delete_sql,
                      const char *insert_sql, int64_t user_id, const int64_t *ids, size_t n,
                      int64_t now_ms, wh_error *e)
{
    wh_rows *have = NULL;
    wh_err rc = wh_db_query(c, a, select_sql, WH_ARGS(WH_PI(user_id)), &have, e);
    for (size_t i = 0; rc == WH_OK && i < wh_rows_count(have); i++)
        if (!contains(ids, n, wh_rows_int(have, i, 0)))
            rc = wh_db_query(c, a, delete_sql,
                             WH_ARGS(WH_PI(user_id), WH_PI(wh_rows_int(have, i, 0))), NULL, e);
    for (size_t i = 0; rc == WH_OK && i < n; i++)
        rc = wh_db_query(c, a, insert_sql, WH_ARGS(WH_PI(user_id), WH_PI(ids[i]), WH_PI(now_ms)),
                         NULL, e);
    return rc;
}

wh_err wh_membership_get(wh_conn *c, wh_arena *a, int64_t user_id, json_t **venture_ids,
                         json_t **office_ids, wh_error *e)
{
    wh_err rc = current(c, a, VENTURES_OF, user_id, venture_ids, e);
    if (rc == WH_OK)
        rc = current(c, a, OFFICES_OF, user_id, office_ids, e);
    return rc;
}

wh_err wh_membership_set_ventures(wh_conn *c, wh_arena *a, int64_t user_id, const int64_t *ids,
                                  size_t n, int64_t now_ms, json_t **before, json_t **after,
                                  wh_error *e)
{
    wh_err rc = current(c, a, VENTURES_OF, user_id, before, e);
    if (rc == WH_OK)
        rc = all_exist(c, a, "SELECT 1 FROM ventures WHERE id = $1 AND $2 > 0", ids, n, user_id,
                       "venture_ids", e);
    if (rc == WH_OK)
        rc = replace(c, a, VENTURES_OF,
                     "DELETE FROM venture_users WHERE user_id = $1 AND venture_id = $2",
                     "INSERT INTO venture_users (user_id, venture_id, created_at) VALUES ($1, $2,"
                     " $3) ON CONFLICT (user_id, venture_id) DO NOTHING",
                     user_id, ids, n, now_ms, e);
    if (rc == WH_OK) /* offices in ventures the user left */
        rc = wh_db_query(c, a,
                         "DELETE FROM office_users WHERE user_id = $1 AND office_id IN (SELECT"
                         " o.id FROM offices o WHERE o.venture_id NOT IN (SELECT venture_id"
                         " FROM venture_users WHERE user_id = $1))",
                         WH_ARGS(WH_PI(user_id)), NULL, e);
    if (rc == WH_OK) /* every instance forgets the user's scope answers at commit */
        rc = wh_scope_forget_user(c, user_id, e);
    if (rc == WH_OK)
        rc = current(c, a, VENTURES_OF, user_id, after, e);
    return rc;
}

wh_err wh_membership_set_offices(wh_conn *c, wh_arena *a, int64_t user_id, const int64_t *ids,
                                 size_t n, int64_t now_ms, json_t **before, json_t **after,
                                 wh_error *e)
{
    wh_err rc = current(c, a, OFFICES_OF, user_id, before, e);
    if (rc == WH_OK)
        rc = all_exist(c, a,
                       "SELECT 1 FROM offices o JOIN venture_users vu ON vu.venture_id ="
                       " o.venture_id WHERE o.id = $1 AND vu.user_id = $2",
                       ids, n, user_id, "office_ids", e);
    if (rc == WH_OK)
        rc = replace(c, a, OFFICES_OF,
                     "DELETE FROM office_users WHERE user_id = $1 AND office_id = $2",
                     "INSERT INTO office_users (user_id, office_id, created_at) VALUES ($1, $2,"
                     " $3) ON CONFLICT (user_id, office_id) DO NOTHING",
                     user_id, ids, n, now_ms, e);
    if (rc == WH_OK)
        rc = wh_scope_forget_user(c, user_id, e);
    if (rc == WH_OK)
        rc = current(c, a, OFFICES_OF, user_id, after, e);
    return rc;
}
