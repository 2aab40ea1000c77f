/* The real SendGrid and Twilio clients, the retry loop, the breaker and the outbox worker's
 * delivery, against the local fake on its real wire formats. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../support/fake.h"
#include "../../support/tempdb.h"
#include "core/clock.h"
#include "integrations/integrations.h"

typedef struct {
    fake_server fake;
    wh_config cfg;
    wh_integrations *in;
    tempdb *db;
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (!fake_start(&fx->fake))
        return -1;
    fx->cfg.sendgrid_base_url = fx->fake.base;
    fx->cfg.sendgrid_api_key = "SG.fake-sendgrid-key";
    fx->cfg.sendgrid_from = "noreply@wheelhouse.test";
    fx->cfg.twilio_base_url = fx->fake.base;
    fx->cfg.twilio_sid = "AC0123456789abcdef0123456789abcdef";
    fx->cfg.twilio_token = "fake-twilio-token";
    fx->cfg.twilio_from = "+15005550006";
    fx->cfg.retry_max_attempts = 3;
    fx->cfg.retry_base_ms = 10;
    fx->cfg.retry_max_ms = 40;
    fx->cfg.breaker_failures = 2;
    fx->cfg.breaker_reset_s = 1;
    fx->cfg.http_connect_timeout_ms = 1000;
    fx->cfg.http_timeout_ms = 300;
    fx->in = wh_integrations_new(&fx->cfg);
    fx->db = tempdb_new();
    *state = fx;
    return fx->db ? 0 : -1;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    wh_integrations_free(fx->in);
    tempdb_free(fx->db);
    fake_stop(&fx->fake);
    free(fx);
    return 0;
}

static void sms_is_sent_on_twilio_wire_format(void **state)
{
    fixture *fx = *state;
    wh_arena a;
    wh_error e;
    const char *sid = NULL;
    wh_arena_init(&a);
    wh_error_init(&e);
    assert_int_equal(
        wh_twilio_send(fx->in, &a, "+15551234567", "Load 42 delivered & paid", &sid, &e), WH_OK);
    assert_non_null(sid);
    assert_true(strncmp(sid, "SM", 2) == 0);
    json_t *log = fake_call(&fx->fake, "GET", "/_requests/twilio", NULL);
    json_t *req = json_array_get(json_object_get(log, "items"), 0);
    assert_string_equal(json_string_value(json_object_get(req, "method")), "POST");
    const char *body = json_string_value(json_object_get(req, "body"));
    assert_non_null(strstr(body, "To=%2B15551234567"));
    assert_non_null(strstr(body, "Body=Load%2042%20delivered%20%26%20paid"));
    json_decref(log);
    wh_arena_cleanup(&a);
}

static void email_retries_then_fails_and_400_is_not_retried(void **state)
{
    fixture *fx = *state;
    wh_arena a;
    wh_error e;
    const char *id = NULL;
    wh_arena_init(&a);
    wh_error_init(&e);
    fake_mode(&fx->fake, "sendgrid", "{\"mode\":\"fail500\",\"count\":3}");
    assert_int_equal(wh_sendgrid_send(fx->in, &a, "a@b.test", "s", "t", &id, &e),
                     WH_ERR_UNAVAILABLE);
    assert_int_equal(fake_count(&fx->fake, "sendgrid"), 3); /* max attempts, then give up */
    assert_int_equal(e.status, 503);
    /* an empty recipient is refused by SendGrid with 400: one request, a permanent error */
    wh_error_init(&e);
    wh_err rc = wh_sendgrid_send(fx->in, &a, "", "s", "t", &id, &e);
    assert_int_not_equal(rc, WH_OK);
    assert_int_not_equal(rc, WH_ERR_UNAVAILABLE);
    assert_int_equal(fake_count(&fx->fake, "sendgrid"), 4);
    wh_arena_cleanup(&a);
}

static void breaker_fails_fast_then_probes(void **state)
{
    fixture *fx = *state;
    wh_arena a;
    wh_error e;
    const char *id = NULL;
    wh_arena_init(&a);
    fake_mode(&fx->fake, "twilio", "{\"mode\":\"fail503\"}");
    for (int i = 0; i < 2; i++) {
        wh_error_init(&e);
        assert_int_equal(wh_twilio_send(fx->in, &a, "+15551234567", "x", &id, &e),
                         WH_ERR_UNAVAILABLE);
    }
    int before = fake_count(&fx->fake, "twilio");
    assert_int_equal(before, 6); /* two calls of three attempts */
    wh_error_init(&e);
    assert_int_equal(wh_twilio_send(fx->in, &a, "+15551234567", "x", &id, &e), WH_ERR_UNAVAILABLE);
    assert_int_equal(fake_count(&fx->fake, "twilio"), before); /* open: nothing went out */
    fake_mode(&fx->fake, "twilio", "{\"mode\":\"ok\"}");
    usleep(1100 * 1000);
    wh_error_init(&e);
    assert_int_equal(wh_twilio_send(fx->in, &a, "+15551234567", "x", &id, &e), WH_OK);
    wh_breaker_state st;
    int failures;
    int64_t opened;
    wh_breaker_snapshot(wh_integrations_breaker(fx->in, WH_PROVIDER_TWILIO), &st, &failures,
                        &opened);
    assert_int_equal(st, WH_BREAKER_CLOSED);
    wh_arena_cleanup(&a);
}

static void an_unreadable_success_counts_as_a_failure(void **state)
{
    fixture *fx = *state;
    wh_arena a;
    wh_error e;
    const char *sid = NULL;
    wh_arena_init(&a);
    fake_mode(&fx->fake, "twilio", "{\"mode\":\"badjson\"}");
    for (int i = 0; i < 2; i++) {
        wh_error_init(&e);
        assert_int_equal(wh_twilio_send(fx->in, &a, "+15551234567", "x", &sid, &e),
                         WH_ERR_UNAVAILABLE);
    }
    assert_int_equal(fake_count(&fx->fake, "twilio"), 6); /* retried like an outage */
    wh_breaker_state st;
    int failures;
    int64_t opened;
    wh_breaker_snapshot(wh_integrations_breaker(fx->in, WH_PROVIDER_TWILIO), &st, &failures,
                        &opened);
    assert_int_equal(st, WH_BREAKER_OPEN);
    wh_arena_cleanup(&a);
}

static void outbox_delivers_sms_and_email_once(void **state)
{
    fixture *fx = *state;
    wh_error e;
    wh_rows *r = NULL;
    wh_error_init(&e);
    int64_t now = wh_clock_now_ms();
    assert_int_equal(wh_outbox_enqueue(fx->db->conn, &fx->db->arena, "sms", "+15551234567", NULL,
                                       "hello", now, &e),
                     WH_OK);
    assert_int_equal(wh_outbox_enqueue(fx->db->conn, &fx->db->arena, "email", "x@y.test", "Hi",
                                       "hello", now, &e),
                     WH_OK);
    assert_int_equal(wh_outbox_deliver_due(fx->db->db, fx->in, "test", now), 2);
    assert_int_equal(wh_outbox_deliver_due(fx->db->db, fx->in, "test", now + 1000), 0);
    assert_int_equal(wh_db_query(fx->db->conn, &fx->db->arena,
                                 "SELECT status, provider_message_id FROM outbox ORDER BY id", NULL,
                                 0, &r, &e),
                     WH_OK);
    assert_int_equal(wh_rows_count(r), 2);
    assert_string_equal(wh_rows_text(r, 0, 0), "SENT");
    assert_string_equal(wh_rows_text(r, 1, 0), "SENT");
    assert_non_null(wh_rows_text(r, 0, 1));
    assert_int_equal(fake_count(&fx->fake, "twilio"), 1);
    assert_int_equal(fake_count(&fx->fake, "sendgrid"), 1);
}

static void outbox_waits_while_the_provider_is_down(void **state)
{
    fixture *fx = *state;
    wh_error e;
    wh_rows *r = NULL;
    wh_error_init(&e);
    int64_t now = wh_clock_now_ms();
    fake_mode(&fx->fake, "sendgrid", "{\"mode\":\"fail503\"}");
    assert_int_equal(wh_outbox_enqueue(fx->db->conn, &fx->db->arena, "email", "x@y.test", "Hi",
                                       "hello", now, &e),
                     WH_OK);
    assert_int_equal(wh_outbox_deliver_due(fx->db->db, fx->in, "test", now), 1);
    assert_int_equal(wh_db_query(fx->db->conn, &fx->db->arena,
                                 "SELECT status, attempts, next_attempt_at, last_error FROM outbox",
                                 NULL, 0, &r, &e),
                     WH_OK);
    assert_string_equal(wh_rows_text(r, 0, 0), "PENDING");
    assert_int_equal(wh_rows_int(r, 0, 1), 1);
    assert_true(wh_rows_int(r, 0, 2) > now);
    assert_non_null(wh_rows_text(r, 0, 3));
    /* not due yet: nothing is attempted */
    assert_int_equal(wh_outbox_deliver_due(fx->db->db, fx->in, "test", now), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(sms_is_sent_on_twilio_wire_format, setup, teardown),
        cmocka_unit_test_setup_teardown(email_retries_then_fails_and_400_is_not_retried, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(breaker_fails_fast_then_probes, setup, teardown),
        cmocka_unit_test_setup_teardown(an_unreadable_success_counts_as_a_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(outbox_delivers_sms_and_email_once, setup, teardown),
        cmocka_unit_test_setup_teardown(outbox_waits_while_the_provider_is_down, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
