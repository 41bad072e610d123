// The route table: (method, path pattern) -> handler. Patterns are literal segments and
// `{name}` captures; the router tells an unknown path (404) from a wrong method (405).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/http_types.hpp"

namespace sealpost::net {

struct request_context;

using handler = std::function<boost::asio::awaitable<response>(request_context&)>;

// Who may call a route. `device` routes take HTTP Basic credentials, checked from the header
// before any body is read: a refused request's body never reaches memory. Sealed-sender
// routes take an Unidentified-Access-Key header instead (`unidentified`), or either one
// (`device_or_unidentified`); the key itself is checked by the handler, against the
// recipients the body names, after the unidentified_messages_per_ip limit.
enum class access { device, anyone, device_or_unidentified, unidentified };

inline constexpr char kUnidentifiedAccessHeader[] = "Unidentified-Access-Key";

struct route {
  http::verb method;
  std::string pattern;  // e.g. "/v1/keys/{account_id}/{device_id}"
  handler handle;
  access who = access::device;
  std::optional<std::size_t> body_limit = {};  // overrides http.max_body_bytes
};

using path_params = std::map<std::string, std::string, std::less<>>;

struct route_match {
  const route* matched = nullptr;  // null: see allowed
  path_params params;
  std::vector<http::verb> allowed;  // methods of routes whose pattern matched the path
};

class router {
 public:
  void add(route r);

  // Matches the path part of a target (query string ignored).
  route_match match(http::verb method, std::string_view target) const;

  const std::vector<route>& routes() const { return routes_; }

 private:
  std::vector<route> routes_;
};

// Splits "/a/b?x" into the path without query; exposed for tests.
std::string_view path_of(std::string_view target);

}  // namespace sealpost::net
