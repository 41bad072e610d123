// IP networks in CIDR form ("10.0.0.0/8", "::1", "fd00::/8") and the address forms that
// proxies write into X-Forwarded-For. Pure parsing, no I/O.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <optional>
#include <string_view>
#include <vector>

namespace sealpost::util {

struct ip_network {
  boost::asio::ip::address base;  // host bits cleared
  unsigned prefix_length = 0;     // 0..32 for IPv4, 0..128 for IPv6

  // True when `address` lies in this network; an IPv4-mapped IPv6 address counts as the
  // IPv4 address it carries.
  bool contains(const boost::asio::ip::address& address) const;
};

// "a.b.c.d", "a.b.c.d/n", "v6", "v6/n". nullopt when malformed or the prefix is too long.
std::optional<ip_network> parse_network(std::string_view text);

// A comma-separated list of networks; blanks around entries are ignored, an empty text is
// an empty list. Throws std::invalid_argument naming the first entry that is not a network.
std::vector<ip_network> parse_network_list(std::string_view text);

// One X-Forwarded-For entry: an address, optionally with a port ("1.2.3.4:80") or in
// brackets ("[::1]", "[::1]:80"), with blanks around it. nullopt for anything else
// ("unknown", obfuscated identifiers, garbage).
std::optional<boost::asio::ip::address> parse_forwarded_address(std::string_view entry);

// IPv4-mapped IPv6 addresses as the IPv4 address they carry; others unchanged.
boost::asio::ip::address unmapped(const boost::asio::ip::address& address);

}  // namespace sealpost::util
