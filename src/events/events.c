/* The event hook: a fixed list of subscribers, read-only once requests flow. */
#include "events/events.h"
#include "core/alloc.h"

#include <stdatomic.h>

#define MAX_SUBSCRIBERS 16

struct wh_events {
    struct {
        wh_event_fn fn;
        void *ctx;
    } subs[MAX_SUBSCRIBERS];
    int n;
    _Atomic long published;
};

wh_events *wh_events_new(void)
{
    return wh_calloc(1, sizeof(wh_events));
}

void wh_events_free(wh_events *ev)
{
    wh_free(ev);
}

void wh_events_subscribe(wh_events *ev, wh_event_fn fn, void *ctx)
{
    if (ev->n == MAX_SUBSCRIBERS)
        return;
    ev->subs[ev->n].fn = fn;
    ev->subs[ev->n].ctx = ctx;
    ev->n++;
}

wh_err wh_events_publish(const wh_events *ev, wh_conn *c, wh_arena *a, const wh_event *event,
                         wh_error *e)
{
    for (int i = 0; i < ev->n; i++) {
        wh_err rc = ev->subs[i].fn(c, a, event, ev->subs[i].ctx, e);
        if (rc != WH_OK)
            return rc;
    }
    atomic_fetch_add((_Atomic long *)&ev->published, 1);
    return WH_OK;
}

long wh_events_published(const wh_events *ev)
{
    return atomic_load((_Atomic long *)&ev->published);
}
