// What a handler gets for one request: the parsed request, path captures and the caller's
// address. Services (database, config) are bound into the handler when routes are registered.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/json/value.hpp>
#include <string>

#include "net/http_types.hpp"
#include "net/router.hpp"

namespace sealpost::net {

struct request_context {
  const request& req;
  path_params params;
  boost::asio::ip::address remote_address;
  std::string request_id;

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
