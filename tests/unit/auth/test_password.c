/* Password hashing: argon2id strings, verification of the right password only, refusal of
 * tampered hashes, and a fresh salt per hash. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/crypto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PASSWORD "correct horse battery staple"

typedef struct {
    char a[WH_CRYPTO_PWHASH_CHARS];
    char b[WH_CRYPTO_PWHASH_CHARS];
} hashes;

/* Two hashes of PASSWORD, computed once for the group (argon2id is slow on purpose) and handed
 * to every test as its state. */
static int setup(void **state)
{
    hashes *h = calloc(1, sizeof *h);
    *state = h;
    if (!h || wh_crypto_init() != WH_OK)
        return -1;
    if (wh_crypto_password_hash(PASSWORD, h->a) != WH_OK)
        return -1;
    if (wh_crypto_password_hash(PASSWORD, h->b) != WH_OK)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

static void test_format_is_argon2id(void **state)
{
    const hashes *h = *state;
    size_t n = strnlen(h->a, sizeof h->a);
    assert_true(n < sizeof h->a); /* NUL-terminated inside the buffer */
    assert_true(strncmp(h->a, "$argon2id$", 10) == 0);
    assert_non_null(strstr(h->a, "$v=19$"));
    /* $argon2id$v=19$m=...,t=...,p=...$salt$hash: five '$' separators */
    int dollars = 0;
    for (const char *p = h->a; *p; p++)
        dollars += *p == '$';
    assert_int_equal(dollars, 5);
    assert_null(strstr(h->a, PASSWORD));
}

static void test_verify_right_password(void **state)
{
    const hashes *h = *state;
    assert_true(wh_crypto_password_verify(h->a, PASSWORD));
    assert_true(wh_crypto_password_verify(h->b, PASSWORD));
}

static void test_verify_wrong_password(void **state)
{
    const hashes *h = *state;
    static const char *const wrong[] = {
        "",
        "correct horse battery stapl",
        "correct horse battery staple ",
        "Correct horse battery staple",
        " correct horse battery staple",
        "correct horse battery staplf",
    };
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++)
        if (wh_crypto_password_verify(h->a, wrong[i]))
            fail_msg("wrong password \"%s\" verified", wrong[i]);
}

static void test_salt_differs(void **state)
{
    const hashes *h = *state;
    assert_string_not_equal(h->a, h->b);
    /* the salt segments (fourth '$' field) differ, not only the hash */
    const char *sa = h->a, *sb = h->b;
    for (int i = 0; i < 4; i++) {
        sa = strchr(sa, '$') + 1;
        sb = strchr(sb, '$') + 1;
    }
    size_t la = strcspn(sa, "$"), lb = strcspn(sb, "$");
    assert_true(la > 0);
    assert_false(la == lb && memcmp(sa, sb, la) == 0);
}

/* Changes one character of s at i to another base64 character. */
static void flip(char *s, size_t i)
{
    s[i] = s[i] == 'A' ? 'B' : 'A';
}

static void test_tampered_hash_refused(void **state)
{
    const hashes *h = *state;
    char t[WH_CRYPTO_PWHASH_CHARS];
    size_t n = strlen(h->a);
    const char *last = strrchr(h->a, '$');
    size_t hash_at = (size_t)(last - h->a) + 1;
    const char *salt = h->a;
    for (int i = 0; i < 4; i++)
        salt = strchr(salt, '$') + 1;
    size_t salt_at = (size_t)(salt - h->a);

    /* a character in the middle of the hash, its first one, and one in the salt */
    size_t spots[] = {hash_at, hash_at + (n - hash_at) / 2, salt_at + 2};
    for (size_t k = 0; k < sizeof spots / sizeof spots[0]; k++) {
        memcpy(t, h->a, sizeof t);
        flip(t, spots[k]);
        assert_string_not_equal(t, h->a);
        if (wh_crypto_password_verify(t, PASSWORD))
            fail_msg("tampered hash (position %zu) verified: %s", spots[k], t);
    }

    /* the hash of one password swapped into another's string */
    memcpy(t, h->a, sizeof t);
    memcpy(t + hash_at, h->b + (strrchr(h->b, '$') - h->b) + 1, n - hash_at);
    assert_false(wh_crypto_password_verify(t, PASSWORD));

    /* truncated */
    memcpy(t, h->a, sizeof t);
    t[n - 4] = '\0';
    assert_false(wh_crypto_password_verify(t, PASSWORD));

    /* another algorithm named */
    memcpy(t, h->a, sizeof t);
    memcpy(t, "$argon2i$", 9);
    memmove(t + 9, h->a + 10, n - 10 + 1);
    assert_false(wh_crypto_password_verify(t, PASSWORD));
}

static void test_garbage_hash_refused(void **state)
{
    (void)state;
    assert_false(wh_crypto_password_verify("", PASSWORD));
    assert_false(wh_crypto_password_verify("$argon2id$", PASSWORD));
    assert_false(wh_crypto_password_verify(PASSWORD, PASSWORD));
    assert_false(wh_crypto_password_verify("$2b$10$abcdefghijklmnopqrstuv", PASSWORD));
}

static void test_utf8_password(void **state)
{
    (void)state;
    char hash[WH_CRYPTO_PWHASH_CHARS];
    const char *pw = "p\xC3\xA4ssw\xC3\xB6rd \xF0\x9F\x94\x91 long enough";
    assert_int_equal(wh_crypto_password_hash(pw, hash), WH_OK);
    assert_true(strncmp(hash, "$argon2id$", 10) == 0);
    assert_true(wh_crypto_password_verify(hash, pw));
    /* the same letters without the umlauts are a different password */
    assert_false(wh_crypto_password_verify(hash, "passwords \xF0\x9F\x94\x91 long enough"));
    assert_false(wh_crypto_password_verify(hash, PASSWORD));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_is_argon2id),    cmocka_unit_test(test_verify_right_password),
        cmocka_unit_test(test_verify_wrong_password), cmocka_unit_test(test_salt_differs),
        cmocka_unit_test(test_tampered_hash_refused), cmocka_unit_test(test_garbage_hash_refused),
        cmocka_unit_test(test_utf8_password),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
