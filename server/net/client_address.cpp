// X-Forwarded-For from trusted proxies, and the per-IP limit key.
#include "net/client_address.hpp"

#include <algorithm>
#include <string_view>
#include <vector>

namespace sealpost::net {
namespace {

namespace ip = boost::asio::ip;

constexpr std::string_view kForwardedFor = "X-Forwarded-For";  // Beast has no field enum for it

// Every X-Forwarded-For entry in order, over all the header's lines (a proxy may add a line
// instead of extending the last one).
std::vector<std::string_view> forwarded_entries(const http::fields& header) {
  std::vector<std::string_view> entries;
  auto [first, last] = header.equal_range(kForwardedFor);
  for (auto it = first; it != last; ++it) {
    std::string_view line = it->value();
    for (;;) {
      const auto comma = line.find(',');
      entries.push_back(line.substr(0, comma));
      if (comma == std::string_view::npos)
        break;
      line.remove_prefix(comma + 1);
    }
  }
  return entries;
}

}  // namespace

bool is_trusted_proxy(const ip::address& peer, std::span<const util::ip_network> trusted_proxies) {
  return std::any_of(trusted_proxies.begin(), trusted_proxies.end(),
                     [&](const util::ip_network& n) { return n.contains(peer); });
}

ip::address client_address(const ip::address& peer, const http::fields& header,
                           std::span<const util::ip_network> trusted_proxies) {
  if (!is_trusted_proxy(peer, trusted_proxies))
    return peer;
  ip::address client = peer;
  const auto entries = forwarded_entries(header);
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    auto hop = util::parse_forwarded_address(*it);
    if (!hop)
      break;
    client = util::unmapped(*hop);
    if (!is_trusted_proxy(client, trusted_proxies))
      break;
  }
  return client;
}

ip::address limit_key(const ip::address& client) {
  const auto address = util::unmapped(client);
  if (address.is_v4())
    return address;
  auto bytes = address.to_v6().to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  return ip::address_v6(bytes);
}

}  // namespace sealpost::net
