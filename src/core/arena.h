/* A request-lifetime memory pool: everything allocated from it is freed by one
 * wh_arena_cleanup, and foreign objects (json values, result sets) are released there through
 * wh_arena_defer. Not thread-safe: one arena belongs to one request or job run. */
#ifndef WH_CORE_ARENA_H
#define WH_CORE_ARENA_H

#include <stddef.h>

typedef struct wh_arena_block wh_arena_block;
typedef struct wh_arena_defer_item wh_arena_defer_item;

typedef struct {
    wh_arena_block *blocks;
    wh_arena_defer_item *defers;
} wh_arena;

void wh_arena_init(wh_arena *a);
/* Runs the deferred releases (last registered first) and frees every block. */
void wh_arena_cleanup(wh_arena *a);
/* Zeroed, 16-byte aligned memory that lives until cleanup. Never NULL. */
void *wh_arena_alloc(wh_arena *a, size_t n);
char *wh_arena_strdup(wh_arena *a, const char *s);
char *wh_arena_strndup(wh_arena *a, const char *s, size_t n);
char *wh_arena_printf(wh_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The strings up to the NULL that ends the list, joined: wh_arena_printf's "%s%s%s" without
 * printf, for the keys and headers built on every request. */
char *wh_arena_cat(wh_arena *a, ...) __attribute__((sentinel));
/* v in decimal (wh_str_from_i64 in the arena). */
char *wh_arena_i64(wh_arena *a, long long v);
/* Calls fn(ptr) at cleanup. */
void wh_arena_defer(wh_arena *a, void (*fn)(void *), void *ptr);

#endif
