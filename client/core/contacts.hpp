// Contacts and identity trust: who a username names, which devices a contact has, and
// which identity key we trust for each (trust on first use; a changed key blocks sending
// until the user verifies it). Safety numbers and verification live here too.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/key_transparency.hpp"
#include "core/local_state.hpp"
#include "core/messenger.hpp"
#include "crypto/key_encoding.hpp"
#include "net/api_client.hpp"

namespace sealpost::client {

// The name to show for `c`: its username, else its account id.
[[nodiscard]] std::string display_name(const contact& c);

// The devices of `c` whose key changed and is not verified yet.
[[nodiscard]] std::vector<std::uint32_t> changed_devices(const contact& c);

enum class observation { known, new_device, changed };

// Compares a device's identity key with the one we trust: a device we did not know is
// trusted on first use; a different key for a known device is recorded as a change and
// blocks sending to the contact until verify().
observation observe(contact& c, std::uint32_t device_id, std::uint32_t registration_id,
                    const crypto::typed_public_key& key);

// The contacts of one device's state. Holds references: `state` and `api` outlive it.
class contact_book {
 public:
  contact_book(local_state& state, net::api_client& api, key_directory& directory) noexcept
      : state_(state), api_(api), directory_(directory) {}

  // The contact with `account_id`, created empty when new.
  contact& contact_for(const std::string& account_id);
  // This account, as a contact (its other devices get copies of what we send).
  contact& self() { return contact_for(state_.account_id); }

  // The contact a user means by `who`: an account id, or a username looked up once and
  // checked against the key-transparency log (kt_device_unverified_error when the log does
  // not show the name naming that account). usage_error for neither; unknown_contact_error
  // when the server knows no such user.
  contact& resolve(const std::string& who);

  // Records that `username` belongs to `account_id`. When the name belonged to another
  // account before (it was deleted and registered again), the new account is a changed
  // identity: returns true and marks it so.
  bool adopt_username(const std::string& account_id, const std::string& username);
  // adopt_username for a name the user typed and the server resolved: the log must agree.
  bool adopt_typed_username(const std::string& account_id, const std::string& username);

  // Forgets a device of `c` and our sessions with it.
  void forget_device(contact& c, std::uint32_t device_id);

  // Makes the server's device list of `c` ours: new devices are trusted on first use,
  // changed keys recorded, missing devices forgotten. Returns what changed, for people.
  std::vector<notice> sync_devices(contact& c, const std::vector<net::device_entry>& listed);

  // The safety numbers with each device of `who`, after refreshing its device list.
  std::vector<safety_number> safety_numbers(const std::string& who);
  // Trusts the current keys of `who`; sessions under keys no longer trusted go.
  void verify(const std::string& who);
  // Every contact but this account.
  [[nodiscard]] std::vector<contact_info> list() const;
  // The account a user means by `who` among known contacts ("" for `who` empty).
  // unknown_contact_error when no contact has that name.
  [[nodiscard]] std::string known_account(const std::string& who) const;

 private:
  void note_device(contact& c, const net::device_entry& d, bool known_before,
                   std::vector<notice>& notices);

  local_state& state_;
  net::api_client& api_;
  key_directory& directory_;
};

}  // namespace sealpost::client
