/* JSON log lines on stderr, one per event. The level is set once at start-up; logging is
 * thread-safe (each line is one write). Never pass secrets. */
#ifndef WH_CORE_LOG_H
#define WH_CORE_LOG_H

#include <jansson.h>

typedef enum { WH_LOG_DEBUG, WH_LOG_INFO, WH_LOG_WARN, WH_LOG_ERROR } wh_log_level;

void wh_log_set_level(wh_log_level level);
/* Parses "debug" | "info" | "warn" | "error"; returns -1 on anything else. */
int wh_log_level_parse(const char *s);
/* Logs {"ts","level","msg"} plus the members of fields (borrowed, may be NULL). msg may hold
 * any bytes: invalid UTF-8 is replaced (U+FFFD) and it is cut at 1023 bytes on a character
 * boundary. Untrusted text in fields must be made with wh_json_text (core/json.h). */
void wh_log_json(wh_log_level level, const char *msg, json_t *fields);
void wh_log(wh_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The id of the work this thread is doing now (a request id), added as "request_id" to every
 * line this thread logs until it is cleared with NULL; copied (cut at 63 bytes). Lets a layer
 * that never sees the request (the database) log with its request id. Per thread. */
void wh_log_context_set(const char *id);

#endif
