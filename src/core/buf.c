/* Growable buffer; capacity doubles, never beyond max + 1 bytes. */
#include "core/buf.h"
#include "core/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void wh_buf_init(wh_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void wh_buf_cleanup(wh_buf *b)
{
    wh_free(b->data);
    wh_buf_init(b, b->max);
}

static wh_err reserve(wh_buf *b, size_t extra)
{
    if (extra > b->max || b->len > b->max - extra)
        return WH_ERR_TOO_LARGE;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return WH_OK;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    if (cap > b->max + 1)
        cap = b->max + 1;
    b->data = wh_realloc(b->data, cap);
    b->cap = cap;
    return WH_OK;
}

wh_err wh_buf_append_grow(wh_buf *b, const void *p, size_t n)
{
    if (reserve(b, n) != WH_OK)
        return WH_ERR_TOO_LARGE;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return WH_OK;
}

wh_err wh_buf_printf(wh_buf *b, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    wh_err rc = WH_ERR_TOO_LARGE;
    if (n >= 0 && reserve(b, (size_t)n) == WH_OK) {
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
        rc = WH_OK;
    }
    va_end(ap2);
    return rc;
}

char *wh_buf_take(wh_buf *b, size_t *len)
{
    char *d = b->data;
    if (len)
        *len = b->len;
    wh_buf_init(b, b->max);
    return d;
}
