// Strict base64 by table: validate the whole text first, then transform it. An encoding,
// not a cryptographic primitive, so it needs no library.
#include "encoding/base64.hpp"

#include <algorithm>

namespace sealpost::encoding {
namespace {

constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// The value of a base64 symbol, or -1 for anything outside the standard alphabet
// (including '=', whitespace and the URL-safe '-' and '_').
int symbol_value(char c) noexcept {
  if (c >= 'A' && c <= 'Z') {
    return c - 'A';
  }
  if (c >= 'a' && c <= 'z') {
    return c - 'a' + 26;
  }
  if (c >= '0' && c <= '9') {
    return c - '0' + 52;
  }
  if (c == '+') {
    return 62;
  }
  if (c == '/') {
    return 63;
  }
  return -1;
}

std::size_t padding_length(std::string_view text) noexcept {
  std::size_t n = 0;
  while (n < 2 && n < text.size() && text[text.size() - 1 - n] == '=') {
    ++n;
  }
  return n;
}

// True when the bits the padding makes unused are zero. Without this check "QR==" and
// "QQ==" would both decode to "A", letting one value travel under several spellings.
bool trailing_bits_are_zero(std::string_view text, std::size_t padding) noexcept {
  if (padding == 0) {
    return true;
  }
  // One '=' leaves 2 unused bits in the third symbol of the group; two leave 4 in the second.
  const int last = symbol_value(text[text.size() - 1 - padding]);
  const int unused_mask = padding == 1 ? 0x03 : 0x0F;
  return (last & unused_mask) == 0;
}

bool is_canonical(std::string_view text) noexcept {
  if (text.size() % 4 != 0) {
    return false;
  }
  const std::size_t padding = padding_length(text);
  for (const char c : text.substr(0, text.size() - padding)) {
    if (symbol_value(c) < 0) {
      return false;
    }
  }
  return trailing_bits_are_zero(text, padding);
}

// Appends the `symbols` (2 to 4) symbols that encode the top bytes of `group`, then '='
// up to a full quad.
void append_quad(std::string& out, std::uint32_t group, std::size_t symbols) {
  for (std::size_t i = 0; i < 4; ++i) {
    out.push_back(i < symbols ? alphabet[(group >> (18 - 6 * i)) & 63] : '=');
  }
}

}  // namespace

std::string base64_encode(std::span<const std::uint8_t> bytes) {
  std::string out;
  out.reserve(4 * ((bytes.size() + 2) / 3));
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
    std::uint32_t group = 0;
    for (std::size_t j = 0; j < n; ++j) {
      group |= std::uint32_t{bytes[i + j]} << (16 - 8 * j);
    }
    append_quad(out, group, n + 1);
  }
  return out;
}

std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text) {
  if (!is_canonical(text)) {
    return std::nullopt;
  }
  const std::size_t padding = padding_length(text);
  const std::string_view symbols = text.substr(0, text.size() - padding);
  std::vector<std::uint8_t> out;
  out.reserve(symbols.size() * 3 / 4);
  // Four symbols carry three bytes; a final partial quad of k symbols carries k - 1.
  for (std::size_t i = 0; i < symbols.size(); i += 4) {
    const std::size_t n = std::min<std::size_t>(4, symbols.size() - i);
    std::uint32_t group = 0;
    for (std::size_t j = 0; j < n; ++j) {
      group |= static_cast<std::uint32_t>(symbol_value(symbols[i + j])) << (18 - 6 * j);
    }
    for (std::size_t j = 0; j + 1 < n; ++j) {
      out.push_back(static_cast<std::uint8_t>(group >> (16 - 8 * j)));
    }
  }
  return out;
}

}  // namespace sealpost::encoding
