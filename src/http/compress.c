/* gzip for responses over 1 KiB when the client's Accept-Encoding accepts gzip. */
#include "http/http_int.h"

#include <string.h>
#include <strings.h>
#include <zlib.h>

#define GZIP_MIN_BYTES 1024

/* s[0..n) without blanks around it. */
static void trim(const char **s, size_t *n)
{
    while (*n > 0 && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

/* An RFC 9110 qvalue ("0", "0.5", "1.000") in thousandths; 0 when malformed, so a weight the
 * server cannot read never enables a coding. */
static int qvalue(const char *s, size_t n)
{
    if (n == 0 || (s[0] != '0' && s[0] != '1') || n > 5 || (n > 1 && s[1] != '.'))
        return 0;
    int q = (s[0] - '0') * 1000, scale = 100;
    for (size_t i = 2; i < n; i++, scale /= 10) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        q += (s[i] - '0') * scale;
    }
    return q > 1000 ? 0 : q;
}

/* The weight of one element "coding *( ; param )": its q parameter, else 1000. */
static int weight(const char *params, size_t n)
{
    int q = 1000;
    while (n > 0) {
        size_t len = 0;
        while (len < n && params[len] != ';')
            len++;
        const char *p = params;
        size_t plen = len;
        trim(&p, &plen);
        if (plen >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=')
            q = qvalue(p + 2, plen - 2);
        params += len < n ? len + 1 : len;
        n -= len < n ? len + 1 : len;
    }
    return q;
}

int wh_http_accept_weight(const char *header, const char *want)
{
    int best = -1;
    size_t want_len = strlen(want);
    const char *p = header ? header : "";
    while (*p) {
        size_t n = strcspn(p, ","), name_len = strcspn(p, ";,");
        const char *name = p;
        int q = weight(p + name_len, n - name_len);
        trim(&name, &name_len);
        if (name_len == want_len && strncasecmp(name, want, want_len) == 0 &&
            (best < 0 || q < best))
            best = q;
        p += n;
        if (*p == ',')
            p++;
    }
    return best;
}

/* gzip or x-gzip (the lower when both are listed), else "*". */
bool wh_http_accepts_gzip(const char *accept_encoding)
{
    int gzip = wh_http_accept_weight(accept_encoding, "gzip");
    int xgzip = wh_http_accept_weight(accept_encoding, "x-gzip");
    if (xgzip >= 0 && (gzip < 0 || xgzip < gzip))
        gzip = xgzip;
    return gzip >= 0 ? gzip > 0 : wh_http_accept_weight(accept_encoding, "*") > 0;
}

bool wh_http_gzip(wh_arena *a, const char *in, size_t n, const char **out, size_t *out_len)
{
    z_stream zs;
    *out = NULL;
    *out_len = 0;
    if (n <= GZIP_MIN_BYTES)
        return false;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK)
        return false;
    uLong cap = deflateBound(&zs, (uLong)n);
    unsigned char *buf = wh_arena_alloc(a, cap);
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)n;
    zs.next_out = buf;
    zs.avail_out = (uInt)cap;
    bool ok = deflate(&zs, Z_FINISH) == Z_STREAM_END;
    if (ok) {
        *out = (const char *)buf;
        *out_len = zs.total_out;
    }
    deflateEnd(&zs);
    return ok;
}

void wh_http_compress(wh_req *r)
{
    const char *gz = r->resp_gzip;
    size_t gz_len = r->resp_gzip_len;
    if (r->resp_len <= GZIP_MIN_BYTES || !r->conn)
        return;
    /* the answer depends on the header whether or not this client gets gzip */
    wh_resp_header_add(r, "Vary", "Accept-Encoding");
    if (!wh_http_accepts_gzip(wh_req_header(r, "Accept-Encoding")))
        return;
    if (gz || wh_http_gzip(&r->arena, r->resp_body, r->resp_len, &gz, &gz_len)) {
        r->resp_body = (char *)gz;
        r->resp_len = gz_len;
        r->resp_gzip = NULL;
        wh_resp_header_add(r, "Content-Encoding", "gzip");
    }
}
