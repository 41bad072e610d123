// Salted password hashing with OpenSSL's HMAC; every secret buffer is wiped after use.
#include "auth/credentials.hpp"

#include <array>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdexcept>

namespace sealpost::auth {
namespace {

constexpr std::size_t kSaltBytes = 16;

std::string hmac_sha256(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &len) == nullptr) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  std::string result(reinterpret_cast<const char*>(out.data()), len);
  OPENSSL_cleanse(out.data(), out.size());
  return result;
}

}  // namespace

storage::credential_record hash_new_password(std::string_view password) {
  std::string salt(kSaltBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), static_cast<int>(salt.size())) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  return {salt, hmac_sha256(salt, password)};
}

bool password_matches(const storage::credential_record& record, std::string_view password) {
  std::string candidate = hmac_sha256(record.salt, password);
  const bool same = candidate.size() == record.hash.size() &&
                    CRYPTO_memcmp(candidate.data(), record.hash.data(), candidate.size()) == 0;
  OPENSSL_cleanse(candidate.data(), candidate.size());
  return same;
}

}  // namespace sealpost::auth
