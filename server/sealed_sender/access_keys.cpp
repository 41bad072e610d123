// Access-key checks: constant-time comparison of 16 raw bytes.
#include "sealed_sender/access_keys.hpp"

#include <openssl/crypto.h>

#include <algorithm>

#include "crypto/base64.hpp"

namespace sealpost::sealed_sender {

std::optional<access_key> parse_access_key_header(std::string_view header) {
  // 16 bytes are exactly 24 base64 characters: anything longer is refused before decoding.
  if (header.size() != 24)
    return std::nullopt;
  const auto decoded = crypto::base64_decode(header);
  if (!decoded || decoded->size() != access_key{}.size())
    return std::nullopt;
  access_key key{};
  std::copy(decoded->begin(), decoded->end(), key.begin());
  return key;
}

bool admits(const storage::unidentified_access& account, const access_key& presented) {
  if (account.unrestricted)
    return true;
  if (!account.key || account.key->size() != presented.size())
    return false;
  return CRYPTO_memcmp(account.key->data(), presented.data(), presented.size()) == 0;
}

}  // namespace sealpost::sealed_sender
