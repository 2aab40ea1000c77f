/*
 * Accounts under attack (DOMAIN.md §1 "Granting roles", API.md "Organisation" and "Auth"):
 * users.manage is not a master key. HR_ADMIN manages ordinary users but cannot create, promote,
 * change or reset a privileged one; nobody changes their own role or active flag; nobody sets
 * another user's password (a reset e-mails a code, the user sets the password with
 * PUT /me/password); changes of password, e-mail, role or active end the user's sessions on
 * every instance; sessions have an absolute lifetime; login-code tries are spent atomically and
 * capped per account per hour. Every refusal changes nothing.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#define CODE_TRIES        5  /* WH_LIMIT_CODE_TRIES */
#define VERIFIES_PER_HOUR 20 /* WH_LIMIT_CODE_VERIFIES_PER_HOUR */
#define NEW_PASSWORD      "a brand new password"

static const char *const privileged[] = {"CEO",      "ADMIN",     "COO", "AUDITOR",
                                         "HR_ADMIN", "TEST_USER", NULL};

static wht_server *fake;

static long long users_with_email(const char *email)
{
    return wht_sql(wht_fmt("SELECT COUNT(*) FROM users WHERE email = '%s'", email));
}

static const char *role_of(long long id)
{
    wht_resp *r = wht_get(wht_admin_token(), wht_fmt("/users/%lld", id));
    WHT_EXPECT(r, 200);
    return wht_str(r->json, "role");
}

static wht_resp *create_user(const char *token, const char *email, const char *role)
{
    return wht_post(
        token, "/users",
        wht_json("{s:s, s:s, s:s}", "email", email, "full_name", "New Person", "role", role));
}

static void test_hr_admin_cannot_create_a_privileged_user(void **state)
{
    (void)state;
    wht_user hr = wht_user_new("HR_ADMIN");
    for (const char *const *role = privileged; *role; role++) {
        wht_context("role %s", *role);
        const char *email = wht_unique_email();
        WHT_PROBLEM(create_user(hr.token, email, *role), 403, "forbidden", NULL);
        assert_int_equal(users_with_email(email), 0);
    }
    WHT_EXPECT(create_user(hr.token, wht_unique_email(), "EMPLOYEE"), 201);
    wht_user ceo = wht_user_new("CEO");
    WHT_EXPECT(create_user(ceo.token, wht_unique_email(), "ADMIN"), 201);
    WHT_EXPECT(create_user(wht_admin_token(), wht_unique_email(), "CEO"), 201);
}

static void test_hr_admin_cannot_promote_or_touch_a_privileged_user(void **state)
{
    (void)state;
    wht_user hr = wht_user_new("HR_ADMIN");
    wht_user emp = wht_user_add("EMPLOYEE");
    wht_user ceo = wht_user_add("CEO");
    const char *emp_path = wht_fmt("/users/%lld", emp.id);
    const char *ceo_path = wht_fmt("/users/%lld", ceo.id);
    long long head = wht_audit_head();
    for (const char *const *role = privileged; *role; role++)
        WHT_PROBLEM(wht_patch(hr.token, emp_path, wht_json("{s:s}", "role", *role)), 403,
                    "forbidden", NULL);
    WHT_PROBLEM(wht_patch(hr.token, ceo_path, wht_json("{s:s}", "full_name", "Renamed")), 403,
                "forbidden", NULL);
    WHT_PROBLEM(wht_patch(hr.token, ceo_path, wht_json("{s:b}", "active", 0)), 403, "forbidden",
                NULL);
    WHT_PROBLEM(wht_patch(hr.token, ceo_path, wht_json("{s:s}", "role", "EMPLOYEE")), 403,
                "forbidden", NULL);
    WHT_PROBLEM(wht_put(hr.token, wht_fmt("/users/%lld/ventures", ceo.id),
                        wht_json("{s:[]}", "venture_ids")),
                403, "forbidden", NULL);
    WHT_PROBLEM(wht_post(hr.token, wht_fmt("/users/%lld/password-reset", ceo.id), NULL), 403,
                "forbidden", NULL);
    /* nothing changed, nothing audited, and the CEO still signs in */
    assert_string_equal(role_of(emp.id), "EMPLOYEE");
    assert_string_equal(role_of(ceo.id), "CEO");
    assert_int_equal(json_array_size(wht_audit_since(head)), 0);
    WHT_EXPECT(wht_login_resp(ceo.email, ceo.password), 200);
    /* ordinary users are HR's to manage */
    WHT_EXPECT(wht_patch(hr.token, emp_path, wht_json("{s:s}", "role", "TEAM_LEAD")), 200);
    assert_string_equal(role_of(emp.id), "TEAM_LEAD");
    /* and CEO or ADMIN may change a privileged user */
    WHT_EXPECT(wht_patch(wht_admin_token(), ceo_path, wht_json("{s:s}", "full_name", "Renamed")),
               200);
}

static void test_nobody_changes_their_own_role_or_active_flag(void **state)
{
    (void)state;
    const char *roles[] = {"HR_ADMIN", "ADMIN", "CEO"};
    for (size_t i = 0; i < 3; i++) {
        wht_user u = wht_user_new(roles[i]);
        const char *self = wht_fmt("/users/%lld", u.id);
        wht_context("role %s", roles[i]);
        const char *up = strcmp(roles[i], "CEO") == 0 ? "ADMIN" : "CEO";
        WHT_PROBLEM(wht_patch(u.token, self, wht_json("{s:s}", "role", up)), 403, "forbidden",
                    NULL);
        WHT_PROBLEM(wht_patch(u.token, self, wht_json("{s:s}", "role", "EMPLOYEE")), 403,
                    "forbidden", NULL);
        WHT_PROBLEM(wht_patch(u.token, self, wht_json("{s:b}", "active", 0)), 403, "forbidden",
                    NULL);
        /* the same token keeps the same role: nothing was gained */
        wht_resp *me = wht_get(u.token, "/me");
        WHT_EXPECT(me, 200);
        assert_string_equal(wht_str(json_object_get(me->json, "user"), "role"), roles[i]);
        assert_string_equal(role_of(u.id), roles[i]);
    }
}

static void test_patch_never_sets_a_password(void **state)
{
    (void)state;
    wht_user victim = wht_user_add("CEO");
    wht_user emp = wht_user_add("EMPLOYEE");
    const char *paths[] = {wht_fmt("/users/%lld", victim.id), wht_fmt("/users/%lld", emp.id)};
    for (size_t i = 0; i < 2; i++)
        WHT_PROBLEM(
            wht_patch(wht_admin_token(), paths[i], wht_json("{s:s}", "password", NEW_PASSWORD)),
            400, "validation_failed", "password");
    WHT_PROBLEM(wht_login_resp(victim.email, NEW_PASSWORD), 401, "unauthenticated", NULL);
    WHT_EXPECT(wht_login_resp(victim.email, victim.password), 200);
    WHT_EXPECT(wht_login_resp(emp.email, emp.password), 200);
}

/* Signs in with an e-mailed code (the nth e-mail to the user) and returns the token. */
static const char *code_sign_in(const char *email, size_t nth)
{
    const char *code = wht_fake_mail_code(fake, email, nth);
    wht_resp *r =
        wht_post(NULL, "/auth/code/verify", wht_json("{s:s, s:s}", "email", email, "code", code));
    WHT_EXPECT(r, 200);
    return wht_str(r->json, "token");
}

static void test_password_reset_mails_a_code_and_the_user_sets_the_password(void **state)
{
    (void)state;
    wht_user u = wht_user_new("EMPLOYEE");
    long long head = wht_audit_head();
    wht_resp *r = wht_post(wht_admin_token(), wht_fmt("/users/%lld/password-reset", u.id), NULL);
    WHT_EXPECT(r, 202);
    /* the reset itself changes no password and ends no session */
    WHT_EXPECT(wht_get(u.token, "/me"), 200);
    WHT_EXPECT(wht_login_resp(u.email, u.password), 200);
    json_t *audit = wht_audit_since(head);
    assert_int_equal(json_array_size(audit), 1);
    assert_string_equal(wht_str(json_array_get(audit, 0), "action"), "user.password_reset");
    assert_int_equal(wht_int(json_array_get(audit, 0), "actor_id"), wht_admin_id());

    const char *by_code = code_sign_in(u.email, 0);
    head = wht_audit_head();
    /* after a code sign-in the current password may be omitted */
    WHT_EXPECT(wht_put(by_code, "/me/password", wht_json("{s:s}", "new_password", NEW_PASSWORD)),
               204);
    WHT_EXPECT(wht_get(by_code, "/me"), 200);                           /* this session stays */
    WHT_PROBLEM(wht_get(u.token, "/me"), 401, "unauthenticated", NULL); /* the others end */
    WHT_PROBLEM(wht_login_resp(u.email, u.password), 401, "unauthenticated", NULL);
    WHT_EXPECT(wht_login_resp(u.email, NEW_PASSWORD), 200);
    audit = wht_audit_since(head);
    assert_int_equal(json_array_size(audit), 1);
    assert_string_equal(wht_str(json_array_get(audit, 0), "action"), "user.password_change");
    assert_int_equal(wht_int(json_array_get(audit, 0), "actor_id"), u.id);
}

static void test_password_reset_refusals(void **state)
{
    (void)state;
    wht_user off = wht_user_add("EMPLOYEE");
    WHT_EXPECT(wht_patch(wht_admin_token(), wht_fmt("/users/%lld", off.id),
                         wht_json("{s:b}", "active", 0)),
               200);
    WHT_PROBLEM(wht_post(wht_admin_token(), wht_fmt("/users/%lld/password-reset", off.id), NULL),
                409, "conflict", NULL);
    WHT_PROBLEM(wht_post(wht_admin_token(), "/users/999999999/password-reset", NULL), 404,
                "not_found", NULL);
    wht_user emp = wht_user_new("EMPLOYEE");
    WHT_PROBLEM(wht_post(emp.token, wht_fmt("/users/%lld/password-reset", off.id), NULL), 403,
                "forbidden", NULL);
    assert_int_equal(
        wht_sql(wht_fmt("SELECT COUNT(*) FROM login_codes WHERE user_id = %lld", off.id)), 0);
}

static void test_me_password_needs_the_current_one_after_a_password_sign_in(void **state)
{
    (void)state;
    wht_user u = wht_user_new("EMPLOYEE");
    const char *other = wht_login(u.email, u.password);
    WHT_PROBLEM(wht_put(u.token, "/me/password", wht_json("{s:s}", "new_password", NEW_PASSWORD)),
                400, "validation_failed", "current_password");
    WHT_PROBLEM(wht_put(u.token, "/me/password",
                        wht_json("{s:s, s:s}", "current_password", "not the password",
                                 "new_password", NEW_PASSWORD)),
                400, "validation_failed", "current_password");
    WHT_PROBLEM(wht_put(u.token, "/me/password",
                        wht_json("{s:s, s:s}", "current_password", u.password, "new_password",
                                 "too short")),
                400, "validation_failed", "new_password");
    /* refused: the old password and both sessions still work */
    WHT_EXPECT(wht_get(other, "/me"), 200);
    WHT_EXPECT(wht_login_resp(u.email, u.password), 200);
    WHT_EXPECT(wht_put(u.token, "/me/password",
                       wht_json("{s:s, s:s}", "current_password", u.password, "new_password",
                                NEW_PASSWORD)),
               204);
    WHT_EXPECT(wht_get(u.token, "/me"), 200);
    WHT_PROBLEM(wht_get(other, "/me"), 401, "unauthenticated", NULL);
    WHT_EXPECT(wht_login_resp(u.email, NEW_PASSWORD), 200);
}

/* An e-mail, role or active change ends every session of the user on every instance. */
static void test_account_changes_end_sessions_everywhere(void **state)
{
    (void)state;
    wht_server *second = wht_server_start(NULL);
    const char *changes[] = {"{\"role\":\"TEAM_LEAD\"}", NULL, "{\"active\":false}",
                             "{\"full_name\":\"Only A Name\"}"};
    for (size_t i = 0; i < 4; i++) {
        wht_user u = wht_user_new("EMPLOYEE");
        wht_resp *r = wht_send_on(second, "POST", NULL, "/auth/login",
                                  wht_json("{s:s, s:s}", "email", u.email, "password", u.password));
        WHT_EXPECT(r, 200);
        const char *there = wht_str(r->json, "token");
        const char *body =
            changes[i] ? changes[i] : wht_fmt("{\"email\":\"%s\"}", wht_unique_email());
        wht_context("change %s", body);
        WHT_EXPECT(
            wht_patch(wht_admin_token(), wht_fmt("/users/%lld", u.id), json_loads(body, 0, NULL)),
            200);
        long want = i == 3 ? 200 : 401; /* a new name is not a change of access */
        WHT_EXPECT(wht_get(u.token, "/me"), want);
        WHT_EXPECT(wht_send_on(second, "GET", u.token, "/me", NULL), want);
        WHT_EXPECT(wht_send_on(second, "GET", there, "/me", NULL), want);
        WHT_EXPECT(wht_get(there, "/me"), want);
    }
    wht_server_stop(second);
}

static void test_sessions_have_an_absolute_lifetime(void **state)
{
    (void)state;
    wht_user u = wht_user_add("EMPLOYEE");
    /* slides by an hour, but never past 4 s from sign-in */
    const char *env[] = {"WH_SESSION_TTL_S=3600", "WH_SESSION_MAX_S=4", NULL};
    wht_server *capped = wht_server_start(env);
    long long before = wht_now_ms();
    wht_resp *r = wht_send_on(capped, "POST", NULL, "/auth/login",
                              wht_json("{s:s, s:s}", "email", u.email, "password", u.password));
    WHT_EXPECT(r, 200);
    const char *token = wht_str(r->json, "token");
    long long exp = wht_rfc3339_ms(wht_str(r->json, "expires_at"));
    assert_true(exp >= before + 3000 && exp <= wht_now_ms() + 4000);
    /* used all along, it still ends at the cap */
    while (wht_now_ms() < exp - 700) {
        WHT_EXPECT(wht_send_on(capped, "GET", token, "/me", NULL), 200);
        wht_sleep_ms(300);
    }
    wht_sleep_ms((long)(exp - wht_now_ms()) + 500);
    WHT_PROBLEM(wht_send_on(capped, "GET", token, "/me", NULL), 401, "unauthenticated", NULL);
    WHT_PROBLEM(wht_get(token, "/me"), 401, "unauthenticated", NULL);
    wht_server_stop(capped);
}

/* 25 simultaneous wrong guesses against a live code with one try left: exactly that one try is
 * spent (the others find no code to compare), and then the right code no longer works. */
static void test_concurrent_wrong_codes_spend_exactly_the_tries(void **state)
{
    (void)state;
    enum { N = 25 };
    wht_user u = wht_user_add("EMPLOYEE");
    WHT_EXPECT(wht_post(NULL, "/auth/code", wht_json("{s:s}", "email", u.email)), 202);
    const char *code = wht_fake_mail_code(fake, u.email, 0);
    const char *wrong = strcmp(code, "000000") == 0 ? "000001" : "000000";
    /* four tries spent one by one: the race is over the last one */
    for (int i = 0; i < CODE_TRIES - 1; i++)
        WHT_PROBLEM(wht_post(NULL, "/auth/code/verify",
                             wht_json("{s:s, s:s}", "email", u.email, "code", wrong)),
                    401, "unauthenticated", NULL);
    const char *bodies[N];
    long statuses[N];
    for (int i = 0; i < N; i++)
        bodies[i] = wht_fmt("{\"email\":\"%s\",\"code\":\"%s\"}", u.email, wrong);
    /* PostgreSQL: a reader of the codes sees them at once, but a writer waits for this lock,
     * so every racer has read the code before any try is spent: a check-then-update lets them
     * all compare. (On SQLite the writer lock is taken at BEGIN and serialises them anyway.) */
    pid_t locker = 0;
    if (strcmp(wht_engine(), "postgres") == 0) {
        fflush(NULL);
        locker = fork();
        assert_true(locker >= 0);
        if (locker == 0) {
            wht_sql("BEGIN; LOCK TABLE login_codes IN SHARE MODE; SELECT pg_sleep(1.5); COMMIT");
            _exit(0);
        }
        wht_sleep_ms(300);
    }
    wht_race(N, "POST", "/auth/code/verify", NULL, bodies, statuses);
    if (locker > 0)
        assert_int_equal(waitpid(locker, NULL, 0), locker);
    for (int i = 0; i < N; i++)
        assert_int_equal(statuses[i], 401);
    assert_int_equal(
        wht_sql(wht_fmt("SELECT MAX(attempts) FROM login_codes WHERE user_id = %lld", u.id)),
        CODE_TRIES);
    WHT_PROBLEM(
        wht_post(NULL, "/auth/code/verify", wht_json("{s:s, s:s}", "email", u.email, "code", code)),
        401, "unauthenticated", NULL);
}

/* Guesses are capped per account per hour whatever the address: after the hourly allowance
 * even the right code of a fresh e-mail is refused. */
static void test_code_verifications_are_capped_per_account(void **state)
{
    (void)state;
    wht_user u = wht_user_add("EMPLOYEE");
    for (int i = 0; i < VERIFIES_PER_HOUR; i++)
        WHT_PROBLEM(wht_post(NULL, "/auth/code/verify",
                             wht_json("{s:s, s:s}", "email", u.email, "code", "000000")),
                    401, "unauthenticated", NULL);
    WHT_EXPECT(wht_post(NULL, "/auth/code", wht_json("{s:s}", "email", u.email)), 202);
    const char *code = wht_fake_mail_code(fake, u.email, 0);
    WHT_PROBLEM(
        wht_post(NULL, "/auth/code/verify", wht_json("{s:s, s:s}", "email", u.email, "code", code)),
        401, "unauthenticated", NULL);
    /* the code was not even tried: it is still open for the next hour */
    assert_int_equal(
        wht_sql(wht_fmt("SELECT MAX(attempts) FROM login_codes WHERE user_id = %lld", u.id)), 0);
    /* another account is unaffected */
    wht_user v = wht_user_add("EMPLOYEE");
    WHT_EXPECT(wht_post(NULL, "/auth/code", wht_json("{s:s}", "email", v.email)), 202);
    code_sign_in(v.email, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        WHT_TEST(test_hr_admin_cannot_create_a_privileged_user),
        WHT_TEST(test_hr_admin_cannot_promote_or_touch_a_privileged_user),
        WHT_TEST(test_nobody_changes_their_own_role_or_active_flag),
        WHT_TEST(test_patch_never_sets_a_password),
        WHT_TEST(test_password_reset_mails_a_code_and_the_user_sets_the_password),
        WHT_TEST(test_password_reset_refusals),
        WHT_TEST(test_me_password_needs_the_current_one_after_a_password_sign_in),
        WHT_TEST(test_account_changes_end_sessions_everywhere),
        WHT_TEST(test_sessions_have_an_absolute_lifetime),
        WHT_TEST(test_concurrent_wrong_codes_spend_exactly_the_tries),
        WHT_TEST(test_code_verifications_are_capped_per_account),
    };
    fake = wht_fake_start();
    const char *env[] = {
        wht_fmt("WH_SENDGRID_BASE_URL=%s", wht_server_base(fake)),
        "WH_SENDGRID_API_KEY=SG.fake-sendgrid-key",
        "WH_SENDGRID_FROM=noreply@wheelhouse.test",
        "WH_OUTBOX_POLL_MS=50",
        /* the per-address and per-e-mail limits are not under test here */
        "WH_RATE_AUTH_IP_PER_MIN=100000",
        "WH_RATE_AUTH_EMAIL_PER_HOUR=100000",
        NULL,
    };
    wht_init_env(env);
    return wht_finish(cmocka_run_group_tests_name("api_accounts", tests, NULL, NULL));
}
