// CIDR and X-Forwarded-For address parsing.
#include "util/ip_network.hpp"

#include <charconv>
#include <stdexcept>
#include <string>

namespace sealpost::util {
namespace {

namespace ip = boost::asio::ip;

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos)
    return {};
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

std::optional<ip::address> parse_address(std::string_view text) {
  boost::system::error_code ec;
  auto address = ip::make_address(std::string(text), ec);
  if (ec)
    return std::nullopt;
  return address;
}

template <class Bytes>
void clear_host_bits(Bytes& bytes, unsigned prefix_length) {
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const unsigned bit = static_cast<unsigned>(i) * 8;
    if (bit >= prefix_length) {
      bytes[i] = 0;
    } else if (prefix_length - bit < 8) {
      bytes[i] &= static_cast<unsigned char>(0xff << (8 - (prefix_length - bit)));
    }
  }
}

ip::address network_base(const ip::address& address, unsigned prefix_length) {
  if (address.is_v4()) {
    auto bytes = address.to_v4().to_bytes();
    clear_host_bits(bytes, prefix_length);
    return ip::address_v4(bytes);
  }
  auto bytes = address.to_v6().to_bytes();
  clear_host_bits(bytes, prefix_length);
  return ip::address_v6(bytes);
}

// ":80" after an address; empty is fine too (no port).
bool is_port_suffix(std::string_view rest) {
  if (rest.empty())
    return true;
  if (rest.size() < 2 || rest.size() > 6 || rest.front() != ':')
    return false;
  return rest.substr(1).find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

ip::address unmapped(const ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  return address;
}

bool ip_network::contains(const ip::address& address) const {
  const auto candidate = unmapped(address);
  if (candidate.is_v4() != base.is_v4())
    return false;
  return network_base(candidate, prefix_length) == base;
}

std::optional<ip_network> parse_network(std::string_view text) {
  text = trim(text);
  const auto slash = text.find('/');
  auto address = parse_address(text.substr(0, slash));
  if (!address)
    return std::nullopt;
  const unsigned max_length = address->is_v4() ? 32 : 128;
  unsigned length = max_length;
  if (slash != std::string_view::npos) {
    const auto digits = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
    if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() ||
        length > max_length) {
      return std::nullopt;
    }
  }
  return ip_network{network_base(*address, length), length};
}

std::vector<ip_network> parse_network_list(std::string_view text) {
  std::vector<ip_network> networks;
  while (!trim(text).empty()) {
    const auto comma = text.find(',');
    const auto entry = trim(text.substr(0, comma));
    auto network = parse_network(entry);
    if (!network)
      throw std::invalid_argument("'" + std::string(entry) + "' is not an IP address or network");
    networks.push_back(*network);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
  }
  return networks;
}

std::optional<ip::address> parse_forwarded_address(std::string_view entry) {
  entry = trim(entry);
  if (entry.starts_with('[')) {
    const auto close = entry.find(']');
    if (close == std::string_view::npos)
      return std::nullopt;
    if (!is_port_suffix(entry.substr(close + 1)))
      return std::nullopt;
    auto address = parse_address(entry.substr(1, close - 1));
    return address && address->is_v6() ? address : std::nullopt;
  }
  if (auto address = parse_address(entry))
    return address;
  // "a.b.c.d:port": one colon only, so a bare IPv6 address never gets here.
  const auto colon = entry.find(':');
  if (colon == std::string_view::npos || !is_port_suffix(entry.substr(colon)))
    return std::nullopt;
  auto address = parse_address(entry.substr(0, colon));
  return address && address->is_v4() ? address : std::nullopt;
}

}  // namespace sealpost::util
