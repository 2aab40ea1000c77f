/* Versioned migrations per engine, embedded in the binary. schema_migrations records each
 * applied version; a version is applied in the same transaction that records it, under a lock,
 * so two instances starting together never apply one twice. */
#include "db/db_int.h"
#include "core/clock.h"
#include "core/log.h"

#define MIGRATE_LOCK_KEY 0x5748000000000001LL /* "WH" + 1 */

static const char *const create_table =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

static wh_err applied_already(wh_conn *c, wh_arena *a, int version, bool *yes, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a, "SELECT 1 FROM schema_migrations WHERE version = $1",
                            WH_ARGS(WH_PI(version)), &r, e);
    *yes = rc == WH_OK && wh_rows_count(r) > 0;
    return rc;
}

static wh_err apply_one(wh_conn *c, const wh_migration *m, bool *did, wh_error *e)
{
    wh_arena a;
    bool yes = false;
    wh_arena_init(&a);
    wh_err rc = wh_db_begin(c, e);
    if (rc == WH_OK)
        rc = wh_db_lock(c, MIGRATE_LOCK_KEY, e);
    if (rc == WH_OK)
        rc = applied_already(c, &a, m->version, &yes, e);
    if (rc == WH_OK && !yes) {
        rc = wh_db_script(c, m->sql, e);
        if (rc == WH_OK)
            rc = wh_db_query(c, &a,
                             "INSERT INTO schema_migrations (version, name, applied_at)"
                             " VALUES ($1, $2, $3)",
                             WH_ARGS(WH_PI(m->version), WH_PT(m->name), WH_PI(wh_clock_now_ms())),
                             NULL, e);
    }
    if (rc == WH_OK)
        rc = wh_db_commit(c, e);
    if (rc != WH_OK)
        wh_db_rollback(c);
    *did = rc == WH_OK && !yes;
    if (*did)
        wh_log(WH_LOG_INFO, "applied migration %04d_%s", m->version, m->name);
    wh_arena_cleanup(&a);
    return rc;
}

wh_err wh_db_migrate(wh_db *db, int *applied, wh_error *e)
{
    wh_conn *c = NULL;
    const wh_migration *list =
        wh_db_engine_get(db) == WH_DB_SQLITE ? wh_migrations_sqlite : wh_migrations_postgres;
    *applied = 0;
    wh_err rc = wh_db_acquire(db, &c, e);
    if (rc != WH_OK)
        goto out;
    rc = wh_db_script(c, create_table, e);
    if (rc == WH_ERR_UNIQUE) /* PostgreSQL: another instance created it at the same moment */
        rc = wh_db_script(c, create_table, e);
    for (const wh_migration *m = list; rc == WH_OK && m->sql; m++) {
        bool did = false;
        rc = apply_one(c, m, &did, e);
        *applied += did;
    }
out:
    wh_db_release(db, c);
    return rc;
}
