/* The JSON request-body path: wh_json_parse_object (everything wh_req_json does after the
 * Content-Type check) and then the wh_jin typed getters a handler uses - strings with length
 * limits, an enum, ints with ranges, a bool, an id list, PATCH-style optional fields, days and
 * instants - on whatever object the input parses to.
 * Properties: a refused body is a 400 with no value; an accepted one re-renders to JSON that
 * parses back equal; every value a getter returns honours its limits; wh_jin_done fails exactly
 * when some getter failed, and then the error is a 400 naming at least one field. */
#include "fuzz.h"

#include "core/arena.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/json.h"
#include "core/limits.h"
#include "core/str.h"

static const char *const allowed[] = {
    "name",   "notes", "email",      "status", "amount_cents", "year",
    "active", "ids",   "venture_id", "day",    "due_at",       NULL,
};
static const char *const statuses[] = {"open", "booked", "delivered", "cancelled", NULL};

/* A string getter's result: NUL-free UTF-8 of min..max characters, or NULL. */
static void check_str(const char *s, size_t min, size_t max)
{
    if (!s)
        return;
    size_t bytes = strlen(s), chars = wh_str_utf8_len(s, bytes);
    FUZZ_CHECK(wh_str_utf8_valid(s, bytes));
    FUZZ_CHECK(chars >= min && chars <= max);
}

static void check_ids(const int64_t *ids, size_t n, size_t max)
{
    FUZZ_CHECK(n <= max);
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(ids[i] > 0);
        for (size_t k = 0; k < i; k++)
            FUZZ_CHECK(ids[k] != ids[i]);
    }
}

/* The getters a create or PATCH handler calls, with the house's usual limits. */
static void read_fields(json_t *obj)
{
    wh_arena a;
    wh_error e;
    wh_jin j;
    size_t n = 0;
    int y, m, d;
    int64_t ms;
    wh_arena_init(&a);
    wh_error_init(&e);
    wh_jin_init(&j, obj, &e);
    wh_jin_allow(&j, allowed);
    check_str(wh_jin_str(&j, "name", true, 1, WH_LIMIT_NAME_CHARS), 1, WH_LIMIT_NAME_CHARS);
    check_str(wh_jin_str(&j, "notes", false, 0, 2000), 0, 2000);
    check_str(wh_jin_str(&j, "email", false, 3, WH_LIMIT_EMAIL_CHARS), 3, WH_LIMIT_EMAIL_CHARS);
    const char *st = wh_jin_enum(&j, "status", false, statuses);
    FUZZ_CHECK(!st || st == statuses[0] || st == statuses[1] || st == statuses[2] ||
               st == statuses[3]);
    int64_t cents = wh_jin_int(&j, "amount_cents", false, 0, INT64_C(100000000000), -1);
    FUZZ_CHECK(cents == -1 || (cents >= 0 && cents <= INT64_C(100000000000)));
    int64_t year = wh_jin_int(&j, "year", true, 2000, 2100, 0);
    FUZZ_CHECK(year == 0 || (year >= 2000 && year <= 2100));
    (void)wh_jin_bool(&j, "active", false, true);
    int64_t *ids = wh_jin_ids(&j, "ids", WH_LIMIT_MEMBERSHIP_IDS, &a, &n);
    if (ids)
        check_ids(ids, n, WH_LIMIT_MEMBERSHIP_IDS);
    else
        FUZZ_CHECK(n == 0 && j.bad);
    /* PATCH style: absent leaves it, null clears it, a value must be a positive id */
    if (wh_jin_has(&j, "venture_id") && !wh_jin_is_null(&j, "venture_id"))
        FUZZ_CHECK(wh_jin_int(&j, "venture_id", false, 1, INT64_MAX, 1) >= 1);
    const char *day = wh_jin_str(&j, "day", false, 10, 10);
    if (day && !wh_clock_parse_date(day, &y, &m, &d)) {
        j.bad = true;
        (void)wh_error_field(&e, "day", "must be a calendar day YYYY-MM-DD");
    }
    const char *due = wh_jin_str(&j, "due_at", false, 20, 64);
    if (due && !wh_clock_parse_rfc3339(due, &ms)) {
        j.bad = true;
        (void)wh_error_field(&e, "due_at", "must be an RFC 3339 date-time");
    }
    wh_err rc = wh_jin_done(&j);
    FUZZ_CHECK(rc == (j.bad ? WH_ERR_INVALID : WH_OK));
    if (rc != WH_OK)
        FUZZ_CHECK(e.status == 400 && e.nfields >= 1 && e.nfields <= WH_LIMIT_FIELD_ERRORS);
    else
        FUZZ_CHECK(e.status == 0 && e.nfields == 0);
    for (int i = 0; i < e.nfields; i++)
        FUZZ_CHECK(memchr(e.fields[i].field, '\0', sizeof e.fields[i].field) != NULL &&
                   memchr(e.fields[i].message, '\0', sizeof e.fields[i].message) != NULL);
    wh_arena_cleanup(&a);
}

/* What the server renders from a parsed object parses back to the same value. */
static void check_render(json_t *obj)
{
    wh_error e;
    json_t *back = NULL;
    char *text = json_dumps(obj, JSON_COMPACT);
    FUZZ_CHECK(text != NULL);
    wh_error_init(&e);
    FUZZ_CHECK(wh_json_parse_object(text, strlen(text), &back, &e) == WH_OK);
    FUZZ_CHECK(json_equal(obj, back));
    json_decref(back);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wh_error e;
    json_t *obj = NULL;
    wh_error_init(&e);
    if (size > WH_LIMIT_BODY_BYTES)
        return 0; /* the server answers 413 before parsing */
    wh_err rc = wh_json_parse_object((const char *)data, size, &obj, &e);
    if (rc != WH_OK) {
        FUZZ_CHECK((rc == WH_ERR_INVALID || rc == WH_ERR_BAD_JSON) && e.status == 400 &&
                   obj == NULL);
        return 0;
    }
    FUZZ_CHECK(json_is_object(obj));
    check_render(obj);
    read_fields(obj);
    json_decref(obj);
    return 0;
}
