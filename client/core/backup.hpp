// Backups: contacts (with their trusted keys) and history, sealed under a key derived from
// a backup passphrase, and merged back into a device's state. No private keys, no sessions.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "core/local_state.hpp"
#include "core/messenger.hpp"
#include "crypto/scrypt.hpp"
#include "net/api_types.hpp"

namespace sealpost::client {

// The sealed backup of `state` for PUT /v1/backup.
[[nodiscard]] net::byte_vector seal_backup(const local_state& state,
                                           std::string_view backup_passphrase,
                                           const crypto::scrypt_params& kdf);

// The contents of a sealed backup of `account_id`. state_error: corrupt (not a backup, or
// another account's), wrong_passphrase (does not decrypt).
[[nodiscard]] backup_contents open_backup(std::span<const std::uint8_t> blob,
                                          std::string_view backup_passphrase,
                                          const std::string& account_id);

// Merges `contents` into `state`: new contacts and devices are added, trust only grows
// where the keys agree, history entries not already present are added in time order.
restore_report merge_backup(local_state& state, backup_contents contents,
                            std::size_t history_limit);

}  // namespace sealpost::client
