/* Shared by the fuzz targets and the replay driver: the libFuzzer entry point, a property check
 * that aborts (libFuzzer and the replay driver both report an abort as a crash), and a copy of
 * the input as a NUL-terminated string of exactly size + 1 bytes, so ASan sees any over-read. */
#ifndef WH_TESTS_FUZZ_H
#define WH_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond);            \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* The input up to its first NUL byte (C strings stop there), as a malloc'd string. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    FUZZ_CHECK(s != NULL);
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

#endif
