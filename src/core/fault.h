/* Fault injection (STYLE.md rule 22): fail, or stall, the Nth database call or outbound HTTP
 * exchange of one unit of work, so tests can prove that every failure point ends in a clear
 * error and no partial change (docs/testing.md).
 *
 * Off unless the process was started with WH_FAULT_INJECTION=1 (wh_fault_enable, once, before
 * any thread starts; a loud warning is logged). While off, every hook is one branch on a flag
 * frozen at start-up and nothing else runs; X-Wh-Fault headers and WH_FAULT_* plans are ignored.
 *
 * A plan (wh_fault) counts the calls of one unit of work: a request (X-Wh-Fault), or the
 * process's own work outside requests, i.e. a `job run` on the command line or the outbox
 * worker (WH_FAULT_DB_NTH, WH_FAULT_HTTP_NTH, WH_FAULT_STALL_MS). The owner binds it to the
 * thread that does the work (wh_fault_bind) and unbinds it after; hooks on other threads
 * (lease renewal, other requests) never see it. The counters are atomic, so a plan bound to
 * several threads at once stays consistent, though its order is then the threads' order.
 *
 * Thread safety: wh_fault_enable before threads start; everything else is thread-safe. */
#ifndef WH_CORE_FAULT_H
#define WH_CORE_FAULT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum { WH_FAULT_DB, WH_FAULT_HTTP, WH_FAULT_KINDS } wh_fault_kind;

/* The longest stall a plan may ask for (also WH_FAULT_STALL_MS's bound). */
#define WH_FAULT_STALL_MAX_MS 3600000

typedef struct {
    int64_t nth[WH_FAULT_KINDS]; /* the 1-based call that fails (or stalls); 0: none */
    int64_t stall_ms;            /* > 0: the Nth call sleeps this long and then runs */
    atomic_int_fast64_t calls[WH_FAULT_KINDS];
    atomic_bool fired[WH_FAULT_KINDS];
} wh_fault;

/* The flag the hooks test; written once by wh_fault_enable. Read it through wh_fault_on. */
extern bool wh_fault_enabled;

static inline bool wh_fault_on(void)
{
    return __builtin_expect(wh_fault_enabled, 0);
}

/* Turns injection on for this process and sets the process plan (nth 0: none), logging a
 * warning that this is a test build of the process. Call once, before any thread starts. */
void wh_fault_enable(int64_t db_nth, int64_t http_nth, int64_t stall_ms);

/* Parses an X-Wh-Fault value, "db=N", "http=N", "stall_ms=MS", separated by commas, into an
 * empty plan. False (the plan left empty) when it is malformed. */
bool wh_fault_parse(const char *text, wh_fault *out);

/* The process plan (NULL while injection is off). */
wh_fault *wh_fault_process(void);

/* Binds plan (borrowed; NULL unbinds) to the calling thread; returns the previous binding. */
wh_fault *wh_fault_bind(wh_fault *plan);

/* The hook: counts one call of kind on the calling thread's plan and tells whether it must
 * fail. A stall sleeps (logging before it) and then answers false. Call only when wh_fault_on. */
bool wh_fault_step(wh_fault_kind kind);

/* "db=C,http=C,fired=db|http|none" for plan (the response header X-Wh-Fault-Calls). */
void wh_fault_render(const wh_fault *plan, char *out, unsigned long cap);

#endif
