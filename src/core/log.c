/* Logger: the level is the one mutable global besides configuration; it is written once at
 * start-up and read atomically. The output buffer (serve only, wh_log_buffer_start) is the
 * logger's other state: whole lines are appended under one mutex, so lines never interleave; it
 * is written out when the next line would not fit, when a line of level warn or error comes (it
 * and everything before it, at once), every flush interval by a thread, and at
 * wh_log_buffer_stop. Unbuffered, each line is one write. */
#include "core/log.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/limits.h"
#include "core/str.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Longest message of a line, in bytes (longer ones are cut on a character boundary). */
#define MSG_BYTES 1024

static _Atomic int min_level = WH_LOG_INFO;
static const char *const level_names[] = {"debug", "info", "warn", "error"}; /* by wh_log_level */

/* The output buffer: at most this many bytes wait. */
#define OUT_BYTES (64 * 1024)
static struct {
    pthread_mutex_t mu;
    pthread_cond_t wake;
    char buf[OUT_BYTES];
    size_t len;
    bool on, stop;
    int flush_ms;
    pthread_t thread;
} out = {.mu = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

/* Writes all of p[0..n) to stderr (a short write is continued; a failing one gives up). */
static void write_all(const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(STDERR_FILENO, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

/* Under out.mu. */
static void flush_locked(void)
{
    write_all(out.buf, out.len);
    out.len = 0;
}

void wh_log_flush(void)
{
    pthread_mutex_lock(&out.mu);
    flush_locked();
    pthread_mutex_unlock(&out.mu);
}

static void *flusher(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&out.mu);
    while (!out.stop) {
        struct timespec deadline;
        wh_clock_deadline(CLOCK_REALTIME, out.flush_ms, &deadline);
        pthread_cond_timedwait(&out.wake, &out.mu, &deadline);
        flush_locked();
    }
    pthread_mutex_unlock(&out.mu);
    return NULL;
}

void wh_log_buffer_start(int flush_ms)
{
    pthread_mutex_lock(&out.mu);
    bool start = !out.on;
    out.on = true;
    out.stop = false;
    out.flush_ms = flush_ms > 0 ? flush_ms : 1;
    if (start && pthread_create(&out.thread, NULL, flusher, NULL) != 0)
        out.on = false; /* no thread: stay unbuffered rather than hold lines unflushed */
    pthread_mutex_unlock(&out.mu);
}

void wh_log_buffer_stop(void)
{
    pthread_mutex_lock(&out.mu);
    bool running = out.on;
    out.stop = true;
    pthread_cond_signal(&out.wake);
    pthread_mutex_unlock(&out.mu);
    if (running)
        pthread_join(out.thread, NULL);
    pthread_mutex_lock(&out.mu);
    flush_locked();
    out.on = false;
    pthread_mutex_unlock(&out.mu);
}

/* Hands one line (with its newline) to the output: buffered, or written at once. */
static void emit(wh_log_level level, const char *line, size_t n)
{
    pthread_mutex_lock(&out.mu);
    if (!out.on || level >= WH_LOG_WARN || n > OUT_BYTES) {
        flush_locked(); /* what came before goes first */
        write_all(line, n);
    } else {
        if (out.len + n > OUT_BYTES)
            flush_locked();
        memcpy(out.buf + out.len, line, n);
        out.len += n;
    }
    pthread_mutex_unlock(&out.mu);
}
/* The calling thread's request id ("" when none): per thread, so not shared state. */
static _Thread_local char context_id[64];

void wh_log_context_set(const char *id)
{
    size_t n = id ? strnlen(id, sizeof context_id - 1) : 0;
    memcpy(context_id, id ? id : "", n);
    context_id[n] = '\0';
}

void wh_log_set_level(wh_log_level level)
{
    atomic_store(&min_level, (int)level);
}

int wh_log_level_parse(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(s, level_names[i]) == 0)
            return i;
    return -1;
}

bool wh_log_enabled(wh_log_level level)
{
    return (int)level >= atomic_load(&min_level);
}

void wh_log_json(wh_log_level level, const char *msg, json_t *fields)
{
    if ((int)level < atomic_load(&min_level))
        return;
    char ts[32];
    wh_clock_render_ms(wh_clock_now_ms(), ts, sizeof ts);
    json_t *line = json_object();
    json_object_set_new(line, "ts", json_string(ts));
    json_object_set_new(line, "level", json_string(level_names[level]));
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
        emit(level, text, n + 1);
        free(text);
    }
    json_decref(line);
}

wh_err wh_log_access_render(wh_buf *b, int64_t now_ms, wh_log_level level,
                            const wh_log_access_line *l)
{
    char ts[32], method[WH_LIMIT_ECHO_BYTES], path[WH_LIMIT_ECHO_BYTES];
    wh_clock_render_ms(now_ms, ts, sizeof ts);
    wh_str_utf8_clean(l->method, strlen(l->method), method, sizeof method, WH_UTF8_ESCAPE);
    wh_str_utf8_clean(l->path, strlen(l->path), path, sizeof path, WH_UTF8_ESCAPE);
    wh_jw w;
    wh_jw_begin(&w, b);
    wh_jw_str(&w, "ts", ts);
    wh_jw_str(&w, "level", level_names[level]);
    wh_jw_str(&w, "msg", "request");
    wh_jw_str(&w, "method", method);
    wh_jw_str(&w, "path", path);
    wh_jw_str(&w, "route", l->route);
    wh_jw_int(&w, "status", l->status);
    wh_jw_int(&w, "duration_ms", l->duration_ms);
    wh_jw_str(&w, "request_id", l->request_id);
    if (l->has_user)
        wh_jw_int(&w, "user_id", l->user_id);
    return wh_jw_end(&w);
}

void wh_log_access(wh_log_level level, const wh_log_access_line *l)
{
    if ((int)level < atomic_load(&min_level))
        return;
    wh_buf b;
    wh_buf_init(&b, 16 * WH_LIMIT_ECHO_BYTES); /* two cleaned fields of 1 KiB, escaped: ample */
    if (wh_log_access_render(&b, wh_clock_now_ms(), level, l) == WH_OK &&
        wh_buf_append(&b, "\n", 1) == WH_OK)
        emit(level, b.data, b.len);
    wh_buf_cleanup(&b);
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
