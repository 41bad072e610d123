// What the three files of key_directory share (key_transparency.cpp: the log and its heads;
// kt_contacts.cpp: contacts' searches and monitoring; kt_own_account.cpp: this account's own
// labels). Internal to the client core.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "core/local_state.hpp"
#include "keytrans/kt_proof.hpp"
#include "keytrans/response_check.hpp"
#include "keytrans/tree_head.hpp"

namespace sealpost::client {

// Lower-case hex of `data`.
std::string hex(std::span<const std::uint8_t> data);
// The canonical account id of 16 UUID bytes (a username label's value).
std::string account_id_of(std::span<const std::uint8_t> uuid);
// The account label of a canonical account id.
keytrans::bytes account_label_of(const std::string& account_id);
// Why a proof or a check failed, in the user's terms.
std::string describe(keytrans::kt_proof_error error);
const char* describe(keytrans::kt_check_error error);
// The pinned Configuration, decoded. Throws std::runtime_error when the state holds bytes
// that do not decode (the state file was damaged).
keytrans::configuration pinned_configuration(const kt_view& kt);

}  // namespace sealpost::client
