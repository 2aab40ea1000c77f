/* One HTTP exchange over libcurl: connect and total timeouts, TLS verification on, no
 * redirects, the response capped at WH_HTTP_MAX_RESPONSE bytes, Retry-After and X-Message-Id
 * captured. No retries here: see wh_integrations_call. */
#include "integrations/integrations_int.h"
#include "core/buf.h"
#include "core/fault.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define WH_HTTP_MAX_RESPONSE (1024 * 1024)

typedef struct {
    wh_buf body;
    bool too_large;
    int64_t retry_after_ms;
    char message_id[96];
} sink;

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    sink *s = ud;
    if (wh_buf_append(&s->body, p, size * n) != WH_OK) {
        s->too_large = true;
        return 0; /* aborts the transfer */
    }
    return size * n;
}

static void header_value(const char *line, size_t len, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    if (len <= nl + 1 || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
        return;
    const char *v = line + nl + 1;
    size_t vl = len - nl - 1;
    while (vl && (*v == ' ' || *v == '\t'))
        v++, vl--;
    while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
        vl--;
    if (vl >= cap)
        vl = cap - 1;
    memcpy(out, v, vl);
    out[vl] = '\0';
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    sink *s = ud;
    char ra[32] = "";
    header_value(p, size * n, "Retry-After", ra, sizeof ra);
    header_value(p, size * n, "X-Message-Id", s->message_id, sizeof s->message_id);
    if (ra[0]) {
        char *end = NULL;
        long long secs = strtoll(ra, &end, 10);
        if (end && *end == '\0' && secs >= 0 && secs < 86400)
            s->retry_after_ms = secs * 1000;
    }
    return size * n;
}

static struct curl_slist *header_list(const wh_outbound_request *req)
{
    struct curl_slist *h = curl_slist_append(NULL, "Accept: application/json");
    for (const char *const *p = req->headers; p && *p; p++)
        h = curl_slist_append(h, *p);
    return h;
}

static void configure(CURL *c, const wh_outbound_request *req, struct curl_slist *h, sink *s,
                      long connect_ms, long total_ms)
{
    curl_easy_setopt(c, CURLOPT_URL, req->url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, total_ms);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, s);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "wheelhouse/1");
    if (req->userpwd) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERPWD, req->userpwd);
    }
    if (strcmp(req->method, "POST") == 0) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? req->body : "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    }
}

/* Fault injection (core/fault.h, off in production): the planned failure is answered as a
 * refused connection, with no request made. */
static bool fault(wh_arena *a, wh_outbound_response *resp)
{
    if (!wh_fault_on() || !wh_fault_step(WH_FAULT_HTTP))
        return false;
    resp->status = 0;
    resp->retry_after_ms = -1;
    resp->message_id = NULL;
    resp->len = 0;
    resp->body = wh_arena_strdup(a, "");
    snprintf(resp->error, sizeof resp->error, "%s (injected fault)",
             curl_easy_strerror(CURLE_COULDNT_CONNECT));
    return true;
}

void wh_outbound_exchange(wh_arena *a, const wh_outbound_request *req, long connect_ms,
                          long total_ms, wh_outbound_response *resp)
{
    if (fault(a, resp))
        return;
    sink s = {.retry_after_ms = -1};
    CURL *c = curl_easy_init();
    struct curl_slist *h = header_list(req);
    long status = 0;
    wh_buf_init(&s.body, WH_HTTP_MAX_RESPONSE);
    configure(c, req, h, &s, connect_ms, total_ms);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    resp->status = rc == CURLE_OK ? (int)status : 0;
    resp->retry_after_ms = s.retry_after_ms;
    resp->message_id = s.message_id[0] ? wh_arena_strdup(a, s.message_id) : NULL;
    resp->len = s.body.len;
    resp->body = wh_arena_strndup(a, s.body.data ? s.body.data : "", s.body.len);
    resp->error[0] = '\0';
    if (rc != CURLE_OK)
        snprintf(resp->error, sizeof resp->error, "%s",
                 s.too_large ? "response larger than 1 MiB" : curl_easy_strerror(rc));
    wh_buf_cleanup(&s.body);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
}
