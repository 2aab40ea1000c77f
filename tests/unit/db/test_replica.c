/* Read replicas' pure parts (db/replica.c, docs/architecture.md "Read replicas"): WAL positions
 * parse as PostgreSQL prints them and nothing else does; a replica list is refused on SQLite,
 * and a malformed one names the variable. The replicas themselves run in
 * tests/api/test_replica.c, on a real streaming replica. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "db/db_int.h"
#include "../../support/tempdb.h"

#include <string.h>

static void test_lsn_parse(void **state)
{
    (void)state;
    uint64_t v = 0;
    assert_true(wh_db_lsn_parse("0/3000148", &v));
    assert_true(v == 0x3000148);
    assert_true(wh_db_lsn_parse("16/B374D848", &v));
    assert_true(v == ((uint64_t)0x16 << 32 | 0xB374D848));
    assert_true(wh_db_lsn_parse("FFFFFFFF/FFFFFFFF", &v));
    assert_true(v == UINT64_MAX);
    const char *bad[] = {"",    "0",           "/1",          "1/",   "1/2/3", "x/1",
                         "1/x", "100000000/0", "0/100000000", "1 /2", NULL};
    for (int i = 0; bad[i]; i++)
        assert_false(wh_db_lsn_parse(bad[i], &v));
    assert_false(wh_db_lsn_parse(NULL, &v));
}

static void test_sqlite_refuses_replicas(void **state)
{
    tempdb *t = *state;
    wh_error e;
    wh_error_init(&e);
    assert_int_equal(wh_db_replicas_open(t->db, "postgres://h/db", 5000, &e), WH_ERR_INVALID);
    assert_string_equal(e.fields[0].field, "WH_DATABASE_REPLICA_URLS");
    wh_error_init(&e);
    assert_int_equal(wh_db_replicas_open(t->db, "", 5000, &e), WH_OK); /* none */
    assert_int_equal(wh_db_replicas_open(t->db, NULL, 5000, &e), WH_OK);
    assert_false(wh_db_is_replica(t->conn));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lsn_parse),
        cmocka_unit_test_setup_teardown(test_sqlite_refuses_replicas, tempdb_setup,
                                        tempdb_teardown),
    };
    return cmocka_run_group_tests_name("unit_db_replica", tests, NULL, NULL);
}
