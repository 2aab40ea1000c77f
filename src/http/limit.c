/* The rate-limit step of the pipeline (docs/ratelimit.md). A route's class picks the rule; the
 * subject is the signed-in user, or the client's address when there is none (public auth
 * routes, and a request to a signed-in route whose session was refused, so that a flood of bad
 * tokens is limited too). Login and code requests are further charged to the e-mail they name
 * (wh_req_limit_email). The address is the TCP peer's, unless the peer is a trusted proxy
 * (WH_TRUSTED_PROXIES): then X-Forwarded-For is read from the right, skipping trusted hops, and
 * the first other address is the client. Hops left of it are the client's own words and are
 * never believed; without trusted proxies the header is never read.
 *
 * A request charged to several rules reports the tightest one in its RateLimit-* headers (the
 * refusing one when refused), added to whatever answer the request ends with. */
#include "app.h"
#include "core/crypto.h"
#include "core/net.h"
#include "core/str.h"
#include "http/http_int.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdio.h>
#include <string.h>

static bool trusted(const wh_config *cfg, const unsigned char addr[16])
{
    for (int i = 0; i < cfg->ntrusted_proxies; i++)
        if (wh_net_cidr_match(&cfg->trusted_proxies[i], addr))
            return true;
    return false;
}

/* The client behind trusted proxies: X-Forwarded-For from the right, the first address that is
 * not a trusted proxy; false when the header is missing, malformed at that point, or all
 * trusted (then the peer stands). */
static bool forwarded_client(wh_req *r, unsigned char client[16])
{
    const char *xff = wh_req_header(r, "X-Forwarded-For");
    if (!xff)
        return false;
    size_t end = strlen(xff);
    for (int hop = 0; hop < WH_LIMIT_FORWARDED_HOPS && end > 0; hop++) {
        size_t start = end;
        while (start > 0 && xff[start - 1] != ',')
            start--;
        if (!wh_net_addr_parse(xff + start, end - start, client))
            return false;
        if (!trusted(&r->app->config, client))
            return true;
        end = start > 0 ? start - 1 : 0;
    }
    return false;
}

/* The TCP peer's address; false without one. */
static bool peer_address(wh_req *r, unsigned char peer[16])
{
    const union MHD_ConnectionInfo *ci =
        r->conn ? MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS) : NULL;
    return ci && wh_net_addr_of(ci->client_addr, peer);
}

bool wh_http_peer_trusted(wh_req *r)
{
    unsigned char peer[16];
    return peer_address(r, peer) && trusted(&r->app->config, peer);
}

/* The client's address: the TCP peer, or the client a trusted proxy names; "unknown" without
 * a peer address. */
static void client_address(wh_req *r, char *out, size_t cap)
{
    unsigned char peer[16], client[16];
    if (!peer_address(r, peer)) {
        snprintf(out, cap, "unknown");
        return;
    }
    bool behind = trusted(&r->app->config, peer) && forwarded_client(r, client);
    wh_net_addr_render(behind ? client : peer, out, cap);
}

/* Keeps the tightest decision of the request for its headers. */
static void note(wh_req *r, const wh_ratelimit_result *res)
{
    if (!res->known)
        return;
    if (!r->rate_known || !res->allowed ||
        (r->rate.allowed && res->remaining < r->rate.remaining)) {
        r->rate = *res;
        r->rate_known = true;
    }
}

static wh_err charge(wh_req *r, wh_ratelimit_class cls, const char *subject, wh_error *e)
{
    wh_ratelimit_result res;
    wh_ratelimit_take(r->app->limiter, cls, subject, r->now_ms, &res);
    note(r, &res);
    if (res.allowed)
        return WH_OK;
    wh_metrics_count_rejection(r->app->metrics, r->route->rate);
    return wh_fail(e, WH_ERR_RATE_LIMITED, "Too many requests; retry in %lld s.",
                   (long long)res.retry_after_s);
}

wh_err wh_http_limit_route(wh_req *r, wh_error *e)
{
    char subject[64];
    wh_ratelimit_class cls;
    switch (r->route->rate) {
    case WH_RATE_AUTH:
        cls = WH_RATELIMIT_AUTH_IP;
        break;
    case WH_RATE_READ:
        cls = WH_RATELIMIT_READ;
        break;
    case WH_RATE_WRITE:
        cls = WH_RATELIMIT_WRITE;
        break;
    default:
        return WH_OK;
    }
    if (r->authed && cls != WH_RATELIMIT_AUTH_IP) {
        memcpy(subject, "u:", 2);
        wh_str_from_i64(r->user.id, subject + 2);
    } else {
        char ip[INET6_ADDRSTRLEN];
        client_address(r, ip, sizeof ip);
        snprintf(subject, sizeof subject, "ip:%s", ip);
    }
    return charge(r, cls, subject, e);
}

wh_err wh_req_limit_email(wh_req *r, const char *email, wh_error *e)
{
    char hash[WH_CRYPTO_SHA256_HEX], subject[WH_CRYPTO_SHA256_HEX + 2];
    wh_crypto_sha256_hex(email, strlen(email), hash);
    snprintf(subject, sizeof subject, "e:%s", hash);
    return charge(r, WH_RATELIMIT_AUTH_EMAIL, subject, e);
}

void wh_http_limit_headers(wh_req *r)
{
    if (!r->rate_known)
        return;
    wh_resp_header_add(r, "RateLimit-Limit", wh_arena_i64(&r->arena, r->rate.limit));
    wh_resp_header_add(r, "RateLimit-Remaining", wh_arena_i64(&r->arena, r->rate.remaining));
    wh_resp_header_add(r, "RateLimit-Reset", wh_arena_i64(&r->arena, r->rate.reset_s));
    if (r->status == 429 && !r->rate.allowed)
        wh_resp_header_add(r, "Retry-After", wh_arena_i64(&r->arena, r->rate.retry_after_s));
}
