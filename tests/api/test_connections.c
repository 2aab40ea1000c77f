/*
 * Connections (issue 12, item 4): with WH_MAX_CONNECTIONS open, a new connection is refused at
 * once (closed, never left waiting in the accept queue) and counted in /metrics; the operations
 * listener (WH_OPS_LISTEN) keeps answering /healthz, /readyz and /metrics meanwhile and nothing
 * else; when connections close, new ones are served again. Idle connections use the small
 * per-connection memory (WH_LIMIT_CONN_MEMORY) and requests with 1 MiB bodies still work (the
 * validation and idempotency tests send them).
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"

#define MAX 16 /* WH_MAX_CONNECTIONS of the server under test (the smallest allowed) */

/* The port of a base URL "http://127.0.0.1:PORT". */
static int port_of(const char *base)
{
    return (int)strtol(strrchr(base, ':') + 1, NULL, 10);
}

static int free_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

/* A connected socket to 127.0.0.1:port. */
static int dial(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

/* Sends GET path keeping the connection alive and waits up to ms for the answer's first bytes;
 * returns the bytes read (0: the server closed it, -1: nothing within ms). */
static ssize_t ask(int fd, const char *path, int ms, char *buf, size_t cap)
{
    char req[256];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: test\r\n\r\n", path);
    if (send(fd, req, (size_t)n, MSG_NOSIGNAL) != n)
        return 0; /* already closed by the server */
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, ms) <= 0)
        return -1;
    ssize_t got = recv(fd, buf, cap - 1, 0);
    if (got >= 0)
        buf[got] = '\0';
    return got < 0 ? 0 : got;
}

/* The whole answer to GET path on a connection the server closes after it. */
static const char *read_all(int port, const char *path)
{
    static char out[262144];
    size_t len = 0;
    int fd = dial(port);
    const char *req = wht_fmt("GET %s HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n", path);
    assert_int_equal(send(fd, req, strlen(req), MSG_NOSIGNAL), (ssize_t)strlen(req));
    ssize_t got;
    while (len < sizeof out - 1 && (got = recv(fd, out + len, sizeof out - 1 - len, 0)) > 0)
        len += (size_t)got;
    out[len] = '\0';
    close(fd);
    return out;
}

static void test_full_server_refuses_at_once_and_ops_keep_answering(void **state)
{
    (void)state;
    int ops = free_port();
    const char *env[] = {"WH_MAX_CONNECTIONS=16", wht_fmt("WH_OPS_LISTEN=127.0.0.1:%d", ops), NULL};
    wht_server *s = wht_server_start(env);
    int port = port_of(wht_server_base(s));
    int held[MAX];
    char buf[4096];
    for (int i = 0; i < MAX; i++) {
        held[i] = dial(port);
        assert_true(ask(held[i], "/healthz", 5000, buf, sizeof buf) > 0);
        assert_non_null(strstr(buf, "200 OK"));
    }
    /* one more: closed at once, not left hanging (a hang would be -1 after 2 s) */
    int extra = dial(port);
    assert_int_equal(ask(extra, "/healthz", 2000, buf, sizeof buf), 0);
    close(extra);
    /* the operations listener answers the probes, and only them */
    const char *paths[] = {"/healthz", "/readyz", "/metrics"};
    for (int i = 0; i < 3; i++) {
        int fd = dial(ops);
        wht_context("%s on the operations listener", paths[i]);
        assert_true(ask(fd, paths[i], 2000, buf, sizeof buf) > 0);
        assert_non_null(strstr(buf, "200 OK"));
        close(fd);
    }
    int fd = dial(ops);
    assert_true(ask(fd, "/api/v1/me", 2000, buf, sizeof buf) > 0);
    assert_non_null(strstr(buf, "404"));
    close(fd);
    /* room again once connections close */
    for (int i = 0; i < MAX; i++)
        close(held[i]);
    wht_sleep_ms(300);
    fd = dial(port);
    assert_true(ask(fd, "/healthz", 5000, buf, sizeof buf) > 0);
    assert_non_null(strstr(buf, "200 OK"));
    close(fd);
    /* and the refusal was counted */
    assert_non_null(strstr(read_all(ops, "/metrics"), "wh_http_connections_refused_total 1\n"));
    wht_server_stop(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        WHT_TEST(test_full_server_refuses_at_once_and_ops_keep_answering),
    };
    wht_init();
    return wht_finish(cmocka_run_group_tests_name("api_connections", tests, NULL, NULL));
}
