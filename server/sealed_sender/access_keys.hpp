// Unidentified access keys (DESIGN.md, "Unidentified access keys"): whether a presented
// Unidentified-Access-Key lets a sealed send through to an account.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "storage/account_repository.hpp"

namespace sealpost::sealed_sender {

using access_key = std::array<std::uint8_t, 16>;

// The header's value: base64 of exactly 16 bytes; nullopt for anything else.
std::optional<access_key> parse_access_key_header(std::string_view header);

// An unrestricted account takes any key; otherwise the account's key must equal `presented`
// (compared in constant time). An account without a key that is not unrestricted takes none.
bool admits(const storage::unidentified_access& account, const access_key& presented);

}  // namespace sealpost::sealed_sender
