/* Test fixture: a migrated SQLite database in a fresh temporary directory.
 *
 * Header-only on purpose: the unit-test build compiles one .c per executable and links whcore,
 * so fixtures live here as static inline functions (unused ones raise no warning). Use it as
 * a cmocka group or test fixture:
 *
 *     cmocka_unit_test_setup_teardown(test_x, tempdb_setup, tempdb_teardown)
 *
 * and read the fixture through `tempdb *t = *state;`. The fixture holds one acquired
 * connection (t->conn) and an arena (t->arena) that lives until teardown. Teardown releases
 * the connection, closes the pool and removes every file of the directory, then the directory.
 * Not thread-safe: one fixture per test. */
#ifndef WH_TESTS_SUPPORT_TEMPDB_H
#define WH_TESTS_SUPPORT_TEMPDB_H

#include "core/alloc.h"
#include "core/arena.h"
#include "core/crypto.h"
#include "core/err.h"
#include "db/db.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEMPDB_PATH_CHARS 512

typedef struct {
    char dir[TEMPDB_PATH_CHARS];
    char url[TEMPDB_PATH_CHARS + 16];
    wh_db *db;
    wh_conn *conn;
    wh_arena arena;
    int applied; /* migrations applied when the fixture was built */
} tempdb;

/* Removes every entry of dir (the fixture makes no subdirectories), then dir itself. */
static inline void tempdb_remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *de;
        while ((de = readdir(d)) != NULL) {
            char path[TEMPDB_PATH_CHARS + 256];
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
            (void)unlink(path);
        }
        closedir(d);
    }
    (void)rmdir(dir);
}

/* Closes everything the fixture opened; safe on a partly built fixture and on NULL. */
static inline void tempdb_free(tempdb *t)
{
    if (!t)
        return;
    if (t->db) {
        wh_db_release(t->db, t->conn);
        wh_db_free(t->db);
    }
    wh_arena_cleanup(&t->arena);
    if (t->dir[0])
        tempdb_remove_dir(t->dir);
    wh_free(t);
}

/* Builds the fixture; NULL (with a message on stderr) when any step fails. */
static inline tempdb *tempdb_new(void)
{
    tempdb *t = wh_calloc(1, sizeof *t);
    const char *base = getenv("TMPDIR");
    wh_error e;
    wh_error_init(&e);
    wh_arena_init(&t->arena);
    if (wh_crypto_init() != WH_OK) {
        fprintf(stderr, "tempdb: wh_crypto_init failed\n");
        goto fail;
    }
    snprintf(t->dir, sizeof t->dir, "%s/whtest-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(t->dir)) {
        fprintf(stderr, "tempdb: mkdtemp(%s) failed\n", t->dir);
        t->dir[0] = '\0';
        goto fail;
    }
    snprintf(t->url, sizeof t->url, "sqlite:%s/t.db", t->dir);
    if (wh_db_open(t->url, 2, &t->db, &e) != WH_OK) {
        fprintf(stderr, "tempdb: wh_db_open(%s): %s\n", t->url, e.detail);
        goto fail;
    }
    if (wh_db_migrate(t->db, &t->applied, &e) != WH_OK) {
        fprintf(stderr, "tempdb: wh_db_migrate: %s\n", e.detail);
        goto fail;
    }
    if (wh_db_acquire(t->db, &t->conn, &e) != WH_OK) {
        fprintf(stderr, "tempdb: wh_db_acquire: %s\n", e.detail);
        goto fail;
    }
    return t;
fail:
    tempdb_free(t);
    return NULL;
}

/* cmocka setup / teardown wrappers: *state is the tempdb. */
static inline int tempdb_setup(void **state)
{
    *state = tempdb_new();
    return *state ? 0 : -1;
}

static inline int tempdb_teardown(void **state)
{
    tempdb_free(*state);
    *state = NULL;
    return 0;
}

#endif
