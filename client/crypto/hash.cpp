// Digest and MAC wrappers; HMAC goes through EVP_MAC because HMAC_* is deprecated in 3.0.
#include "crypto/hash.hpp"

#include <openssl/core_names.h>

#include "crypto/crypto_error.hpp"
#include "crypto/detail/openssl.hpp"

namespace sealpost::client::crypto {
namespace {

template <std::size_t Size>
std::array<std::uint8_t, Size> digest(const EVP_MD* algorithm, std::span<const std::uint8_t> data,
                                      const char* name) {
  std::array<std::uint8_t, Size> out{};
  unsigned int length = 0;
  detail::check(EVP_Digest(detail::data_or_empty(data), data.size(), out.data(), &length,
                           detail::check_not_null(algorithm, name), nullptr),
                name);
  if (length != Size) {
    throw crypto_error(name);
  }
  return out;
}

}  // namespace

sha256_digest sha256(std::span<const std::uint8_t> data) {
  return digest<sha256_size>(EVP_sha256(), data, "SHA-256");
}

sha512_digest sha512(std::span<const std::uint8_t> data) {
  return digest<sha512_size>(EVP_sha512(), data, "SHA-512");
}

hmac_sha256_tag hmac_sha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> data) {
  const detail::evp_mac_ptr mac(
      detail::check_not_null(EVP_MAC_fetch(nullptr, "HMAC", nullptr), "HMAC fetch"));
  const detail::evp_mac_ctx_ptr context(
      detail::check_not_null(EVP_MAC_CTX_new(mac.get()), "HMAC context"));
  char digest_name[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
      OSSL_PARAM_construct_end()};
  // A null key pointer would mean "keep the previous key"; an empty key must be explicit.
  detail::check(EVP_MAC_init(context.get(), detail::data_or_empty(key), key.size(), params),
                "HMAC init");
  detail::check(EVP_MAC_update(context.get(), detail::data_or_empty(data), data.size()),
                "HMAC update");
  hmac_sha256_tag tag;
  std::size_t length = 0;
  detail::check(EVP_MAC_final(context.get(), tag.data(), &length, tag.size()), "HMAC final");
  if (length != tag.size()) {
    throw crypto_error("HMAC final (length)");
  }
  return tag;
}

bool hmac_sha256_verify(std::span<const std::uint8_t> key, std::span<const std::uint8_t> data,
                        std::span<const std::uint8_t> tag) {
  if (tag.size() != sha256_size) {
    return false;
  }
  return hmac_sha256(key, data) == hmac_sha256_tag(tag);
}

}  // namespace sealpost::client::crypto
