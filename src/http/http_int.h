/* Private to src/http. */
#ifndef WH_HTTP_HTTP_INT_H
#define WH_HTTP_HTTP_INT_H

#include "http/http.h"

/* Runs the pipeline for a request whose body has been read: routing, authentication,
 * permission, handler, problem rendering. Always leaves a response in r. */
void wh_http_dispatch(wh_req *r);
/* The route's WH_RULE_REFUSE rule (auth.h), after its permission: 403 forbidden naming the rule
 * when it limits the caller's role. Other kinds of rule are applied by the handler and its store
 * with the rule's own predicate. */
wh_err wh_http_check_rule(wh_req *r, wh_error *e);
/* After the handler: a route not flagged WH_ROUTE_RAW answers JSON or nothing; anything else is
 * a programming error, logged and answered 500 internal instead. */
wh_err wh_http_check_answer(wh_req *r, wh_error *e);
/* gzip-compresses the response when it is larger than 1 KiB and the client accepts gzip (with
 * r->resp_gzip, sends that instead of compressing). */
void wh_http_compress(wh_req *r);
/* The gzip form of in[0..n) into the arena when n is over the 1 KiB threshold; false (and
 * *out_len 0) when it is not or compression failed. */
bool wh_http_gzip(wh_arena *a, const char *in, size_t n, const char **out, size_t *out_len);
/* Whether an Accept-Encoding value (NULL: none) accepts gzip (RFC 9110 §12.5.3): gzip or x-gzip
 * with a non-zero q, or, when neither is named, "*" with a non-zero q. A malformed q is 0. */
bool wh_http_accepts_gzip(const char *accept_encoding);

/* The weight in thousandths an Accept-style header (NULL: none) gives the element name (a
 * coding, a media type; case-insensitive), its lowest when listed twice; -1 when not listed. */
int wh_http_accept_weight(const char *header, const char *name);

/* CSV export (export.c, docs/export.md). wh_http_format reads ?format and Accept before the
 * handler: sets r->csv on a WH_ROUTE_CSV route asked for CSV; 400 validation_failed (format) for
 * a format other than csv or json, or any format on another route. */
wh_err wh_http_format(wh_req *r, wh_error *e);
/* Answers the rows of list statement b (ended by wh_sqlb_page) on c as a streamed CSV export:
 * reads and renders the first chunk now (a failure is the request's problem), the rest as the
 * client takes them. extra and page (either may be NULL) complete each chunk's items. */
wh_err wh_export_list(wh_req *r, wh_conn *c, const wh_list *l, const wh_sqlb *b, wh_item_fn extra,
                      wh_page_fn page, wh_error *e);
/* Answers rows (a JSON array of objects, a new reference taken) as a CSV export; fields as in
 * wh_resp_rows_with. */
wh_err wh_export_rows(wh_req *r, json_t *rows, const char *const *fields, wh_error *e);
/* The streamed answer of r->export as a struct MHD_Response (the caller adds the headers,
 * queues and destroys it): r is moved to the heap and lives, with its arena, until
 * libmicrohttpd is done with the answer; then the export's audit entry is written and it is
 * freed. r must not be cleaned up by the caller. */
void *wh_export_response(wh_req *r);

/* Where a request's reads go (http/reads.c): true for a GET or HEAD when the app has replicas;
 * the session's last write position (0: none known), the least a replica must have replayed. */
bool wh_reads_may_use_replica(const wh_req *r);
uint64_t wh_reads_min_lsn(wh_req *r);

/* GET /metrics: the registry plus what is read at scrape time (metrics.c). */
wh_err wh_http_metrics(wh_req *r, wh_error *e);
/* The rate-limit step: charges the request to its route's class (nothing for WH_RATE_NONE),
 * keyed by the signed-in user or else the client address; 429 rate_limited when refused. */
wh_err wh_http_limit_route(wh_req *r, wh_error *e);
/* True when the request's TCP peer is a trusted proxy (WH_TRUSTED_PROXIES), whose
 * X-Forwarded-* headers may then be believed. */
bool wh_http_peer_trusted(wh_req *r);
/* Adds RateLimit-Limit/-Remaining/-Reset (and Retry-After on a 429) for the request's tightest
 * decision; nothing when the request was not limited or the limiter failed open. */
void wh_http_limit_headers(wh_req *r);

/* Idempotency-Key state of one request. */
typedef struct {
    const char *key; /* set when this request owns the key and must store its answer */
    bool answered;   /* the response came from (or waited on) an earlier request */
    char hash[65];
} wh_idem;

/* Before the handler: claims the key, or fills the response (replay) or e (422/409). */
wh_err wh_idem_begin(wh_req *r, wh_idem *st, wh_error *e);
/* After the handler (whatever it returned, its problem already rendered): when the handler
 * committed (held), writes the answer into that transaction and commits both, then runs the
 * wh_req_after_commit hooks; when the commit fails, the answer becomes the failure and the key
 * is forgotten. When it committed nothing, rolls back whatever it left open and stores the
 * answer on its own (or forgets the key after a 5xx). */
void wh_idem_end(wh_req *r, const wh_idem *st);
/* Commits now a commit held for r->idem_key, with the claim marked EXECUTED (the changes are
 * in, the answer is not yet), and runs the after-commit hooks: for a request that gives its
 * connection back before it has an answer (wh_req_db_done). A failure is kept in
 * r->commit_failed for wh_idem_end. Does nothing when no commit is held. */
void wh_idem_flush(wh_req *r);

#endif
