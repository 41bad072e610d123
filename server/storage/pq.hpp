// Small libpqxx helpers shared by the repositories: bytea parameters and results.
#pragma once

#include <optional>
#include <pqxx/pqxx>
#include <string>

namespace sealpost::storage {

// A bytea parameter, sent in binary format.
inline pqxx::binarystring bytea(const std::string& raw) {
  return pqxx::binarystring(raw);
}

// A nullable bytea parameter as hex text (NULL for nullopt), for SQL that reads it with
// decode($n, 'hex'): libpqxx 6 has no nullable binary parameter.
inline std::optional<std::string> optional_bytea_hex(const std::optional<std::string>& raw) {
  if (!raw)
    return std::nullopt;
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(raw->size() * 2);
  for (const unsigned char c : *raw) {
    hex.push_back(digits[c >> 4]);
    hex.push_back(digits[c & 0x0F]);
  }
  return hex;
}

inline std::string bytes_of(const pqxx::field& f) {
  return pqxx::binarystring(f).str();
}

}  // namespace sealpost::storage
