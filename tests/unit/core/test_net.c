/* IP addresses and CIDR ranges (core/net.h): IPv4 in its mapped form, IPv6, prefixes at byte
 * and bit boundaries, blanks around entries, and malformed input refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/net.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

static bool in(const char *cidr, const char *addr)
{
    wh_net_cidr c;
    unsigned char a[16];
    assert_true(wh_net_cidr_parse(cidr, strlen(cidr), &c));
    assert_true(wh_net_addr_parse(addr, strlen(addr), a));
    return wh_net_cidr_match(&c, a);
}

static void test_addresses(void **state)
{
    (void)state;
    unsigned char a[16];
    assert_true(wh_net_addr_parse(" 192.0.2.1 ", 11, a));
    static const unsigned char mapped[16] = {0, 0, 0,    0,    0,   0, 0, 0,
                                             0, 0, 0xff, 0xff, 192, 0, 2, 1};
    assert_memory_equal(a, mapped, 16);
    assert_true(wh_net_addr_parse("2001:db8::1", 11, a));
    assert_int_equal(a[0], 0x20);
    assert_int_equal(a[15], 1);
    assert_true(wh_net_addr_parse("192.0.2.1,", 9, a)); /* the length bounds the text */
    const char *bad[] = {"",          " ",    "192.0.2",      "192.0.2.256",
                         "1.2.3.4.5", "host", "2001:db8:::1", "192.0.2.1/24"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(wh_net_addr_parse(bad[i], strlen(bad[i]), a));
}

static void test_ranges(void **state)
{
    (void)state;
    assert_true(in("127.0.0.1", "127.0.0.1"));
    assert_false(in("127.0.0.1", "127.0.0.2"));
    assert_true(in("10.0.0.0/8", "10.255.1.2"));
    assert_false(in("10.0.0.0/8", "11.0.0.1"));
    assert_true(in("172.16.0.0/12", "172.31.255.255"));
    assert_false(in("172.16.0.0/12", "172.32.0.0"));
    assert_true(in("0.0.0.0/0", "8.8.8.8"));
    assert_false(in("0.0.0.0/0", "2001:db8::1")); /* an IPv4 range holds no IPv6 address */
    assert_true(in("2001:db8::/32", "2001:db8:ffff::1"));
    assert_false(in("2001:db8::/32", "2001:db9::1"));
    assert_true(in("::/0", "2001:db8::1"));
    assert_true(in(" 192.168.1.0/25 ", "192.168.1.127"));
    assert_false(in("192.168.1.0/25", "192.168.1.128"));
}

static void test_bad_ranges(void **state)
{
    (void)state;
    wh_net_cidr c;
    const char *bad[] = {"10.0.0.0/33",  "10.0.0.0/", "10.0.0.0/x",   "2001:db8::/129",
                         "10.0.0.0/8/8", "/8",        "10.0.0.0/1234"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(wh_net_cidr_parse(bad[i], strlen(bad[i]), &c));
}

static void test_socket_addresses_and_rendering(void **state)
{
    (void)state;
    struct sockaddr_in v4 = {.sin_family = AF_INET};
    struct sockaddr_in6 v6 = {.sin6_family = AF_INET6};
    struct sockaddr other = {.sa_family = AF_UNIX};
    unsigned char a[16], b[16];
    char text[64];
    assert_int_equal(inet_pton(AF_INET, "203.0.113.7", &v4.sin_addr), 1);
    assert_int_equal(inet_pton(AF_INET6, "2001:db8::5", &v6.sin6_addr), 1);
    assert_true(wh_net_addr_of((const struct sockaddr *)&v4, a));
    assert_true(wh_net_addr_parse("203.0.113.7", 11, b));
    assert_memory_equal(a, b, 16); /* the socket and the text give the same mapped address */
    wh_net_addr_render(a, text, sizeof text);
    assert_string_equal(text, "203.0.113.7");
    assert_true(wh_net_addr_of((const struct sockaddr *)&v6, a));
    wh_net_addr_render(a, text, sizeof text);
    assert_string_equal(text, "2001:db8::5");
    assert_false(wh_net_addr_of(&other, a));
    assert_false(wh_net_addr_of(NULL, a));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_addresses),
        cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_bad_ranges),
        cmocka_unit_test(test_socket_addresses_and_rendering),
    };
    return cmocka_run_group_tests_name("unit_core_net", tests, NULL, NULL);
}
