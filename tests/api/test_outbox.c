/*
 * Outbox delivery across instances (docs/architecture.md "Outbox", issue 10 item 3): with a
 * SendGrid that stalls every call, two instances on one database work through a backlog longer
 * than a lease, and the fake SendGrid receives every message exactly once; a settle whose lease
 * was taken away is counted in /metrics (wh_outbox_lost_leases_total) and changes nothing.
 *
 * Every server of this program runs with a retry configuration whose worst-case delivery is
 * 2 x (3000 + 500) ms, so a lease is 12 s (wh_outbox_lease_ms); the fake stalls each call
 * 1500 ms, well under the 3000 ms timeout, so no attempt times out and any second request for
 * one message is a duplicate delivery. A backlog of 24 messages, all due at once, split between
 * two instances keeps each busy for about 18 s: longer than a lease, the situation in which
 * claims made at a batch's start time used to expire mid-delivery and be claimed again by the
 * other instance (with the claim at the batch's start time and no half-lease stop, this test
 * sees a message sent twice).
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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "harness.h"

#define SENDGRID_KEY "SG.fake-sendgrid-key"
#define MAIL_FROM    "noreply@wheelhouse.test"
#define STALL_MS     1500
#define BACKLOG      24
#define WAIT_MS      120000

static wht_server *fake;

/* SendGrid requests for recipient, whatever their answer (held ones included). */
static size_t requests_for(const json_t *log, const char *recipient)
{
    size_t n = 0, i;
    json_t *e;
    json_array_foreach(log, i, e)
    {
        if (strcasecmp(wht_mail_to(e), recipient) == 0)
            n++;
    }
    return n;
}

/* Messages of the outbox to recipient with status (SQL, case-insensitive recipient). */
static long long outbox_count(const char *recipient, const char *status)
{
    return wht_sql(wht_fmt("SELECT COUNT(*) FROM outbox WHERE LOWER(recipient) = LOWER('%s')"
                           " AND status = '%s'",
                           recipient, status));
}

static long long pending_total(void)
{
    return wht_sql("SELECT COUNT(*) FROM outbox WHERE status = 'PENDING'");
}

static void wait_nothing_pending(void)
{
    long long deadline = wht_now_ms() + WAIT_MS;
    while (pending_total() > 0) {
        if (wht_now_ms() > deadline)
            WHT_FAIL("%lld messages still PENDING after %d ms", pending_total(), WAIT_MS);
        wht_sleep_ms(100);
    }
}

/* wh_outbox_lost_leases_total of one server's /metrics (-1 when the line is missing). */
static long long lost_leases(const wht_server *s)
{
    wht_request req = {.method = "GET", .path = "/metrics", .server = s};
    wht_resp *r = wht_do(&req);
    WHT_EXPECT(r, 200);
    const char *line = strstr(r->body, "\nwh_outbox_lost_leases_total ");
    return line ? strtoll(line + strlen("\nwh_outbox_lost_leases_total "), NULL, 10) : -1;
}

static void request_code_on(const wht_server *s, const char *email)
{
    wht_resp *r = wht_send_on(s, "POST", NULL, "/auth/code", wht_json("{s:s}", "email", email));
    WHT_EXPECT(r, 202);
}

static void stall_sendgrid(long ms)
{
    wht_fake_set(fake, "sendgrid", wht_json("{s:s, s:i}", "mode", "stall", "stall_ms", (int)ms));
}

/* A backlog of messages all due at once, as an outage leaves behind (the API queues messages
 * one request at a time, and the workers take each as it comes, so it cannot make one). */
static void queue_backlog(const char *const *to, size_t n)
{
    long long now = wht_now_ms();
    const char *sql = "INSERT INTO outbox (channel, recipient, subject, body, status, attempts,"
                      " next_attempt_at, lease_until, created_at) VALUES";
    for (size_t i = 0; i < n; i++)
        sql = wht_fmt("%s%s ('email', '%s', 'Backlog', 'Message %zu', 'PENDING', 0, %lld, 0, %lld)",
                      sql, i ? "," : "", to[i], i, now, now);
    wht_sql(sql);
}

static void test_two_instances_deliver_a_stalled_backlog_exactly_once(void **state)
{
    (void)state;
    wait_nothing_pending();
    wht_fake_reset(fake);
    stall_sendgrid(STALL_MS);
    wht_server *second = wht_server_start(NULL);
    const char *to[BACKLOG];
    for (size_t i = 0; i < BACKLOG; i++)
        to[i] = wht_unique_email();
    queue_backlog(to, BACKLOG);

    wait_nothing_pending();
    json_t *log = wht_fake_requests(fake, "sendgrid");
    for (size_t i = 0; i < BACKLOG; i++) {
        wht_context("recipient %s; SendGrid log: %s", to[i], wht_dump(log));
        assert_int_equal(requests_for(log, to[i]), 1);
        assert_int_equal(outbox_count(to[i], "SENT"), 1);
    }
    wht_context("%s", "");
    assert_int_equal(json_array_size(log), BACKLOG);
    /* Neither instance lost a lease. */
    assert_int_equal(lost_leases(NULL), 0);
    assert_int_equal(lost_leases(second), 0);
    wht_server_stop(second);
}

/* While the provider holds a delivery, another holder takes the message's lease (as an instance
 * would after an expiry): the first holder's outcome matches no row, is counted, and leaves the
 * thief's lease and the message untouched. */
static void test_a_lost_lease_is_counted_and_changes_nothing(void **state)
{
    (void)state;
    wait_nothing_pending();
    wht_fake_reset(fake);
    long long before = lost_leases(NULL);
    wht_user u = wht_user_add("EMPLOYEE");
    stall_sendgrid(3000);
    request_code_on(NULL, u.email);
    long long deadline = wht_now_ms() + WAIT_MS;
    while (requests_for(wht_fake_requests(fake, "sendgrid"), u.email) == 0) {
        if (wht_now_ms() > deadline)
            WHT_FAIL("SendGrid never received the e-mail to %s", u.email);
        wht_sleep_ms(20);
    }
    long long until = wht_now_ms() + 3600 * 1000;
    wht_sql(wht_fmt("UPDATE outbox SET lease_owner = 'thief', lease_until = %lld WHERE"
                    " LOWER(recipient) = LOWER('%s')",
                    until, u.email));
    while (lost_leases(NULL) == before) {
        if (wht_now_ms() > deadline)
            WHT_FAIL("the lost lease was never counted");
        wht_sleep_ms(50);
    }
    assert_int_equal(lost_leases(NULL), before + 1);
    const char *mine = wht_fmt("LOWER(recipient) = LOWER('%s')", u.email);
    assert_int_equal(outbox_count(u.email, "PENDING"), 1);
    assert_int_equal(wht_sql(wht_fmt("SELECT attempts FROM outbox WHERE %s", mine)), 0);
    assert_int_equal(wht_sql(wht_fmt("SELECT lease_until FROM outbox WHERE %s AND lease_owner ="
                                     " 'thief'",
                                     mine)),
                     until);
    /* Leave nothing behind for the next test. */
    wht_sql(wht_fmt("UPDATE outbox SET status = 'SENT', lease_owner = NULL, lease_until = 0"
                    " WHERE %s",
                    mine));
}

/* A provider that answers and refuses a message (Twilio: 400, invalid 'To' number) fails it
 * for good after one attempt; the good message beside it is sent. A temporary outage is retried
 * instead (the backlog test above). */
static void test_a_refused_message_fails_for_good_at_once(void **state)
{
    (void)state;
    wait_nothing_pending();
    wht_fake_reset(fake);
    long long now = wht_now_ms();
    wht_sql(wht_fmt("INSERT INTO outbox (channel, recipient, subject, body, status, attempts,"
                    " next_attempt_at, lease_until, created_at) VALUES ('sms', 'not-a-phone',"
                    " NULL, 'Refused', 'PENDING', 0, %lld, 0, %lld), ('sms', '+15551230001',"
                    " NULL, 'Accepted', 'PENDING', 0, %lld, 0, %lld)",
                    now, now, now, now));
    wait_nothing_pending();
    assert_int_equal(outbox_count("not-a-phone", "FAILED"), 1);
    assert_int_equal(wht_sql("SELECT attempts FROM outbox WHERE recipient = 'not-a-phone'"), 1);
    assert_int_equal(outbox_count("+15551230001", "SENT"), 1);
    assert_int_equal(json_array_size(wht_fake_requests(fake, "twilio")), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        WHT_TEST(test_two_instances_deliver_a_stalled_backlog_exactly_once),
        WHT_TEST(test_a_lost_lease_is_counted_and_changes_nothing),
        WHT_TEST(test_a_refused_message_fails_for_good_at_once),
    };
    fake = wht_fake_start();
    const char *base = wht_server_base(fake);
    const char *env[] = {
        wht_fmt("WH_SENDGRID_BASE_URL=%s", base),
        "WH_SENDGRID_API_KEY=" SENDGRID_KEY,
        "WH_SENDGRID_FROM=" MAIL_FROM,
        wht_fmt("WH_TWILIO_BASE_URL=%s", base),
        "WH_TWILIO_ACCOUNT_SID=AC0123456789abcdef0123456789abcdef",
        "WH_TWILIO_AUTH_TOKEN=fake-twilio-token",
        "WH_TWILIO_FROM=+15557654321",
        "WH_RETRY_MAX_ATTEMPTS=2",
        "WH_RETRY_BASE_MS=100",
        "WH_RETRY_MAX_MS=500",
        "WH_BREAKER_FAILURES=3",
        "WH_BREAKER_RESET_S=1",
        "WH_HTTP_CONNECT_TIMEOUT_MS=1000",
        "WH_HTTP_TIMEOUT_MS=3000",
        "WH_OUTBOX_POLL_MS=50",
        NULL,
    };
    wht_init_env(env);
    return wht_finish(cmocka_run_group_tests_name("api_outbox", tests, NULL, NULL));
}
