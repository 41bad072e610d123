// The one table from API error codes to HTTP status, client errors first.
#include "net/api_error.hpp"

#include <boost/json/serialize.hpp>

namespace sealpost::net {

http::status status_of(api_errc code) {
  switch (code) {
    case api_errc::bad_request:
      return http::status::bad_request;
    case api_errc::invalid_json:
      return http::status::bad_request;
    case api_errc::unauthorized:
      return http::status::unauthorized;
    case api_errc::forbidden:
      return http::status::forbidden;
    case api_errc::not_found:
      return http::status::not_found;
    case api_errc::method_not_allowed:
      return http::status::method_not_allowed;
    case api_errc::conflict:
      return http::status::conflict;
    case api_errc::gone:
      return http::status::gone;
    case api_errc::payload_too_large:
      return http::status::payload_too_large;
    case api_errc::unprocessable:
      return http::status::unprocessable_entity;
    case api_errc::too_many_requests:
      return http::status::too_many_requests;
    case api_errc::headers_too_large:
      return http::status::request_header_fields_too_large;
    case api_errc::internal:
      return http::status::internal_server_error;
    case api_errc::not_ready:
      return http::status::service_unavailable;
    case api_errc::insufficient_storage:
      return http::status::insufficient_storage;
  }
  return http::status::internal_server_error;
}

api_error database_unavailable() {
  return {api_errc::not_ready,
          "database_unavailable",
          "the database cannot be reached; try again shortly",
          {},
          std::chrono::seconds(1)};
}

response error_response(const api_error& err, unsigned version, bool keep_alive) {
  boost::json::object body = err.extra;
  body["error"] = err.error;
  body["message"] = err.message;
  response res{status_of(err.code), version};
  res.set(http::field::content_type, "application/json");
  res.keep_alive(keep_alive);
  // RFC 9110 requires the challenge on every 401; all of ours are HTTP Basic (device login).
  if (err.code == api_errc::unauthorized)
    res.set(http::field::www_authenticate, R"(Basic realm="sealpost", charset="UTF-8")");
  if (err.retry_after) {
    res.set(http::field::retry_after,
            std::to_string(std::max<std::int64_t>(1, err.retry_after->count())));
  }
  res.body() = boost::json::serialize(body);
  res.prepare_payload();
  return res;
}

}  // namespace sealpost::net
