// Server URL parsing.
#include "net/server_address.hpp"

#include <charconv>
#include <stdexcept>

namespace sealpost::client::net {

std::string server_address::host_header() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string server_address::to_string() const {
  return (tls ? "https://" : "http://") + host_header() + path_prefix;
}

server_address parse_server_url(std::string_view url) {
  server_address address;
  std::string_view scheme = "http://";
  if (url.starts_with("https://")) {
    scheme = "https://";
    address.tls = true;
  } else if (!url.starts_with(scheme)) {
    throw std::invalid_argument("'" + std::string(url) +
                                "' is not a server URL; expected http[s]://HOST[:PORT][/PATH]");
  }
  std::string_view rest = url.substr(scheme.size());
  const std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  while (!path.empty() && path.back() == '/') {
    path.remove_suffix(1);
  }
  if (path.find_first_of("?#") != std::string_view::npos) {
    throw std::invalid_argument("'" + std::string(url) +
                                "': a server URL has no query or fragment");
  }
  if (authority.find('@') != std::string_view::npos) {
    throw std::invalid_argument("'" + std::string(url) +
                                "': credentials do not belong in the server URL");
  }
  address.port = address.tls ? 443 : 80;
  std::string_view port_text;
  if (authority.starts_with('[')) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      throw std::invalid_argument("'" + std::string(url) + "': unterminated IPv6 address");
    }
    address.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        throw std::invalid_argument("'" + std::string(url) + "': unexpected text after the host");
      }
      port_text = after.substr(1);
    }
  } else {
    const std::size_t colon = authority.rfind(':');
    address.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
    }
  }
  if (address.host.empty()) {
    throw std::invalid_argument("'" + std::string(url) + "': the URL names no host");
  }
  if (!port_text.empty() || authority.ends_with(':')) {
    unsigned port = 0;
    const auto [end, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
      throw std::invalid_argument("'" + std::string(url) + "': the port must be 1-65535");
    }
    address.port = static_cast<std::uint16_t>(port);
  }
  address.path_prefix = std::string(path);
  return address;
}

}  // namespace sealpost::client::net
