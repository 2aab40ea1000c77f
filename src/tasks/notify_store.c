/* Notifications (DOMAIN-wave2 §19): the in-app row and its e-mail and SMS, queued in the outbox
 * in the caller's transaction per the user's preferences; reads, marks and preferences. A
 * notification is only ever its user's: every statement names the user. */
#include "tasks/tasks.h"

#include "core/json.h"
#include "integrations/integrations.h"

#include <string.h>

#define NOTE_COLS "id, user_id, type, title, body, link_type, link_id, read_at, created_at"

/* The defaults of §19: e-mail on except for TASK_COMPLETED, SMS off. */
static bool default_email(const char *type)
{
    return strcmp(type, "TASK_COMPLETED") != 0;
}

/* Queues the e-mail and the SMS of a new notification, as the user's preferences say. */
static wh_err deliver(wh_conn *c, wh_arena *a, const wh_notice *n, const char *title,
                      int64_t now_ms, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a,
                            "SELECT u.email, u.phone, p.email, p.sms FROM users u"
                            " LEFT JOIN notification_prefs p ON p.user_id = u.id AND p.type = $2"
                            " WHERE u.id = $1",
                            WH_ARGS(WH_PI(n->user_id), WH_PT(n->type)), &r, e);
    if (rc != WH_OK || wh_rows_count(r) == 0)
        return rc;
    bool stored = !wh_rows_null(r, 0, 2);
    bool email = stored ? wh_rows_bool(r, 0, 2) : default_email(n->type);
    bool sms = stored && wh_rows_bool(r, 0, 3);
    const char *phone = wh_rows_text(r, 0, 1);
    if (email)
        rc = wh_outbox_enqueue(c, a, "email", wh_rows_text(r, 0, 0), title, n->body, now_ms, e);
    if (rc == WH_OK && sms && phone)
        rc = wh_outbox_enqueue(c, a, "sms", phone, NULL,
                               wh_tasks_ellipsis(a, title, WH_NOTE_SMS_CHARS), now_ms, e);
    return rc;
}

wh_err wh_notify_send(wh_conn *c, wh_arena *a, const wh_notice *n, int64_t now_ms, bool *created,
                      wh_error *e)
{
    wh_rows *r = NULL;
    const char *title = wh_tasks_ellipsis(a, n->title, WH_NOTE_TITLE_CHARS);
    wh_err rc = wh_db_query(
        c, a,
        "INSERT INTO notifications (user_id, type, title, body, link_type, link_id, notify_key,"
        " created_at) SELECT id, $2, $3, $4, NULLIF($5, ''), NULLIF($6, 0), NULLIF($7, ''), $8"
        " FROM users WHERE id = $1 AND active ON CONFLICT (notify_key) DO NOTHING RETURNING id",
        WH_ARGS(WH_PI(n->user_id), WH_PT(n->type), WH_PT(title), WH_PT(n->body),
                WH_PT(n->link_type ? n->link_type : ""), WH_PI(n->link_id),
                WH_PT(n->key ? n->key : ""), WH_PI(now_ms)),
        &r, e);
    bool made = rc == WH_OK && wh_rows_count(r) == 1;
    if (created)
        *created = made;
    return made ? deliver(c, a, n, title, now_ms, e) : rc;
}

/* The venture's name (for the body of TASK_ASSIGNED). */
static const char *venture_name(wh_conn *c, wh_arena *a, int64_t venture_id, wh_error *e,
                                wh_err *rc)
{
    wh_rows *r = NULL;
    *rc = wh_db_query(c, a, "SELECT name FROM ventures WHERE id = $1", WH_ARGS(WH_PI(venture_id)),
                      &r, e);
    return *rc == WH_OK && wh_rows_count(r) == 1 ? wh_rows_text(r, 0, 0) : "";
}

wh_err wh_notify_task_assigned(wh_conn *c, wh_arena *a, const wh_task *t, const char *actor_name,
                               int64_t now_ms, wh_error *e)
{
    wh_err rc = WH_OK;
    const char *venture = venture_name(c, a, t->venture_id, e, &rc);
    if (rc != WH_OK || t->assignee_id == 0)
        return rc;
    const char *body = wh_arena_printf(
        a, "%s assigned you a task in %s.%s%s%s", actor_name ? actor_name : "Wheelhouse", venture,
        t->due_on ? " Due " : "", t->due_on ? t->due_on : "", t->due_on ? "." : "");
    wh_notice n = {t->assignee_id,
                   "TASK_ASSIGNED",
                   wh_arena_printf(a, "New task: %s", t->title),
                   body,
                   "task",
                   t->id,
                   NULL};
    return wh_notify_send(c, a, &n, now_ms, NULL, e);
}

wh_err wh_notify_task_completed(wh_conn *c, wh_arena *a, const wh_task *t, const char *actor_name,
                                int64_t now_ms, wh_error *e)
{
    wh_notice n = {t->created_by,
                   "TASK_COMPLETED",
                   wh_arena_printf(a, "Task done: %s", t->title),
                   wh_arena_printf(a, "%s completed it.", actor_name),
                   "task",
                   t->id,
                   NULL};
    return t->created_by ? wh_notify_send(c, a, &n, now_ms, NULL, e) : WH_OK;
}

wh_err wh_notify_payout(wh_conn *c, wh_arena *a, int64_t user_id, bool paid, const char *start,
                        const char *end, int64_t amount_cents, int64_t now_ms, wh_error *e)
{
    int64_t abs_cents = amount_cents < 0 ? -amount_cents : amount_cents;
    wh_notice n = {
        user_id,
        "PAYOUT_STATUS",
        wh_arena_printf(a, "Payout %s: %s to %s", paid ? "paid" : "approved", start, end),
        wh_arena_printf(a, "Amount: %s$%lld.%02lld.", amount_cents < 0 ? "-" : "",
                        (long long)(abs_cents / 100), (long long)(abs_cents % 100)),
        NULL,
        0,
        NULL};
    return wh_notify_send(c, a, &n, now_ms, NULL, e);
}

json_t *wh_notify_row_json(const wh_rows *r, size_t i)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(wh_rows_int(r, i, 0)));
    json_object_set_new(o, "user_id", json_integer(wh_rows_int(r, i, 1)));
    json_object_set_new(o, "type", json_string(wh_rows_text(r, i, 2)));
    json_object_set_new(o, "title", json_string(wh_rows_text(r, i, 3)));
    json_object_set_new(o, "body", json_string(wh_rows_text(r, i, 4)));
    json_object_set_new(o, "link_type", wh_json_str_or_null(wh_rows_text(r, i, 5)));
    json_object_set_new(o, "link_id",
                        wh_rows_null(r, i, 6) ? json_null() : json_integer(wh_rows_int(r, i, 6)));
    json_object_set_new(o, "read_at", wh_json_time(wh_rows_int(r, i, 7)));
    json_object_set_new(o, "created_at", wh_json_time(wh_rows_int(r, i, 8)));
    return o;
}

void wh_notify_list_sql(int64_t user_id, bool unread_only, const wh_keyset *ks, wh_sqlb *b)
{
    wh_sqlb_init(b, "SELECT " NOTE_COLS " FROM notifications");
    wh_sqlb_and(b, "user_id = ?", WH_PI(user_id));
    if (unread_only)
        wh_sqlb_and(b, "read_at IS NULL");
    wh_sqlb_page(b, NULL, "id", true, ks);
}

wh_err wh_notify_unread(wh_conn *c, wh_arena *a, int64_t user_id, int64_t *n, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a,
                            "SELECT COUNT(*) FROM notifications WHERE user_id = $1"
                            " AND read_at IS NULL",
                            WH_ARGS(WH_PI(user_id)), &r, e);
    *n = rc == WH_OK ? wh_rows_int(r, 0, 0) : 0;
    return rc;
}

wh_err wh_notify_read(wh_conn *c, wh_arena *a, int64_t user_id, int64_t id, int64_t now_ms,
                      json_t **out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a,
                            "UPDATE notifications SET read_at = COALESCE(read_at, $3)"
                            " WHERE id = $1 AND user_id = $2 RETURNING " NOTE_COLS,
                            WH_ARGS(WH_PI(id), WH_PI(user_id), WH_PI(now_ms)), &r, e);
    rc = wh_rows_one(rc, r, "No such notification.", NULL, e);
    if (rc == WH_OK)
        *out = wh_notify_row_json(r, 0);
    return rc;
}

wh_err wh_notify_read_all(wh_conn *c, wh_arena *a, int64_t user_id, int64_t now_ms,
                          int64_t *updated, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a,
                            "UPDATE notifications SET read_at = $2 WHERE user_id = $1"
                            " AND read_at IS NULL RETURNING id",
                            WH_ARGS(WH_PI(user_id), WH_PI(now_ms)), &r, e);
    *updated = rc == WH_OK ? (int64_t)wh_rows_count(r) : 0;
    return rc;
}

wh_err wh_notify_prefs(wh_conn *c, wh_arena *a, int64_t user_id, json_t **out, wh_error *e)
{
    wh_rows *u = NULL, *r = NULL;
    wh_err rc =
        wh_db_query(c, a, "SELECT phone FROM users WHERE id = $1", WH_ARGS(WH_PI(user_id)), &u, e);
    if (rc == WH_OK)
        rc = wh_db_query(c, a, "SELECT type, email, sms FROM notification_prefs WHERE user_id = $1",
                         WH_ARGS(WH_PI(user_id)), &r, e);
    if (rc != WH_OK)
        return rc;
    json_t *channels = json_object();
    for (const char *const *t = wh_notify_types; *t; t++) {
        json_t *ch = json_object();
        json_object_set_new(ch, "email", json_boolean(default_email(*t)));
        json_object_set_new(ch, "sms", json_false());
        json_object_set_new(channels, *t, ch);
    }
    for (size_t i = 0; i < wh_rows_count(r); i++) {
        json_t *ch = json_object_get(channels, wh_rows_text(r, i, 0));
        if (!ch)
            continue;
        json_object_set_new(ch, "email", json_boolean(wh_rows_bool(r, i, 1)));
        json_object_set_new(ch, "sms", json_boolean(wh_rows_bool(r, i, 2)));
    }
    *out = json_object();
    json_object_set_new(*out, "phone",
                        wh_json_str_or_null(wh_rows_count(u) ? wh_rows_text(u, 0, 0) : NULL));
    json_object_set_new(*out, "channels", channels);
    return WH_OK;
}

wh_err wh_notify_prefs_put(wh_conn *c, wh_arena *a, int64_t user_id, const char *type, bool email,
                           bool sms, wh_error *e)
{
    wh_rows *r = NULL;
    return wh_db_query(c, a,
                       "INSERT INTO notification_prefs (user_id, type, email, sms) VALUES ($1, $2,"
                       " $3, $4) ON CONFLICT (user_id, type) DO UPDATE SET email = excluded.email,"
                       " sms = excluded.sms",
                       WH_ARGS(WH_PI(user_id), WH_PT(type), WH_PB(email), WH_PB(sms)), &r, e);
}

wh_err wh_notify_phone_put(wh_conn *c, wh_arena *a, int64_t user_id, const char *phone,
                           int64_t now_ms, wh_error *e)
{
    wh_rows *r = NULL;
    return wh_db_query(c, a,
                       "UPDATE users SET phone = NULLIF($2, ''), updated_at = $3 WHERE id = $1",
                       WH_ARGS(WH_PI(user_id), WH_PT(phone ? phone : ""), WH_PI(now_ms)), &r, e);
}
