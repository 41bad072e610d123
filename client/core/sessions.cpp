// The session store: keeping sessions per remote device and starting them with X3DH.
#include "core/sessions.hpp"

#include "core/errors.hpp"
#include "crypto/identity_key.hpp"
#include "net/errors.hpp"

namespace sealpost::client {
namespace {

constexpr std::size_t max_sessions_per_device = 5;

protocol::prekey_bundle to_protocol(const net::device_bundle& bundle) {
  protocol::prekey_bundle out;
  out.registration_id = bundle.registration_id;
  out.identity_key = bundle.identity_key;
  out.signed_prekey = {bundle.signed_prekey.key_id, bundle.signed_prekey.public_key,
                       bundle.signed_prekey.signature};
  if (bundle.one_time_prekey) {
    out.one_time_prekey = protocol::one_time_prekey_public{bundle.one_time_prekey->key_id,
                                                           bundle.one_time_prekey->public_key};
  }
  return out;
}

std::string device_name(const contact& c, std::uint32_t device_id) {
  return display_name(c) + " device " + std::to_string(device_id);
}

}  // namespace

std::vector<protocol::session>* session_store::sessions_of(const std::string& account_id,
                                                           std::uint32_t device_id) {
  const auto it = state_.sessions.find(session_key(account_id, device_id));
  return it == state_.sessions.end() || it->second.empty() ? nullptr : &it->second;
}

void session_store::put_current(const std::string& account_id, std::uint32_t device_id,
                                protocol::session session) {
  std::vector<protocol::session>& list = state_.sessions[session_key(account_id, device_id)];
  list.insert(list.begin(), std::move(session));
  if (list.size() > max_sessions_per_device) {
    list.erase(list.begin() + max_sessions_per_device, list.end());
  }
}

protocol::session* session_store::sending_session(const contact& c, std::uint32_t device_id) {
  std::vector<protocol::session>* list = sessions_of(c.account_id, device_id);
  const auto device = c.devices.find(device_id);
  if (list == nullptr || device == c.devices.end() ||
      list->front().remote_identity_key() != device->second.identity_key) {
    return nullptr;
  }
  return &list->front();
}

void session_store::establish(contact& c, const std::set<std::uint32_t>& devices) {
  std::vector<std::uint32_t> changed;
  for (const net::device_bundle& bundle : claim_bundles(c, devices)) {
    const bool ours = c.account_id == state_.account_id && bundle.device_id == state_.device_id;
    if (!ours && !start_session(c, bundle)) {
      changed.push_back(bundle.device_id);
    }
  }
  if (!changed.empty()) {
    throw identity_changed_error(display_name(c), changed);
  }
}

std::vector<net::device_bundle> session_store::claim_bundles(
    contact& c, const std::set<std::uint32_t>& devices) {
  if (devices.empty()) {
    return api_.claim_bundles(c.account_id, std::nullopt);
  }
  std::vector<net::device_bundle> bundles;
  for (const std::uint32_t id : devices) {
    try {
      std::vector<net::device_bundle> one = api_.claim_bundles(c.account_id, id);
      bundles.insert(bundles.end(), one.begin(), one.end());
    } catch (const net::api_error& e) {
      if (e.status() != 404) {
        throw;
      }
      contacts_.forget_device(c, id);  // removed meanwhile
    }
  }
  return bundles;
}

bool session_store::start_session(contact& c, const net::device_bundle& bundle) {
  const std::optional<crypto::typed_public_key> key =
      crypto::decode_identity_key(bundle.identity_key);
  if (!key) {
    throw net::transport_error("the server sent an invalid identity key for " +
                               device_name(c, bundle.device_id));
  }
  // Only a device the log proves, with this very key, gets a session (DESIGN.md), unless
  // the user verified this key's safety number in person.
  const auto known = c.devices.find(bundle.device_id);
  const bool verified_by_user =
      known != c.devices.end() && known->second.verified && known->second.identity_key == *key;
  if (!verified_by_user) {
    directory_.require_proven(display_name(c), c.account_id, bundle.device_id,
                              bundle.registration_id, bundle.identity_key);
  }
  if (observe(c, bundle.device_id, bundle.registration_id, *key) == observation::changed) {
    return false;
  }
  protocol::result<protocol::session> session =
      protocol::session::initiate(state_.identity, to_protocol(bundle));
  if (!session) {
    throw net::transport_error("the prekey bundle of " + device_name(c, bundle.device_id) +
                               " is not valid (" +
                               std::string(protocol::describe(session.error())) + ")");
  }
  put_current(c.account_id, bundle.device_id, std::move(*session));
  return true;
}

}  // namespace sealpost::client
