/* Tasks, notifications and reminders (DOMAIN-wave2 §18-§20, API-wave2 "Tasks", "Notifications").
 *
 * A task belongs to a venture; a caller sees it when the venture is in scope and they hold
 * tasks.read or are its assignee or creator (the condition is in every statement's SQL, so a
 * task outside it answers 404 like a missing one). Automatic tasks carry a unique rule_key: their
 * insert does nothing when the key exists, so reruns and concurrent runs of the task_rules job
 * make each at most once. Notifications are written in the transaction of the change that causes
 * them, with their e-mail and SMS queued in the outbox in that same transaction (an outage
 * delays a message, a rollback takes it back, nothing sends it twice).
 *
 * Ownership: everything returned lives in the caller's arena. No state is kept. */
#ifndef WH_TASKS_TASKS_H
#define WH_TASKS_TASKS_H

#include "auth/auth.h"
#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"
#include "jobs/jobs.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Longest task title and description, characters. */
#define WH_TASK_TITLE_CHARS       200
#define WH_TASK_DESCRIPTION_CHARS 4000
/* A notification title is cut to 197 characters plus "..." when over 200; an SMS body to 157
 * plus "..." when over 160. */
#define WH_NOTE_TITLE_CHARS 200
#define WH_NOTE_SMS_CHARS   160

typedef struct {
    int64_t id, venture_id, assignee_id, link_id, created_by; /* 0: none */
    const char *title, *description, *priority, *due_on, *link_type, *status, *rule, *rule_key;
    int64_t completed_at, created_at, updated_at; /* completed_at 0: none */
    bool overdue;
} wh_task;

/* A create or PATCH. On PATCH, has_* false leaves a field as it is; has_* with 0 / NULL clears
 * it (title and priority cannot be cleared). */
typedef struct {
    int64_t venture_id, assignee_id, link_id;
    const char *title, *description, *priority, *due_on, *link_type;
    bool has_description, has_assignee, has_due, has_link;
} wh_task_input;

/* Filters of GET /tasks; 0 / NULL / has_* false mean "any". */
typedef struct {
    int64_t venture_id, assignee_id, link_id;
    const char *status, *rule, *link_type;
    bool has_overdue, overdue;
    const char *today; /* for overdue */
} wh_task_filter;

/* ---- rules (tasks_rules.c: pure) ---- */
extern const char *const wh_task_priorities[]; /* LOW MEDIUM HIGH CRITICAL, NULL-terminated */
extern const char *const wh_task_statuses[];   /* OPEN DONE CANCELLED */
extern const char *const wh_task_link_types[]; /* API-wave2's list */
extern const char *const wh_notify_types[];    /* TASK_ASSIGNED ... PAYOUT_STATUS */
/* The route rule tasks_writer: AUDITOR never writes a task (refused by the pipeline). */
extern const wh_rule wh_tasks_rule_writer;
/* The route rule tasks_own: a role without tasks.read sees only the tasks it is assigned or
 * created. */
extern const wh_rule wh_tasks_rule_own;
/* May a task move from `from` to `to` (§18)? Same to same is allowed (a no-op). */
bool wh_task_transition_ok(const char *from, const char *to);
/* Is day (YYYY-MM-DD) Monday to Friday? */
bool wh_tasks_working_day(const char *day);
/* The last working day before day, into out (11 bytes). */
void wh_tasks_last_working_day(const char *day, char *out, size_t cap);
/* s cut to max characters (UTF-8), its last three replaced by "..." when it was longer; in a. */
const char *wh_tasks_ellipsis(wh_arena *a, const char *s, size_t max);

/* ---- tasks (tasks_store.c) ---- */
/* Is user_id an eligible user of venture_id: active, and a member or of an all-venture role? */
WH_MUST_USE wh_err wh_tasks_eligible(wh_conn *c, wh_arena *a, int64_t user_id, int64_t venture_id,
                                     bool *yes, wh_error *e);
/* Does the record link_type/link_id exist and, when it belongs to a venture, to venture_id? */
WH_MUST_USE wh_err wh_tasks_link_ok(wh_conn *c, wh_arena *a, const char *link_type, int64_t link_id,
                                    int64_t venture_id, bool *yes, wh_error *e);
WH_MUST_USE wh_err wh_tasks_create(wh_conn *c, wh_arena *a, const wh_task_input *in,
                                   int64_t created_by, int64_t now_ms, wh_task *out, wh_error *e);
/* An automatic task: nothing happens when rule_key exists (*created false). */
WH_MUST_USE wh_err wh_tasks_create_auto(wh_conn *c, wh_arena *a, const wh_task_input *in,
                                        const char *rule, const char *rule_key, int64_t now_ms,
                                        wh_task *out, bool *created, wh_error *e);
/* A task p may see (404 otherwise). */
WH_MUST_USE wh_err wh_tasks_get(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t id,
                                wh_task *out, wh_error *e);
WH_MUST_USE wh_err wh_tasks_update(wh_conn *c, wh_arena *a, int64_t id, const wh_task_input *in,
                                   int64_t now_ms, wh_task *out, wh_error *e);
WH_MUST_USE wh_err wh_tasks_set_status(wh_conn *c, wh_arena *a, int64_t id, const char *status,
                                       int64_t now_ms, wh_task *out, wh_error *e);
/* Tasks p may see, newest first (id descending). */
void wh_tasks_list_sql(const wh_principal *p, bool read_all, const wh_task_filter *f,
                       const wh_keyset *ks, wh_sqlb *b);
json_t *wh_tasks_row_json(const wh_rows *rows, size_t i);
json_t *wh_tasks_json(const wh_task *t);
/* Is there an OPEN task of rule linked to link_type/link_id? */
WH_MUST_USE wh_err wh_tasks_open_linked(wh_conn *c, wh_arena *a, const char *rule,
                                        const char *link_type, int64_t link_id, bool *yes,
                                        wh_error *e);

/* ---- notifications (notify_store.c) ---- */
typedef struct {
    int64_t user_id;
    const char *type, *title, *body;
    const char *link_type; /* NULL: none */
    int64_t link_id;
    const char *key; /* NULL: none; else the notification is made at most once per key */
} wh_notice;

/* In the caller's transaction: the in-app notification (none for an inactive user, or when key
 * exists) and, per the user's preferences, its e-mail and SMS in the outbox. *created (may be
 * NULL) tells whether it was made. */
WH_MUST_USE wh_err wh_notify_send(wh_conn *c, wh_arena *a, const wh_notice *n, int64_t now_ms,
                                  bool *created, wh_error *e);
/* TASK_ASSIGNED to t's assignee: "{actor or Wheelhouse} assigned you a task in {venture}." */
WH_MUST_USE wh_err wh_notify_task_assigned(wh_conn *c, wh_arena *a, const wh_task *t,
                                           const char *actor_name, int64_t now_ms, wh_error *e);
/* TASK_COMPLETED to t's creator. */
WH_MUST_USE wh_err wh_notify_task_completed(wh_conn *c, wh_arena *a, const wh_task *t,
                                            const char *actor_name, int64_t now_ms, wh_error *e);
/* PAYOUT_STATUS to a payout's user: "Payout approved: {start} to {end}" (paid false) or "Payout
 * paid: ...", body "Amount: ${dollars}.{cents}." */
WH_MUST_USE wh_err wh_notify_payout(wh_conn *c, wh_arena *a, int64_t user_id, bool paid,
                                    const char *start, const char *end, int64_t amount_cents,
                                    int64_t now_ms, wh_error *e);
void wh_notify_list_sql(int64_t user_id, bool unread_only, const wh_keyset *ks, wh_sqlb *b);
json_t *wh_notify_row_json(const wh_rows *rows, size_t i);
WH_MUST_USE wh_err wh_notify_unread(wh_conn *c, wh_arena *a, int64_t user_id, int64_t *n,
                                    wh_error *e);
/* Marks the user's notification id read (once); 404 when it is not theirs. */
WH_MUST_USE wh_err wh_notify_read(wh_conn *c, wh_arena *a, int64_t user_id, int64_t id,
                                  int64_t now_ms, json_t **out, wh_error *e);
WH_MUST_USE wh_err wh_notify_read_all(wh_conn *c, wh_arena *a, int64_t user_id, int64_t now_ms,
                                      int64_t *updated, wh_error *e);
/* The preference document {phone, channels}. */
WH_MUST_USE wh_err wh_notify_prefs(wh_conn *c, wh_arena *a, int64_t user_id, json_t **out,
                                   wh_error *e);
/* Stores one type's channels. */
WH_MUST_USE wh_err wh_notify_prefs_put(wh_conn *c, wh_arena *a, int64_t user_id, const char *type,
                                       bool email, bool sms, wh_error *e);
/* Sets the user's phone (NULL clears it). */
WH_MUST_USE wh_err wh_notify_phone_put(wh_conn *c, wh_arena *a, int64_t user_id, const char *phone,
                                       int64_t now_ms, wh_error *e);

/* ---- jobs (tasks_jobs.c) ---- */
wh_job_outcome wh_tasks_job_rules(wh_job_ctx *ctx, wh_error *e);
wh_job_outcome wh_tasks_job_reminders(wh_job_ctx *ctx, wh_error *e);

struct wh_route;
/* The /tasks, /notifications and /me/notification-preferences routes. */
const struct wh_route *wh_tasks_routes(size_t *n);

#endif
