/* Every hard limit of Wheelhouse, one commented constant each. */
#ifndef WH_CORE_LIMITS_H
#define WH_CORE_LIMITS_H

/* Largest request body accepted; larger bodies get 413. */
#define WH_LIMIT_BODY_BYTES (1024 * 1024)
/* Bytes of an oversized body the server still drains before answering 413. */
#define WH_LIMIT_BODY_DRAIN_BYTES (8 * 1024 * 1024)
/* Largest WH_IMPORT_MAX_BYTES (the body limit of an upload route, WH_ROUTE_UPLOAD) and
 * WH_IMPORT_MAX_ROWS accepted by the configuration. */
#define WH_LIMIT_IMPORT_MAX_BYTES (64 * 1024 * 1024)
#define WH_LIMIT_IMPORT_MAX_ROWS  1000000
/* Deepest JSON nesting accepted in a request body. */
#define WH_LIMIT_JSON_DEPTH 16
/* Most path segments a route pattern or request path may have. */
#define WH_LIMIT_PATH_SEGMENTS 12
/* Most {param} captures in one route. */
#define WH_LIMIT_PATH_PARAMS 4
/* Page size bounds and default for cursor lists. */
#define WH_LIMIT_PAGE_MIN     1
#define WH_LIMIT_PAGE_MAX     200
#define WH_LIMIT_PAGE_DEFAULT 50
/* Longest cursor string accepted. */
#define WH_LIMIT_CURSOR_CHARS 1400
/* Field lengths (characters of UTF-8 text). */
#define WH_LIMIT_NAME_CHARS   200
#define WH_LIMIT_CODE_CHARS   32
#define WH_LIMIT_EMAIL_CHARS  254
#define WH_LIMIT_CITY_CHARS   100
#define WH_LIMIT_PASSWORD_MIN 12
#define WH_LIMIT_PASSWORD_MAX 256
/* Most ids in one membership replacement. */
#define WH_LIMIT_MEMBERSHIP_IDS 500
/* Most field errors reported in one problem. */
#define WH_LIMIT_FIELD_ERRORS 16
/* Most bytes of a request's path echoed into a problem's instance and the access log (cleaned
 * to valid UTF-8 and cut on a character boundary past it). */
#define WH_LIMIT_ECHO_BYTES 1024
/* Idle timeout of an HTTP connection (seconds); the most connections is WH_MAX_CONNECTIONS. */
#define WH_LIMIT_CONN_TIMEOUT_S 30
/* libmicrohttpd's memory pool per connection, bytes: request line, headers and the answer's
 * headers (bodies go to the request's own buffer a chunk at a time), so 10,000 idle
 * connections stay small; its default is 32 KiB. */
#define WH_LIMIT_CONN_MEMORY 8192
/* File descriptors kept beside the connections (database, Redis, logs, files served). */
#define WH_LIMIT_FD_RESERVE 256
/* Connections of the operations listener (WH_OPS_LISTEN). */
#define WH_LIMIT_OPS_CONNECTIONS 64
/* Longest wait for a pooled database connection, milliseconds. */
#define WH_LIMIT_POOL_WAIT_MS 5000
/* SQLite busy timeout, milliseconds. */
#define WH_LIMIT_SQLITE_BUSY_MS 10000
/* SQLite transactions committed together at most (db/writer.c), and the longest a group stays
 * open for more: a group ends earlier when no other writer waits */
#define WH_LIMIT_DB_GROUP    16
#define WH_LIMIT_DB_GROUP_MS 10
/* WAL frames after which a checkpoint copies the WAL back into the database (SQLite's default
 * automatic threshold), run outside the writer lock (db/writer.c) */
#define WH_LIMIT_SQLITE_CHECKPOINT_FRAMES 1000
/* WAL frames (4 KiB pages) past which the writer checkpoints in RESTART mode so the WAL starts
 * over (db/sqlite.c): bounds the WAL file under a steady stream of writes */
#define WH_LIMIT_SQLITE_WAL_FRAMES 16384
/* how long that RESTART checkpoint waits for readers to leave the WAL (retried after the next
 * group when they have not) */
#define WH_LIMIT_SQLITE_RESTART_WAIT_MS 100
/* Most parameters in one SQL statement. */
#define WH_LIMIT_SQL_PARAMS 32
/* Statements a PostgreSQL connection keeps prepared (db/postgres.c); more run unprepared. */
#define WH_LIMIT_PG_STATEMENTS 512
/* Bytes of a list statement built by wh_sqlb (the longest list today is under 1 KiB). */
#define WH_LIMIT_SQLB_CHARS 4096
/* Business dates (a call's start and end, a hotel's daily entry) may lie at most this many days
 * after the business today (wh_clock_day_near); later ones are 400. */
#define WH_LIMIT_DAYS_AHEAD 1
/* A sliding session is extended at most once per this many milliseconds. */
#define WH_LIMIT_SESSION_TOUCH_MS 60000
/* Validated sessions one process keeps in memory (auth/sesscache.c); past it the least recently
 * used of a token's set of 8 is evicted. Each costs about 200 bytes plus its e-mail and name. */
#define WH_LIMIT_SESSION_CACHE_ENTRIES 16384
/* Scope answers (user, venture or office) and venture data versions one process keeps in memory
 * (core/memo.c, docs/cache.md); 32 bytes each. Past it the least recently used of a set of 8 is
 * evicted (a user's answers share one set). */
#define WH_LIMIT_SCOPE_CACHE_ENTRIES   16384
#define WH_LIMIT_VERSION_CACHE_ENTRIES 4096

/* serve buffers its info log lines (core/log.c) and writes them at least this often. */
#define WH_LIMIT_LOG_FLUSH_MS 1000

/* Notifications (wh_db_notify): most one transaction queues for this process (past it, the
 * process drops everything it caches at commit instead), and the longest payload. */
#define WH_LIMIT_DB_NOTES      8
#define WH_LIMIT_DB_NOTE_CHARS 96
/* Longest wait of a commit that notified for its echo and every other listening instance's
 * acknowledgement (docs/architecture.md, Database layer): they have then applied it before the
 * writer answers; a paused or just-dropped listener makes the writer wait at most this long. */
#define WH_LIMIT_NOTIFY_ECHO_MS 1000
/* How long a writer's barrier trusts its count of the other instances' listeners (db/postgres.c;
 * a join note or a timed-out barrier makes it count again at once). */
#define WH_LIMIT_LISTENERS_RECOUNT_MS 1000
/* Longest wait of a cache probe for the listening thread to apply what it saw waiting unread
 * on the listening socket (db/postgres.c); past it the request reads through. */
#define WH_LIMIT_LISTEN_QUIET_WAIT_MS 5
/* Reads of the listening socket in a row while each brings notifications (db/postgres.c). */
#define WH_LIMIT_LISTEN_READS 8
/* The listening connection's reconnect back-off, doubling from the first to the last. */
#define WH_LIMIT_LISTEN_BACKOFF_MIN_MS 100
#define WH_LIMIT_LISTEN_BACKOFF_MAX_MS 5000
/* Read replicas (WH_DATABASE_REPLICA_URLS, db/replica.c): most replicas, the monitor's poll of
 * every WAL position, its reconnect interval to a replica that is down, and the bytes of a
 * replica's name (host:port/db) in logs and /metrics. */
#define WH_LIMIT_REPLICAS           8
#define WH_LIMIT_REPLICA_POLL_MS    100
#define WH_LIMIT_REPLICA_RETRY_MS   1000
#define WH_LIMIT_REPLICA_NAME_CHARS 128
/* Sessions whose last write one process remembers for read-your-writes (http/reads.c), in a
 * direct-mapped table: two sessions on one slot share the later write's position. */
#define WH_LIMIT_WRITE_MARKS 4096

/* Login codes: lifetime, tries, and how many one user may be sent per hour. */
#define WH_LIMIT_CODE_TTL_MS    (10 * 60 * 1000)
#define WH_LIMIT_CODE_TRIES     5
#define WH_LIMIT_CODES_PER_HOUR 5
/* Code verifications one account may make per clock hour, whatever the client address: room
 * for a user's typos on a few codes, far too few to guess 6 digits. */
#define WH_LIMIT_CODE_VERIFIES_PER_HOUR 20

/* The response cache: most entries kept in process, largest value stored (bigger values are
 * served but not cached), and the longest wait for another thread computing the same key. */
#define WH_LIMIT_CACHE_ENTRIES     4096
#define WH_LIMIT_CACHE_VALUE_BYTES (1024 * 1024)
#define WH_LIMIT_CACHE_WAIT_MS     10000
/* Largest value a cached route may render at all (served, but stored only up to the above). */
#define WH_LIMIT_CACHE_FILL_BYTES (16 * 1024 * 1024)
/* Redis: idle connections kept per process, connect and command timeout, and how long Redis is
 * left alone after a failure. */
#define WH_LIMIT_REDIS_IDLE       16
#define WH_LIMIT_REDIS_TIMEOUT_MS 250
#define WH_LIMIT_REDIS_BACKOFF_MS 1000

/* /metrics: (route, method) series kept by one process (every route of every table, HEAD of each
 * GET, and "unmatched" per method fit many times over; requests past it are counted as dropped),
 * distinct status codes counted per series, and the largest exposition rendered. */
#define WH_LIMIT_METRICS_SERIES   1024
#define WH_LIMIT_METRICS_STATUSES 32
#define WH_LIMIT_METRICS_BYTES    (4 * 1024 * 1024)

/* Rate limits: the largest allowance one rule may grant per period (one a microsecond per
 * minute: the emission interval, period / limit, stays at least one microsecond), most subjects
 * the in-process limiter tracks at once, and the longest limiter key (prefix, class and subject;
 * an e-mail subject is its SHA-256). */
#define WH_LIMIT_RATE_MAX       60000000
#define WH_LIMIT_RATE_ENTRIES   65536
#define WH_LIMIT_RATE_KEY_CHARS 160
/* Most entries (addresses or CIDR ranges) in WH_TRUSTED_PROXIES, and most X-Forwarded-For hops
 * examined from the right. */
#define WH_LIMIT_TRUSTED_PROXIES 16
#define WH_LIMIT_FORWARDED_HOPS  16

/* Outbox: messages one worker pass lists, and the time a lease allows beyond the worst-case
 * delivery (every attempt timing out after its longest wait) for the claim and the settle writes
 * around it (see wh_outbox_lease_ms). */
#define WH_LIMIT_OUTBOX_BATCH           20
#define WH_LIMIT_OUTBOX_LEASE_MARGIN_MS 5000

/* Idempotency-Key: requests of one process that may wait at once for the answer of one key
 * (the first request still running); more are answered 409 at once. */
#define WH_LIMIT_IDEMPOTENCY_WAITERS 8

/* CSV export (docs/export.md): the range of WH_EXPORT_MAX_ROWS and WH_EXPORT_CHUNK_ROWS, the most
 * bytes one chunk of rows may render to (a failure mid-stream past it), and the block size asked
 * of libmicrohttpd for the streamed answer. */
#define WH_LIMIT_EXPORT_ROWS_MAX    10000000
#define WH_LIMIT_EXPORT_CHUNK_MAX   5000
#define WH_LIMIT_EXPORT_CHUNK_BYTES (64 * 1024 * 1024)
#define WH_LIMIT_EXPORT_BLOCK       (32 * 1024)

/* The most bytes one record's JSON text may take when written straight to text (wh_jw, list
 * pages): far above any record, whose texts are each bounded by their own limits. */
#define WH_LIMIT_ROW_TEXT_BYTES (1024 * 1024)

#endif
