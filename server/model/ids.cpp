// UUIDs, device ids and secret tokens, all randomness from RAND_bytes.
#include "model/ids.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>
#include <charconv>
#include <stdexcept>

namespace sealpost::model {
namespace {

template <std::size_t N>
std::array<unsigned char, N> random_array() {
  std::array<unsigned char, N> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(N)) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  return bytes;
}

}  // namespace

std::string new_uuid() {
  auto b = random_array<16>();
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      out += '-';
    out += hex[b[i] >> 4];
    out += hex[b[i] & 0x0f];
  }
  return out;
}

std::string new_account_id() {
  return new_uuid();
}

std::string new_node_id() {
  return new_uuid();
}

std::string new_connection_id() {
  return new_uuid();
}

bool is_canonical_uuid(std::string_view text) {
  if (text.size() != 36)
    return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-')
        return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

std::optional<std::int32_t> parse_device_id(std::string_view text) {
  std::int32_t id = 0;
  if (text.empty() || text.size() > 10 || text.front() == '0')
    return std::nullopt;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc{} || ptr != text.data() + text.size() || id < 1)
    return std::nullopt;
  return id;
}

std::string token_hash(std::string_view token) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  if (EVP_Digest(token.data(), token.size(), digest.data(), nullptr, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("EVP_Digest failed");
  }
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

secret_token new_secret_token() {
  auto b = random_array<32>();
  std::array<unsigned char, 48> encoded{};
  const int n = EVP_EncodeBlock(encoded.data(), b.data(), static_cast<int>(b.size()));
  std::string token(reinterpret_cast<const char*>(encoded.data()), static_cast<std::size_t>(n));
  // URL-safe alphabet, no padding: tokens travel in JSON and sometimes in URLs.
  for (auto& c : token) {
    if (c == '+')
      c = '-';
    if (c == '/')
      c = '_';
  }
  while (!token.empty() && token.back() == '=')
    token.pop_back();
  return {token, token_hash(token)};
}

secret_token new_link_token(std::string_view account_id) {
  auto token = std::string(account_id) + "." + new_secret_token().token;
  auto hash = token_hash(token);
  return {std::move(token), std::move(hash)};
}

std::optional<std::string> link_token_account(std::string_view token) {
  const auto dot = token.find('.');
  if (dot == std::string_view::npos || !is_canonical_uuid(token.substr(0, dot)))
    return std::nullopt;
  return std::string(token.substr(0, dot));
}

}  // namespace sealpost::model
