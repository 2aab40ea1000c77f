/* The streaming CSV reader of CSV imports (src/core/csv.c). The input is the file. Properties:
 *  - every record's line is at least 1, never before the previous record's, and no later than
 *    the input's line count; a bad record has no fields, a good one 1..WH_LIMIT_CSV_FIELDS;
 *  - every field is valid UTF-8 without NUL (wh_str_utf8_valid), within the record limit, and
 *    an unquoted one neither starts nor ends with a space or a tab;
 *  - the outcome (records, status, error line) is the same whether the input is fed whole or
 *    one byte at a time, or in chunks of 7;
 *  - a bad input names a line between 1 and the input's line count. */
#include "fuzz.h"

#include "core/csv.h"
#include "core/str.h"

typedef struct {
    uint64_t digest; /* FNV-1a of every record's line and fields */
    int64_t last_line, max_line;
    size_t records;
} seen;

static void mix(uint64_t *h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        *h = (*h ^ b[i]) * 1099511628211ULL;
}

static bool on_record(void *ctx, const wh_csv_record *rec)
{
    seen *s = ctx;
    FUZZ_CHECK(rec->line >= 1 && rec->line >= s->last_line && rec->line <= s->max_line);
    s->last_line = rec->line;
    s->records++;
    mix(&s->digest, &rec->line, sizeof rec->line);
    if (rec->error) {
        FUZZ_CHECK(rec->n == 0);
        mix(&s->digest, rec->error, strlen(rec->error));
        return true;
    }
    FUZZ_CHECK(rec->n >= 1 && rec->n <= WH_LIMIT_CSV_FIELDS);
    for (size_t i = 0; i < rec->n; i++) {
        size_t len = strlen(rec->field[i]);
        FUZZ_CHECK(len <= WH_LIMIT_CSV_RECORD_BYTES);
        FUZZ_CHECK(wh_str_utf8_valid(rec->field[i], len));
        if (!rec->quoted[i] && len) {
            char first = rec->field[i][0], last = rec->field[i][len - 1];
            FUZZ_CHECK(first != ' ' && first != '\t' && last != ' ' && last != '\t');
        }
        mix(&s->digest, rec->field[i], len + 1);
        mix(&s->digest, &rec->quoted[i], 1);
    }
    return true;
}

static void parse(const uint8_t *data, size_t size, size_t chunk, seen *s, wh_csv_status *st,
                  int64_t *err_line)
{
    wh_csv p;
    wh_csv_init(&p, on_record, s);
    for (size_t i = 0; i < size;) {
        size_t k = chunk && size - i > chunk ? chunk : size - i;
        (void)wh_csv_feed(&p, (const char *)data + i, k);
        i += k;
    }
    *st = wh_csv_finish(&p);
    *err_line = *st == WH_CSV_BAD ? p.error_line : 0;
    if (*st == WH_CSV_BAD)
        FUZZ_CHECK(p.error && p.error_line >= 1 && p.error_line <= s->max_line);
    wh_csv_cleanup(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t chunks[] = {1, 7};
    int64_t lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    seen whole = {.digest = 14695981039346656037ULL, .max_line = lines};
    wh_csv_status st;
    int64_t err_line;
    parse(data, size, 0, &whole, &st, &err_line);
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        seen again = {.digest = 14695981039346656037ULL, .max_line = lines};
        wh_csv_status st2;
        int64_t err_line2;
        parse(data, size, chunks[c], &again, &st2, &err_line2);
        FUZZ_CHECK(st2 == st && err_line2 == err_line);
        FUZZ_CHECK(again.records == whole.records && again.digest == whole.digest);
    }
    return 0;
}
