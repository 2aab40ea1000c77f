/* wh_jin getters: each failure adds a field error and marks the input bad. */
#include "core/json.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/limits.h"
#include "core/str.h"

#include <string.h>

void wh_jin_init(wh_jin *in, json_t *obj, wh_error *e)
{
    in->obj = obj;
    in->e = e;
    in->bad = false;
}

static void fail(wh_jin *in, const char *key, const char *msg)
{
    in->bad = true;
    (void)wh_error_field(in->e, key, "%s", msg);
}

void wh_jin_allow(wh_jin *in, const char *const *allowed)
{
    const char *key;
    json_t *val;
    json_object_foreach(in->obj, key, val)
    {
        bool ok = false;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = strcmp(*a, key) == 0;
        if (!ok)
            fail(in, key, "is not a known field");
    }
}

bool wh_jin_has(const wh_jin *in, const char *key)
{
    return json_object_get(in->obj, key) != NULL;
}

bool wh_jin_is_null(const wh_jin *in, const char *key)
{
    return json_is_null(json_object_get(in->obj, key));
}

static json_t *member(wh_jin *in, const char *key, bool required)
{
    json_t *v = json_object_get(in->obj, key);
    if ((!v || json_is_null(v)) && required)
        fail(in, key, "is required");
    return v && !json_is_null(v) ? v : NULL;
}

const char *wh_jin_str(wh_jin *in, const char *key, bool required, size_t min, size_t max)
{
    json_t *v = member(in, key, required);
    if (!v)
        return NULL;
    if (!json_is_string(v)) {
        fail(in, key, "must be a string");
        return NULL;
    }
    const char *s = json_string_value(v);
    size_t bytes = json_string_length(v);
    size_t chars = wh_str_utf8_len(s, bytes);
    if (memchr(s, '\0', bytes)) {
        fail(in, key, "must not contain NUL characters");
        return NULL;
    }
    if (chars < min || chars > max) {
        char msg[96];
        if (min > 0 && chars < min)
            snprintf(msg, sizeof msg, "must be at least %zu characters", min);
        else
            snprintf(msg, sizeof msg, "must be at most %zu characters", max);
        fail(in, key, msg);
        return NULL;
    }
    return s;
}

const char *wh_jin_enum(wh_jin *in, const char *key, bool required, const char *const *values)
{
    json_t *v = member(in, key, required);
    if (!v)
        return NULL;
    if (json_is_string(v))
        for (const char *const *p = values; *p; p++)
            if (strcmp(*p, json_string_value(v)) == 0)
                return *p;
    char msg[160];
    size_t off = (size_t)snprintf(msg, sizeof msg, "must be one of");
    for (const char *const *p = values; *p && off < sizeof msg; p++)
        off += (size_t)snprintf(msg + off, sizeof msg - off, "%s %s", p == values ? "" : ",", *p);
    fail(in, key, msg);
    return NULL;
}

const char *wh_jin_day(wh_jin *in, const char *key, bool required)
{
    int y, m, d;
    const char *s = wh_jin_str(in, key, required, 10, 10);
    if (s && !wh_clock_parse_date(s, &y, &m, &d)) {
        fail(in, key, "must be a calendar day YYYY-MM-DD");
        return NULL;
    }
    return s;
}

int64_t wh_jin_int(wh_jin *in, const char *key, bool required, int64_t min, int64_t max,
                   int64_t dflt)
{
    json_t *v = member(in, key, required);
    if (!v)
        return dflt;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        char msg[96];
        snprintf(msg, sizeof msg, "must be an integer in %lld..%lld", (long long)min,
                 (long long)max);
        fail(in, key, msg);
        return dflt;
    }
    return json_integer_value(v);
}

bool wh_jin_bool(wh_jin *in, const char *key, bool required, bool dflt)
{
    json_t *v = member(in, key, required);
    if (!v)
        return dflt;
    if (!json_is_boolean(v)) {
        fail(in, key, "must be true or false");
        return dflt;
    }
    return json_is_true(v);
}

int64_t *wh_jin_ids(wh_jin *in, const char *key, size_t max, wh_arena *a, size_t *n)
{
    json_t *v = member(in, key, true);
    *n = 0;
    if (!v)
        return NULL;
    if (!json_is_array(v) || json_array_size(v) > max) {
        fail(in, key, "must be an array of at most 500 ids");
        return NULL;
    }
    int64_t *ids = wh_arena_alloc(a, sizeof *ids * (json_array_size(v) + 1));
    size_t count = 0;
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item)
    {
        if (!json_is_integer(item) || json_integer_value(item) <= 0) {
            fail(in, key, "must contain positive integer ids");
            return NULL;
        }
        bool dup = false;
        for (size_t k = 0; k < count && !dup; k++)
            dup = ids[k] == json_integer_value(item);
        if (!dup)
            ids[count++] = json_integer_value(item);
    }
    *n = count;
    return ids;
}

wh_err wh_jin_done(const wh_jin *in)
{
    return in->bad ? WH_ERR_INVALID : WH_OK;
}

static int depth_of(json_t *v)
{
    int d = 0;
    size_t i;
    const char *k;
    json_t *c;
    if (json_is_array(v)) {
        json_array_foreach(v, i, c)
        {
            int cd = depth_of(c);
            d = cd > d ? cd : d;
        }
        return d + 1;
    }
    if (json_is_object(v)) {
        json_object_foreach(v, k, c)
        {
            int cd = depth_of(c);
            d = cd > d ? cd : d;
        }
        return d + 1;
    }
    return 0;
}

wh_err wh_json_parse_object(const char *body, size_t len, json_t **out, wh_error *e)
{
    json_error_t jerr;
    *out = NULL;
    json_t *v = json_loadb(body ? body : "", len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
    if (!v)
        return wh_fail(e, WH_ERR_BAD_JSON, "The body is not valid JSON: %s (line %d)", jerr.text,
                       jerr.line);
    if (!json_is_object(v)) {
        json_decref(v);
        return wh_fail(e, WH_ERR_INVALID, "The body must be a JSON object.");
    }
    if (depth_of(v) > WH_LIMIT_JSON_DEPTH) {
        json_decref(v);
        return wh_fail(e, WH_ERR_BAD_JSON, "The body nests deeper than %d levels.",
                       WH_LIMIT_JSON_DEPTH);
    }
    *out = v;
    return WH_OK;
}

json_t *wh_json_time(int64_t ms)
{
    char buf[32];
    if (ms == 0)
        return json_null();
    wh_clock_render_ms(ms, buf, sizeof buf);
    return json_string(buf);
}

json_t *wh_json_str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *wh_json_text(const char *s, size_t cap, wh_utf8_mode mode)
{
    char *buf = wh_malloc(cap);
    size_t n = wh_str_utf8_clean(s ? s : "", s ? strlen(s) : 0, buf, cap, mode);
    json_t *out = json_stringn_nocheck(buf, n);
    wh_free(buf);
    return out;
}

/* ---------------------------------------------------------------- text writer */

void wh_jw_begin(wh_jw *w, wh_buf *b)
{
    w->b = b;
    w->first = true;
    w->rc = wh_buf_append(b, "{", 1);
}

static void jw_put(wh_jw *w, const char *p, size_t n)
{
    if (w->rc == WH_OK)
        w->rc = wh_buf_append(w->b, p, n);
}

wh_err wh_jw_quote(wh_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    wh_err rc = wh_buf_append(b, "\"", 1);
    const unsigned char *p = (const unsigned char *)s, *run = p;
    for (; rc == WH_OK && *p; p++) {
        unsigned char c = *p;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        char esc[6] = {'\\', 0, 0, 0, 0, 0};
        size_t n = 2;
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            n = 6;
        }
        rc = wh_buf_append(b, run, (size_t)(p - run));
        if (rc == WH_OK)
            rc = wh_buf_append(b, esc, n);
        run = p + 1;
    }
    if (rc == WH_OK)
        rc = wh_buf_append(b, run, (size_t)(p - run));
    return rc == WH_OK ? wh_buf_append(b, "\"", 1) : rc;
}

/* ,"key": written in place when the buffer has room (keys are the code's own names: nothing to
 * escape). Not through a buffer on the stack: the compiler copied that with rep movsq, whose
 * start-up cost made this the hottest function of a list page. */
static void jw_key(wh_jw *w, const char *key)
{
    size_t n = strlen(key), at = w->first ? 0 : 1;
    wh_buf *b = w->b;
    w->first = false;
    if (w->rc != WH_OK)
        return;
    if (b->cap == 0 || at + n + 3 >= b->cap - b->len) { /* the general way, growing the buffer */
        jw_put(w, ",", at);
        if (w->rc == WH_OK)
            w->rc = wh_jw_quote(b, key);
        jw_put(w, ":", 1);
        return;
    }
    char *d = b->data + b->len;
    d[0] = ',';
    d[at] = '"';
    memcpy(d + at + 1, key, n);
    d[at + 1 + n] = '"';
    d[at + 2 + n] = ':';
    d[at + 3 + n] = '\0';
    b->len += at + n + 3;
}

void wh_jw_str(wh_jw *w, const char *key, const char *s)
{
    jw_key(w, key);
    if (!s)
        jw_put(w, "null", 4);
    else if (w->rc == WH_OK)
        w->rc = wh_jw_quote(w->b, s);
}

void wh_jw_int(wh_jw *w, const char *key, int64_t v)
{
    char buf[WH_STR_I64_BYTES];
    size_t n = wh_str_from_i64(v, buf);
    jw_key(w, key);
    jw_put(w, buf, n);
}

void wh_jw_int_or_null(wh_jw *w, const char *key, bool has, int64_t v)
{
    if (has) {
        wh_jw_int(w, key, v);
    } else {
        jw_key(w, key);
        jw_put(w, "null", 4);
    }
}

void wh_jw_id(wh_jw *w, const char *key, int64_t id)
{
    wh_jw_int_or_null(w, key, id != 0, id);
}

void wh_jw_bool(wh_jw *w, const char *key, bool v)
{
    jw_key(w, key);
    jw_put(w, v ? "true" : "false", v ? 4 : 5);
}

void wh_jw_time(wh_jw *w, const char *key, int64_t ms)
{
    char buf[32];
    if (ms != 0)
        wh_clock_render_ms(ms, buf, sizeof buf);
    wh_jw_str(w, key, ms != 0 ? buf : NULL);
}

wh_err wh_jw_end(wh_jw *w)
{
    jw_put(w, "}", 1);
    return w->rc;
}

json_t *wh_jw_parse(const char *text, size_t len)
{
    json_t *o = json_loadb(text, len, 0, NULL);
    if (o && !json_is_object(o)) {
        json_decref(o);
        o = NULL;
    }
    return o;
}

json_t *wh_jw_object(wh_buf *b, wh_err rc)
{
    json_t *o = rc == WH_OK ? wh_jw_parse(b->data, b->len) : NULL;
    wh_buf_cleanup(b);
    return o ? o : json_object();
}
