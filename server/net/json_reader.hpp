// Strict, typed reading of JSON request bodies. Every failure throws request_error with a
// message naming the field: 400 for malformed JSON, missing or unknown fields, wrong types.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace sealpost::net {

// Parses a body that must be a JSON object (bounded by the route's body limit already).
boost::json::object parse_json_object(std::string_view body);

class json_reader {
 public:
  // `where` prefixes field names in messages, e.g. "signed_prekey.".
  explicit json_reader(const boost::json::object& obj, std::string where = "");

  std::string string(std::string_view key);
  std::optional<std::string> optional_string(std::string_view key);
  std::uint32_t u32(std::string_view key);
  std::int64_t integer(std::string_view key, std::int64_t min, std::int64_t max);
  std::optional<bool> optional_bool(std::string_view key);
  // Standard padded base64, decoded; `max_bytes` bounds the decoded size.
  std::string base64(std::string_view key, std::size_t max_bytes);
  const boost::json::object& object(std::string_view key);
  const boost::json::object* optional_object(std::string_view key);
  const boost::json::array& array(std::string_view key, std::size_t max_items);
  const boost::json::array* optional_array(std::string_view key, std::size_t max_items);
  bool has(std::string_view key) const;

  // Throws when the object holds a field no accessor asked for.
  void reject_unknown_fields() const;

  std::string name(std::string_view key) const { return where_ + std::string(key); }

 private:
  const boost::json::value* find(std::string_view key);
  const boost::json::value& need(std::string_view key);

  const boost::json::object& obj_;
  std::string where_;
  std::set<std::string, std::less<>> used_;
};

// The object at `v`, or a request_error naming `field`.
const boost::json::object& as_object(const boost::json::value& v, const std::string& field);

[[noreturn]] void throw_bad_field(const std::string& field, std::string_view why);

}  // namespace sealpost::net
