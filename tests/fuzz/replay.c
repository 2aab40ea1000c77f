/* Replay driver for the fuzz targets in the normal (gcc) build: feeds a few built-in edge inputs
 * and then every regular file of the directories (or files) named on the command line to
 * LLVMFuzzerTestOneInput, each in a buffer of exactly its size. A target that crashes or fails a
 * property aborts, which fails the CTest test. A named directory that is missing or empty is an
 * error too, so a lost corpus cannot pass quietly.
 *   fuzz_<name> DIR_OR_FILE... */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

static size_t replayed;

static void run(const uint8_t *data, size_t size)
{
    /* a copy of exactly size bytes: reading past the end trips ASan in the sanitize build */
    uint8_t *copy = malloc(size ? size : 1);
    FUZZ_CHECK(copy != NULL);
    if (size)
        memcpy(copy, data, size);
    LLVMFuzzerTestOneInput(copy, size);
    free(copy);
    replayed++;
}

static void run_builtin(void)
{
    static const char *const texts[] = {
        "",   "\0",          "\xff",     "{}",         "[]",         "/",
        "//", "{\"\":null}", "redis://", "0000-00-00", "9999-12-31", "0001-01-01T00:00:00Z",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        run((const uint8_t *)texts[i], i == 1 ? 1 : strlen(texts[i]));
    /* long inputs: every limit of every target is far below 64 KiB */
    size_t big = 64 * 1024;
    uint8_t *buf = malloc(big);
    FUZZ_CHECK(buf != NULL);
    const uint8_t fills[] = {'A', '/', '[', '9', 0xff};
    for (size_t i = 0; i < sizeof fills; i++) {
        memset(buf, fills[i], big);
        run(buf, big);
    }
    free(buf);
}

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    FUZZ_CHECK(buf != NULL);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            FUZZ_CHECK(buf != NULL);
        }
    }
    fclose(f);
    run(buf, n);
    free(buf);
    return 0;
}

static int run_dir(const char *dir)
{
    DIR *d = opendir(dir);
    size_t files = 0;
    if (!d) {
        fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        char path[4096];
        struct stat st;
        if (ent->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (run_file(path) != 0) {
            closedir(d);
            return -1;
        }
        files++;
    }
    closedir(d);
    if (files == 0) {
        fprintf(stderr, "replay: %s holds no inputs\n", dir);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    run_builtin();
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            return 1;
        }
        if ((S_ISDIR(st.st_mode) ? run_dir(argv[i]) : run_file(argv[i])) != 0)
            return 1;
    }
    printf("replayed %zu inputs\n", replayed);
    return 0;
}
