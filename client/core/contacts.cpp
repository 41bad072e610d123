// Contacts and identity trust: username resolution, device lists, trust on first use,
// safety numbers and verification.
#include "core/contacts.hpp"

#include <algorithm>
#include <set>

#include "core/errors.hpp"
#include "core/notices.hpp"
#include "core/usernames.hpp"
#include "crypto/fingerprint.hpp"
#include "crypto/identity_key.hpp"
#include "net/errors.hpp"

namespace sealpost::client {

std::string display_name(const contact& c) {
  return c.username.empty() ? c.account_id : c.username;
}

std::vector<std::uint32_t> changed_devices(const contact& c) {
  std::vector<std::uint32_t> out;
  for (const auto& [id, device] : c.devices) {
    if (device.changed_identity_key) {
      out.push_back(id);
    }
  }
  return out;
}

observation observe(contact& c, std::uint32_t device_id, std::uint32_t registration_id,
                    const crypto::typed_public_key& key) {
  const auto it = c.devices.find(device_id);
  if (it == c.devices.end()) {
    c.devices[device_id] = contact_device{device_id, registration_id, key, std::nullopt, false};
    return observation::new_device;
  }
  contact_device& device = it->second;
  if (registration_id != 0) {
    device.registration_id = registration_id;
  }
  if (device.identity_key == key) {
    return observation::known;
  }
  if (!device.changed_identity_key || *device.changed_identity_key != key) {
    device.changed_identity_key = key;
  }
  c.identity_changed = true;
  return observation::changed;
}

contact& contact_book::contact_for(const std::string& account_id) {
  auto [it, inserted] = state_.contacts.try_emplace(account_id);
  if (inserted) {
    it->second.account_id = account_id;
  }
  return it->second;
}

bool contact_book::adopt_username(const std::string& account_id, const std::string& username) {
  contact& c = contact_for(account_id);
  bool replaced = false;
  for (auto& [id, other] : state_.contacts) {
    if (id != account_id && other.username == username) {
      other.username.clear();
      c.replaced_account_id = id;
      c.identity_changed = true;
      replaced = true;
    }
  }
  c.username = username;
  return replaced;
}

bool contact_book::adopt_typed_username(const std::string& account_id,
                                        const std::string& username) {
  directory_.require_username(username, account_id);
  return adopt_username(account_id, username);
}

contact& contact_book::resolve(const std::string& who) {
  if (net::is_canonical_uuid(who)) {
    return contact_for(who);
  }
  const std::string name = lowercase(who);
  if (!valid_username(name)) {
    throw usage_error("'" + who + "' is neither a username (3-32 characters of a-z 0-9 _ . -)" +
                      " nor an account id");
  }
  for (auto& [id, c] : state_.contacts) {
    if (c.username == name) {
      return c;
    }
  }
  const std::optional<std::string> id = api_.lookup_username(name);
  if (!id) {
    throw unknown_contact_error("there is no user named '" + name + "' on this server");
  }
  adopt_typed_username(*id, name);
  return contact_for(*id);
}

void contact_book::forget_device(contact& c, std::uint32_t device_id) {
  c.devices.erase(device_id);
  state_.sessions.erase(session_key(c.account_id, device_id));
}

void contact_book::note_device(contact& c, const net::device_entry& d, bool known_before,
                               std::vector<notice>& notices) {
  const std::optional<crypto::typed_public_key> key = crypto::decode_identity_key(d.identity_key);
  if (!key) {
    throw net::transport_error("unexpected answer from the server: an invalid identity key");
  }
  const observation seen = observe(c, d.device_id, d.registration_id, *key);
  if (seen == observation::changed) {
    notices.push_back(make_notice(notice::kind::identity_changed, c, d.device_id));
  } else if (seen == observation::new_device && known_before) {
    notices.push_back(make_notice(notice::kind::new_device, c, d.device_id));
  }
}

std::vector<notice> contact_book::sync_devices(contact& c,
                                               const std::vector<net::device_entry>& listed) {
  std::vector<notice> notices;
  const bool known_before = !c.devices.empty();
  std::set<std::uint32_t> present;
  for (const net::device_entry& d : listed) {
    present.insert(d.device_id);
    if (c.account_id != state_.account_id || d.device_id != state_.device_id) {
      note_device(c, d, known_before, notices);
    }
  }
  std::vector<std::uint32_t> gone;
  for (const auto& [id, device] : c.devices) {
    if (!present.contains(id)) {
      gone.push_back(id);
    }
  }
  for (const std::uint32_t id : gone) {
    forget_device(c, id);
    notices.push_back(make_notice(notice::kind::device_removed, c, id));
  }
  return notices;
}

std::vector<safety_number> contact_book::safety_numbers(const std::string& who) {
  contact& c = resolve(who);
  sync_devices(c, api_.list_devices(c.account_id));
  const crypto::typed_public_key mine = state_.identity_key();
  std::vector<listed_device> listed;
  for (const auto& [id, device] : c.devices) {
    listed.push_back(
        {id, device.registration_id, device.changed_identity_key.value_or(device.identity_key)});
  }
  const std::set<std::uint32_t> unproven = directory_.unproven_devices(c.account_id, listed);
  std::vector<safety_number> out;
  for (const auto& [id, device] : c.devices) {
    const crypto::typed_public_key& theirs =
        device.changed_identity_key.value_or(device.identity_key);
    safety_number number;
    number.device_id = id;
    number.digits = crypto::displayable_fingerprint(crypto::fingerprint_iterations,
                                                    state_.account_id, mine, c.account_id, theirs);
    number.changed = device.changed_identity_key.has_value() || c.identity_changed;
    number.verified = c.verified && !number.changed;
    number.not_in_log = unproven.contains(id);
    out.push_back(std::move(number));
  }
  return out;
}

void contact_book::verify(const std::string& who) {
  contact& c = resolve(who);
  for (auto& [id, device] : c.devices) {
    if (device.changed_identity_key) {
      device.identity_key = *device.changed_identity_key;
      device.changed_identity_key.reset();
    }
    device.verified = true;
    // Sessions with a key we no longer trust go; the next send starts fresh ones.
    const auto sessions = state_.sessions.find(session_key(c.account_id, id));
    if (sessions != state_.sessions.end()) {
      std::erase_if(sessions->second, [&](const protocol::session& s) {
        return s.remote_identity_key() != device.identity_key;
      });
    }
  }
  c.identity_changed = false;
  c.verified = true;
  c.replaced_account_id.clear();
}

std::vector<contact_info> contact_book::list() const {
  std::vector<contact_info> out;
  for (const auto& [id, c] : state_.contacts) {
    if (id == state_.account_id) {
      continue;
    }
    contact_info info{c.account_id, c.username, c.verified, c.identity_changed, {}};
    for (const auto& [device_id, device] : c.devices) {
      info.devices.push_back(device_id);
    }
    out.push_back(std::move(info));
  }
  return out;
}

std::string contact_book::known_account(const std::string& who) const {
  if (who.empty() || net::is_canonical_uuid(who)) {
    return who;
  }
  const std::string name = lowercase(who);
  std::string account;
  for (const auto& [id, c] : state_.contacts) {
    if (c.username == name) {
      account = id;
    }
  }
  if (account.empty()) {
    throw unknown_contact_error("no conversation with '" + who + "'");
  }
  return account;
}

}  // namespace sealpost::client
