/* Cursor pagination. A cursor is base64url(HMAC-SHA256(key, list NUL payload)[0..16] ||
 * payload), payload = "<id>:<sort key>". The list name is signed but not sent, so a cursor
 * from one list fails verification on another; a forged or edited cursor fails too. */
#include "http/http.h"
#include "app.h"
#include "http/http_int.h"
#include "core/crypto.h"
#include "core/str.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAC_BYTES   16
#define PAYLOAD_MAX 1024

static void mac_of(const unsigned char key[32], const char *list, const char *payload, size_t plen,
                   unsigned char out[WH_CRYPTO_HMAC_BYTES])
{
    char msg[PAYLOAD_MAX + 64];
    size_t ll = strlen(list);
    if (ll > 63)
        ll = 63;
    memcpy(msg, list, ll);
    msg[ll] = '\0';
    memcpy(msg + ll + 1, payload, plen);
    wh_crypto_hmac(key, 32, msg, ll + 1 + plen, out);
}

void wh_cursor_encode(const unsigned char key[32], const char *list, const char *sort_key,
                      int64_t id, char *out, size_t cap)
{
    unsigned char raw[MAC_BYTES + PAYLOAD_MAX];
    unsigned char mac[WH_CRYPTO_HMAC_BYTES];
    int plen = snprintf((char *)raw + MAC_BYTES, PAYLOAD_MAX, "%lld:%s", (long long)id,
                        sort_key ? sort_key : "");
    if (plen < 0 || plen >= PAYLOAD_MAX)
        plen = PAYLOAD_MAX - 1; /* sort keys are bounded well below this */
    mac_of(key, list, (const char *)raw + MAC_BYTES, (size_t)plen, mac);
    memcpy(raw, mac, MAC_BYTES);
    wh_crypto_b64url_encode(raw, MAC_BYTES + (size_t)plen, out, cap);
}

bool wh_cursor_decode(const unsigned char key[32], const char *list, const char *cursor,
                      wh_arena *a, const char **sort_key, int64_t *id)
{
    unsigned char raw[MAC_BYTES + PAYLOAD_MAX];
    unsigned char mac[WH_CRYPTO_HMAC_BYTES];
    size_t n = 0, clen = strlen(cursor);
    if (clen == 0 || clen > WH_LIMIT_CURSOR_CHARS ||
        !wh_crypto_b64url_decode(cursor, clen, raw, sizeof raw, &n) || n <= MAC_BYTES)
        return false;
    const char *payload = (const char *)raw + MAC_BYTES;
    size_t plen = n - MAC_BYTES;
    mac_of(key, list, payload, plen, mac);
    if (!wh_crypto_equal(mac, raw, MAC_BYTES))
        return false;
    const char *colon = memchr(payload, ':', plen);
    if (!colon)
        return false;
    wh_str idpart = {payload, (size_t)(colon - payload)};
    if (!wh_str_to_i64(idpart, 0, INT64_MAX, id))
        return false;
    *sort_key = wh_arena_strndup(a, colon + 1, plen - (size_t)(colon + 1 - payload));
    return true;
}

wh_err wh_page_parse(wh_req *r, const wh_list *list, wh_page *pg, wh_error *e)
{
    const char *limit = wh_req_query(r, "limit");
    const char *cursor = wh_req_query(r, "cursor");
    int64_t v = WH_LIMIT_PAGE_DEFAULT;
    memset(pg, 0, sizeof *pg);
    pg->list = list;
    pg->ks.type = list->key;
    pg->ks.key = "";
    if (r->csv) { /* an export holds every page: limit and cursor are ignored */
        pg->size = WH_LIMIT_PAGE_DEFAULT;
        pg->ks.limit = pg->size + 1;
        return WH_OK;
    }
    if (limit && !wh_str_to_i64(wh_str_c(limit), WH_LIMIT_PAGE_MIN, WH_LIMIT_PAGE_MAX, &v))
        return wh_error_field(e, "limit", "must be an integer in %d..%d", WH_LIMIT_PAGE_MIN,
                              WH_LIMIT_PAGE_MAX);
    pg->size = (int)v;
    pg->ks.limit = pg->size + 1;
    if (!cursor)
        return WH_OK;
    if (!wh_cursor_decode(r->app->cursor_key, list->name, cursor, &r->arena, &pg->ks.key,
                          &pg->ks.id) ||
        (list->key == WH_KEY_INT &&
         !wh_str_to_i64(wh_str_c(pg->ks.key), INT64_MIN, INT64_MAX, &pg->ks.key_i)))
        return wh_fail(e, WH_ERR_BAD_CURSOR,
                       "The cursor was not issued by this server for this list.");
    pg->ks.after = true;
    return WH_OK;
}

/* Runs the page statement: out's rows, how many are shown and whether there are more (the row
 * fetched beyond the page only tells that); items left NULL. */
static wh_err page_rows(wh_req *r, wh_conn *c, const wh_page *pg, const wh_sqlb *b,
                        wh_list_rows *out, wh_error *e)
{
    wh_rows *rows = NULL;
    memset(out, 0, sizeof *out);
    wh_err rc = wh_sqlb_query(c, &r->arena, b, &rows, e);
    if (rc != WH_OK)
        return rc;
    size_t n = wh_rows_count(rows);
    out->rows = rows;
    out->more = n > (size_t)pg->size;
    out->shown = out->more ? (size_t)pg->size : n;
    return WH_OK;
}

wh_err wh_list_fetch(wh_req *r, wh_conn *c, const wh_page *pg, const wh_sqlb *b, wh_list_rows *out,
                     wh_error *e)
{
    memset(out, 0, sizeof *out);
    if (r->csv) { /* the export starts here; wh_resp_page keeps it as the answer */
        out->items = wh_req_keep(r, json_array());
        return wh_export_list(r, c, pg->list, b, NULL, NULL, e);
    }
    wh_err rc = page_rows(r, c, pg, b, out, e);
    if (rc != WH_OK)
        return rc;
    out->items = wh_req_keep(r, json_array());
    for (size_t i = 0; i < out->shown; i++)
        json_array_append_new(out->items, pg->list->row_json(out->rows, i));
    return WH_OK;
}

/* A string literal and its length, for wh_buf_append. */
#define LIT(s) s, sizeof s - 1

/* The cursor after the last row shown (rows[shown - 1]) into cur, or false when there are no
 * more rows. */
static bool next_cursor(wh_req *r, const wh_page *pg, const wh_rows *rows, size_t shown, bool more,
                        char cur[WH_LIMIT_CURSOR_CHARS + 1])
{
    const wh_list *l = pg->list;
    assert(l->id_col >= 0 && (l->key == WH_KEY_ID || l->key_col >= 0));
    if (!more || !shown)
        return false;
    int64_t id = wh_rows_int(rows, shown - 1, (size_t)l->id_col);
    const char *key = l->key == WH_KEY_ID ? "" : wh_rows_text(rows, shown - 1, (size_t)l->key_col);
    wh_cursor_encode(r->app->cursor_key, l->name, key ? key : "", id, cur,
                     WH_LIMIT_CURSOR_CHARS + 1);
    return true;
}

wh_err wh_resp_page(wh_req *r, const wh_page *pg, const wh_list_rows *lr)
{
    if (r->csv && r->export)
        return WH_OK;
    char cur[WH_LIMIT_CURSOR_CHARS + 1];
    json_t *out = json_pack("{s:O}", "items", lr->items), *next = json_null();
    if (next_cursor(r, pg, lr->rows, lr->shown, lr->more, cur))
        next = json_string(cur);
    json_object_set_new(out, "next_cursor", next);
    json_object_set_new(out, "has_more", json_boolean(lr->more));
    return wh_resp_json(r, 200, out);
}

wh_err wh_resp_list_text(wh_req *r, wh_conn *c, const wh_page *pg, const wh_sqlb *b,
                         wh_row_text_fn row_text, wh_error *e)
{
    if (r->csv)
        return wh_export_list(r, c, pg->list, b, NULL, NULL, e);
    wh_list_rows lr;
    wh_err rc = page_rows(r, c, pg, b, &lr, e);
    if (rc != WH_OK)
        return rc;
    char cur[WH_LIMIT_CURSOR_CHARS + 1];
    wh_buf out;
    wh_buf_init(&out, WH_LIMIT_ROW_TEXT_BYTES * (size_t)(WH_LIMIT_PAGE_MAX + 1));
    rc = wh_buf_append(&out, LIT("{\"items\":["));
    for (size_t i = 0; rc == WH_OK && i < lr.shown; i++) {
        if (i)
            rc = wh_buf_append(&out, LIT(","));
        if (rc == WH_OK)
            rc = row_text(lr.rows, i, &out);
    }
    if (rc == WH_OK)
        rc = wh_buf_append(&out, LIT("],\"next_cursor\":"));
    if (rc == WH_OK)
        rc = next_cursor(r, pg, lr.rows, lr.shown, lr.more, cur) ? wh_jw_quote(&out, cur)
                                                                 : wh_buf_append(&out, LIT("null"));
    if (rc == WH_OK)
        rc = lr.more ? wh_buf_append(&out, LIT(",\"has_more\":true}"))
                     : wh_buf_append(&out, LIT(",\"has_more\":false}"));
    if (rc != WH_OK) {
        wh_buf_cleanup(&out);
        return wh_fail(e, WH_ERR_INTERNAL, "The page could not be rendered.");
    }
    size_t len = 0;
    char *text = wh_buf_take(&out, &len);
    wh_arena_defer(&r->arena, free, text);
    return wh_resp_raw(r, 200, "application/json", text, len);
}

wh_err wh_resp_list_with(wh_req *r, wh_conn *c, const wh_page *pg, const wh_sqlb *b,
                         wh_item_fn extra, wh_error *e)
{
    wh_list_rows lr;
    if (r->csv)
        return wh_export_list(r, c, pg->list, b, extra, NULL, e);
    wh_err rc = wh_list_fetch(r, c, pg, b, &lr, e);
    for (size_t i = 0; rc == WH_OK && i < lr.shown; i++)
        rc = extra(r, c, json_array_get(lr.items, i), e);
    return rc == WH_OK ? wh_resp_page(r, pg, &lr) : rc;
}

wh_err wh_resp_list_paged(wh_req *r, wh_conn *c, const wh_page *pg, const wh_sqlb *b, wh_page_fn fn,
                          wh_error *e)
{
    wh_list_rows lr;
    if (r->csv)
        return wh_export_list(r, c, pg->list, b, NULL, fn, e);
    wh_err rc = wh_list_fetch(r, c, pg, b, &lr, e);
    if (rc == WH_OK)
        rc = fn(r, c, &pg->ks, lr.shown, lr.items, e);
    return rc == WH_OK ? wh_resp_page(r, pg, &lr) : rc;
}

wh_err wh_resp_list(wh_req *r, wh_conn *c, const wh_page *pg, const wh_sqlb *b, wh_error *e)
{
    wh_list_rows lr;
    wh_err rc = wh_list_fetch(r, c, pg, b, &lr, e);
    return rc == WH_OK ? wh_resp_page(r, pg, &lr) : rc;
}

wh_err wh_resp_venture_list(wh_req *r, const wh_list *l, wh_venture_list_fn sql, wh_error *e)
{
    wh_page pg;
    wh_sqlb b;
    int64_t venture_id = 0;
    wh_conn *c = NULL;
    wh_err rc = wh_page_parse(r, l, &pg, e);
    if (rc == WH_OK)
        rc = wh_req_venture_filter(r, &c, &venture_id, e);
    if (rc != WH_OK)
        return rc;
    sql(&r->user, venture_id, &pg.ks, &b);
    return wh_resp_list(r, c, &pg, &b, e);
}
