/* The job table of DOMAIN.md §9. Adding a job is one line here: its name, schedule in business
 * time, the day a run is for (0: the day it starts, -1: yesterday), whether it takes a venture,
 * and its function. incentive_daily (07:00, yesterday) and kpi_aggregation (07:30, yesterday)
 * live in src/kpi/kpi_jobs.c; task_rules (06:30, today) and reminders (18:00, today) in
 * src/tasks/tasks_jobs.c. */
#include "jobs/jobs.h"
#include "kpi/kpi.h"
#include "tasks/tasks.h"

#include <string.h>

static const wh_job_def table[] = {
    {"cleanup", {.kind = WH_SCHEDULE_DAILY, .hour = 3, .minute = 0}, 0, false, wh_job_cleanup},
    {"fmcsa_sync",
     {.kind = WH_SCHEDULE_EVERY_HOURS, .hours = 4, .minute = 0},
     0,
     false,
     wh_job_fmcsa_sync},
    {"incentive_daily",
     {.kind = WH_SCHEDULE_DAILY, .hour = 7, .minute = 0},
     -1,
     true,
     wh_kpi_job_incentive_daily},
    {"kpi_aggregation",
     {.kind = WH_SCHEDULE_DAILY, .hour = 7, .minute = 30},
     -1,
     true,
     wh_kpi_job_aggregation},
    {"task_rules",
     {.kind = WH_SCHEDULE_DAILY, .hour = 6, .minute = 30},
     0,
     true,
     wh_tasks_job_rules},
    {"reminders",
     {.kind = WH_SCHEDULE_DAILY, .hour = 18, .minute = 0},
     0,
     true,
     wh_tasks_job_reminders},
};

const wh_job_def *wh_jobs_table(size_t *n)
{
    *n = sizeof table / sizeof table[0];
    return table;
}

const wh_job_def *wh_jobs_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof table / sizeof table[0]; i++)
        if (strcmp(table[i].name, name) == 0)
            return &table[i];
    return NULL;
}
