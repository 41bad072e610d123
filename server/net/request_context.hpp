// What a handler gets for one request: the parsed request, path captures and the caller's
// address. Services (database, config) are bound into the handler when routes are registered.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>

#include "net/caller.hpp"
#include "net/http_types.hpp"
#include "net/router.hpp"

namespace sealpost::net {

struct request_context {
  const request& req;
  path_params params;
  boost::asio::ip::address remote_address;  // the client's, behind a trusted proxy too
  std::string request_id;
  std::optional<authenticated_device> caller = {};  // set on access::device routes
  // On sealed-sender routes: the request came with Unidentified-Access-Key, not credentials.
  bool unidentified = false;

  // Who sent a request, as the session learns it from the header: the client's address and,
  // on access::device routes, the device its credentials name.
  struct caller_info {
    boost::asio::ip::address address;
    std::optional<authenticated_device> device = {};
    bool unidentified = false;
  };

  // The device that sent this request; only on routes declared access::device.
  const authenticated_device& device() const;

  std::string_view param(std::string_view name) const {
    auto it = params.find(name);
    return it == params.end() ? std::string_view{} : std::string_view{it->second};
  }
};

// A JSON response with the request's HTTP version and keep-alive.
response json_response(const request_context& ctx, http::status status,
                       const boost::json::value& body);

// A body-less response (e.g. 204).
response empty_response(const request_context& ctx, http::status status);

}  // namespace sealpost::net
