// Between the storage layer's raw std::string bytes and common/keytrans's byte spans and
// fixed-size arrays.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>

namespace sealpost::transparency {

inline std::string as_string(std::span<const std::uint8_t> bytes) {
  return {bytes.begin(), bytes.end()};
}

inline std::span<const std::uint8_t> span_of(const std::string& raw) {
  return {reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size()};
}

// A stored hash, key or commitment; std::runtime_error when the kt_ tables hold another
// length (a damaged table, never client input).
template <std::size_t N>
std::array<std::uint8_t, N> as_array(const std::string& raw) {
  if (raw.size() != N)
    throw std::runtime_error("kt tables: a stored value has the wrong length");
  std::array<std::uint8_t, N> out{};
  std::copy(raw.begin(), raw.end(), out.begin());
  return out;
}

}  // namespace sealpost::transparency
