/* Allocation that never returns NULL: out of memory aborts (input is bounded, so OOM means a
 * broken machine and transactions keep data whole). */
#ifndef WH_CORE_ALLOC_H
#define WH_CORE_ALLOC_H

#include <stddef.h>

void *wh_malloc(size_t n);
void *wh_calloc(size_t count, size_t size);
void *wh_realloc(void *p, size_t n);
char *wh_strdup(const char *s);
char *wh_strndup(const char *s, size_t n);
void wh_free(void *p);

#endif
