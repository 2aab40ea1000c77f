/* gzip for responses over 1 KiB when the client sends Accept-Encoding: gzip. */
#include "http/http_int.h"

#include <string.h>
#include <zlib.h>

#define GZIP_MIN_BYTES 1024

static bool accepts_gzip(wh_req *r)
{
    const char *ae = wh_req_header(r, "Accept-Encoding");
    return ae && strstr(ae, "gzip") != NULL;
}

void wh_http_compress(wh_req *r)
{
    if (r->resp_len <= GZIP_MIN_BYTES || !r->conn || !accepts_gzip(r))
        return;
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK)
        return;
    uLong cap = deflateBound(&zs, (uLong)r->resp_len);
    unsigned char *out = wh_arena_alloc(&r->arena, cap);
    zs.next_in = (Bytef *)r->resp_body;
    zs.avail_in = (uInt)r->resp_len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    int rc = deflate(&zs, Z_FINISH);
    if (rc == Z_STREAM_END) {
        r->resp_body = (char *)out;
        r->resp_len = zs.total_out;
        wh_resp_header_add(r, "Content-Encoding", "gzip");
    }
    wh_resp_header_add(r, "Vary", "Accept-Encoding");
    deflateEnd(&zs);
}
