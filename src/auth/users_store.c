/* SQL for the users table. Passwords are hashed here (argon2id) before they reach SQL, and
 * never leave this file in any form but the hash. */
#include "auth/auth.h"
#include "core/crypto.h"

#include <string.h>

#define USER_COLS WH_USER_COLS

const char *wh_user_email_normalise(wh_arena *a, const char *email)
{
    size_t n = strlen(email);
    const char *at = strchr(email, '@');
    if (n < 3 || n > 254 || !at || at == email || !at[1] || strchr(at + 1, '@'))
        return NULL;
    char *out = wh_arena_strdup(a, email);
    for (char *p = out; *p; p++) {
        if ((unsigned char)*p <= ' ')
            return NULL;
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    }
    return out;
}

static void from_row(const wh_rows *r, size_t i, wh_user *u)
{
    WH_ROWS_READ(r, i, WH_CELL(&u->id), WH_CELL(&u->email), WH_CELL(&u->full_name));
    if (!wh_role_parse(wh_rows_text(r, i, 3), &u->role))
        u->role = WH_ROLE_EMPLOYEE; /* unreachable: roles are validated on write */
    u->active = wh_rows_bool(r, i, 4);
    u->manager_id = wh_rows_int(r, i, 5);
    u->phone = wh_rows_text(r, i, 6);
}

/* The one user row of a statement, or 404 / 409 (e-mail taken). */
static wh_err one_user(wh_err rc, const wh_rows *r, wh_user *out, wh_error *e)
{
    rc = wh_rows_one(rc, r, "No such user.", "A user with this e-mail already exists.", e);
    if (rc == WH_OK)
        from_row(r, 0, out);
    return rc;
}

static wh_err hash_password(const char *password, char *out, wh_error *e)
{
    if (wh_crypto_password_hash(password, out) != WH_OK)
        return wh_fail(e, WH_ERR_INTERNAL, "Password hashing failed.");
    return WH_OK;
}

wh_err wh_user_create(wh_conn *c, wh_arena *a, const wh_user_input *in, int64_t now_ms,
                      wh_user *out, wh_error *e)
{
    char hash[WH_CRYPTO_PWHASH_CHARS];
    wh_rows *r = NULL;
    if (in->password && hash_password(in->password, hash, e) != WH_OK)
        return WH_ERR_INTERNAL;
    wh_err rc = wh_db_query(
        c, a,
        "INSERT INTO users (email, full_name, role, active, password_hash,"
        " created_at, updated_at, manager_id, phone) VALUES ($1, $2, $3, $4, $5, $6,"
        " $6, NULLIF($7, 0), NULLIF($8, '')) RETURNING " USER_COLS,
        WH_ARGS(WH_PT(in->email), WH_PT(in->full_name), WH_PT(wh_role_name(in->role)),
                WH_PB(in->has_active ? in->active : true), WH_PT(in->password ? hash : NULL),
                WH_PI(now_ms), WH_PI(in->manager_id), WH_PT(in->phone ? in->phone : "")),
        &r, e);
    wh_crypto_wipe(hash, sizeof hash);
    return one_user(rc, r, out, e);
}

wh_err wh_user_get(wh_conn *c, wh_arena *a, int64_t id, wh_user *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a, "SELECT " USER_COLS " FROM users WHERE id = $1",
                            WH_ARGS(WH_PI(id)), &r, e);
    return one_user(rc, r, out, e);
}

wh_err wh_user_update(wh_conn *c, wh_arena *a, int64_t id, const wh_user_input *in, int64_t now_ms,
                      wh_user *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(
        c, a,
        "UPDATE users SET email = COALESCE($2, email), full_name = COALESCE($3, full_name),"
        " role = COALESCE($4, role), active = CASE WHEN $5 THEN $6 ELSE active END,"
        " manager_id = CASE WHEN $8 THEN NULLIF($9, 0) ELSE manager_id END,"
        " phone = CASE WHEN $10 THEN NULLIF($11, '') ELSE phone END,"
        " updated_at = $7 WHERE id = $1 RETURNING " USER_COLS,
        WH_ARGS(WH_PI(id), WH_PT(in->email), WH_PT(in->full_name),
                WH_PT(in->has_role ? wh_role_name(in->role) : NULL), WH_PB(in->has_active),
                WH_PB(in->active), WH_PI(now_ms), WH_PB(in->has_manager), WH_PI(in->manager_id),
                WH_PB(in->has_phone), WH_PT(in->phone ? in->phone : "")),
        &r, e);
    rc = one_user(rc, r, out, e);
    if (rc != WH_OK)
        return rc;
    /* cached sessions carry the e-mail, name and role: every instance reads them again */
    return wh_session_forget_user(c, id, e);
}

wh_err wh_user_find_by_email(wh_conn *c, wh_arena *a, const char *email, wh_user *out,
                             const char **pwhash, bool *found, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a, "SELECT " USER_COLS ", password_hash FROM users WHERE email = $1",
                            WH_ARGS(WH_PT(email)), &r, e);
    *found = rc == WH_OK && wh_rows_count(r) == 1;
    if (*found) {
        from_row(r, 0, out);
        *pwhash = wh_rows_text(r, 0, 7);
    }
    return rc;
}

json_t *wh_user_json(const wh_user *u)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:b, s:o, s:o}", "id", (json_int_t)u->id, "email",
                     u->email, "full_name", u->full_name, "role", wh_role_name(u->role), "active",
                     u->active, "manager_id",
                     u->manager_id ? json_integer(u->manager_id) : json_null(), "phone",
                     u->phone ? json_string(u->phone) : json_null());
}

void wh_user_list_sql(const wh_user_filter *f, const wh_keyset *ks, wh_sqlb *b)
{
    wh_sqlb_init(b, "SELECT " USER_COLS " FROM users");
    if (f->like && *f->like)
        wh_sqlb_and(b, "email LIKE ? ESCAPE '\\' OR lower(full_name) LIKE ? ESCAPE '\\'",
                    WH_PT(f->like), WH_PT(f->like));
    wh_sqlb_and_text(b, "role = ?", f->role);
    wh_sqlb_and_flag(b, "active = ?", f->has_active, f->active);
    wh_sqlb_page(b, NULL, "id", true, ks);
}

WH_ROW_JSON(wh_user_row_json, wh_user, from_row, wh_user_json)

wh_err wh_user_password_find(wh_conn *c, wh_arena *a, int64_t id, const char **pwhash, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a, "SELECT password_hash FROM users WHERE id = $1",
                            WH_ARGS(WH_PI(id)), &r, e);
    if (rc != WH_OK)
        return rc;
    if (wh_rows_count(r) == 0)
        return wh_fail(e, WH_ERR_NOT_FOUND, "No such user.");
    *pwhash = wh_rows_null(r, 0, 0) ? NULL : wh_rows_text(r, 0, 0);
    return WH_OK;
}

wh_err wh_user_password_set(wh_conn *c, wh_arena *a, int64_t id, const char *password,
                            int64_t now_ms, wh_error *e)
{
    char hash[WH_CRYPTO_PWHASH_CHARS];
    if (hash_password(password, hash, e) != WH_OK)
        return WH_ERR_INTERNAL;
    wh_err rc =
        wh_db_query(c, a, "UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1",
                    WH_ARGS(WH_PI(id), WH_PT(hash), WH_PI(now_ms)), NULL, e);
    wh_crypto_wipe(hash, sizeof hash);
    return rc;
}

wh_err wh_user_manager_check(wh_conn *c, wh_arena *a, int64_t id, int64_t manager_id, wh_error *e)
{
    wh_rows *r = NULL;
    if (manager_id == 0)
        return WH_OK;
    if (manager_id == id)
        return wh_error_field(e, "manager_id", "must not be the user themself");
    wh_err rc = wh_db_query(c, a, "SELECT 1 FROM users WHERE id = $1 AND active",
                            WH_ARGS(WH_PI(manager_id)), &r, e);
    if (rc == WH_OK && wh_rows_count(r) == 0)
        return wh_error_field(e, "manager_id", "must be an active user");
    return rc;
}
