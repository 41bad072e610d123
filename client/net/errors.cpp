// Error answers of the API mapped to exception types.
#include "net/errors.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <charconv>

namespace sealpost::client::net {
namespace {

std::string describe(unsigned status, const std::string& code, const std::string& message) {
  std::string text = message.empty() ? std::string("the server refused the request") : message;
  text += " (HTTP " + std::to_string(status);
  if (!code.empty()) {
    text += " " + code;
  }
  return text + ")";
}

std::vector<std::uint32_t> id_list(const boost::json::object& body, const char* field) {
  std::vector<std::uint32_t> ids;
  const boost::json::value* list = body.if_contains(field);
  if (list == nullptr || !list->is_array()) {
    return ids;
  }
  for (const boost::json::value& id : list->as_array()) {
    if (id.is_int64() && id.as_int64() > 0 && id.as_int64() <= UINT32_MAX) {
      ids.push_back(static_cast<std::uint32_t>(id.as_int64()));
    }
  }
  return ids;
}

std::string string_field(const boost::json::object& body, const char* field) {
  const boost::json::value* value = body.if_contains(field);
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : std::string();
}

std::chrono::seconds parse_retry_after(const std::string& header) {
  std::int64_t seconds = 0;
  const auto [end, ec] = std::from_chars(header.data(), header.data() + header.size(), seconds);
  if (ec != std::errc() || end != header.data() + header.size() || seconds < 1) {
    return std::chrono::seconds(1);
  }
  return std::chrono::seconds(std::min<std::int64_t>(seconds, 24 * 3600));
}

}  // namespace

api_error::api_error(unsigned status, std::string code, std::string server_message)
    : std::runtime_error(describe(status, code, server_message)),
      status_(status),
      code_(std::move(code)),
      server_message_(std::move(server_message)) {}

mismatched_devices_error::mismatched_devices_error(std::string server_message,
                                                   std::vector<std::uint32_t> missing,
                                                   std::vector<std::uint32_t> extra)
    : api_error(409, "mismatched_devices", std::move(server_message)),
      missing_(std::move(missing)),
      extra_(std::move(extra)) {}

stale_devices_error::stale_devices_error(std::string server_message,
                                         std::vector<std::uint32_t> stale)
    : api_error(410, "stale_devices", std::move(server_message)), stale_(std::move(stale)) {}

rate_limited_error::rate_limited_error(std::string server_message, std::chrono::seconds retry_after)
    : api_error(429, "rate_limited", std::move(server_message)), retry_after_(retry_after) {}

unauthorized_error::unauthorized_error(std::string server_message)
    : api_error(401, "unauthorized", std::move(server_message)) {}

void throw_api_error(unsigned status, const std::string& body, const std::string& retry_after) {
  boost::json::object fields;
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(body, ec);
  if (!ec && parsed.is_object()) {
    fields = std::move(parsed.as_object());
  }
  std::string code = string_field(fields, "error");
  std::string message = string_field(fields, "message");
  if (status == 409 && code == "mismatched_devices") {
    throw mismatched_devices_error(std::move(message), id_list(fields, "missing_devices"),
                                   id_list(fields, "extra_devices"));
  }
  if (status == 410 && code == "stale_devices") {
    throw stale_devices_error(std::move(message), id_list(fields, "stale_devices"));
  }
  if (status == 429) {
    throw rate_limited_error(std::move(message), parse_retry_after(retry_after));
  }
  if (status == 401) {
    throw unauthorized_error(std::move(message));
  }
  if (code.empty()) {
    code = "http_" + std::to_string(status);
  }
  throw api_error(status, std::move(code), std::move(message));
}

}  // namespace sealpost::client::net
