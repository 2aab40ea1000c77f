/* A small in-process map (owner, key) -> int64 for facts the database holds and every write to
 * them announces at commit (wh_db_notify or a trigger's pg_notify): a venture's data version,
 * a user's venture and office memberships (docs/cache.md). Same rules as the session cache
 * (auth/sesscache.c):
 * - trusted only while the process listens for commits (wh_memo_listening); not listening, it
 *   is empty, refuses entries, and every caller reads through to the database;
 * - a drop counter (gen) read before the database read and handed back to wh_memo_put keeps a
 *   value read before a drop from being stored after it;
 * - before trusting an entry, find asks quiet() whether every notification that has arrived
 *   was applied (wh_db_listen_quiet);
 * - with a stamp (wh_memo_stamp: a value that changes with every commit of any process, read
 *   without a round trip; SQLite's WAL-index header), a find that sees it changed drops
 *   everything first, so writes of another process are seen too;
 * - bounded: capacity entries in sets of 8 chosen by the owner; a full set evicts its least
 *   recently used entry. One mutex.
 * Thread-safe. */
#ifndef WH_CORE_MEMO_H
#define WH_CORE_MEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct wh_memo wh_memo;

wh_memo *wh_memo_new(size_t capacity);
void wh_memo_free(wh_memo *m); /* NULL is fine */
/* quiet(arg): nothing unapplied waits on the listening connection; false reads through. Set
 * once, before use; NULL: always quiet. */
void wh_memo_probe(wh_memo *m, bool (*quiet)(void *arg), void *arg);
/* stamp(arg, &v): the database's commit stamp now; false when it cannot be read (then nothing
 * is trusted). Set once, before use; NULL: none (hear commits through notes alone). */
void wh_memo_stamp(wh_memo *m, bool (*stamp)(void *arg, uint64_t *out), void *arg);
/* True and *value when (owner, key) is held and trusted. *gen (may be NULL) always receives the
 * drop count, for wh_memo_put after a database read. */
bool wh_memo_find(wh_memo *m, int64_t owner, int64_t key, int64_t *value, uint64_t *gen);
/* The drop count now (to read before a database read whose answer is then put). */
uint64_t wh_memo_gen(wh_memo *m);
/* Stores value unless a drop happened since gen was read or the process does not listen. */
void wh_memo_put(wh_memo *m, int64_t owner, int64_t key, int64_t value, uint64_t gen);
/* Drops every entry of owner. */
void wh_memo_drop(wh_memo *m, int64_t owner);
/* Drops everything. */
void wh_memo_clear(wh_memo *m);
/* Listening started (on) or stopped: either way everything held so far is dropped. */
void wh_memo_listening(wh_memo *m, bool on);
/* Entries held now (tests). */
size_t wh_memo_count(wh_memo *m);

#endif
