// JSON body validation with field-precise error messages.
#include "net/json_reader.hpp"

#include <boost/json/parse.hpp>

#include "crypto/base64.hpp"
#include "net/request_error.hpp"

namespace sealpost::net {

[[noreturn]] void throw_bad_field(const std::string& field, std::string_view why) {
  throw request_error(api_errc::bad_request, "invalid_request",
                      "field '" + field + "': " + std::string(why));
}

boost::json::object parse_json_object(std::string_view body) {
  boost::system::error_code ec;
  boost::json::parse_options opts;
  opts.max_depth = 16;  // our bodies are shallow; deep nesting is only ever an attack
  boost::json::value v = boost::json::parse(body, ec, {}, opts);
  if (ec) {
    throw request_error(api_errc::invalid_json, "invalid_json", "request body is not valid JSON");
  }
  if (!v.is_object()) {
    throw request_error(api_errc::invalid_json, "invalid_json",
                        "request body must be a JSON object");
  }
  return std::move(v.as_object());
}

const boost::json::object& as_object(const boost::json::value& v, const std::string& field) {
  if (!v.is_object())
    throw_bad_field(field, "must be an object");
  return v.as_object();
}

json_reader::json_reader(const boost::json::object& obj, std::string where)
    : obj_(obj), where_(std::move(where)) {}

bool json_reader::has(std::string_view key) const {
  auto it = obj_.find(key);
  return it != obj_.end() && !it->value().is_null();
}

const boost::json::value* json_reader::find(std::string_view key) {
  used_.emplace(key);
  auto it = obj_.find(key);
  if (it == obj_.end() || it->value().is_null())
    return nullptr;
  return &it->value();
}

const boost::json::value& json_reader::need(std::string_view key) {
  const auto* v = find(key);
  if (v == nullptr)
    throw_bad_field(name(key), "is required");
  return *v;
}

std::string json_reader::string(std::string_view key) {
  const auto& v = need(key);
  if (!v.is_string())
    throw_bad_field(name(key), "must be a string");
  return std::string(v.as_string());
}

std::optional<std::string> json_reader::optional_string(std::string_view key) {
  if (!has(key)) {
    used_.emplace(key);
    return std::nullopt;
  }
  return string(key);
}

std::int64_t json_reader::integer(std::string_view key, std::int64_t min, std::int64_t max) {
  const auto& v = need(key);
  std::int64_t value = 0;
  if (v.is_int64()) {
    value = v.as_int64();
  } else if (v.is_uint64()) {
    throw_bad_field(name(key), "is out of range");
  } else {
    throw_bad_field(name(key), "must be an integer");
  }
  if (value < min || value > max) {
    throw_bad_field(name(key),
                    "must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return value;
}

std::uint32_t json_reader::u32(std::string_view key) {
  return static_cast<std::uint32_t>(integer(key, 0, 0xffffffffLL));
}

std::optional<bool> json_reader::optional_bool(std::string_view key) {
  const auto* v = find(key);
  if (v == nullptr)
    return std::nullopt;
  if (!v->is_bool())
    throw_bad_field(name(key), "must be true or false");
  return v->as_bool();
}

std::string json_reader::base64(std::string_view key, std::size_t max_bytes) {
  const auto& v = need(key);
  if (!v.is_string())
    throw_bad_field(name(key), "must be a base64 string");
  const auto& text = v.as_string();
  // Bound the work before decoding: 4 characters per 3 bytes.
  if (text.size() > (max_bytes + 2) / 3 * 4)
    throw_bad_field(name(key), "is too long");
  auto decoded = crypto::base64_decode(std::string_view(text.data(), text.size()));
  if (!decoded)
    throw_bad_field(name(key), "is not valid padded base64");
  if (decoded->size() > max_bytes)
    throw_bad_field(name(key), "is too long");
  return std::string(decoded->begin(), decoded->end());
}

const boost::json::object& json_reader::object(std::string_view key) {
  return as_object(need(key), name(key));
}

const boost::json::object* json_reader::optional_object(std::string_view key) {
  const auto* v = find(key);
  return v == nullptr ? nullptr : &as_object(*v, name(key));
}

const boost::json::array& json_reader::array(std::string_view key, std::size_t max_items) {
  const auto& v = need(key);
  if (!v.is_array())
    throw_bad_field(name(key), "must be an array");
  if (v.as_array().size() > max_items) {
    throw request_error(
        api_errc::payload_too_large, "too_many_items",
        "field '" + name(key) + "': at most " + std::to_string(max_items) + " items");
  }
  return v.as_array();
}

const boost::json::array* json_reader::optional_array(std::string_view key, std::size_t max_items) {
  if (!has(key)) {
    used_.emplace(key);
    return nullptr;
  }
  return &array(key, max_items);
}

void json_reader::reject_unknown_fields() const {
  for (const auto& [k, v] : obj_) {
    if (!used_.contains(std::string_view(k)))
      throw_bad_field(where_ + std::string(k), "is not allowed");
  }
}

}  // namespace sealpost::net
