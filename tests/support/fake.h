/* Test fixture: a running wh-fake (tests/fakes) on a free loopback port, and a tiny HTTP helper
 * for its control API. Header-only like tempdb.h. The fake's path comes from WH_TEST_FAKE. */
#ifndef WH_TESTS_SUPPORT_FAKE_H
#define WH_TESTS_SUPPORT_FAKE_H

#include "core/buf.h"

#include <curl/curl.h>
#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
    pid_t pid;
    int port;
    char base[64]; /* http://127.0.0.1:PORT */
} fake_server;

/* Starts the fake and waits for its "listening on PORT" line; false on failure. */
static inline bool fake_start(fake_server *f)
{
    const char *path = getenv("WH_TEST_FAKE");
    int fds[2];
    char line[64] = "";
    if (!path || pipe(fds) != 0)
        return false;
    f->pid = fork();
    if (f->pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execl(path, path, "--port", "0", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    FILE *in = fdopen(fds[0], "r");
    bool ok = in && fgets(line, sizeof line, in) && strncmp(line, "listening on ", 13) == 0;
    if (in)
        fclose(in);
    f->port = ok ? (int)strtol(line + 13, NULL, 10) : 0;
    snprintf(f->base, sizeof f->base, "http://127.0.0.1:%d", f->port);
    return ok && f->port > 0;
}

static inline void fake_stop(fake_server *f)
{
    if (f->pid > 0) {
        kill(f->pid, SIGTERM);
        waitpid(f->pid, NULL, 0);
        f->pid = 0;
    }
}

static inline size_t fake_sink(char *p, size_t size, size_t n, void *ud)
{
    return wh_buf_append(ud, p, size * n) == WH_OK ? size * n : 0;
}

/* Sends method path [json body] to the fake; returns the parsed JSON answer (or NULL). */
static inline json_t *fake_call(const fake_server *f, const char *method, const char *path,
                                const char *body)
{
    char url[256];
    wh_buf out;
    CURL *c = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    wh_buf_init(&out, 16 * 1024 * 1024);
    snprintf(url, sizeof url, "%s%s", f->base, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fake_sink);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
    if (body)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    CURLcode rc = curl_easy_perform(c);
    json_t *j = rc == CURLE_OK && out.data ? json_loads(out.data, 0, NULL) : NULL;
    wh_buf_cleanup(&out);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return j;
}

/* Number of requests the fake logged for a provider. */
static inline int fake_count(const fake_server *f, const char *provider)
{
    char path[64];
    snprintf(path, sizeof path, "/_requests/%s", provider);
    json_t *j = fake_call(f, "GET", path, NULL);
    int n = (int)json_integer_value(json_object_get(j, "count"));
    json_decref(j);
    return n;
}

static inline void fake_mode(const fake_server *f, const char *provider, const char *json)
{
    char path[64];
    snprintf(path, sizeof path, "/_control/%s", provider);
    json_decref(fake_call(f, "POST", path, json));
}

#endif
