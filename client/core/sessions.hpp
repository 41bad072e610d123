// The session store: the Double Ratchet sessions with each remote device (the current one
// first, a few older ones kept for when both sides started a session at once), and
// establishing new ones from the server's prekey bundles.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "core/contacts.hpp"
#include "core/key_transparency.hpp"
#include "core/local_state.hpp"
#include "net/api_client.hpp"
#include "protocol/session.hpp"

namespace sealpost::client {

class session_store {
 public:
  session_store(local_state& state, net::api_client& api, contact_book& contacts,
                key_directory& directory) noexcept
      : state_(state), api_(api), contacts_(contacts), directory_(directory) {}

  // The sessions with a device, current first; nullptr when there are none.
  std::vector<protocol::session>* sessions_of(const std::string& account_id,
                                              std::uint32_t device_id);

  // Makes `session` the current one with the device, dropping the oldest beyond a few.
  void put_current(const std::string& account_id, std::uint32_t device_id,
                   protocol::session session);

  // A session we may encrypt with: current, and with the identity key we trust.
  protocol::session* sending_session(const contact& c, std::uint32_t device_id);

  // Fetches prekey bundles (of every device when `devices` is empty, else of those) and
  // starts a session with each, only with devices the key-transparency log proves
  // (kt_device_unverified_error otherwise). A device whose identity key changed gets no session and
  // makes this throw identity_changed_error once the others are done.
  void establish(contact& c, const std::set<std::uint32_t>& devices);

 private:
  std::vector<net::device_bundle> claim_bundles(contact& c, const std::set<std::uint32_t>& devices);
  // False when the bundle's identity key changed (no session is started).
  bool start_session(contact& c, const net::device_bundle& bundle);

  local_state& state_;
  net::api_client& api_;
  contact_book& contacts_;
  key_directory& directory_;
};

}  // namespace sealpost::client
