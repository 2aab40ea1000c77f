/* Request input of the freight routes (freight_int.h): the record of the path, and PATCH-style
 * field readers. Absent: unchanged; null: cleared where the field is optional; a value:
 * range-checked, then stored. */
#include "freight/freight_int.h"
#include "core/clock.h"

wh_err wh_freight_body(wh_req *r, wh_jin *j, const char *const *fields, wh_error *e)
{
    json_t *body = NULL;
    wh_err rc = wh_req_json(r, &body, e);
    if (rc != WH_OK)
        return rc;
    wh_jin_init(j, body, e);
    wh_jin_allow(j, fields);
    return WH_OK;
}

void wh_freight_read_record(wh_jin *j, json_t *body, bool create, const char *const *fields,
                            int64_t *venture_id, wh_error *e)
{
    wh_jin_init(j, body, e);
    wh_jin_allow(j, create ? fields : fields + 1);
    if (create)
        *venture_id = wh_jin_int(j, "venture_id", true, 1, INT64_MAX, 0);
}

void wh_freight_read_text(wh_jin *j, const char *key, bool create, bool required, size_t max,
                          const char **dst)
{
    if (!wh_jin_has(j, key) && !(create && required))
        return;
    if (wh_jin_is_null(j, key) && !required) {
        *dst = NULL;
        return;
    }
    /* required and absent or null: wh_jin_str reports "is required" */
    const char *s = wh_jin_str(j, key, required, 1, max);
    if (s)
        *dst = s;
}

void wh_freight_read_day(wh_jin *j, const char *key, const char **dst)
{
    int y, m, d;
    if (!wh_jin_has(j, key))
        return;
    if (wh_jin_is_null(j, key)) {
        *dst = NULL;
        return;
    }
    const char *s = json_string_value(json_object_get(j->obj, key));
    if (s && wh_clock_parse_date(s, &y, &m, &d)) {
        *dst = s;
        return;
    }
    j->bad = true;
    (void)wh_error_field(j->e, key, "must be a calendar day YYYY-MM-DD");
}

void wh_freight_read_int(wh_jin *j, const char *key, int64_t min, int64_t max, bool *has,
                         int64_t *dst)
{
    if (!wh_jin_has(j, key))
        return;
    if (wh_jin_is_null(j, key)) {
        *has = false;
        *dst = 0;
        return;
    }
    bool was_bad = j->bad;
    j->bad = false;
    int64_t v = wh_jin_int(j, key, false, min, max, 0);
    if (!j->bad) {
        *has = true;
        *dst = v;
    }
    j->bad = j->bad || was_bad;
}

void wh_freight_read_id(wh_jin *j, const char *key, int64_t *dst)
{
    bool has = *dst != 0;
    int64_t v = *dst;
    wh_freight_read_int(j, key, 1, INT64_MAX, &has, &v);
    *dst = has ? v : 0;
}

void wh_freight_read_bool(wh_jin *j, const char *key, bool *dst)
{
    if (wh_jin_has(j, key))
        *dst = wh_jin_bool(j, key, true, *dst);
}
