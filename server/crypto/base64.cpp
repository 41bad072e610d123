// Strict base64: validation by hand, the actual transform by OpenSSL's EVP_*Block.
#include "crypto/base64.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cstddef>
#include <stdexcept>

namespace sealpost::crypto {
namespace {

// EVP_EncodeBlock / EVP_DecodeBlock take an int length, so large inputs go through in
// chunks; the sizes are multiples of 3 and 4 so that chunks join without padding.
constexpr std::size_t encode_chunk_bytes = std::size_t{3} * 1024 * 1024;
constexpr std::size_t decode_chunk_chars = std::size_t{4} * 1024 * 1024;

// The value of a base64 symbol, or -1 for anything outside the standard alphabet
// (including '=', whitespace and the URL-safe '-' and '_').
int symbol_value(char c) {
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

std::size_t padding_length(std::string_view text) {
  std::size_t n = 0;
  while (n < 2 && n < text.size() && text[text.size() - 1 - n] == '=') {
    ++n;
  }
  return n;
}

// True when the bits the padding makes unused are zero. Without this check "QR==" and
// "QQ==" would both decode to "A", letting one value travel under several spellings.
bool trailing_bits_are_zero(std::string_view text, std::size_t padding) {
  if (padding == 0) {
    return true;
  }
  // One '=' leaves 2 unused bits in the third symbol of the group; two leave 4 in the second.
  const int last = symbol_value(text[text.size() - 1 - padding]);
  const int unused_mask = padding == 1 ? 0x03 : 0x0F;
  return (last & unused_mask) == 0;
}

bool is_canonical(std::string_view text) {
  if (text.size() % 4 != 0) {
    return false;
  }
  const std::size_t padding = padding_length(text);
  const std::string_view symbols = text.substr(0, text.size() - padding);
  for (const char c : symbols) {
    if (symbol_value(c) < 0) {
      return false;
    }
  }
  return trailing_bits_are_zero(text, padding);
}

}  // namespace

std::string base64_encode(std::span<const std::uint8_t> bytes) {
  std::string out;
  out.resize(4 * ((bytes.size() + 2) / 3));
  std::size_t written = 0;
  for (std::size_t offset = 0; offset < bytes.size(); offset += encode_chunk_bytes) {
    const std::span<const std::uint8_t> chunk =
        bytes.subspan(offset, std::min(encode_chunk_bytes, bytes.size() - offset));
    // EVP_EncodeBlock writes a terminating NUL after the symbols: keep one spare byte.
    std::string buffer(4 * ((chunk.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(buffer.data()), chunk.data(),
                                  static_cast<int>(chunk.size()));
    if (n < 0 || static_cast<std::size_t>(n) != buffer.size() - 1) {
      throw std::logic_error("EVP_EncodeBlock returned an unexpected length");
    }
    out.replace(written, static_cast<std::size_t>(n), buffer.data(), static_cast<std::size_t>(n));
    written += static_cast<std::size_t>(n);
  }
  return out;
}

std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text) {
  // EVP_DecodeBlock itself skips whitespace and misreads padding, so it only ever sees
  // text that already passed the strict check.
  if (!is_canonical(text)) {
    return std::nullopt;
  }
  std::vector<std::uint8_t> out(text.size() / 4 * 3);
  std::size_t written = 0;
  for (std::size_t offset = 0; offset < text.size(); offset += decode_chunk_chars) {
    const std::string_view chunk = text.substr(offset, decode_chunk_chars);
    const int n =
        EVP_DecodeBlock(out.data() + written, reinterpret_cast<const unsigned char*>(chunk.data()),
                        static_cast<int>(chunk.size()));
    if (n < 0 || static_cast<std::size_t>(n) != chunk.size() / 4 * 3) {
      return std::nullopt;
    }
    written += static_cast<std::size_t>(n);
  }
  // EVP_DecodeBlock emits zero bytes for the '=' symbols; they are not part of the data.
  out.resize(written - padding_length(text));
  return out;
}

}  // namespace sealpost::crypto
