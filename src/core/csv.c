/* The streaming CSV reader of csv.h: a byte-at-a-time state machine (UTF-8 check, then the CSV
 * step), so a record may arrive split over any number of chunks. Invariant: rec holds the
 * fields of the current record ended so far, each followed by a NUL, then the bytes of the
 * field being read (start[nfields] is where it begins). */
#include "core/csv.h"

#include <string.h>

enum { S_START, S_UNQUOTED, S_QUOTED, S_QUOTE, S_AFTER };

void wh_csv_init(wh_csv *p, wh_csv_fn fn, void *ctx)
{
    memset(p, 0, sizeof *p);
    p->fn = fn;
    p->ctx = ctx;
    p->line = 1;
    p->rec_line = 1;
    wh_buf_init(&p->rec, WH_LIMIT_CSV_RECORD_BYTES + WH_LIMIT_CSV_FIELDS + 2);
}

void wh_csv_cleanup(wh_csv *p)
{
    wh_buf_cleanup(&p->rec);
}

static void bad(wh_csv *p, const char *why, int64_t line)
{
    p->status = WH_CSV_BAD;
    p->error = why;
    p->error_line = line;
}

/* Checks one byte as UTF-8; false (and the input bad) when it cannot be. */
static bool utf8_step(wh_csv *p, unsigned char b)
{
    if (p->utf8_need) {
        if (b < p->utf8_lo || b > p->utf8_hi)
            goto refuse;
        p->utf8_need--;
        p->utf8_lo = 0x80;
        p->utf8_hi = 0xBF;
        return true;
    }
    p->utf8_lo = 0x80;
    p->utf8_hi = 0xBF;
    if (b == 0)
        goto refuse;
    if (b < 0x80)
        return true;
    if (b >= 0xC2 && b <= 0xDF)
        p->utf8_need = 1;
    else if (b >= 0xE0 && b <= 0xEF) {
        p->utf8_need = 2;
        p->utf8_lo = b == 0xE0 ? 0xA0 : 0x80;
        p->utf8_hi = b == 0xED ? 0x9F : 0xBF;
    } else if (b >= 0xF0 && b <= 0xF4) {
        p->utf8_need = 3;
        p->utf8_lo = b == 0xF0 ? 0x90 : 0x80;
        p->utf8_hi = b == 0xF4 ? 0x8F : 0xBF;
    } else
        goto refuse;
    return true;
refuse:
    bad(p, "is not valid UTF-8", p->line);
    return false;
}

static void put(wh_csv *p, char ch)
{
    if (p->rec_error)
        return;
    if (p->rec.len >= WH_LIMIT_CSV_RECORD_BYTES || wh_buf_append(&p->rec, &ch, 1) != WH_OK)
        p->rec_error = "the record is longer than 65536 bytes";
}

static void end_field(wh_csv *p)
{
    char nul = '\0';
    if (!p->rec_error && p->state != S_AFTER && p->state != S_QUOTE)
        p->rec.len -= p->trail; /* unquoted: trailing spaces and tabs trimmed */
    p->trail = 0;
    if (p->nfields == WH_LIMIT_CSV_FIELDS)
        p->rec_error = "the record has more than 64 fields";
    if (p->rec_error)
        return;
    if (wh_buf_append(&p->rec, &nul, 1) != WH_OK) {
        p->rec_error = "the record is longer than 65536 bytes";
        return;
    }
    p->nfields++;
    p->start[p->nfields] = p->rec.len;
    p->quoted[p->nfields] = false;
}

static void reset(wh_csv *p)
{
    p->rec.len = 0;
    p->nfields = 0;
    p->start[0] = 0;
    p->quoted[0] = false;
    p->trail = 0;
    p->any = false;
    p->rec_error = NULL;
    p->state = S_START;
}

static void end_record(wh_csv *p)
{
    if (!p->any) { /* a line with no characters at all */
        reset(p);
        return;
    }
    end_field(p);
    const char *fields[WH_LIMIT_CSV_FIELDS];
    wh_csv_record rec = {
        .line = p->rec_line, .field = fields, .quoted = p->quoted, .error = p->rec_error};
    if (!rec.error) {
        rec.n = p->nfields;
        for (size_t i = 0; i < p->nfields; i++)
            fields[i] = p->rec.data + p->start[i];
    }
    if (!p->fn(p->ctx, &rec))
        p->status = WH_CSV_STOPPED;
    reset(p);
}

/* The CSV step of one (valid UTF-8) byte; the line counter moves after it. */
static void csv_step(wh_csv *p, char ch)
{
    if (p->state == S_START && !p->any)
        p->rec_line = p->line;
    if (ch == '\r' && p->state != S_QUOTED)
        return;
    switch (p->state) {
    case S_START:
        if (ch == '\n') {
            end_record(p);
            return;
        }
        p->any = true;
        if (ch == ' ' || ch == '\t')
            return;
        if (ch == '"') {
            p->quoted[p->nfields] = true;
            p->state = S_QUOTED;
            return;
        }
        p->state = S_UNQUOTED;
        /* fall through */
    case S_UNQUOTED:
        p->any = true;
        if (ch == ',') {
            end_field(p);
            p->state = S_START;
        } else if (ch == '\n') {
            end_record(p);
        } else {
            p->trail = ch == ' ' || ch == '\t' ? p->trail + 1 : 0;
            put(p, ch);
        }
        return;
    case S_QUOTED:
        if (ch == '"')
            p->state = S_QUOTE;
        else
            put(p, ch);
        return;
    case S_QUOTE:
        if (ch == '"') {
            put(p, ch);
            p->state = S_QUOTED;
            return;
        }
        p->state = S_AFTER;
        /* fall through */
    default: /* S_AFTER: after the closing quote */
        if (ch == ',') {
            end_field(p);
            p->state = S_START;
        } else if (ch == '\n') {
            end_record(p);
        } else if (ch != ' ' && ch != '\t') {
            p->rec_error = "text follows a closing quote";
        }
        return;
    }
}

static void step(wh_csv *p, unsigned char b)
{
    if (!utf8_step(p, b))
        return;
    csv_step(p, (char)b);
    if (b == '\n')
        p->line++;
}

wh_csv_status wh_csv_feed(wh_csv *p, const char *data, size_t n)
{
    static const unsigned char bom[3] = {0xEF, 0xBB, 0xBF};
    size_t i = 0;
    while (p->status == WH_CSV_OK && !p->head_done && i < n) {
        p->head[p->nhead++] = (unsigned char)data[i++];
        if (p->head[p->nhead - 1] != bom[p->nhead - 1]) {
            p->head_done = true;
            for (int k = 0; k < p->nhead && p->status == WH_CSV_OK; k++)
                step(p, p->head[k]);
        } else if (p->nhead == 3) {
            p->head_done = true; /* a byte-order mark: skipped */
        }
    }
    for (; i < n && p->status == WH_CSV_OK; i++)
        step(p, (unsigned char)data[i]);
    return p->status;
}

wh_csv_status wh_csv_finish(wh_csv *p)
{
    if (p->status == WH_CSV_OK && !p->head_done) {
        p->head_done = true;
        for (int k = 0; k < p->nhead && p->status == WH_CSV_OK; k++)
            step(p, p->head[k]);
    }
    if (p->status != WH_CSV_OK)
        return p->status;
    if (p->utf8_need)
        bad(p, "is not valid UTF-8 (a character is cut off at the end)", p->line);
    else if (p->state == S_QUOTED)
        bad(p, "has a quoted field that is never closed", p->rec_line);
    else if (p->any)
        end_record(p);
    return p->status;
}

const char *wh_csv_unguard(const char *v)
{
    return v[0] == '\'' && v[1] && strchr(WH_CSV_FORMULA_LEADS, v[1]) ? v + 1 : v;
}
