/* JSON log lines on stderr, one per event. The level is set once at start-up; logging is
 * thread-safe (whole lines under one lock, never interleaved). Never pass secrets. */
#ifndef WH_CORE_LOG_H
#define WH_CORE_LOG_H

#include "core/buf.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum { WH_LOG_DEBUG, WH_LOG_INFO, WH_LOG_WARN, WH_LOG_ERROR } wh_log_level;

void wh_log_set_level(wh_log_level level);
/* Would a line of this level be written? (so a caller need not build one that would not) */
bool wh_log_enabled(wh_log_level level);
/* Parses "debug" | "info" | "warn" | "error"; returns -1 on anything else. */
int wh_log_level_parse(const char *s);
/* Logs {"ts","level","msg"} plus the members of fields (borrowed, may be NULL). msg may hold
 * any bytes: invalid UTF-8 is replaced (U+FFFD) and it is cut at 1023 bytes on a character
 * boundary. Untrusted text in fields must be made with wh_json_text (core/json.h). */
void wh_log_json(wh_log_level level, const char *msg, json_t *fields);
void wh_log(wh_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One request's access line (http/server.c): {"ts","level","msg":"request","method","path",
 * "route","status","duration_ms","request_id"[,"user_id"]}, method and path cleaned as
 * wh_json_text(…, WH_LIMIT_ECHO_BYTES, WH_UTF8_ESCAPE) cleans them. Written as text, without a
 * JSON object: the same bytes wh_log_json would write for these fields, at a third of the cost
 * of a cached read. */
typedef struct {
    const char *method, *path, *route, *request_id;
    int status;
    int64_t duration_ms;
    bool has_user;
    int64_t user_id;
} wh_log_access_line;
void wh_log_access(wh_log_level level, const wh_log_access_line *l);
/* The line wh_log_access writes (without its newline) for an instant now_ms, into b. */
WH_MUST_USE wh_err wh_log_access_render(wh_buf *b, int64_t now_ms, wh_log_level level,
                                        const wh_log_access_line *l);
/* Buffered output (serve: an access-log line must not cost a write system call): lines of level
 * info and debug wait in a 64 KiB buffer, written when it is full, every flush_ms by a thread of
 * the logger's own, and before any warn or error line, which is written at once. Until
 * wh_log_buffer_start, and after wh_log_buffer_stop (which writes what waits and ends the
 * thread), every line is one write. */
void wh_log_buffer_start(int flush_ms);
void wh_log_buffer_stop(void);
/* Writes what waits in the buffer now. */
void wh_log_flush(void);
/* The id of the work this thread is doing now (a request id), added as "request_id" to every
 * line this thread logs until it is cleared with NULL; copied (cut at 63 bytes). Lets a layer
 * that never sees the request (the database) log with its request id. Per thread. */
void wh_log_context_set(const char *id);

#endif
