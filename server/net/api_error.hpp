// The HTTP layer's error type: a code for every outcome a client can be told about, mapped to
// a status in exactly one table (api_error.cpp).
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "net/http_types.hpp"

namespace sealpost::net {

enum class api_errc {
  // client errors
  bad_request,
  invalid_json,
  unauthorized,
  forbidden,
  not_found,
  method_not_allowed,
  conflict,
  gone,
  payload_too_large,
  unprocessable,
  too_many_requests,
  headers_too_large,
  // server errors
  internal,
  not_ready,
  insufficient_storage,
};

struct api_error {
  api_errc code;
  std::string error;    // snake_case machine-readable code, e.g. "username_taken"
  std::string message;  // for people
  boost::json::object extra = {};
  std::optional<std::chrono::seconds> retry_after = {};  // sets Retry-After (429)
};

http::status status_of(api_errc code);

// 503 database_unavailable with Retry-After: the database cannot be reached right now.
api_error database_unavailable();

// A `{"error", "message", ...extra}` JSON response with the mapped status.
response error_response(const api_error& err, unsigned version, bool keep_alive);

}  // namespace sealpost::net
