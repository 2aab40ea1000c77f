/* SQL for tasks. Every read puts the caller's scope and, for a caller without tasks.read, the
 * "assigned to or created by me" condition in its WHERE clause. Optional ids travel as 0 and
 * optional strings as '' (NULLIF turns them into NULL). */
#include "tasks/tasks.h"

#include "core/clock.h"
#include "core/json.h"

#include <string.h>

#define TASK_COLS                                                                                  \
    "id, venture_id, title, description, assignee_id, priority, due_on, link_type, link_id,"       \
    " status, rule, rule_key, created_by, completed_at, created_at, updated_at"

/* The roles whose scope is every venture (wh_role_all_ventures), for eligibility in SQL. */
#define ALL_VENTURE_ROLES_SQL "('CEO', 'ADMIN', 'COO', 'AUDITOR', 'HR_ADMIN', 'TEST_USER')"

/* The visibility of a task to ($1 all ventures, $2 user, $3 reads every task). */
#define VISIBLE_SQL                                                                                \
    WH_SCOPE_SQL("tasks.venture_id", "$1", "$2")                                                   \
    " AND ($3 OR tasks.assignee_id = $2"                                                           \
    " OR tasks.created_by = $2)"

static void task_row(const wh_rows *r, size_t i, wh_task *t)
{
    char today[16];
    t->id = wh_rows_int(r, i, 0);
    t->venture_id = wh_rows_int(r, i, 1);
    t->title = wh_rows_text(r, i, 2);
    t->description = wh_rows_text(r, i, 3);
    t->assignee_id = wh_rows_int(r, i, 4);
    t->priority = wh_rows_text(r, i, 5);
    t->due_on = wh_rows_text(r, i, 6);
    t->link_type = wh_rows_text(r, i, 7);
    t->link_id = wh_rows_int(r, i, 8);
    t->status = wh_rows_text(r, i, 9);
    t->rule = wh_rows_text(r, i, 10);
    t->rule_key = wh_rows_text(r, i, 11);
    t->created_by = wh_rows_int(r, i, 12);
    t->completed_at = wh_rows_int(r, i, 13);
    t->created_at = wh_rows_int(r, i, 14);
    t->updated_at = wh_rows_int(r, i, 15);
    /* overdue is derived at read: OPEN and due before today (business time) */
    wh_clock_day_of(wh_clock_now_ms(), today, sizeof today);
    t->overdue = strcmp(t->status, "OPEN") == 0 && t->due_on && strcmp(t->due_on, today) < 0;
}

static wh_err one_task(wh_err rc, const wh_rows *r, wh_task *out, wh_error *e)
{
    rc = wh_rows_one(rc, r, "No such task.", NULL, e);
    if (rc == WH_OK)
        task_row(r, 0, out);
    return rc;
}

static wh_err exists(wh_conn *c, wh_arena *a, const char *sql, int64_t x, int64_t y, bool *yes,
                     wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a, sql, WH_ARGS(WH_PI(x), WH_PI(y)), &r, e);
    *yes = rc == WH_OK && wh_rows_count(r) > 0;
    return rc;
}

wh_err wh_tasks_eligible(wh_conn *c, wh_arena *a, int64_t user_id, int64_t venture_id, bool *yes,
                         wh_error *e)
{
    return exists(
        c, a,
        "SELECT 1 FROM users u WHERE u.id = $1 AND u.active AND (u.role IN " ALL_VENTURE_ROLES_SQL
        " OR EXISTS (SELECT 1 FROM venture_users vu"
        " WHERE vu.user_id = u.id AND vu.venture_id = $2))",
        user_id, venture_id, yes, e);
}

/* The table of each link type, and whether its rows belong to a venture (a carrier does not). */
static const struct {
    const char *type, *sql;
} links[] = {
    {"load", "SELECT 1 FROM loads WHERE id = $1 AND venture_id = $2"},
    {"shipper", "SELECT 1 FROM shippers WHERE id = $1 AND venture_id = $2"},
    {"carrier", "SELECT 1 FROM carriers WHERE id = $1 AND $2 = $2"},
    {"hotel", "SELECT 1 FROM hotels WHERE id = $1 AND venture_id = $2"},
    {"hotel_dispute", "SELECT 1 FROM hotel_disputes WHERE id = $1 AND venture_id = $2"},
    {"hotel_review", "SELECT 1 FROM hotel_reviews WHERE id = $1 AND venture_id = $2"},
    {"bpo_call_log", "SELECT 1 FROM bpo_call_logs WHERE id = $1 AND venture_id = $2"},
    {"saas_customer", "SELECT 1 FROM saas_customers WHERE id = $1 AND venture_id = $2"},
    {"saas_subscription", "SELECT 1 FROM saas_subscriptions WHERE id = $1 AND venture_id = $2"},
    {"holding_asset", "SELECT 1 FROM holding_assets WHERE id = $1 AND venture_id = $2"},
    {"bank_account", "SELECT 1 FROM bank_accounts WHERE id = $1 AND venture_id = $2"},
};

wh_err wh_tasks_link_ok(wh_conn *c, wh_arena *a, const char *link_type, int64_t link_id,
                        int64_t venture_id, bool *yes, wh_error *e)
{
    *yes = false;
    if (strcmp(link_type, "user") == 0)
        return wh_tasks_eligible(c, a, link_id, venture_id, yes, e);
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
        if (strcmp(links[i].type, link_type) == 0)
            return exists(c, a, links[i].sql, link_id, venture_id, yes, e);
    return WH_OK;
}

static wh_err insert(wh_conn *c, wh_arena *a, const wh_task_input *in, int64_t created_by,
                     const char *rule, const char *rule_key, int64_t now_ms, wh_rows **r,
                     wh_error *e)
{
    return wh_db_query(
        c, a,
        "INSERT INTO tasks (venture_id, title, description, assignee_id, priority, due_on,"
        " link_type, link_id, status, rule, rule_key, created_by, created_at, updated_at)"
        " VALUES ($1, $2, NULLIF($3, ''), NULLIF($4, 0), $5, NULLIF($6, ''), NULLIF($7, ''),"
        " NULLIF($8, 0), 'OPEN', NULLIF($9, ''), NULLIF($10, ''), NULLIF($11, 0), $12, $12)"
        " ON CONFLICT (rule_key) DO NOTHING RETURNING " TASK_COLS,
        WH_ARGS(WH_PI(in->venture_id), WH_PT(in->title),
                WH_PT(in->description ? in->description : ""), WH_PI(in->assignee_id),
                WH_PT(in->priority ? in->priority : "MEDIUM"), WH_PT(in->due_on ? in->due_on : ""),
                WH_PT(in->link_type ? in->link_type : ""), WH_PI(in->link_id),
                WH_PT(rule ? rule : ""), WH_PT(rule_key ? rule_key : ""), WH_PI(created_by),
                WH_PI(now_ms)),
        r, e);
}

wh_err wh_tasks_create(wh_conn *c, wh_arena *a, const wh_task_input *in, int64_t created_by,
                       int64_t now_ms, wh_task *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = insert(c, a, in, created_by, NULL, NULL, now_ms, &r, e);
    return one_task(rc, r, out, e);
}

wh_err wh_tasks_create_auto(wh_conn *c, wh_arena *a, const wh_task_input *in, const char *rule,
                            const char *rule_key, int64_t now_ms, wh_task *out, bool *created,
                            wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = insert(c, a, in, 0, rule, rule_key, now_ms, &r, e);
    *created = rc == WH_OK && wh_rows_count(r) == 1;
    if (*created)
        task_row(r, 0, out);
    return rc;
}

wh_err wh_tasks_get(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t id, wh_task *out,
                    wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a, "SELECT " TASK_COLS " FROM tasks WHERE id = $4 AND " VISIBLE_SQL,
                            WH_ARGS(WH_PB(p->all_ventures), WH_PI(p->id),
                                    WH_PB(wh_rbac_allows(p->role, WH_PERM_TASKS_READ)), WH_PI(id)),
                            &r, e);
    return one_task(rc, r, out, e);
}

wh_err wh_tasks_update(wh_conn *c, wh_arena *a, int64_t id, const wh_task_input *in, int64_t now_ms,
                       wh_task *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(
        c, a,
        "UPDATE tasks SET title = COALESCE(NULLIF($2, ''), title),"
        " description = CASE WHEN $3 THEN NULLIF($4, '') ELSE description END,"
        " assignee_id = CASE WHEN $5 THEN NULLIF($6, 0) ELSE assignee_id END,"
        " priority = COALESCE(NULLIF($7, ''), priority),"
        " due_on = CASE WHEN $8 THEN NULLIF($9, '') ELSE due_on END,"
        " link_type = CASE WHEN $10 THEN NULLIF($11, '') ELSE link_type END,"
        " link_id = CASE WHEN $10 THEN NULLIF($12, 0) ELSE link_id END, updated_at = $13"
        " WHERE id = $1 RETURNING " TASK_COLS,
        WH_ARGS(WH_PI(id), WH_PT(in->title ? in->title : ""), WH_PB(in->has_description),
                WH_PT(in->description ? in->description : ""), WH_PB(in->has_assignee),
                WH_PI(in->assignee_id), WH_PT(in->priority ? in->priority : ""), WH_PB(in->has_due),
                WH_PT(in->due_on ? in->due_on : ""), WH_PB(in->has_link),
                WH_PT(in->link_type ? in->link_type : ""), WH_PI(in->link_id), WH_PI(now_ms)),
        &r, e);
    return one_task(rc, r, out, e);
}

wh_err wh_tasks_set_status(wh_conn *c, wh_arena *a, int64_t id, const char *status, int64_t now_ms,
                           wh_task *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a,
                            "UPDATE tasks SET completed_at = CASE WHEN $2 = 'DONE' THEN"
                            " COALESCE(completed_at, $3) ELSE NULL END, status = $2,"
                            " updated_at = $3 WHERE id = $1 RETURNING " TASK_COLS,
                            WH_ARGS(WH_PI(id), WH_PT(status), WH_PI(now_ms)), &r, e);
    return one_task(rc, r, out, e);
}

void wh_tasks_list_sql(const wh_principal *p, bool read_all, const wh_task_filter *f,
                       const wh_keyset *ks, wh_sqlb *b)
{
    wh_sqlb_init(b, "SELECT " TASK_COLS " FROM tasks");
    WH_SQLB_SCOPE_VENTURE(b, p, "tasks.venture_id", f->venture_id);
    if (!read_all)
        wh_sqlb_and(b, "assignee_id = ? OR created_by = ?", WH_PI(p->id), WH_PI(p->id));
    wh_sqlb_and_id(b, "assignee_id = ?", f->assignee_id);
    wh_sqlb_and_text(b, "status = ?", f->status);
    wh_sqlb_and_text(b, "rule = ?", f->rule);
    wh_sqlb_and_text(b, "link_type = ?", f->link_type);
    wh_sqlb_and_id(b, "link_id = ?", f->link_id);
    if (f->has_overdue && f->overdue)
        wh_sqlb_and(b, "status = 'OPEN' AND due_on < ?", WH_PT(f->today));
    else if (f->has_overdue)
        wh_sqlb_and(b, "NOT (status = 'OPEN' AND due_on IS NOT NULL AND due_on < ?)",
                    WH_PT(f->today));
    wh_sqlb_page(b, NULL, "id", true, ks);
}

wh_err wh_tasks_open_linked(wh_conn *c, wh_arena *a, const char *rule, const char *link_type,
                            int64_t link_id, bool *yes, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a,
                            "SELECT 1 FROM tasks WHERE link_type = $1 AND link_id = $2"
                            " AND rule = $3 AND status = 'OPEN'",
                            WH_ARGS(WH_PT(link_type), WH_PI(link_id), WH_PT(rule)), &r, e);
    *yes = rc == WH_OK && wh_rows_count(r) > 0;
    return rc;
}

static json_t *id_or_null(int64_t id)
{
    return id ? json_integer(id) : json_null();
}

WH_ROW_JSON(wh_tasks_row_json, wh_task, task_row, wh_tasks_json)

json_t *wh_tasks_json(const wh_task *t)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(t->id));
    json_object_set_new(o, "venture_id", json_integer(t->venture_id));
    json_object_set_new(o, "title", json_string(t->title));
    json_object_set_new(o, "description", wh_json_str_or_null(t->description));
    json_object_set_new(o, "assignee_id", id_or_null(t->assignee_id));
    json_object_set_new(o, "priority", json_string(t->priority));
    json_object_set_new(o, "due_on", wh_json_str_or_null(t->due_on));
    json_object_set_new(o, "link_type", wh_json_str_or_null(t->link_type));
    json_object_set_new(o, "link_id", id_or_null(t->link_id));
    json_object_set_new(o, "status", json_string(t->status));
    json_object_set_new(o, "overdue", json_boolean(t->overdue));
    json_object_set_new(o, "rule", wh_json_str_or_null(t->rule));
    json_object_set_new(o, "rule_key", wh_json_str_or_null(t->rule_key));
    json_object_set_new(o, "created_by", id_or_null(t->created_by));
    json_object_set_new(o, "completed_at",
                        t->completed_at ? wh_json_time(t->completed_at) : json_null());
    json_object_set_new(o, "created_at", wh_json_time(t->created_at));
    json_object_set_new(o, "updated_at", wh_json_time(t->updated_at));
    return o;
}
