/* Aborting allocators: every caller may assume success. */
#include "core/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n)
{
    fprintf(stderr, "{\"level\":\"error\",\"msg\":\"out of memory allocating %zu bytes\"}\n", n);
    abort();
}

void *wh_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *wh_calloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        oom(count * size);
    return p;
}

void *wh_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

char *wh_strndup(const char *s, size_t n)
{
    char *d = wh_malloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *wh_strdup(const char *s)
{
    return wh_strndup(s, strlen(s));
}

void wh_free(void *p)
{
    free(p);
}
