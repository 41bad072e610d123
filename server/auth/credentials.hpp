// Device passwords: stored as HMAC-SHA256(salt, password), compared in constant time.
// HMAC (not a slow KDF) is enough because clients pick random passwords of >= 16 bytes of
// entropy, as the design requires; see also the minimum length check at registration.
#pragma once

#include <string>
#include <string_view>

#include "storage/account_repository.hpp"

namespace sealpost::auth {

inline constexpr std::size_t kMinPasswordLength = 16;
inline constexpr std::size_t kMaxPasswordLength = 512;

// A fresh random salt and the hash of `password` under it.
storage::credential_record hash_new_password(std::string_view password);

bool password_matches(const storage::credential_record& record, std::string_view password);

}  // namespace sealpost::auth
