/* Arena: a list of blocks, large requests get a block of their own. Deferred releases run in
 * reverse order of registration so later objects may depend on earlier ones. */
#include "core/arena.h"
#include "core/alloc.h"
#include "core/str.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define BLOCK_BYTES 8192

struct wh_arena_block {
    wh_arena_block *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
};

struct wh_arena_defer_item {
    wh_arena_defer_item *next;
    void (*fn)(void *);
    void *ptr;
};

void wh_arena_init(wh_arena *a)
{
    a->blocks = NULL;
    a->defers = NULL;
}

/* Each thread keeps up to SPARE_BLOCKS blocks of BLOCK_BYTES that its arenas let go, for its
 * next arena: a request's first block then costs no malloc. malloc of a block this size sorts
 * glibc's small-chunk caches (malloc_consolidate) and was 5-10% of a cached dashboard hit. The
 * blocks go back to malloc when the thread ends. Not under AddressSanitizer, which should see
 * every block freed. */
#define SPARE_BLOCKS 2
#if defined(__SANITIZE_ADDRESS__)
#define KEEP_SPARES 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KEEP_SPARES 0
#endif
#endif
#ifndef KEEP_SPARES
#define KEEP_SPARES 1
#endif

typedef struct {
    wh_arena_block *blocks[SPARE_BLOCKS];
    int n;
} spares;

static pthread_key_t spares_key;
static pthread_once_t spares_once = PTHREAD_ONCE_INIT;

static void spares_free(void *arg)
{
    spares *sp = arg;
    for (int i = 0; i < sp->n; i++)
        wh_free(sp->blocks[i]);
    wh_free(sp);
}

static void spares_init(void)
{
    (void)pthread_key_create(&spares_key, spares_free);
}

static spares *spares_of_thread(void)
{
    if (!KEEP_SPARES)
        return NULL;
    pthread_once(&spares_once, spares_init);
    spares *sp = pthread_getspecific(spares_key);
    if (!sp) {
        sp = wh_calloc(1, sizeof *sp);
        if (pthread_setspecific(spares_key, sp) != 0) {
            wh_free(sp);
            return NULL;
        }
    }
    return sp;
}

static void block_release(wh_arena_block *b)
{
    spares *sp = b->cap == BLOCK_BYTES ? spares_of_thread() : NULL;
    if (sp && sp->n < SPARE_BLOCKS)
        sp->blocks[sp->n++] = b;
    else
        wh_free(b);
}

void wh_arena_cleanup(wh_arena *a)
{
    for (wh_arena_defer_item *d = a->defers; d; d = d->next)
        d->fn(d->ptr);
    while (a->blocks) {
        wh_arena_block *next = a->blocks->next;
        block_release(a->blocks);
        a->blocks = next;
    }
    a->defers = NULL;
}

static wh_arena_block *block_new(size_t cap)
{
    spares *sp = cap == BLOCK_BYTES ? spares_of_thread() : NULL;
    wh_arena_block *b = sp && sp->n ? sp->blocks[--sp->n] : wh_malloc(sizeof *b + cap);
    b->next = NULL;
    b->used = 0;
    b->cap = cap;
    return b;
}

void *wh_arena_alloc(wh_arena *a, size_t n)
{
    size_t need = (n + 15) & ~(size_t)15;
    wh_arena_block *b = a->blocks;
    if (!b || b->cap - b->used < need) {
        b = block_new(need > BLOCK_BYTES / 2 ? need : BLOCK_BYTES);
        if (need > BLOCK_BYTES / 2 && a->blocks) {
            /* keep the partly used head block in front for small allocations */
            b->next = a->blocks->next;
            a->blocks->next = b;
        } else {
            b->next = a->blocks;
            a->blocks = b;
        }
    }
    void *p = b->data + b->used;
    b->used += need;
    memset(p, 0, n);
    return p;
}

char *wh_arena_strndup(wh_arena *a, const char *s, size_t n)
{
    char *d = wh_arena_alloc(a, n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *wh_arena_strdup(wh_arena *a, const char *s)
{
    return wh_arena_strndup(a, s, strlen(s));
}

char *wh_arena_printf(wh_arena *a, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = wh_arena_alloc(a, (size_t)(n < 0 ? 0 : n) + 1);
    if (n > 0)
        vsnprintf(s, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return s;
}

char *wh_arena_cat(wh_arena *a, ...)
{
    va_list ap;
    size_t n = 0;
    va_start(ap, a);
    for (const char *p = va_arg(ap, const char *); p; p = va_arg(ap, const char *))
        n += strlen(p);
    va_end(ap);
    char *s = wh_arena_alloc(a, n + 1), *at = s;
    va_start(ap, a);
    for (const char *p = va_arg(ap, const char *); p; p = va_arg(ap, const char *)) {
        size_t len = strlen(p);
        memcpy(at, p, len);
        at += len;
    }
    va_end(ap);
    return s; /* the arena's memory is zeroed: NUL-terminated */
}

char *wh_arena_i64(wh_arena *a, long long v)
{
    char buf[WH_STR_I64_BYTES];
    return wh_arena_strndup(a, buf, wh_str_from_i64(v, buf));
}

void wh_arena_defer(wh_arena *a, void (*fn)(void *), void *ptr)
{
    wh_arena_defer_item *d = wh_arena_alloc(a, sizeof *d);
    d->fn = fn;
    d->ptr = ptr;
    d->next = a->defers;
    a->defers = d;
}
