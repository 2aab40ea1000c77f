/* The outbox. Business code queues messages inside its own transaction; the worker of every
 * instance delivers them. Claiming is row by row with a compare-and-set lease (the same SQL on
 * both engines): a row is taken only when its lease has expired, so two instances never hold
 * one message at once, and the final write checks the lease (owner and expiry it was given).
 * A message whose provider is down waits (backoff capped at WH_RETRY_MAX_MS while the breaker
 * lets calls through, or until the breaker's probe time); it fails for good only after 24 h or
 * on a permanent refusal.
 *
 * Invariants: a lease is taken at the clock of the claim itself (never a batch's start) and
 * lasts longer than the worst-case delivery the configuration allows (wh_outbox_lease_ms), so
 * a live holder settles before anyone else may claim; a pass stops claiming once half a lease
 * has gone by, leaving the rest to the next poll; a settle that finds its lease gone is logged
 * and counted (wh_outbox_lost_leases), never silent. */
#include "integrations/integrations_int.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/fault.h"
#include "core/limits.h"
#include "core/log.h"

#include <string.h>
#include <time.h>

#define GIVE_UP_MS (24LL * 3600 * 1000)

int64_t wh_outbox_lease_ms(const wh_config *cfg)
{
    int64_t attempts = cfg->retry_max_attempts > 0 ? cfg->retry_max_attempts : 1;
    return attempts * (cfg->http_timeout_ms + cfg->retry_max_ms) + WH_LIMIT_OUTBOX_LEASE_MARGIN_MS;
}

wh_err wh_outbox_enqueue(wh_conn *c, wh_arena *a, const char *channel, const char *recipient,
                         const char *subject, const char *body, int64_t now_ms, wh_error *e)
{
    return wh_db_query(
        c, a,
        "INSERT INTO outbox (channel, recipient, subject, body, status, attempts,"
        " next_attempt_at, lease_until, created_at) VALUES ($1, $2, $3, $4,"
        " 'PENDING', 0, $5, 0, $5)",
        WH_ARGS(WH_PT(channel), WH_PT(recipient), WH_PT(subject), WH_PT(body), WH_PI(now_ms)), NULL,
        e);
}

typedef struct {
    int64_t id, created_at, lease_until;
    int attempts;
    const char *channel, *recipient, *subject, *body;
} message;

/* Takes the lease of one due message at the clock of this claim; false when another instance
 * has it (or it is no longer due). */
static bool claim(wh_conn *c, wh_arena *a, int64_t id, const char *instance, int64_t lease_ms,
                  message *m)
{
    wh_rows *r = NULL;
    wh_error e;
    int64_t now = wh_clock_now_ms();
    wh_error_init(&e);
    // clang-format off
    if (wh_db_query(c, a,
                    "UPDATE outbox SET lease_owner = $2, lease_until = $3"
                    " WHERE id = $1 AND status = 'PENDING' AND next_attempt_at <= $4"
                    "   AND lease_until <= $4"
                    " RETURNING id, created_at, attempts, channel, recipient, subject, body",
                    WH_ARGS(WH_PI(id), WH_PT(instance), WH_PI(now + lease_ms), WH_PI(now)), &r,
                    &e) != WH_OK ||
        wh_rows_count(r) != 1)
        return false;
    // clang-format on
    m->id = wh_rows_int(r, 0, 0);
    m->created_at = wh_rows_int(r, 0, 1);
    m->attempts = (int)wh_rows_int(r, 0, 2);
    m->channel = wh_rows_text(r, 0, 3);
    m->recipient = wh_rows_text(r, 0, 4);
    m->subject = wh_rows_text(r, 0, 5);
    m->body = wh_rows_text(r, 0, 6);
    m->lease_until = now + lease_ms;
    return true;
}

/* Writes the outcome, only while this instance still holds the lease it took. A settle that
 * matches no row means the lease was lost (another instance may deliver the message again):
 * logged as a warning and counted for /metrics. */
static void settle(wh_conn *c, wh_arena *a, wh_integrations *in, const message *m,
                   const char *instance, const char *status, int64_t next_at, const char *error,
                   const char *msg_id, int64_t now)
{
    wh_rows *r = NULL;
    wh_error e;
    wh_error_init(&e);
    // clang-format off
    if (wh_db_query(c, a,
                    "UPDATE outbox SET status = $3, attempts = attempts + 1, next_attempt_at = $4,"
                    " last_error = $5, provider_message_id = COALESCE($6, provider_message_id),"
                    " sent_at = CASE WHEN $3 = 'SENT' THEN $7 ELSE sent_at END,"
                    " lease_owner = NULL, lease_until = 0"
                    " WHERE id = $1 AND lease_owner = $2 AND lease_until = $8 RETURNING id",
                    WH_ARGS(WH_PI(m->id), WH_PT(instance), WH_PT(status), WH_PI(next_at),
                            WH_PT(error), WH_PT(msg_id), WH_PI(now), WH_PI(m->lease_until)),
                    &r, &e) != WH_OK) {
        wh_log(WH_LOG_ERROR, "outbox: cannot record the outcome of message %lld: %s",
               (long long)m->id, e.detail);
        return;
    }
    // clang-format on
    if (wh_rows_count(r) == 1)
        return;
    atomic_fetch_add_explicit(&in->outbox_lost_leases, 1, memory_order_relaxed);
    wh_log(WH_LOG_WARN,
           "outbox: message %lld lost its lease before its outcome %s was recorded (another"
           " instance may deliver it again)",
           (long long)m->id, status);
}

uint64_t wh_outbox_lost_leases(wh_integrations *in)
{
    return atomic_load_explicit(&in->outbox_lost_leases, memory_order_relaxed);
}

static wh_provider provider_of(const message *m)
{
    return strcmp(m->channel, "sms") == 0 ? WH_PROVIDER_TWILIO : WH_PROVIDER_SENDGRID;
}

/* When to try again after a temporary failure. */
static int64_t next_attempt(wh_integrations *in, const message *m, int64_t now)
{
    wh_breaker_state st;
    int failures;
    int64_t opened_at;
    uint32_t rnd;
    wh_breaker_snapshot(wh_integrations_breaker(in, provider_of(m)), &st, &failures, &opened_at);
    if (st == WH_BREAKER_OPEN)
        return opened_at + in->cfg->breaker_reset_s * 1000;
    wh_crypto_random(&rnd, sizeof rnd);
    int64_t wait = wh_retry_delay_ms(&in->retry, m->attempts + 1, -1, rnd);
    return now + (wait < 1 ? 1 : wait);
}

static void deliver(wh_conn *c, wh_arena *a, wh_integrations *in, const message *m,
                    const char *instance)
{
    wh_error e;
    const char *id = NULL;
    wh_error_init(&e);
    if (!wh_integrations_configured(in, provider_of(m))) { /* wait for configuration */
        int64_t now = wh_clock_now_ms();
        settle(c, a, in, m, instance, "PENDING", now + wh_outbox_lease_ms(in->cfg),
               "provider not configured", NULL, now);
        return;
    }
    wh_err rc = provider_of(m) == WH_PROVIDER_TWILIO
                    ? wh_twilio_send(in, a, m->recipient, m->body, &id, &e)
                    : wh_sendgrid_send(in, a, m->recipient, m->subject, m->body, &id, &e);
    int64_t now = wh_clock_now_ms();
    /* only a temporary failure is retried; a refusal, or anything this code does not know as
     * temporary, fails the message for good */
    bool retry = rc == WH_ERR_UNAVAILABLE && now - m->created_at < GIVE_UP_MS;
    if (rc == WH_OK)
        settle(c, a, in, m, instance, "SENT", now, NULL, id, now);
    else if (retry)
        settle(c, a, in, m, instance, "PENDING", next_attempt(in, m, now), e.detail, NULL, now);
    else
        settle(c, a, in, m, instance, "FAILED", now, e.detail, NULL, now);
    if (rc != WH_OK)
        wh_log(WH_LOG_WARN, "outbox: message %lld not delivered: %s", (long long)m->id, e.detail);
}

int wh_outbox_deliver_due(wh_db *db, wh_integrations *in, const char *instance, int64_t now_ms)
{
    wh_conn *c = NULL;
    wh_rows *due = NULL;
    wh_arena a;
    wh_error e;
    int n = 0;
    int64_t lease_ms = wh_outbox_lease_ms(in->cfg);
    wh_arena_init(&a);
    wh_error_init(&e);
    if (wh_db_acquire(db, &c, &e) != WH_OK ||
        wh_db_query(c, &a,
                    "SELECT id FROM outbox WHERE status = 'PENDING' AND next_attempt_at <= $1"
                    " AND lease_until <= $1 ORDER BY next_attempt_at, id LIMIT $2",
                    WH_ARGS(WH_PI(now_ms), WH_PI(WH_LIMIT_OUTBOX_BATCH)), &due, &e) != WH_OK)
        goto out;
    for (size_t i = 0; i < wh_rows_count(due); i++) {
        message m;
        if (wh_clock_now_ms() - now_ms >= lease_ms / 2)
            break; /* the list is getting old: the next poll lists afresh */
        if (!claim(c, &a, wh_rows_int(due, i, 0), instance, lease_ms, &m))
            continue;
        deliver(c, &a, in, &m, instance);
        n++;
    }
out:
    wh_db_release(db, c);
    wh_arena_cleanup(&a);
    return n;
}

struct wh_outbox_worker {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    bool stop;
    wh_db *db;
    wh_integrations *in;
    char instance[64];
    int64_t poll_ms;
};

static void *run(void *arg)
{
    wh_outbox_worker *w = arg;
    wh_fault_bind(wh_fault_process()); /* tests only: NULL unless WH_FAULT_INJECTION=1 */
    pthread_mutex_lock(&w->mu);
    while (!w->stop) {
        pthread_mutex_unlock(&w->mu);
        int n = wh_outbox_deliver_due(w->db, w->in, w->instance, wh_clock_now_ms());
        pthread_mutex_lock(&w->mu);
        if (n > 0 || w->stop)
            continue; /* more may be due right away */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t ns = ts.tv_nsec + (w->poll_ms % 1000) * 1000000L;
        ts.tv_sec += (time_t)(w->poll_ms / 1000 + ns / 1000000000L);
        ts.tv_nsec = (long)(ns % 1000000000L);
        pthread_cond_timedwait(&w->wake, &w->mu, &ts);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

wh_outbox_worker *wh_outbox_worker_start(wh_db *db, wh_integrations *in, const char *instance,
                                         int64_t poll_ms)
{
    wh_outbox_worker *w = wh_calloc(1, sizeof *w);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->wake, NULL);
    w->db = db;
    w->in = in;
    w->poll_ms = poll_ms;
    snprintf(w->instance, sizeof w->instance, "%s", instance);
    if (pthread_create(&w->thread, NULL, run, w) != 0) {
        wh_log(WH_LOG_ERROR, "outbox: cannot start the worker thread");
        wh_free(w);
        return NULL;
    }
    return w;
}

void wh_outbox_worker_stop(wh_outbox_worker *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stop = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->wake);
    wh_free(w);
}

wh_err wh_outbox_depth(wh_conn *c, wh_arena *a, wh_rows **out, wh_error *e)
{
    return wh_db_query(c, a, "SELECT status, COUNT(*) FROM outbox GROUP BY status ORDER BY status",
                       NULL, 0, out, e);
}

void wh_outbox_list_sql(const char *status, const wh_keyset *ks, wh_sqlb *b)
{
    wh_sqlb_init(b, "SELECT id, channel, recipient, subject, status, attempts, next_attempt_at,"
                    " last_error, provider_message_id, created_at, sent_at FROM outbox");
    wh_sqlb_and_text(b, "status = ?", status);
    wh_sqlb_page(b, NULL, "id", true, ks);
}
