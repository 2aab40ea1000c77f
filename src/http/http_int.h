/* Private to src/http. */
#ifndef WH_HTTP_HTTP_INT_H
#define WH_HTTP_HTTP_INT_H

#include "http/http.h"

/* Runs the pipeline for a request whose body has been read: routing, authentication,
 * permission, handler, problem rendering. Always leaves a response in r. */
void wh_http_dispatch(wh_req *r);
/* gzip-compresses the response when it is larger than 1 KiB and the client accepts gzip. */
void wh_http_compress(wh_req *r);

#endif
