/* Logger: the level is the one mutable global besides configuration; it is written once at
 * start-up and read atomically. */
#include "core/log.h"
#include "core/clock.h"
#include "core/json.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Longest message of a line, in bytes (longer ones are cut on a character boundary). */
#define MSG_BYTES 1024

static _Atomic int min_level = WH_LOG_INFO;
/* The calling thread's request id ("" when none): per thread, so not shared state. */
static _Thread_local char context_id[64];

void wh_log_context_set(const char *id)
{
    snprintf(context_id, sizeof context_id, "%s", id ? id : "");
}

void wh_log_set_level(wh_log_level level)
{
    atomic_store(&min_level, (int)level);
}

int wh_log_level_parse(const char *s)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    for (int i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

void wh_log_json(wh_log_level level, const char *msg, json_t *fields)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    if ((int)level < atomic_load(&min_level))
        return;
    char ts[32];
    wh_clock_render_ms(wh_clock_now_ms(), ts, sizeof ts);
    json_t *line = json_object();
    json_object_set_new(line, "ts", json_string(ts));
    json_object_set_new(line, "level", json_string(names[level]));
    /* a message may carry a client's bytes: cleaned, so the line keeps it */
    json_object_set_new(line, "msg", wh_json_text(msg, MSG_BYTES, WH_UTF8_REPLACE));
    if (context_id[0])
        json_object_set_new(line, "request_id", json_string(context_id));
    if (fields)
        json_object_update(line, fields);
    char *text = json_dumps(line, JSON_COMPACT);
    if (text) {
        size_t n = strlen(text);
        text[n] = '\n';
        ssize_t w = write(STDERR_FILENO, text, n + 1);
        (void)w;
        free(text);
    }
    json_decref(line);
}

void wh_log(wh_log_level level, const char *fmt, ...)
{
    char msg[MSG_BYTES];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof msg)
        msg[wh_str_utf8_cut(msg, sizeof msg - 1)] = '\0';
    wh_log_json(level, msg, NULL);
}
