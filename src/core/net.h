/* IP addresses and CIDR ranges, IPv4 and IPv6 alike: an IPv4 address is kept in its IPv6
 * mapped form (::ffff:a.b.c.d), so one comparison serves both. Used to recognise trusted
 * proxies (WH_TRUSTED_PROXIES). */
#ifndef WH_CORE_NET_H
#define WH_CORE_NET_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    unsigned char addr[16];
    int prefix; /* leading bits that must match, 0..128 */
} wh_net_cidr;

/* Parses "1.2.3.4", "2001:db8::1" (leading and trailing blanks allowed) into out[16]. */
bool wh_net_addr_parse(const char *text, size_t len, unsigned char out[16]);
/* Parses an address or "address/prefix" (0..32 for IPv4, 0..128 for IPv6). */
bool wh_net_cidr_parse(const char *text, size_t len, wh_net_cidr *out);
bool wh_net_cidr_match(const wh_net_cidr *c, const unsigned char addr[16]);
struct sockaddr;
/* The address of an AF_INET or AF_INET6 socket address; false for anything else. */
bool wh_net_addr_of(const struct sockaddr *sa, unsigned char out[16]);
/* Renders addr as text: dotted IPv4 for a mapped address, else IPv6. cap >= 46. */
void wh_net_addr_render(const unsigned char addr[16], char *out, size_t cap);

#endif
