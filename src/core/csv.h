/* An RFC 4180 CSV reader, made practical (DOMAIN-wave2 §15), that is fed the input a chunk at a
 * time and hands each record to a callback with the physical line where the record starts
 * (1-based; a quoted line break moves the lines of the records after it).
 *
 * - Fields are separated by commas; records end with LF or CRLF (a CR outside quotes is
 *   ignored); the last record needs no line end.
 * - A quoted field may hold commas, line breaks and doubled quotes (""); spaces and tabs around
 *   the quotes are ignored; any other character after the closing quote makes the record bad.
 *   A quote inside an unquoted value is an ordinary character.
 * - Unquoted values are trimmed of spaces and tabs; a line with no characters at all is
 *   skipped (a line of spaces is a record of one empty field).
 * - A UTF-8 byte-order mark at the very start is skipped; every byte must be UTF-8 (overlong
 *   forms, surrogates, > U+10FFFF and NUL are refused): the first bad byte stops the input with
 *   its line.
 * - A record longer than WH_LIMIT_CSV_RECORD_BYTES or with more than WH_LIMIT_CSV_FIELDS fields
 *   is handed over bad (rec->error set, no fields); the input goes on.
 *
 * Storage is the caller's (wh_csv_init ... wh_csv_cleanup); the record passed to the callback
 * and its fields are valid during the call only. Not thread-safe; one reader per input. */
#ifndef WH_CORE_CSV_H
#define WH_CORE_CSV_H

#include "core/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Most fields of one record. */
#define WH_LIMIT_CSV_FIELDS 64
/* Most bytes of one record (its fields' values). */
#define WH_LIMIT_CSV_RECORD_BYTES (64 * 1024)

typedef struct {
    int64_t line;       /* physical line of the record's first byte */
    size_t n;           /* fields (0 when error is set) */
    const char **field; /* NUL-terminated values, UTF-8 */
    const bool *quoted; /* whether each field was quoted */
    const char *error;  /* NULL, or why the record is unusable (static text) */
} wh_csv_record;

/* Called once per record; returning false stops the input (wh_csv_feed answers
 * WH_CSV_STOPPED). */
typedef bool (*wh_csv_fn)(void *ctx, const wh_csv_record *rec);

typedef enum {
    WH_CSV_OK = 0,
    WH_CSV_STOPPED, /* the callback asked to stop */
    WH_CSV_BAD,     /* the input is not valid: error and error_line say why and where */
} wh_csv_status;

typedef struct {
    wh_csv_fn fn;
    void *ctx;
    wh_csv_status status; /* sticky: once not OK, later calls do nothing */
    const char *error;    /* WH_CSV_BAD: static text */
    int64_t error_line;
    /* private */
    int state;
    int64_t line, rec_line;
    unsigned char head[3];
    int nhead;
    bool head_done, any;            /* any: the record has a character (not a blank line) */
    unsigned utf8_need;             /* continuation bytes still expected */
    unsigned char utf8_lo, utf8_hi; /* range of the next continuation byte */
    wh_buf rec;
    size_t start[WH_LIMIT_CSV_FIELDS + 1];
    bool quoted[WH_LIMIT_CSV_FIELDS + 1];
    size_t nfields, trail; /* trail: unquoted trailing spaces of the field, to trim */
    const char *rec_error;
} wh_csv;

void wh_csv_init(wh_csv *p, wh_csv_fn fn, void *ctx);
void wh_csv_cleanup(wh_csv *p);
/* Reads n more bytes of the input. */
wh_csv_status wh_csv_feed(wh_csv *p, const char *data, size_t n);
/* Ends the input: hands over the last record; an unclosed quote or a cut UTF-8 character is
 * WH_CSV_BAD. */
wh_csv_status wh_csv_finish(wh_csv *p);

/* The first characters that make a spreadsheet run a cell as a formula. A CSV export writes a
 * text value that begins with one after a ' (the formula guard, API-wave2 "CSV export"). */
#define WH_CSV_FORMULA_LEADS "=+-@\t\r"
/* v without the export's formula guard: past its leading ' when one of WH_CSV_FORMULA_LEADS
 * follows it, else v itself (an import reads an export's values as they were stored). */
const char *wh_csv_unguard(const char *v);

#endif
