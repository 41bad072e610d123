// Everything a device keeps about itself and its peers, in memory: credentials, identity and
// prekey private keys, sessions, contacts with their trusted identity keys, history and the
// guids already processed. encode/decode turn it into the LocalState bytes that the state
// file encrypts.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "crypto/access_key.hpp"
#include "crypto/key_encoding.hpp"
#include "crypto/secret_bytes.hpp"
#include "crypto/x25519.hpp"
#include "keytrans/kt_proof.hpp"
#include "keytrans/labels.hpp"
#include "keytrans/response_check.hpp"
#include "net/api_types.hpp"
#include "protocol/prekey.hpp"
#include "protocol/session.hpp"

namespace sealpost::client {

struct stored_prekey {
  std::uint32_t key_id = 0;
  crypto::x25519_key_pair key_pair;
  std::uint64_t created_at_ms = 0;
};

struct contact_device {
  std::uint32_t device_id = 0;
  std::uint32_t registration_id = 0;
  crypto::typed_public_key identity_key{};                       // the trusted key
  std::optional<crypto::typed_public_key> changed_identity_key;  // seen since, not verified
  // The user compared identity_key's safety number and ran verify: a session with this key
  // needs no key-transparency proof (DESIGN.md, "What the user sees").
  bool verified = false;
};

struct contact {
  std::string account_id;
  std::string username;  // empty when unknown or unconfirmed
  bool verified = false;
  bool identity_changed = false;  // sending is blocked until verify
  std::map<std::uint32_t, contact_device> devices;
  std::string replaced_account_id;
  // The account's unidentified access key, learnt from its profile key in a message:
  // with it, messages to the account go sealed (DESIGN.md, "Sealed sender").
  std::optional<crypto::access_key> access_key;
};

struct history_entry {
  bool outgoing = false;
  std::string peer_account;
  std::string peer_username;
  std::uint32_t peer_device = 0;  // incoming: the sender's device
  std::uint32_t own_device = 0;   // outgoing: which of our devices sent it
  std::uint64_t timestamp_ms = 0;
  std::uint64_t server_timestamp_ms = 0;
  std::string text;

  friend bool operator==(const history_entry&, const history_entry&) = default;
};

// Key transparency, as this device last verified the log (DESIGN.md, "Reference client: what
// it checks"): nothing is saved here before a whole answer verified.
struct kt_proven_account {
  std::uint32_t version = 0;
  std::vector<keytrans::kt_device> devices;  // the proven KtDeviceList
  // The label's contact map (§8.2): proven versions at entries that were not distinguished,
  // which monitoring follows up the log until a distinguished entry covers them.
  std::vector<keytrans::kt_map_entry> entries;  // ascending position
};

// A username the user typed, as a search proved it.
struct kt_proven_username {
  std::string account_id;
  std::uint32_t version = 0;
  std::vector<keytrans::kt_map_entry> entries;  // as for accounts
};

struct kt_view {
  std::vector<std::uint8_t> configuration;  // pinned; empty until the first check
  keytrans::kt_retained_view retained;      // tree_size 0: none yet
  std::uint64_t last_check_ms = 0;
  std::string last_verified;  // the last answer that verified (its signed head), as it came
  // A log-level failure (signature, consistency, configuration change, timestamps) that no
  // later check has cleared, and the answers that conflict, kept as evidence.
  std::string failure;
  std::vector<std::string> evidence;
  // The device set of each account a search proved, by account id: the only devices this
  // device starts sessions with.
  std::map<std::string, kt_proven_account> accounts;
  // The usernames the user typed that a search proved, by username.
  std::map<std::string, kt_proven_username> usernames;
  // The owner check of this account's own label, and its newest device set.
  std::optional<keytrans::kt_owner_state> owner;
  std::vector<keytrans::kt_device> own_devices;
  // The owner check of this account's username label, and the account its newest version
  // names (empty: none, or not published yet).
  std::optional<keytrans::kt_owner_state> username_owner;
  std::string own_username_account;
};

// The sessions with one remote device, the current one first.
using session_key = std::pair<std::string, std::uint32_t>;  // (account id, device id)

struct local_state {
  std::string server_url;
  std::string username;
  std::string account_id;  // empty until the server assigned one
  std::uint32_t device_id = 0;
  std::string password;
  protocol::local_identity identity;
  std::vector<stored_prekey> signed_prekeys;  // oldest first; the last is current
  std::map<std::uint32_t, stored_prekey> one_time_prekeys;
  std::uint32_t next_signed_prekey_id = 1;
  std::uint32_t next_one_time_prekey_id = 1;
  std::map<session_key, std::vector<protocol::session>> sessions;
  std::map<std::string, contact> contacts;  // by account id
  std::deque<history_entry> history;        // oldest first
  std::deque<net::guid> seen_guids;         // oldest first
  std::set<net::guid> seen_guid_index;      // the same guids, for lookups
  // Sealed sender: the account's profile key (given to contacts inside messages; the server
  // holds the access key derived from it), the trust root pinned at registration, and this
  // device's latest delivery certificate.
  std::optional<crypto::profile_key> profile_key;
  std::optional<crypto::typed_public_key> trust_root;
  std::optional<net::delivery_certificate> delivery_certificate;
  kt_view key_transparency;

  // The typed public identity key of this device, as published (0x05, or 0x0E for
  // identities made before sealed sender).
  [[nodiscard]] const crypto::typed_public_key& identity_key() const noexcept {
    return identity.identity_key.public_key;
  }

  // Remembers a processed guid, forgetting the oldest beyond `limit`.
  void remember_guid(const net::guid& id, std::size_t limit);
};

// The state as LocalState protobuf bytes, in wiped-on-destruction memory. Throws
// crypto_error only on internal failure.
crypto::secret_bytes<> encode_state(const local_state& state);

// The state of encode_state's bytes. Throws state_error(corrupt) for anything else.
local_state decode_state(std::span<const std::uint8_t> bytes);

// Backup (the Backup message): contacts and history of the account, no private keys.
crypto::secret_bytes<> encode_backup(const local_state& state, std::uint64_t created_at_ms);
struct backup_contents {
  std::string account_id;
  std::string username;
  std::uint64_t created_at_ms = 0;
  std::vector<contact> contacts;
  std::vector<history_entry> history;
};
// Throws state_error(corrupt) for bytes that are not a Backup.
backup_contents decode_backup(std::span<const std::uint8_t> bytes);

// The prekey_store view of a local_state's signed and one-time prekeys, for session::accept.
class state_prekey_store final : public protocol::prekey_store {
 public:
  explicit state_prekey_store(local_state& state) noexcept : state_(state) {}
  [[nodiscard]] const crypto::x25519_key_pair* find_signed_prekey(
      std::uint32_t key_id) const override;
  [[nodiscard]] const crypto::x25519_key_pair* find_one_time_prekey(
      std::uint32_t key_id) const override;
  void remove_one_time_prekey(std::uint32_t key_id) override;

 private:
  local_state& state_;
};

}  // namespace sealpost::client
