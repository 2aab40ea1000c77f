/* Arena: a list of blocks, large requests get a block of their own. Deferred releases run in
 * reverse order of registration so later objects may depend on earlier ones. */
#include "core/arena.h"
#include "core/alloc.h"

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

void wh_arena_cleanup(wh_arena *a)
{
    for (wh_arena_defer_item *d = a->defers; d; d = d->next)
        d->fn(d->ptr);
    while (a->blocks) {
        wh_arena_block *next = a->blocks->next;
        wh_free(a->blocks);
        a->blocks = next;
    }
    a->defers = NULL;
}

static wh_arena_block *block_new(size_t cap)
{
    wh_arena_block *b = wh_malloc(sizeof *b + cap);
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

void wh_arena_defer(wh_arena *a, void (*fn)(void *), void *ptr)
{
    wh_arena_defer_item *d = wh_arena_alloc(a, sizeof *d);
    d->fn = fn;
    d->ptr = ptr;
    d->next = a->defers;
    a->defers = d;
}
