/* wh_resp_problem: the one place an error becomes RFC 9457 problem+json (API.md, Errors). The
 * request is built by hand with no connection; the body is parsed back with jansson. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/arena.h"
#include "core/err.h"
#include "http/http.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    wh_req r;
    json_t *body; /* parsed response, owned */
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    memset(&f->r, 0, sizeof f->r);
    wh_arena_init(&f->r.arena);
    snprintf(f->r.id, sizeof f->r.id, "%s", "0123456789abcdef0123456789abcdef");
    f->r.method = "POST";
    f->r.path = "/api/v1/ventures";
    f->r.conn = NULL;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    json_decref(f->body);
    wh_arena_cleanup(&f->r.arena);
    free(f);
    return 0;
}

/* Renders e and parses the body; checks the parts every problem shares. */
static json_t *render(fixture *f, const wh_error *e, int want_status)
{
    json_error_t jerr;
    wh_resp_problem(&f->r, e);
    assert_int_equal(f->r.status, want_status);
    assert_non_null(f->r.content_type);
    assert_string_equal(f->r.content_type, "application/problem+json");
    assert_non_null(f->r.resp_body);
    assert_int_equal(strlen(f->r.resp_body), f->r.resp_len);
    json_decref(f->body);
    f->body = json_loadb(f->r.resp_body, f->r.resp_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!f->body)
        fail_msg("problem body is not JSON (%s): %s", jerr.text, f->r.resp_body);
    assert_true(json_is_object(f->body));
    assert_true(json_is_integer(json_object_get(f->body, "status")));
    assert_int_equal(json_integer_value(json_object_get(f->body, "status")), want_status);
    return f->body;
}

static const char *member_str(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_string(v))
        fail_msg("member \"%s\" is missing or not a string", key);
    return json_string_value(v);
}

/* The type is a URI naming the code: it must end in "/<code>". */
static void assert_type_names_code(json_t *p, const char *code)
{
    const char *type = member_str(p, "type");
    size_t tl = strlen(type), cl = strlen(code);
    assert_true(tl > cl + 1);
    assert_true(strncmp(type, "https://", 8) == 0 || strncmp(type, "http://", 7) == 0);
    assert_int_equal(type[tl - cl - 1], '/');
    assert_string_equal(type + tl - cl, code);
}

static void test_not_found(void **state)
{
    fixture *f = *state;
    wh_error e;
    wh_error_init(&e);
    assert_int_equal(wh_fail(&e, WH_ERR_NOT_FOUND, "No such venture %d.", 12), WH_ERR_NOT_FOUND);
    json_t *p = render(f, &e, 404);
    assert_type_names_code(p, "not_found");
    assert_string_equal(member_str(p, "title"), "Not found");
    assert_string_equal(member_str(p, "detail"), "No such venture 12.");
    assert_string_equal(member_str(p, "code"), "not_found");
    assert_null(json_object_get(p, "errors"));
}

/* Every kind of failure answers the status and code API.md gives it, with its title. */
static void test_titles_of_codes(void **state)
{
    fixture *f = *state;
    static const struct {
        wh_err kind;
        int status;
        const char *code, *title;
    } cases[] = {
        {WH_ERR_INVALID, 400, "validation_failed", "Validation failed"},
        {WH_ERR_BAD_JSON, 400, "invalid_json", "Invalid JSON"},
        {WH_ERR_BAD_CURSOR, 400, "invalid_cursor", "Invalid cursor"},
        {WH_ERR_UNAUTH, 401, "unauthenticated", "Unauthenticated"},
        {WH_ERR_FORBIDDEN, 403, "forbidden", "Forbidden"},
        {WH_ERR_NOT_FOUND, 404, "not_found", "Not found"},
        {WH_ERR_METHOD, 405, "method_not_allowed", "Method not allowed"},
        {WH_ERR_CONFLICT, 409, "conflict", "Conflict"},
        {WH_ERR_UNIQUE, 409, "conflict", "Conflict"},
        {WH_ERR_TRANSITION, 409, "invalid_transition", "Invalid transition"},
        {WH_ERR_TOO_LARGE, 413, "payload_too_large", "Payload too large"},
        {WH_ERR_MEDIA_TYPE, 415, "unsupported_media_type", "Unsupported media type"},
        {WH_ERR_KEY_REUSED, 422, "idempotency_key_reused", "Idempotency key reused"},
        {WH_ERR_BLOCKED, 422, "carrier_blocked", "Carrier blocked"},
        {WH_ERR_RATE_LIMITED, 429, "rate_limited", "Rate limited"},
        {WH_ERR_DB, 500, "internal", "Internal error"},
        {WH_ERR_INTERNAL, 500, "internal", "Internal error"},
        {WH_ERR_UNAVAILABLE, 503, "unavailable", "Unavailable"},
        {WH_ERR_REFUSED, 503, "unavailable", "Unavailable"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wh_error e;
        wh_error_init(&e);
        assert_int_equal(wh_fail(&e, cases[i].kind, "case %zu", i), cases[i].kind);
        assert_int_equal(wh_error_kind(&e), cases[i].kind);
        assert_int_equal(wh_err_status(cases[i].kind), cases[i].status);
        json_t *p = render(f, &e, cases[i].status);
        assert_type_names_code(p, cases[i].code);
        assert_string_equal(member_str(p, "code"), cases[i].code);
        assert_string_equal(member_str(p, "title"), cases[i].title);
        char want[32];
        snprintf(want, sizeof want, "case %zu", i);
        assert_string_equal(member_str(p, "detail"), want);
    }
}

static void test_detail_is_escaped(void **state)
{
    fixture *f = *state;
    wh_error e;
    wh_error_init(&e);
    (void)wh_fail(&e, WH_ERR_CONFLICT, "code \"%s\" \\ taken\n\xC3\xBC", "A\"B");
    json_t *p = render(f, &e, 409);
    assert_string_equal(member_str(p, "detail"), "code \"A\"B\" \\ taken\n\xC3\xBC");
}

/* Bytes that are not UTF-8 (a path arrives percent-decoded) and texts cut at their buffer's size
 * inside a character: every member is still there, as valid UTF-8. */
static void test_text_not_utf8_is_kept(void **state)
{
    fixture *f = *state;
    wh_error e;
    char field[80];
    wh_error_init(&e);
    f->r.path = "/api/v1/\xFF\xFE";
    (void)wh_fail(&e, WH_ERR_NOT_FOUND, "No such path: %s", f->r.path);
    json_t *p = render(f, &e, 404);
    assert_string_equal(member_str(p, "instance"), "/api/v1/%FF%FE");
    assert_string_equal(member_str(p, "detail"), "No such path: /api/v1/\xEF\xBF\xBD\xEF\xBF\xBD");
    memset(field, 'a', 62);
    memcpy(field + 62, "\xC3\xA9", 3); /* the é straddles the 64-byte field buffer's end */
    wh_error_init(&e);
    (void)wh_error_field(&e, field, "is not a known field");
    (void)wh_error_field(&e, "ok\xC0\xAF", "bad \xFF byte");
    p = render(f, &e, 400);
    json_t *errs = json_object_get(p, "errors");
    assert_int_equal(json_array_size(errs), 2);
    field[62] = '\0';
    assert_string_equal(member_str(json_array_get(errs, 0), "field"), field);
    assert_string_equal(member_str(json_array_get(errs, 1), "field"), "ok\xEF\xBF\xBD\xEF\xBF\xBD");
    assert_string_equal(member_str(json_array_get(errs, 1), "message"), "bad \xEF\xBF\xBD byte");
}

static void test_validation_errors(void **state)
{
    fixture *f = *state;
    wh_error e;
    wh_error_init(&e);
    assert_int_equal(wh_error_field(&e, "name", "is required"), WH_ERR_INVALID);
    assert_int_equal(wh_error_field(&e, "code", "must be at most %d characters", 32),
                     WH_ERR_INVALID);
    assert_int_equal(wh_error_field(&e, "bill_cents", "must be an integer"), WH_ERR_INVALID);
    assert_int_equal(e.status, 400);
    assert_string_equal(e.code, "validation_failed");
    assert_int_equal(e.nfields, 3);

    json_t *p = render(f, &e, 400);
    assert_type_names_code(p, "validation_failed");
    assert_string_equal(member_str(p, "code"), "validation_failed");
    assert_string_equal(member_str(p, "title"), "Validation failed");
    assert_true(strlen(member_str(p, "detail")) > 0);

    json_t *errs = json_object_get(p, "errors");
    assert_true(json_is_array(errs));
    assert_int_equal(json_array_size(errs), 3);
    static const char *const want[][2] = {
        {"name", "is required"},
        {"code", "must be at most 32 characters"},
        {"bill_cents", "must be an integer"},
    };
    for (size_t i = 0; i < 3; i++) {
        json_t *it = json_array_get(errs, i);
        assert_true(json_is_object(it));
        assert_int_equal(json_object_size(it), 2);
        assert_string_equal(member_str(it, "field"), want[i][0]);
        assert_string_equal(member_str(it, "message"), want[i][1]);
    }
}

static void test_field_error_replaces_other_error(void **state)
{
    fixture *f = *state;
    wh_error e;
    wh_error_init(&e);
    (void)wh_fail(&e, WH_ERR_NOT_FOUND, "gone");
    (void)wh_error_field(&e, "email", "is not an e-mail address");
    json_t *p = render(f, &e, 400);
    assert_string_equal(member_str(p, "code"), "validation_failed");
    json_t *errs = json_object_get(p, "errors");
    assert_int_equal(json_array_size(errs), 1);
    assert_string_equal(member_str(json_array_get(errs, 0), "field"), "email");
}

static void test_field_errors_are_capped(void **state)
{
    fixture *f = *state;
    wh_error e;
    wh_error_init(&e);
    for (int i = 0; i < WH_LIMIT_FIELD_ERRORS + 5; i++) {
        char field[16];
        snprintf(field, sizeof field, "f%d", i);
        (void)wh_error_field(&e, field, "bad %d", i);
    }
    assert_int_equal(e.nfields, WH_LIMIT_FIELD_ERRORS);
    json_t *p = render(f, &e, 400);
    json_t *errs = json_object_get(p, "errors");
    assert_int_equal(json_array_size(errs), WH_LIMIT_FIELD_ERRORS);
    assert_string_equal(member_str(json_array_get(errs, 0), "field"), "f0");
    assert_string_equal(member_str(json_array_get(errs, WH_LIMIT_FIELD_ERRORS - 1), "message"),
                        "bad 15");
}

static void test_empty_error_is_internal(void **state)
{
    fixture *f = *state;
    wh_error e;
    wh_error_init(&e);
    assert_int_equal(wh_error_kind(&e), WH_OK);
    json_t *p = render(f, &e, 500);
    assert_type_names_code(p, "internal");
    assert_string_equal(member_str(p, "code"), "internal");
    assert_string_equal(member_str(p, "title"), "Internal error");
    assert_true(strlen(member_str(p, "detail")) > 0);
    assert_null(json_object_get(p, "errors"));
}

static void test_problem_replaces_earlier_answer(void **state)
{
    fixture *f = *state;
    wh_error e;
    wh_error_init(&e);
    assert_int_equal(wh_resp_json(&f->r, 201, json_pack("{s:i}", "id", 5)), WH_OK);
    assert_string_equal(f->r.content_type, "application/json");
    (void)wh_fail(&e, WH_ERR_UNAVAILABLE, "Database down.");
    json_t *p = render(f, &e, 503);
    assert_null(json_object_get(p, "id"));
    assert_string_equal(member_str(p, "detail"), "Database down.");
}

/* A field error makes the error a validation failure; no error is WH_OK; an unknown kind
 * answers 500, never a made-up status. */
static void test_error_kind_of_fields_and_none(void **state)
{
    (void)state;
    wh_error e;
    wh_error_init(&e);
    assert_int_equal(wh_error_kind(&e), WH_OK);
    assert_int_equal(wh_fail(&e, WH_ERR_NOT_FOUND, "gone"), WH_ERR_NOT_FOUND);
    assert_int_equal(wh_error_field(&e, "name", "is required"), WH_ERR_INVALID);
    assert_int_equal(wh_error_kind(&e), WH_ERR_INVALID);
    assert_int_equal(e.status, 400);
    assert_int_equal(e.nfields, 1);
    assert_int_equal(wh_err_status((wh_err)-99), 500);
    assert_string_equal(wh_err_code((wh_err)-99), "internal");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_not_found, setup, teardown),
        cmocka_unit_test_setup_teardown(test_titles_of_codes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_detail_is_escaped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validation_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_not_utf8_is_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_field_error_replaces_other_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_field_errors_are_capped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_error_is_internal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_problem_replaces_earlier_answer, setup, teardown),
        cmocka_unit_test(test_error_kind_of_fields_and_none),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
