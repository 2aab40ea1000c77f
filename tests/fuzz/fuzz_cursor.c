/* Signed cursors (src/http/page.c) with a fixed key. The first input byte picks the mode:
 *  - even: the rest is a cursor as a client sends it; wh_cursor_decode must not crash, and when
 *    it accepts, encode(decoded values) decodes back to the same values, and the cursor does not
 *    verify on another list;
 *  - odd: the next 8 bytes are an id and the rest a sort key; decode(encode(id, key)) must give
 *    them back exactly whenever the id is not negative and the payload fits (sort keys are
 *    bounded far below the payload limit), and must refuse a negative id.
 * The odd mode is how the fuzzer reaches the payload parsing behind the MAC. */
#include "fuzz.h"

#include "core/arena.h"
#include "core/crypto.h"
#include "core/limits.h"
#include "http/http.h"

#define CAP (WH_LIMIT_CURSOR_CHARS + 1)

static const unsigned char key[32] = {
    0x57, 0x68, 0x65, 0x65, 0x6c, 0x68, 0x6f, 0x75, 0x73, 0x65, 0x20, 0x66, 0x75, 0x7a, 0x7a, 0x21,
    1,    2,    3,    4,    5,    6,    7,    8,    9,    10,   11,   12,   13,   14,   15,   16};

static bool decode(const char *list, const char *cur, wh_arena *a, const char **sk, int64_t *id)
{
    return wh_cursor_decode(key, list, cur, a, sk, id);
}

static void from_client(const uint8_t *data, size_t size)
{
    wh_arena a;
    const char *sk = NULL, *sk2 = NULL;
    int64_t id = -1, id2 = -1;
    char cur[CAP];
    char *text = fuzz_cstr(data, size);
    wh_arena_init(&a);
    if (decode("loads", text, &a, &sk, &id)) {
        FUZZ_CHECK(sk != NULL && id >= 0);
        wh_cursor_encode(key, "loads", sk, id, cur, sizeof cur);
        FUZZ_CHECK(decode("loads", cur, &a, &sk2, &id2));
        FUZZ_CHECK(id2 == id && strcmp(sk2, sk) == 0);
        FUZZ_CHECK(!decode("carriers", text, &a, &sk2, &id2));
    }
    wh_arena_cleanup(&a);
    free(text);
}

static void from_server(const uint8_t *data, size_t size)
{
    wh_arena a;
    const char *sk = NULL;
    int64_t id = 0, got = -1;
    char cur[CAP], digits[24];
    if (size < 8)
        return;
    memcpy(&id, data, 8);
    char *sort_key = fuzz_cstr(data + 8, size - 8);
    wh_arena_init(&a);
    wh_cursor_encode(key, "loads", sort_key, id, cur, sizeof cur);
    FUZZ_CHECK(strlen(cur) <= WH_LIMIT_CURSOR_CHARS);
    bool ok = decode("loads", cur, &a, &sk, &got);
    size_t payload =
        (size_t)snprintf(digits, sizeof digits, "%lld:", (long long)id) + strlen(sort_key);
    if (id < 0)
        FUZZ_CHECK(!ok);
    else if (payload < 1024)
        FUZZ_CHECK(ok && got == id && strcmp(sk, sort_key) == 0);
    wh_arena_cleanup(&a);
    free(sort_key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    if (!ready) {
        FUZZ_CHECK(wh_crypto_init() == WH_OK);
        ready = true;
    }
    if (size == 0)
        return 0;
    if (data[0] % 2 == 0)
        from_client(data + 1, size - 1);
    else
        from_server(data + 1, size - 1);
    return 0;
}
