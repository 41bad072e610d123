// Reading the KEYTRANS vector files of tests/vectors/keytrans/ (lowercase hex byte strings).
#pragma once

#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sealpost::keytrans::test {

// The whole document of tests/vectors/keytrans/`file_name`.
inline boost::json::value load_keytrans_file(const std::string& file_name) {
  const std::string path = std::string(SEALPOST_TEST_VECTORS_DIR) + "/keytrans/" + file_name;
  std::ifstream file(path);
  REQUIRE(file.good());
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  return boost::json::parse(text);
}

inline boost::json::array load_keytrans_cases(const std::string& file_name) {
  return load_keytrans_file(file_name).at("cases").as_array();
}

// Boost.JSON keeps small numbers as int64 and those above 2^63-1 as uint64.
inline std::uint64_t u64(const boost::json::value& value) {
  if (value.is_uint64()) {
    return value.as_uint64();
  }
  REQUIRE(value.as_int64() >= 0);
  return static_cast<std::uint64_t>(value.as_int64());
}

inline std::uint8_t hex_digit(char c) {
  if (c >= '0' && c <= '9') {
    return static_cast<std::uint8_t>(c - '0');
  }
  if (c >= 'a' && c <= 'f') {
    return static_cast<std::uint8_t>(c - 'a' + 10);
  }
  throw std::invalid_argument("bad hex digit");
}

inline std::vector<std::uint8_t> hex_bytes(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    throw std::invalid_argument("odd hex length");
  }
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(hex_digit(hex[i]) << 4 | hex_digit(hex[i + 1])));
  }
  return out;
}

// The hex string field `name` of a JSON object, as bytes.
inline std::vector<std::uint8_t> hex_field(const boost::json::object& object, const char* name) {
  return hex_bytes(std::string_view(object.at(name).as_string()));
}

template <typename Array>
Array hex_array(const boost::json::object& object, const char* name) {
  const std::vector<std::uint8_t> data = hex_field(object, name);
  Array out{};
  REQUIRE(data.size() == out.size());
  std::copy(data.begin(), data.end(), out.begin());
  return out;
}

}  // namespace sealpost::keytrans::test
