/* The demo month's hand-made tasks: a dozen tasks that managers gave their people in the last
 * week (some overdue, one done), each written as POST /tasks writes it (wh_tasks_create, the
 * TASK_ASSIGNED notification with its e-mail in the outbox, the task.create audit entry), and
 * the done one as POST /tasks/{id}/status does (TASK_COMPLETED to its creator). The automatic
 * tasks come from the task_rules job, run after the month (seed_money.c). Each task is looked up
 * by its venture and title first and left alone when it exists. */
#include "seed_int.h"
#include "core/clock.h"
#include "tasks/tasks.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *venture, *creator, *assignee, *title, *description, *priority;
    int age, due; /* created `age` days ago, due `due` days after that (-1: no due day) */
    bool done;
} demo_tasks[] = {
    {"FRT", "office.manager", "dispatcher", "Call Acme Foods about next week's reefer lanes",
     "They asked for rates on Chicago to Atlanta and Dallas to Houston.", "HIGH", 1, 3, false},
    {"FRT", "office.manager", "carrier.team",
     "Re-check the insurance certificate of Prairie Line Express", NULL, "MEDIUM", 5, 2, false},
    {"FRT", "venture.head", "office.manager", "Review last week's lost loads with the team",
     "Bring the lost reasons and one fix per lane.", "MEDIUM", 2, 4, false},
    {"FRT", "venture.head", "dispatcher", "Chase the POD of last Friday's Dallas delivery", NULL,
     "HIGH", 4, 1, false},
    {"FRT", "dispatcher", "dispatcher", "Confirm tomorrow's pickup appointment in Joliet", NULL,
     "LOW", 0, 1, false},
    {"BPO", "team.lead", "employee", "Listen back to two of Tuesday's calls and note objections",
     NULL, "LOW", 3, 2, false},
    {"BPO", "team.lead", "employee", "Update the inbound script with the new pricing",
     "Pricing sheet is in the shared drive.", "MEDIUM", 6, 2, true},
    {"BPO", "coo", "team.lead", "Prepare the agent schedule for next month", NULL, "MEDIUM", 1, 9,
     false},
    {"HTL", "ceo", "csr", "Answer the weekend's 3-star reviews", NULL, "HIGH", 0, 0, false},
    {"SAAS", "ceo", "finance", "Reconcile Stripe payouts with the subscription list",
     "Last month's payouts against the MRR of the subscriptions screen.", "MEDIUM", 2, 5, false},
    {"HLD", "ceo", "accounting", "Upload the lender's statement for the Lakeview building", NULL,
     "LOW", 3, 7, false},
    {"HLD", "coo", "finance", "Get a fresh appraisal of the Lakeview building", NULL, "LOW", 1, 14,
     false},
};

typedef struct {
    int64_t id;
    const char *name;
} person;

static wh_err person_of(wh_seed_month *sm, const char *login, person *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(
        sm->c, sm->a, "SELECT id, full_name FROM users WHERE email = $1",
        WH_ARGS(WH_PT(wh_arena_printf(sm->a, "%s@demo.wheelhouse.test", login))), &r, e);
    bool found = rc == WH_OK && wh_rows_count(r) > 0;
    *out = (person){found ? wh_rows_int(r, 0, 0) : 0, found ? wh_rows_text(r, 0, 1) : ""};
    return rc;
}

static wh_err one_task(wh_seed_month *sm, size_t i, wh_error *e)
{
    person by, to;
    int64_t venture = 0, have = 0;
    char due[11];
    wh_err rc = wh_seed_id_of(sm->c, sm->a, "SELECT id FROM ventures WHERE code = $1",
                              demo_tasks[i].venture, &venture, e);
    if (rc == WH_OK && venture)
        rc = wh_seed_id_in(sm->c, sm->a,
                           "SELECT id FROM tasks WHERE rule IS NULL AND venture_id = $1 AND"
                           " title = $2",
                           venture, demo_tasks[i].title, &have, e);
    if (rc == WH_OK)
        rc = person_of(sm, demo_tasks[i].creator, &by, e);
    if (rc == WH_OK)
        rc = person_of(sm, demo_tasks[i].assignee, &to, e);
    if (rc != WH_OK || !venture || have || !by.id || !to.id)
        return rc;
    int64_t at = sm->midnight[sm->ndays - 1] - demo_tasks[i].age * 86400000LL +
                 (8 * 60 + 30 + (int64_t)i * 7) * 60000;
    at = at < sm->now ? at : sm->now;
    (void)wh_clock_day_add(sm->today, demo_tasks[i].due - demo_tasks[i].age, due, sizeof due);
    wh_task_input in = {.venture_id = venture,
                        .assignee_id = to.id,
                        .title = demo_tasks[i].title,
                        .description = demo_tasks[i].description,
                        .priority = demo_tasks[i].priority,
                        .due_on = due,
                        .has_description = demo_tasks[i].description != NULL,
                        .has_assignee = true,
                        .has_due = true};
    wh_task t, done;
    rc = wh_tasks_create(sm->c, sm->a, &in, by.id, at, &t, e);
    if (rc == WH_OK && t.assignee_id != by.id)
        rc = wh_notify_task_assigned(sm->c, sm->a, &t, by.name, at, e);
    if (rc == WH_OK)
        rc = wh_seed_audit(sm, by.id, "task.create", "task", t.id, venture, NULL, wh_tasks_json(&t),
                           at, e);
    at += 26 * 3600000LL;
    if (rc != WH_OK || !demo_tasks[i].done || at >= sm->now)
        return rc;
    rc = wh_tasks_set_status(sm->c, sm->a, t.id, "DONE", at, &done, e);
    if (rc == WH_OK && done.created_by != to.id)
        rc = wh_notify_task_completed(sm->c, sm->a, &done, to.name, at, e);
    if (rc == WH_OK)
        rc = wh_seed_audit(sm, to.id, "task.status", "task", t.id, venture, wh_tasks_json(&t),
                           wh_tasks_json(&done), at, e);
    return rc;
}

wh_err wh_seed_month_tasks(wh_seed_month *sm, wh_error *e)
{
    wh_err rc = WH_OK;
    for (size_t i = 0; rc == WH_OK && i < sizeof demo_tasks / sizeof demo_tasks[0]; i++)
        rc = one_task(sm, i, e);
    return rc;
}
