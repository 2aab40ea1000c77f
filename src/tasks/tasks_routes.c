/* Task and notification routes (API-wave2 "Tasks", "Notifications"). Task writes run in one
 * transaction with their audit entry and the notifications they cause (TASK_ASSIGNED to a new
 * assignee other than the actor, TASK_COMPLETED to the creator when someone else finishes the
 * task). Who may do what (DOMAIN-wave2 §18): every role but AUDITOR (rule tasks_writer) creates
 * tasks for themselves; assigning to anyone else needs tasks.manage; the assignee, the creator
 * and tasks.manage edit a task and move it; a caller without tasks.read sees only the tasks
 * assigned to or created by them (rule tasks_own, in the store's SQL). */
#include "tasks/tasks.h"
#include "app.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/json.h"
#include "http/http.h"

#include <string.h>

static const char *const tasks_list_fields[] = {
    "id",       "venture_id", "title",        "description", "assignee_id", "priority",
    "due_on",   "link_type",  "link_id",      "status",      "overdue",     "rule",
    "rule_key", "created_by", "completed_at", "created_at",  "updated_at",  NULL};
static const wh_list tasks_list = {"tasks", WH_KEY_ID, 0, 0, wh_tasks_row_json, tasks_list_fields};
static const char *const notes_list_fields[] = {"id",         "user_id",   "type",    "title",
                                                "body",       "link_type", "link_id", "read_at",
                                                "created_at", NULL};
static const wh_list notes_list = {"notifications",    WH_KEY_ID,        0, 0,
                                   wh_notify_row_json, notes_list_fields};

static const char *const rules[] = {"MISSED_EOD", "DISPUTE_OPEN_7_DAYS", "CARRIER_LOST_AUTHORITY",
                                    NULL};

static bool may_manage(const wh_req *r)
{
    return wh_rbac_allows(r->user.role, WH_PERM_TASKS_MANAGE);
}

/* A day member (YYYY-MM-DD), or null; *has tells whether it was given. */
static const char *day_member(wh_jin *j, const char *key, bool *has)
{
    int y, m, d;
    *has = wh_jin_has(j, key);
    const char *s = wh_jin_str(j, key, false, 10, 10);
    if (s && !wh_clock_parse_date(s, &y, &m, &d)) {
        j->bad = true;
        (void)wh_error_field(j->e, key, "must be a day YYYY-MM-DD");
        return NULL;
    }
    return s;
}

static wh_err read_task(wh_req *r, bool create, wh_task_input *in, wh_error *e)
{
    static const char *const create_fields[] = {"venture_id",  "title",    "description",
                                                "assignee_id", "priority", "due_on",
                                                "link_type",   "link_id",  NULL};
    static const char *const *patch_fields = create_fields + 1;
    json_t *body = NULL;
    wh_jin j;
    bool has_link_id = false;
    wh_err rc = wh_req_json(r, &body, e);
    if (rc != WH_OK)
        return rc;
    wh_jin_init(&j, body, e);
    wh_jin_allow(&j, create ? create_fields : patch_fields);
    if (create)
        in->venture_id = wh_jin_int(&j, "venture_id", true, 1, INT64_MAX, 0);
    if (!create && (wh_jin_is_null(&j, "title") || wh_jin_is_null(&j, "priority"))) {
        j.bad = true;
        (void)wh_error_field(e, wh_jin_is_null(&j, "title") ? "title" : "priority",
                             "must not be null");
    }
    in->title = wh_jin_str(&j, "title", create, 1, WH_TASK_TITLE_CHARS);
    in->has_description = wh_jin_has(&j, "description");
    in->description = wh_jin_str(&j, "description", false, 0, WH_TASK_DESCRIPTION_CHARS);
    in->has_assignee = wh_jin_has(&j, "assignee_id");
    in->assignee_id = wh_jin_int(&j, "assignee_id", false, 1, INT64_MAX, 0);
    in->priority = wh_jin_enum(&j, "priority", false, wh_task_priorities);
    in->due_on = day_member(&j, "due_on", &in->has_due);
    in->has_link = wh_jin_has(&j, "link_type");
    has_link_id = wh_jin_has(&j, "link_id");
    in->link_type = wh_jin_enum(&j, "link_type", false, wh_task_link_types);
    in->link_id = wh_jin_int(&j, "link_id", false, 1, INT64_MAX, 0);
    if (wh_jin_done(&j) != WH_OK)
        return WH_ERR_INVALID;
    if (has_link_id != in->has_link || (in->link_type == NULL) != (in->link_id == 0))
        return wh_error_field(e, in->link_type ? "link_id" : "link_type",
                              "link_type and link_id go together");
    return WH_OK;
}

/* The assignee (an eligible user of the venture; someone else only with tasks.manage) and the
 * link (an existing record of the venture) of a create or PATCH. */
static wh_err task_rules(wh_req *r, wh_conn *c, const wh_task_input *in, int64_t venture_id,
                         wh_error *e)
{
    bool ok = true;
    wh_err rc = WH_OK;
    if (in->has_assignee && in->assignee_id != r->user.id && !may_manage(r))
        return wh_fail(e, WH_ERR_FORBIDDEN, "Assigning a task to someone else needs tasks.manage.");
    if (in->has_assignee && in->assignee_id)
        rc = wh_tasks_eligible(c, &r->arena, in->assignee_id, venture_id, &ok, e);
    if (rc == WH_OK && !ok)
        return wh_error_field(e, "assignee_id", "must be an eligible user of the venture");
    if (rc == WH_OK && in->has_link && in->link_type)
        rc = wh_tasks_link_ok(c, &r->arena, in->link_type, in->link_id, venture_id, &ok, e);
    if (rc == WH_OK && !ok)
        return wh_error_field(e, "link_id", "must name an existing record of the venture");
    return rc;
}

static wh_err task_create(wh_req *r, wh_error *e)
{
    wh_task_input in = {0};
    wh_task t;
    wh_conn *c = NULL;
    wh_err rc = read_task(r, true, &in, e);
    if (rc == WH_OK && !in.has_assignee) {
        in.has_assignee = true;
        in.assignee_id = r->user.id;
    } else if (rc == WH_OK && in.assignee_id == 0) {
        rc = wh_error_field(e, "assignee_id", "must not be null");
    }
    if (rc == WH_OK)
        rc = wh_req_begin(r, &c, e);
    if (rc == WH_OK)
        rc = wh_scope_check_venture(c, &r->arena, &r->user, in.venture_id, e);
    if (rc == WH_OK)
        rc = task_rules(r, c, &in, in.venture_id, e);
    if (rc == WH_OK)
        rc = wh_tasks_create(c, &r->arena, &in, r->user.id, r->now_ms, &t, e);
    if (rc == WH_OK && t.assignee_id != r->user.id)
        rc = wh_notify_task_assigned(c, &r->arena, &t, r->user.full_name, r->now_ms, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(
        r, c, 201, &(wh_change){"task.create", "task", t.id, t.venture_id, NULL, wh_tasks_json(&t)},
        e);
}

static wh_err task_get(wh_req *r, wh_error *e)
{
    int64_t id;
    wh_task t;
    wh_conn *c = NULL;
    wh_err rc = wh_req_open(r, false, &c, &id, e);
    if (rc == WH_OK)
        rc = wh_tasks_get(c, &r->arena, &r->user, id, &t, e);
    return rc == WH_OK ? wh_resp_json(r, 200, wh_tasks_json(&t)) : rc;
}

/* Opens the transaction and loads the task of the path that the caller may change: visible
 * (404 otherwise) and theirs (assignee or creator) unless they hold tasks.manage (403). */
static wh_err task_for_write(wh_req *r, wh_conn **c, wh_task *t, wh_error *e)
{
    int64_t id;
    wh_err rc = wh_req_path_id(r, 0, &id, e);
    if (rc == WH_OK)
        rc = wh_req_begin(r, c, e);
    if (rc == WH_OK)
        rc = wh_tasks_get(*c, &r->arena, &r->user, id, t, e);
    if (rc == WH_OK && !may_manage(r) && t->assignee_id != r->user.id &&
        t->created_by != r->user.id)
        return wh_fail(e, WH_ERR_FORBIDDEN,
                       "Only its assignee, its creator and tasks.manage "
                       "change a task.");
    return rc;
}

static wh_err task_patch(wh_req *r, wh_error *e)
{
    wh_task_input in = {0};
    wh_task before, after;
    wh_conn *c = NULL;
    wh_err rc = read_task(r, false, &in, e);
    if (rc == WH_OK)
        rc = task_for_write(r, &c, &before, e);
    if (rc == WH_OK)
        rc = task_rules(r, c, &in, before.venture_id, e);
    if (rc == WH_OK)
        rc = wh_tasks_update(c, &r->arena, before.id, &in, r->now_ms, &after, e);
    if (rc == WH_OK && after.assignee_id && after.assignee_id != before.assignee_id &&
        after.assignee_id != r->user.id)
        rc = wh_notify_task_assigned(c, &r->arena, &after, r->user.full_name, r->now_ms, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(r, c, 200,
                           &(wh_change){"task.update", "task", after.id, after.venture_id,
                                        wh_tasks_json(&before), wh_tasks_json(&after)},
                           e);
}

static wh_err task_status(wh_req *r, wh_error *e)
{
    static const char *const fields[] = {"status", NULL};
    json_t *body = NULL;
    wh_jin j;
    wh_task before, after;
    wh_conn *c = NULL;
    wh_err rc = wh_req_json(r, &body, e);
    if (rc != WH_OK)
        return rc;
    wh_jin_init(&j, body, e);
    wh_jin_allow(&j, fields);
    const char *status = wh_jin_enum(&j, "status", true, wh_task_statuses);
    rc = wh_jin_done(&j);
    if (rc == WH_OK)
        rc = task_for_write(r, &c, &before, e);
    if (rc == WH_OK && !wh_task_transition_ok(before.status, status))
        return wh_fail(e, WH_ERR_TRANSITION, "A task cannot move from %s to %s.", before.status,
                       status);
    if (rc == WH_OK && strcmp(before.status, status) == 0)
        return wh_req_commit(r, c, 200, wh_tasks_json(&before), e);
    if (rc == WH_OK)
        rc = wh_tasks_set_status(c, &r->arena, before.id, status, r->now_ms, &after, e);
    if (rc == WH_OK && strcmp(status, "DONE") == 0 && after.created_by != r->user.id)
        rc = wh_notify_task_completed(c, &r->arena, &after, r->user.full_name, r->now_ms, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(r, c, 200,
                           &(wh_change){"task.status", "task", after.id, after.venture_id,
                                        wh_tasks_json(&before), wh_tasks_json(&after)},
                           e);
}

/* An optional boolean query parameter, "true" or "false". */
static void bool_query(wh_req *r, const char *name, bool *has, bool *value, bool *bad, wh_error *e)
{
    const char *v = wh_req_query(r, name);
    *has = v != NULL;
    *value = v && strcmp(v, "true") == 0;
    if (v && !*value && strcmp(v, "false") != 0) {
        *bad = true;
        (void)wh_error_field(e, name, "must be true or false");
    }
}

/* An optional query parameter that must be one of values. */
static const char *enum_query(wh_req *r, const char *name, const char *const *values, bool *bad,
                              wh_error *e)
{
    const char *v = wh_req_query(r, name);
    for (const char *const *p = values; v && *p; p++)
        if (strcmp(*p, v) == 0)
            return v;
    if (v) {
        *bad = true;
        (void)wh_error_field(e, name, "is not one of the allowed values");
    }
    return NULL;
}

static wh_err read_task_filter(wh_req *r, wh_task_filter *f, char *today, wh_error *e)
{
    bool has = false, bad = false, has_mine = false, mine = false, has_link = false;
    if (wh_req_query_id(r, "assignee_id", &f->assignee_id, &has, e) != WH_OK)
        bad = true;
    if (wh_req_query_id(r, "link_id", &f->link_id, &has_link, e) != WH_OK)
        bad = true;
    bool_query(r, "mine", &has_mine, &mine, &bad, e);
    bool_query(r, "overdue", &f->has_overdue, &f->overdue, &bad, e);
    f->status = enum_query(r, "status", wh_task_statuses, &bad, e);
    f->rule = enum_query(r, "rule", rules, &bad, e);
    f->link_type = enum_query(r, "link_type", wh_task_link_types, &bad, e);
    if (has_link && !wh_req_query(r, "link_type")) {
        bad = true;
        (void)wh_error_field(e, "link_id", "needs link_type");
    }
    if (mine && f->assignee_id && f->assignee_id != r->user.id) {
        bad = true;
        (void)wh_error_field(e, "assignee_id", "contradicts mine=true");
    }
    if (mine)
        f->assignee_id = r->user.id;
    wh_clock_day_of(r->now_ms, today, 16);
    f->today = today;
    return bad ? WH_ERR_INVALID : WH_OK;
}

static wh_err task_list(wh_req *r, wh_error *e)
{
    wh_page pg;
    wh_sqlb b;
    wh_task_filter f = {0};
    char today[16];
    wh_conn *c = NULL;
    wh_err rc = wh_page_parse(r, &tasks_list, &pg, e);
    if (rc == WH_OK)
        rc = read_task_filter(r, &f, today, e);
    if (rc == WH_OK)
        rc = wh_req_venture_filter(r, &c, &f.venture_id, e);
    if (rc != WH_OK)
        return rc;
    wh_tasks_list_sql(&r->user, wh_rbac_allows(r->user.role, WH_PERM_TASKS_READ), &f, &pg.ks, &b);
    return wh_resp_list(r, c, &pg, &b, e);
}

/* ---------------------------------------------------------- notifications */

static wh_err note_list(wh_req *r, wh_error *e)
{
    wh_page pg;
    wh_sqlb b;
    bool has = false, unread = false, bad = false;
    wh_conn *c = NULL;
    wh_err rc = wh_page_parse(r, &notes_list, &pg, e);
    bool_query(r, "unread", &has, &unread, &bad, e);
    if (rc == WH_OK && bad)
        rc = WH_ERR_INVALID;
    if (rc == WH_OK)
        rc = wh_req_db(r, &c, e);
    if (rc != WH_OK)
        return rc;
    wh_notify_list_sql(r->user.id, unread, &pg.ks, &b);
    return wh_resp_list(r, c, &pg, &b, e);
}

static wh_err note_unread(wh_req *r, wh_error *e)
{
    int64_t n = 0;
    wh_conn *c = NULL;
    wh_err rc = wh_req_db(r, &c, e);
    if (rc == WH_OK)
        rc = wh_notify_unread(c, &r->arena, r->user.id, &n, e);
    if (rc != WH_OK)
        return rc;
    json_t *o = json_object();
    json_object_set_new(o, "unread", json_integer(n));
    return wh_resp_json(r, 200, o);
}

static wh_err note_read(wh_req *r, wh_error *e)
{
    int64_t id;
    json_t *note = NULL;
    wh_conn *c = NULL;
    wh_err rc = wh_req_open(r, true, &c, &id, e);
    if (rc == WH_OK)
        rc = wh_notify_read(c, &r->arena, r->user.id, id, r->now_ms, &note, e);
    return rc == WH_OK ? wh_req_commit(r, c, 200, note, e) : rc;
}

static wh_err note_read_all(wh_req *r, wh_error *e)
{
    int64_t n = 0;
    wh_conn *c = NULL;
    wh_err rc = wh_req_begin(r, &c, e);
    if (rc == WH_OK)
        rc = wh_notify_read_all(c, &r->arena, r->user.id, r->now_ms, &n, e);
    if (rc != WH_OK)
        return rc;
    json_t *o = json_object();
    json_object_set_new(o, "updated", json_integer(n));
    return wh_req_commit(r, c, 200, o, e);
}

static wh_err prefs_get(wh_req *r, wh_error *e)
{
    json_t *doc = NULL;
    wh_conn *c = NULL;
    wh_err rc = wh_req_db(r, &c, e);
    if (rc == WH_OK)
        rc = wh_notify_prefs(c, &r->arena, r->user.id, &doc, e);
    return rc == WH_OK ? wh_resp_json(r, 200, doc) : rc;
}

/* Merges the given channels into doc's (validating every key): 400 on an unknown type or
 * channel key or a value that is not a boolean. */
static wh_err merge_channels(json_t *given, json_t *channels, wh_error *e)
{
    const char *type, *key;
    json_t *v, *flag;
    bool bad = false;
    if (!json_is_object(given))
        return wh_error_field(e, "channels", "must be an object");
    json_object_foreach(given, type, v)
    {
        json_t *cur = json_object_get(channels, type);
        if (!cur || !json_is_object(v)) {
            bad = true;
            (void)wh_error_field(e, "channels",
                                 cur ? "each type takes {email?, sms?}"
                                     : "names an unknown notification type");
            continue;
        }
        json_object_foreach(v, key, flag)
        {
            if ((strcmp(key, "email") != 0 && strcmp(key, "sms") != 0) || !json_is_boolean(flag)) {
                bad = true;
                (void)wh_error_field(e, "channels", "channel keys are email and sms, booleans");
                continue;
            }
            json_object_set(cur, key, flag);
        }
    }
    return bad ? WH_ERR_INVALID : WH_OK;
}

/* Is SMS on for any type of channels? */
static bool any_sms(json_t *channels)
{
    const char *type;
    json_t *v;
    json_object_foreach(channels, type, v)
    {
        if (json_is_true(json_object_get(v, "sms")))
            return true;
    }
    return false;
}

static wh_err prefs_put(wh_req *r, wh_error *e)
{
    static const char *const fields[] = {"phone", "channels", NULL};
    json_t *body = NULL, *doc = NULL;
    wh_jin j;
    wh_conn *c = NULL;
    wh_err rc = wh_req_json(r, &body, e);
    if (rc != WH_OK)
        return rc;
    wh_jin_init(&j, body, e);
    wh_jin_allow(&j, fields);
    bool has_phone = wh_jin_has(&j, "phone");
    const char *phone = wh_jin_str(&j, "phone", false, 1, 16);
    if (phone && !wh_user_phone_ok(phone)) {
        j.bad = true;
        (void)wh_error_field(e, "phone", "must be E.164: +, then 8 to 15 digits, the first not 0");
    }
    rc = wh_jin_done(&j);
    if (rc == WH_OK)
        rc = wh_req_begin(r, &c, e);
    if (rc == WH_OK)
        rc = wh_notify_prefs(c, &r->arena, r->user.id, &doc, e);
    if (rc != WH_OK)
        return rc;
    wh_req_keep(r, doc);
    json_t *channels = json_object_get(doc, "channels");
    json_t *given = json_object_get(body, "channels");
    if (given && !json_is_null(given))
        rc = merge_channels(given, channels, e);
    if (rc != WH_OK)
        return rc;
    if (has_phone)
        json_object_set_new(doc, "phone", wh_json_str_or_null(phone));
    if (any_sms(channels) && json_is_null(json_object_get(doc, "phone")))
        return wh_error_field(e, has_phone ? "phone" : "channels",
                              "SMS needs a phone: set one, or turn SMS off first");
    const char *type;
    json_t *v;
    json_object_foreach(channels, type, v)
    {
        if (rc == WH_OK && given && json_object_get(given, type))
            rc = wh_notify_prefs_put(c, &r->arena, r->user.id, type,
                                     json_is_true(json_object_get(v, "email")),
                                     json_is_true(json_object_get(v, "sms")), e);
    }
    if (rc == WH_OK && has_phone)
        rc = wh_notify_phone_put(c, &r->arena, r->user.id, phone, r->now_ms, e);
    return rc == WH_OK ? wh_req_commit(r, c, 200, json_incref(doc), e) : rc;
}

/* ---------------------------------------------------------------- routes */

static const wh_route routes[] = {
    {"GET", "/api/v1/tasks", task_list, WH_PERM_SIGNED_IN, WH_RATE_READ, WH_ROUTE_CSV,
     &wh_tasks_rule_own},
    {"POST", "/api/v1/tasks", task_create, WH_PERM_SIGNED_IN, WH_RATE_WRITE, WH_ROUTE_IDEMPOTENT,
     &wh_tasks_rule_writer},
    {"GET", "/api/v1/tasks/{id}", task_get, WH_PERM_SIGNED_IN, WH_RATE_READ, 0, &wh_tasks_rule_own},
    {"PATCH", "/api/v1/tasks/{id}", task_patch, WH_PERM_SIGNED_IN, WH_RATE_WRITE, 0,
     &wh_tasks_rule_writer},
    {"POST", "/api/v1/tasks/{id}/status", task_status, WH_PERM_SIGNED_IN, WH_RATE_WRITE,
     WH_ROUTE_IDEMPOTENT, &wh_tasks_rule_writer},
    {"GET", "/api/v1/notifications", note_list, WH_PERM_SIGNED_IN, WH_RATE_READ, WH_ROUTE_CSV,
     NULL},
    {"GET", "/api/v1/notifications/unread-count", note_unread, WH_PERM_SIGNED_IN, WH_RATE_READ, 0,
     NULL},
    {"POST", "/api/v1/notifications/read-all", note_read_all, WH_PERM_SIGNED_IN, WH_RATE_WRITE,
     WH_ROUTE_IDEMPOTENT, NULL},
    {"POST", "/api/v1/notifications/{id}/read", note_read, WH_PERM_SIGNED_IN, WH_RATE_WRITE,
     WH_ROUTE_IDEMPOTENT, NULL},
    {"GET", "/api/v1/me/notification-preferences", prefs_get, WH_PERM_SIGNED_IN, WH_RATE_READ, 0,
     NULL},
    {"PUT", "/api/v1/me/notification-preferences", prefs_put, WH_PERM_SIGNED_IN, WH_RATE_WRITE, 0,
     NULL},
};

const wh_route *wh_tasks_routes(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}
