/* wh_buf: a growable NUL-terminated byte buffer with a hard maximum size. Caller-owned storage:
 * wh_buf_init ... wh_buf_cleanup. Appends past the maximum fail with WH_ERR_TOO_LARGE and leave
 * the buffer unchanged. */
#ifndef WH_CORE_BUF_H
#define WH_CORE_BUF_H

#include "core/err.h"

#include <stddef.h>
#include <string.h>

typedef struct {
    char *data; /* NUL-terminated once anything was appended; NULL before */
    size_t len, cap, max;
} wh_buf;

void wh_buf_init(wh_buf *b, size_t max);
void wh_buf_cleanup(wh_buf *b);
WH_MUST_USE wh_err wh_buf_append_grow(wh_buf *b, const void *p, size_t n);
/* Appends n bytes of p. Inline: the JSON text writer appends a few bytes at a time, and the
 * common case (room left; cap never exceeds max + 1) is a copy. */
WH_MUST_USE static inline wh_err wh_buf_append(wh_buf *b, const void *p, size_t n)
{
    if (b->cap == 0 || n >= b->cap - b->len)
        return wh_buf_append_grow(b, p, n);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return WH_OK;
}
WH_MUST_USE wh_err wh_buf_printf(wh_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Moves the contents out (caller frees with wh_free); the buffer is left empty. */
char *wh_buf_take(wh_buf *b, size_t *len);

#endif
