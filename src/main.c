/* The wheelhouse command line: serve | migrate | seed [--demo] | user create | job run.
 * Dispatch only; the work lives in the modules. */
#include "app.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/fault.h"
#include "core/log.h"
#include "seed.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: wheelhouse serve | migrate | seed [--demo]\n"
    "       wheelhouse user create --email E --role R [--full-name N] [--password-stdin]\n"
    "       wheelhouse job run NAME [--date D] [--dry-run]\n"
    "Configuration comes from WH_* environment variables (see README.md).\n";

static int fail(const wh_error *e)
{
    fprintf(stderr, "wheelhouse: %s", e->detail);
    for (int i = 0; i < e->nfields; i++)
        fprintf(stderr, "%s%s %s", i ? "; " : ": ", e->fields[i].field, e->fields[i].message);
    fprintf(stderr, "\n");
    return 1;
}

static int serve(wh_app *app, wh_error *e)
{
    sigset_t set;
    int sig = 0;
    wh_server *srv = NULL;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* threads started below inherit the mask */
    signal(SIGPIPE, SIG_IGN);
    wh_app_listen(app); /* the session cache: trusted while this process hears every commit */
    if (wh_server_start(app, &srv, e) != WH_OK)
        return fail(e);
    wh_log_buffer_start(WH_LIMIT_LOG_FLUSH_MS); /* no write system call per access-log line */
    wh_outbox_worker *outbox = wh_outbox_worker_start(app->db, app->integrations, app->instance,
                                                      app->config.outbox_poll_ms);
    if (app->config.jobs)
        wh_jobs_scheduler_start(app->jobs);
    wh_log(WH_LOG_INFO, "listening on http://%s:%d", app->config.listen_host,
           app->config.listen_port);
    sigwait(&set, &sig);
    wh_log(WH_LOG_INFO, "signal %d: finishing in-flight requests", sig);
    wh_server_stop(srv);
    wh_jobs_stop(app->jobs);
    wh_outbox_worker_stop(outbox);
    wh_log(WH_LOG_INFO, "stopped");
    wh_log_buffer_stop(); /* every line is out before the process ends */
    return 0;
}

/* Reads one line from stdin, without its newline. */
static bool read_password(char *buf, size_t cap)
{
    if (!fgets(buf, (int)cap, stdin))
        return false;
    buf[strcspn(buf, "\r\n")] = '\0';
    return true;
}

static const char *arg_value(int argc, char **argv, const char *name)
{
    for (int i = 0; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return NULL;
}

static bool has_flag(int argc, char **argv, const char *name)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return true;
    return false;
}

/* Creates the user and its audit entry (no actor: the command line) in one transaction. */
static wh_err create_audited(wh_conn *c, wh_arena *a, const wh_user_input *in, wh_user *u,
                             wh_error *e)
{
    int64_t now = wh_clock_now_ms();
    wh_err rc = wh_db_begin(c, e);
    if (rc == WH_OK)
        rc = wh_user_create(c, a, in, now, u, e);
    if (rc == WH_OK) {
        json_t *after = wh_user_json(u);
        wh_audit_entry en = {.action = "user.create",
                             .entity = "user",
                             .entity_id = u->id,
                             .after = after,
                             .request_id = "cli",
                             .at_ms = now};
        rc = wh_audit_record(c, a, &en, e);
        json_decref(after);
    }
    if (rc == WH_OK)
        rc = wh_db_commit(c, e);
    return rc;
}

static int user_create(wh_app *app, int argc, char **argv, wh_error *e)
{
    char password[WH_LIMIT_PASSWORD_MAX + 2] = "";
    wh_arena a;
    wh_conn *c = NULL;
    wh_user_input in = {.has_role = true};
    wh_user u;
    int status = 1;
    wh_arena_init(&a);
    const char *email = arg_value(argc, argv, "--email");
    const char *role = arg_value(argc, argv, "--role");
    in.full_name = arg_value(argc, argv, "--full-name");
    if (!email || !(in.email = wh_user_email_normalise(&a, email)) || !role ||
        !wh_role_parse(role, &in.role)) {
        fprintf(stderr, "wheelhouse: user create needs --email ADDRESS and --role ROLE\n");
        goto out;
    }
    if (!in.full_name)
        in.full_name = in.email;
    if (has_flag(argc, argv, "--password-stdin")) {
        if (!read_password(password, sizeof password) || strlen(password) < WH_LIMIT_PASSWORD_MIN ||
            strlen(password) > WH_LIMIT_PASSWORD_MAX) {
            fprintf(stderr, "wheelhouse: the password must be %d..%d characters\n",
                    WH_LIMIT_PASSWORD_MIN, WH_LIMIT_PASSWORD_MAX);
            goto out;
        }
        in.password = password;
    }
    if (wh_db_acquire(app->db, &c, e) != WH_OK || create_audited(c, &a, &in, &u, e) != WH_OK) {
        status = fail(e);
        goto out;
    }
    printf("created user %lld %s (%s)\n", (long long)u.id, u.email, wh_role_name(u.role));
    status = 0;
out:
    wh_crypto_wipe(password, sizeof password);
    wh_db_release(app->db, c);
    wh_arena_cleanup(&a);
    return status;
}

static void print_run(const wh_job_run *run)
{
    json_t *j = wh_jobs_run_json(run);
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
    if (text)
        printf("%s\n", text);
    free(text);
    json_decref(j);
}

/* With WH_FAULT_INJECTION=1: the calls the run made, on stderr for the test that drove it. */
static void report_faults(void)
{
    char calls[96];
    wh_fault *plan = wh_fault_bind(NULL);
    if (!plan)
        return;
    wh_fault_render(plan, calls, sizeof calls);
    fprintf(stderr, "fault injection: %s\n", calls);
}

/* The options of `job run NAME [--date D] [--dry-run]`; NULL def when they are wrong. */
static const wh_job_def *job_options(int argc, char **argv, wh_job_request *rq)
{
    int y, m, d;
    char today[11];
    const wh_job_def *def = argc > 1 && strcmp(argv[0], "run") == 0 ? wh_jobs_find(argv[1]) : NULL;
    size_t n = 0;
    const wh_job_def *all = wh_jobs_table(&n);
    rq->date = arg_value(argc, argv, "--date");
    rq->dry_run = has_flag(argc, argv, "--dry-run");
    rq->request_id = "cli";
    wh_clock_day_of(wh_clock_now_ms(), today, sizeof today);
    if (!def) {
        fprintf(stderr, "wheelhouse: job run NAME [--date D] [--dry-run]; NAME is one of:");
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, " %s", all[i].name);
        fprintf(stderr, "\n");
        return NULL;
    }
    if (rq->date && (!wh_clock_parse_date(rq->date, &y, &m, &d) || strcmp(rq->date, today) > 0)) {
        fprintf(stderr, "wheelhouse: --date must be a day YYYY-MM-DD, not after %s\n", today);
        return NULL;
    }
    return def;
}

/* Runs a job here and now, in this process: 0 when it SUCCEEDED, 1 otherwise (3 when its lease
 * was held and nothing ran), 2 for a usage error. The run is printed as JSON. */
static int job_run(wh_app *app, int argc, char **argv, wh_error *e)
{
    wh_job_request rq = {0};
    wh_job_run run;
    wh_conn *c = NULL;
    wh_arena a;
    int status = 2;
    const wh_job_def *def = job_options(argc, argv, &rq);
    wh_arena_init(&a);
    if (!def)
        goto out;
    wh_fault_bind(wh_fault_process()); /* NULL unless WH_FAULT_INJECTION=1 */
    wh_err rc = wh_db_acquire(app->db, &c, e);
    if (rc == WH_OK)
        rc = wh_jobs_begin(app->jobs, c, &a, def, &rq, wh_clock_now_ms(), &run, e);
    wh_db_release(app->db, c);
    if (rc != WH_OK) {
        bool held = rc == WH_ERR_CONFLICT; /* the lease is held: a SKIPPED_LOCKED run */
        if (held)
            print_run(&run);
        status = held ? (fail(e), 3) : fail(e);
        goto out;
    }
    wh_jobs_execute(app->jobs, def, &a, &run);
    print_run(&run);
    status = strcmp(run.status, WH_RUN_SUCCEEDED) == 0 ? 0 : 1;
out:
    report_faults();
    wh_arena_cleanup(&a);
    return status;
}

static int run(const char *cmd, int argc, char **argv)
{
    wh_app app;
    wh_error e;
    int status = 2;
    wh_error_init(&e);
    if (wh_app_init(&app, true, &e) != WH_OK) {
        status = fail(&e);
        goto out;
    }
    if (strcmp(cmd, "serve") == 0)
        status = serve(&app, &e);
    else if (strcmp(cmd, "migrate") == 0)
        status = 0; /* wh_app_init applied the migrations */
    else if (strcmp(cmd, "seed") == 0)
        status = wh_seed_demo(&app, &e) == WH_OK ? 0 : fail(&e);
    else if (strcmp(cmd, "user") == 0 && argc > 0 && strcmp(argv[0], "create") == 0)
        status = user_create(&app, argc - 1, argv + 1, &e);
    else if (strcmp(cmd, "job") == 0)
        status = job_run(&app, argc, argv, &e);
    else
        fputs(usage, stderr);
out:
    wh_app_cleanup(&app);
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *cmds[] = {"serve", "migrate", "seed", "user", "job"};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (strcmp(argv[1], cmds[i]) == 0)
            return run(argv[1], argc - 2, argv + 2);
    fputs(usage, stderr);
    return 2;
}
