/* The list statement builder (db.h, wh_sqlb): the conditions a request uses, numbered
 * parameters, the keyset seek in index order. Invariant: sql[len] is '\0', n parameters are
 * bound, and a statement that overflowed is never run. */
#include "db/db.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void append(wh_sqlb *b, const char *text, size_t n)
{
    if (b->overflow || b->len + n >= sizeof b->sql) {
        b->overflow = true;
        return;
    }
    memcpy(b->sql + b->len, text, n);
    b->len += n;
    b->sql[b->len] = '\0';
}

static void append_s(wh_sqlb *b, const char *text)
{
    append(b, text, strlen(text));
}

/* Binds p and writes its "$n". */
static void bind(wh_sqlb *b, wh_param p)
{
    char num[16];
    if (b->n >= WH_LIMIT_SQL_PARAMS) {
        b->overflow = true;
        return;
    }
    b->params[b->n++] = p;
    int len = snprintf(num, sizeof num, "$%d", b->n);
    append(b, num, (size_t)len);
}

void wh_sqlb_init(wh_sqlb *b, const char *head)
{
    b->len = 0;
    b->n = 0;
    b->where = false;
    b->overflow = false;
    b->paged.set = false;
    b->sql[0] = '\0';
    append_s(b, head);
}

static void start_condition(wh_sqlb *b)
{
    append_s(b, b->where ? " AND (" : " WHERE (");
    b->where = true;
}

void wh_sqlb_and(wh_sqlb *b, const char *cond, ...)
{
    va_list ap;
    va_start(ap, cond);
    start_condition(b);
    for (const char *p = cond; *p; p++) {
        const char *q = strchr(p, '?');
        if (!q) {
            append_s(b, p);
            break;
        }
        append(b, p, (size_t)(q - p));
        bind(b, va_arg(ap, wh_param));
        p = q;
    }
    append_s(b, ")");
    va_end(ap);
}

void wh_sqlb_and_id(wh_sqlb *b, const char *cond, int64_t id)
{
    if (id != 0)
        wh_sqlb_and(b, cond, WH_PI(id));
}

void wh_sqlb_and_text(wh_sqlb *b, const char *cond, const char *s)
{
    if (s && *s)
        wh_sqlb_and(b, cond, WH_PT(s));
}

void wh_sqlb_and_flag(wh_sqlb *b, const char *cond, bool has, bool flag)
{
    if (has)
        wh_sqlb_and(b, cond, WH_PB(flag));
}

void wh_sqlb_seek(wh_sqlb *b, const char *cols, bool desc, wh_param key, wh_param id)
{
    start_condition(b);
    append_s(b, "(");
    append_s(b, cols);
    append_s(b, desc ? ") < (" : ") > (");
    bind(b, key);
    append_s(b, ", ");
    bind(b, id);
    append_s(b, "))");
}

void wh_sqlb_text(wh_sqlb *b, const char *text)
{
    append_s(b, text);
    b->where = false;
}

void wh_sqlb_order(wh_sqlb *b, const char *order, int64_t limit)
{
    append_s(b, " ORDER BY ");
    append_s(b, order);
    append_s(b, " LIMIT ");
    bind(b, WH_PI(limit));
}

void wh_sqlb_page(wh_sqlb *b, const char *key_col, const char *id_col, bool desc,
                  const wh_keyset *ks)
{
    const char *dir = desc ? " DESC" : " ASC";
    if (!b->paged.set) {
        b->paged.set = true;
        b->paged.len = b->len;
        b->paged.n = b->n;
        b->paged.where = b->where;
        b->paged.key_col = key_col;
        b->paged.id_col = id_col;
        b->paged.desc = desc;
    }
    if (ks->after && ks->type == WH_KEY_ID) {
        start_condition(b);
        append_s(b, id_col);
        append_s(b, desc ? " < " : " > ");
        bind(b, WH_PI(ks->id));
        append_s(b, ")");
    } else if (ks->after) {
        start_condition(b);
        append_s(b, "(");
        append_s(b, key_col);
        append_s(b, ", ");
        append_s(b, id_col);
        append_s(b, desc ? ") < (" : ") > (");
        bind(b, ks->type == WH_KEY_INT ? WH_PI(ks->key_i) : WH_PT(ks->key));
        append_s(b, ", ");
        bind(b, WH_PI(ks->id));
        append_s(b, "))");
    }
    append_s(b, " ORDER BY ");
    if (ks->type != WH_KEY_ID) {
        append_s(b, key_col);
        append_s(b, dir);
        append_s(b, ", ");
    }
    append_s(b, id_col);
    append_s(b, dir);
    append_s(b, " LIMIT ");
    bind(b, WH_PI(ks->limit));
}

void wh_sqlb_repage(wh_sqlb *b, const wh_keyset *ks)
{
    assert(b->paged.set);
    if (b->overflow || b->paged.len > b->len) /* an overflow is reported by wh_sqlb_query */
        return;
    b->len = b->paged.len;
    b->n = b->paged.n;
    b->where = b->paged.where;
    b->sql[b->len] = '\0';
    wh_sqlb_page(b, b->paged.key_col, b->paged.id_col, b->paged.desc, ks);
}

wh_err wh_sqlb_query(wh_conn *c, wh_arena *a, const wh_sqlb *b, wh_rows **out, wh_error *e)
{
    assert(!b->overflow); /* the lists are fixed shapes: a test would have seen it */
    if (b->overflow)
        return wh_fail(e, WH_ERR_INTERNAL, "A list statement did not fit its bounds.");
    return wh_db_query(c, a, b->sql, b->params, b->n, out, e);
}
