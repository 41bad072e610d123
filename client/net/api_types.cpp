// Guid and UUID text helpers.
#include "net/api_types.hpp"

namespace sealpost::client::net {
namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  return -1;
}

bool is_dash_position(std::size_t i) noexcept {
  return i == 8 || i == 13 || i == 18 || i == 23;
}

}  // namespace

std::string guid_to_text(const guid& id) {
  static constexpr std::string_view hex = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < id.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) {
      out.push_back('-');
    }
    out.push_back(hex[id[i] >> 4]);
    out.push_back(hex[id[i] & 0x0f]);
  }
  return out;
}

bool is_canonical_uuid(std::string_view text) noexcept {
  if (text.size() != 36) {
    return false;
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (is_dash_position(i) ? text[i] != '-' : hex_value(text[i]) < 0) {
      return false;
    }
  }
  return true;
}

std::optional<guid> guid_from_text(std::string_view text) noexcept {
  if (!is_canonical_uuid(text)) {
    return std::nullopt;
  }
  guid out{};
  std::size_t byte = 0;
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '-') {
      ++i;
      continue;
    }
    out[byte++] = static_cast<std::uint8_t>(hex_value(text[i]) * 16 + hex_value(text[i + 1]));
    i += 2;
  }
  return out;
}

}  // namespace sealpost::client::net
