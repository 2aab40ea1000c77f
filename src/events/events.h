/* Domain events: a small in-process hook. A business change publishes an event inside its own
 * transaction (same connection), and every subscriber runs there too, so whatever a subscriber
 * writes (gamification points, later) commits or rolls back with the change that caused it.
 *
 * Subscribers are attached once at start-up, before any request; afterwards the registry is
 * read-only and publishing is thread-safe. */
#ifndef WH_EVENTS_EVENTS_H
#define WH_EVENTS_EVENTS_H

#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"

#include <stdint.h>

/* The triggers of DOMAIN.md §6. */
#define WH_EVENT_FIRST_DAILY_LOGIN      "FIRST_DAILY_LOGIN"
#define WH_EVENT_BPO_CALL_COMPLETED     "BPO_CALL_COMPLETED"
#define WH_EVENT_HOTEL_REVIEW_RESPONDED "HOTEL_REVIEW_RESPONDED"
#define WH_EVENT_HOTEL_DISPUTE_RESOLVED "HOTEL_DISPUTE_RESOLVED"
#define WH_EVENT_PERFECT_WEEK_EOD       "PERFECT_WEEK_EOD"
#define WH_EVENT_EOD_REPORT_SUBMITTED   "EOD_REPORT_SUBMITTED"
#define WH_EVENT_LOAD_COMPLETED         "LOAD_COMPLETED"

typedef struct {
    const char *type;   /* one of WH_EVENT_* */
    int64_t venture_id; /* the venture credited */
    int64_t office_id;  /* 0 when none */
    int64_t user_id;    /* the recipient (DOMAIN.md §6) */
    const char *key;    /* the idempotency key of DOMAIN.md §6, e.g. "load_delivered:42" */
    const char *day;    /* business day of the event, YYYY-MM-DD */
    int64_t at_ms;
} wh_event;

typedef wh_err (*wh_event_fn)(wh_conn *c, wh_arena *a, const wh_event *ev, void *ctx, wh_error *e);

typedef struct wh_events wh_events;

wh_events *wh_events_new(void);
void wh_events_free(wh_events *ev);
/* Attaches a subscriber (start-up only; not thread-safe). */
void wh_events_subscribe(wh_events *ev, wh_event_fn fn, void *ctx);
/* Runs every subscriber on c, inside the caller's open transaction; the first error stops the
 * chain and is returned, so the caller rolls the whole change back. */
WH_MUST_USE wh_err wh_events_publish(const wh_events *ev, wh_conn *c, wh_arena *a,
                                     const wh_event *event, wh_error *e);
/* How many events were published since start (for tests and metrics). */
long wh_events_published(const wh_events *ev);

#endif
