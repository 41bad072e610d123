// The messenger: state kept in an encrypted file, sessions per remote device, multi-device
// fan-out with retries on 409/410, de-duplicated decryption, identity-key tracking.
#include "core/messenger.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>
#include <thread>
#include <tuple>

#include "core/content.hpp"
#include "core/errors.hpp"
#include "core/state_file.hpp"
#include "crypto/crypto_error.hpp"
#include "crypto/ed25519.hpp"
#include "crypto/fingerprint.hpp"
#include "crypto/random.hpp"
#include "encoding/base64.hpp"
#include "net/api_client.hpp"
#include "net/errors.hpp"
#include "protocol/session.hpp"

namespace sealpost::client {
namespace {

constexpr std::size_t max_text_bytes = 64 * 1024;
constexpr std::size_t max_sessions_per_device = 5;
// Redeliveries only concern envelopes that were in flight (at most the server's delivery
// window, 256 by default), so a few thousand guids are plenty.
constexpr std::size_t seen_guid_limit = 5000;
constexpr std::size_t local_one_time_prekey_limit = 2000;
constexpr std::size_t max_prekeys_per_upload = 100;
constexpr std::size_t kept_signed_prekeys = 3;
constexpr std::uint64_t signed_prekey_lifetime_ms = 7ULL * 24 * 3600 * 1000;
constexpr int max_send_attempts = 5;
constexpr std::size_t listen_batch = 100;

std::uint64_t now_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

bool valid_username(std::string_view name) {
  return name.size() >= 3 && name.size() <= 32 && std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
                  c == '-';
         });
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

std::uint32_t random_registration_id() {
  // Rejection sampling: uniform over 1..16380.
  constexpr std::uint32_t range = protocol::max_registration_id;
  constexpr std::uint32_t limit = UINT32_MAX - UINT32_MAX % range;
  for (;;) {
    std::uint32_t value = 0;
    crypto::random_fill({reinterpret_cast<std::uint8_t*>(&value), sizeof value});
    if (value < limit) {
      return value % range + 1;
    }
  }
}

std::string random_password() {
  const crypto::secret_bytes<> raw = crypto::random_secret(24);
  return encoding::base64_encode(raw.view());
}

stored_prekey new_prekey(std::uint32_t key_id) {
  stored_prekey key;
  key.key_id = key_id;
  key.key_pair = crypto::x25519_generate();
  key.created_at_ms = now_ms();
  return key;
}

net::signed_key signed_public(const local_state& state, const stored_prekey& key) {
  protocol::signed_prekey_public signed_key = protocol::make_signed_prekey(
      state.identity.identity_key.seed, key.key_id, key.key_pair.public_key);
  return {key.key_id, std::move(signed_key.public_key), std::move(signed_key.signature)};
}

std::vector<net::one_time_key> add_one_time_prekeys(local_state& state, std::size_t count) {
  std::vector<net::one_time_key> keys;
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint32_t id = state.next_one_time_prekey_id++;
    stored_prekey key = new_prekey(id);
    const crypto::typed_public_key typed =
        crypto::encode_x25519_public_key(key.key_pair.public_key);
    keys.push_back({id, net::byte_vector(typed.begin(), typed.end())});
    state.one_time_prekeys.insert_or_assign(id, std::move(key));
  }
  // Keys the server handed out long ago and nobody used: keep a bounded number.
  while (state.one_time_prekeys.size() > local_one_time_prekey_limit) {
    state.one_time_prekeys.erase(state.one_time_prekeys.begin());
  }
  return keys;
}

// A fresh device: identity, registration id, password, one signed prekey and `one_time`
// one-time prekeys, and the request that registers its public half.
std::pair<local_state, net::new_device_request> new_device(const std::string& server_url,
                                                           std::size_t one_time) {
  if (one_time > max_prekeys_per_upload) {
    throw usage_error("at most 100 one-time prekeys can be uploaded at once");
  }
  local_state state;
  state.server_url = server_url;
  state.identity.identity_key = crypto::ed25519_generate();
  state.identity.registration_id = random_registration_id();
  state.password = random_password();
  state.signed_prekeys.push_back(new_prekey(state.next_signed_prekey_id++));
  net::new_device_request request;
  request.password = state.password;
  request.registration_id = state.identity.registration_id;
  const crypto::typed_public_key identity = state.identity_key();
  request.identity_key.assign(identity.begin(), identity.end());
  request.signed_prekey = signed_public(state, state.signed_prekeys.back());
  request.one_time_prekeys = add_one_time_prekeys(state, one_time);
  return {std::move(state), std::move(request)};
}

std::optional<crypto::typed_public_key> typed_identity(std::span<const std::uint8_t> bytes) {
  if (!crypto::decode_ed25519_public_key(bytes)) {
    return std::nullopt;
  }
  crypto::typed_public_key key{};
  std::copy(bytes.begin(), bytes.end(), key.begin());
  return key;
}

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

std::string display_name(const contact& c) {
  return c.username.empty() ? c.account_id : c.username;
}

enum class observation { known, new_device, changed };

// Compares a device's identity key with the one we trust: a device we did not know is
// trusted on first use; a different key for a known device is recorded as a change and
// blocks sending to the contact until verify().
observation observe(contact& c, std::uint32_t device_id, std::uint32_t registration_id,
                    const crypto::typed_public_key& key) {
  const auto it = c.devices.find(device_id);
  if (it == c.devices.end()) {
    c.devices[device_id] = contact_device{device_id, registration_id, key, std::nullopt};
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

void validate_config(const messenger_config& config) {
  if (config.state_path.empty()) {
    throw usage_error("no state file path given");
  }
}

notice make_notice(notice::kind what, const contact& c, std::uint32_t device,
                   std::string detail = {}) {
  return notice{what, c.account_id, c.username, device, std::move(detail)};
}

}  // namespace

std::string describe(const notice& n) {
  const std::string who = n.username.empty() ? "account " + n.account_id : n.username;
  const std::string device = n.device_id != 0 ? " device " + std::to_string(n.device_id) : "";
  switch (n.what) {
    case notice::kind::identity_changed:
      return "the safety number with " + who + " changed" +
             (n.device_id != 0 ? " (" + device.substr(1) + ")" : std::string()) +
             (n.detail.empty() ? std::string() : ": " + n.detail) +
             "; compare it and verify before sending again";
    case notice::kind::new_device:
      return who + " has a new device:" + device;
    case notice::kind::device_removed:
      return who + " removed" + device;
    case notice::kind::undecryptable:
      return "a message from " + who + device + " could not be decrypted (" + n.detail +
             ") and was dropped";
    case notice::kind::prekeys_uploaded:
      return "uploaded " + n.detail + " new one-time prekeys";
  }
  return n.detail;
}

identity_changed_error::identity_changed_error(std::string contact,
                                               std::vector<std::uint32_t> devices)
    : std::runtime_error("the safety number with " + contact +
                         " changed; nothing was sent. Compare the new safety number with " +
                         contact + " and verify it before sending again"),
      contact_(std::move(contact)),
      devices_(std::move(devices)) {}

struct messenger::impl {
  messenger_config config;
  state_file file;
  local_state state;
  net::api_client api;
  std::string server_url_override;
  bool deleted = false;

  impl(messenger_config cfg, state_file f, local_state s)
      : config(std::move(cfg)),
        file(std::move(f)),
        state(std::move(s)),
        api(net::parse_server_url(state.server_url), connection_options()) {
    if (!state.account_id.empty()) {
      api.set_login(login());
    }
  }

  [[nodiscard]] net::connection_options connection_options() const {
    return {config.timeout, config.ca_file};
  }

  [[nodiscard]] net::device_login login() const {
    return {state.account_id, state.device_id, state.password};
  }

  void save() { file.write(encode_state(state).view()); }

  // Picks up what another process wrote since we last read or wrote the file.
  void refresh() {
    if (file.changed_on_disk()) {
      local_state fresh = decode_state(file.read().view());
      if (!server_url_override.empty()) {
        fresh.server_url = server_url_override;
      }
      state = std::move(fresh);
    }
  }

  // Runs `f` under the file lock on fresh state and saves afterwards, also when `f` throws
  // (the state in memory is always consistent; it may only be ahead, e.g. ratchets that
  // moved on for a send that then failed, and losing that would reuse message keys).
  template <typename F>
  auto transact(F&& f) -> decltype(f()) {
    if (deleted) {
      throw usage_error("this account was deleted");
    }
    const state_file::lock guard = file.acquire();
    refresh();
    try {
      if constexpr (std::is_void_v<decltype(f())>) {
        f();
        save();
      } else {
        auto result = f();
        save();
        return result;
      }
    } catch (...) {
      try {
        save();
      } catch (...) {
        // The original failure is the one to report.
      }
      throw;
    }
  }

  // Runs `f` under the file lock on fresh state without saving: for calls that only read.
  template <typename F>
  auto inspect(F&& f) -> decltype(f()) {
    if (deleted) {
      throw usage_error("this account was deleted");
    }
    const state_file::lock guard = file.acquire();
    refresh();
    return f();
  }

  // ---- contacts ----

  contact& contact_for(const std::string& account_id) {
    auto [it, inserted] = state.contacts.try_emplace(account_id);
    if (inserted) {
      it->second.account_id = account_id;
    }
    return it->second;
  }

  contact& self() { return contact_for(state.account_id); }

  // Records that `username` belongs to `account_id`. When the name belonged to another
  // account before (it was deleted and registered again), the new account is a changed
  // identity: returns true and marks it so.
  bool adopt_username(const std::string& account_id, const std::string& username) {
    contact& c = contact_for(account_id);
    bool replaced = false;
    for (auto& [id, other] : state.contacts) {
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

  // The contact a user means by `who`: an account id, or a username looked up once.
  contact& resolve(const std::string& who) {
    if (net::is_canonical_uuid(who)) {
      return contact_for(who);
    }
    const std::string name = lowercase(who);
    if (!valid_username(name)) {
      throw usage_error("'" + who + "' is neither a username (3-32 characters of a-z 0-9 _ . -)" +
                        " nor an account id");
    }
    for (auto& [id, c] : state.contacts) {
      if (c.username == name) {
        return c;
      }
    }
    const std::optional<std::string> id = api.lookup_username(name);
    if (!id) {
      throw unknown_contact_error("there is no user named '" + name + "' on this server");
    }
    adopt_username(*id, name);
    return contact_for(*id);
  }

  void forget_device(contact& c, std::uint32_t device_id) {
    c.devices.erase(device_id);
    state.sessions.erase(session_key(c.account_id, device_id));
  }

  // Makes the server's device list of `c` ours: new devices are trusted on first use,
  // changed keys recorded, missing devices forgotten.
  std::vector<notice> sync_devices(contact& c, const std::vector<net::device_entry>& listed) {
    std::vector<notice> notices;
    const bool known_before = !c.devices.empty();
    std::set<std::uint32_t> present;
    for (const net::device_entry& d : listed) {
      present.insert(d.device_id);
      if (c.account_id == state.account_id && d.device_id == state.device_id) {
        continue;
      }
      const std::optional<crypto::typed_public_key> key = typed_identity(d.identity_key);
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

  // ---- sessions ----

  std::vector<protocol::session>* sessions_of(const std::string& account_id,
                                              std::uint32_t device_id) {
    const auto it = state.sessions.find(session_key(account_id, device_id));
    return it == state.sessions.end() || it->second.empty() ? nullptr : &it->second;
  }

  void put_current_session(const std::string& account_id, std::uint32_t device_id,
                           protocol::session session) {
    std::vector<protocol::session>& list = state.sessions[session_key(account_id, device_id)];
    list.insert(list.begin(), std::move(session));
    if (list.size() > max_sessions_per_device) {
      list.erase(list.begin() + max_sessions_per_device, list.end());
    }
  }

  // A session we may encrypt with: current, and with the identity key we trust.
  protocol::session* sending_session(const contact& c, std::uint32_t device_id) {
    std::vector<protocol::session>* list = sessions_of(c.account_id, device_id);
    const auto device = c.devices.find(device_id);
    if (list == nullptr || device == c.devices.end() ||
        list->front().remote_identity_key() != device->second.identity_key) {
      return nullptr;
    }
    return &list->front();
  }

  // Fetches prekey bundles (of every device when `devices` is empty, else of those) and
  // starts a session with each. A device whose identity key changed gets no session and
  // makes this throw identity_changed_error once the others are done.
  void establish(contact& c, const std::set<std::uint32_t>& devices) {
    std::vector<net::device_bundle> bundles;
    if (devices.empty()) {
      bundles = api.claim_bundles(c.account_id, std::nullopt);
    } else {
      for (const std::uint32_t id : devices) {
        try {
          std::vector<net::device_bundle> one = api.claim_bundles(c.account_id, id);
          bundles.insert(bundles.end(), one.begin(), one.end());
        } catch (const net::api_error& e) {
          if (e.status() != 404) {
            throw;
          }
          forget_device(c, id);  // removed meanwhile
        }
      }
    }
    std::vector<std::uint32_t> changed;
    for (const net::device_bundle& bundle : bundles) {
      if (c.account_id == state.account_id && bundle.device_id == state.device_id) {
        continue;
      }
      const std::optional<crypto::typed_public_key> key = typed_identity(bundle.identity_key);
      if (!key) {
        throw net::transport_error("the server sent an invalid identity key for " +
                                   display_name(c) + " device " + std::to_string(bundle.device_id));
      }
      if (observe(c, bundle.device_id, bundle.registration_id, *key) == observation::changed) {
        changed.push_back(bundle.device_id);
        continue;
      }
      protocol::result<protocol::session> session =
          protocol::session::initiate(state.identity, to_protocol(bundle));
      if (!session) {
        throw net::transport_error("the prekey bundle of " + display_name(c) + " device " +
                                   std::to_string(bundle.device_id) + " is not valid (" +
                                   std::string(protocol::describe(session.error())) + ")");
      }
      put_current_session(c.account_id, bundle.device_id, std::move(*session));
    }
    if (!changed.empty()) {
      throw identity_changed_error(display_name(c), changed);
    }
  }

  // ---- sending ----

  // Encrypts `plaintext` for every device of `c` (but this one) and sends it in one
  // request, refreshing devices and sessions on 409/410 and trying again.
  net::send_result deliver(contact& c, std::span<const std::uint8_t> plaintext,
                           std::uint64_t timestamp, std::vector<std::uint32_t>& devices_out) {
    const bool to_self = c.account_id == state.account_id;
    std::map<std::uint32_t, net::outgoing_envelope> sealed;
    for (int attempt = 0; attempt < max_send_attempts; ++attempt) {
      if (!to_self && c.devices.empty()) {
        establish(c, {});
      }
      std::set<std::uint32_t> need;
      for (const auto& [id, device] : c.devices) {
        if (!(to_self && id == state.device_id) && !sealed.contains(id) &&
            sending_session(c, id) == nullptr) {
          need.insert(id);
        }
      }
      if (!need.empty()) {
        establish(c, need);
      }
      for (auto it = sealed.begin(); it != sealed.end();) {
        it = c.devices.contains(it->first) ? std::next(it) : sealed.erase(it);
      }
      for (const auto& [id, device] : c.devices) {
        if ((to_self && id == state.device_id) || sealed.contains(id)) {
          continue;
        }
        protocol::session* session = sending_session(c, id);
        if (session == nullptr) {
          continue;  // its bundle vanished; the server will tell us if it still exists
        }
        protocol::outgoing_message out = session->encrypt(plaintext);
        sealed[id] =
            net::outgoing_envelope{id, device.registration_id, static_cast<std::uint32_t>(out.type),
                                   std::move(out.content)};
      }
      // The ratchets moved on: that must be on disk before any ciphertext leaves.
      save();
      std::vector<net::outgoing_envelope> messages;
      for (const auto& [id, envelope] : sealed) {
        messages.push_back(envelope);
      }
      try {
        net::send_result result = api.send_messages(c.account_id, timestamp, messages);
        devices_out.clear();
        for (const auto& [id, envelope] : sealed) {
          devices_out.push_back(id);
        }
        return result;
      } catch (const net::mismatched_devices_error& e) {
        for (const std::uint32_t id : e.extra_devices()) {
          forget_device(c, id);
          sealed.erase(id);
        }
        std::set<std::uint32_t> missing(e.missing_devices().begin(), e.missing_devices().end());
        if (!missing.empty()) {
          establish(c, missing);
        }
      } catch (const net::stale_devices_error& e) {
        std::set<std::uint32_t> stale;
        for (const std::uint32_t id : e.stale_devices()) {
          state.sessions.erase(session_key(c.account_id, id));
          sealed.erase(id);
          stale.insert(id);
        }
        establish(c, stale);
      }
    }
    throw net::transport_error("the devices of " + display_name(c) +
                               " kept changing while sending; try again");
  }

  send_report send(const std::string& recipient, std::string_view text) {
    if (text.empty()) {
      throw usage_error("an empty message");
    }
    if (text.size() > max_text_bytes) {
      throw usage_error("a message may be at most " + std::to_string(max_text_bytes) + " bytes");
    }
    contact* c = &resolve(recipient);
    if (c->account_id == state.account_id) {
      throw usage_error("that is this account; your other devices get a copy of every message");
    }
    if (c->identity_changed) {
      throw identity_changed_error(display_name(*c), changed_devices(*c));
    }
    const std::uint64_t timestamp = now_ms();
    const crypto::secret_bytes<> plaintext =
        encode_content(data_message{std::string(text), timestamp, state.username});
    send_report report;
    net::send_result result;
    try {
      result = deliver(*c, plaintext.view(), timestamp, report.recipient_devices);
    } catch (const net::api_error& e) {
      if (e.status() != 404) {
        throw;
      }
      // The account is gone. If its username now names another account, that is a new
      // identity for the same name: report it like any other identity change.
      if (c->username.empty()) {
        throw unknown_contact_error("account " + c->account_id + " no longer exists");
      }
      const std::string name = c->username;
      const std::optional<std::string> id = api.lookup_username(name);
      if (!id) {
        throw unknown_contact_error(name + "'s account no longer exists");
      }
      if (*id == c->account_id) {
        throw;
      }
      adopt_username(*id, name);
      throw identity_changed_error(name, {});
    }
    report.recipient_account = c->account_id;
    report.server_timestamp = result.server_timestamp;
    state.history.push_back(
        history_entry{true, c->account_id, c->username, 0, state.device_id, timestamp,
                      static_cast<std::uint64_t>(result.server_timestamp), std::string(text)});
    trim_history();
    const crypto::secret_bytes<> transcript = encode_content(sent_transcript{
        c->account_id, c->username, data_message{std::string(text), timestamp, state.username}});
    try {
      deliver(self(), transcript.view(), timestamp, report.own_devices);
    } catch (const std::exception& e) {
      report.own_devices_warning = e.what();
    }
    return report;
  }

  static std::vector<std::uint32_t> changed_devices(const contact& c) {
    std::vector<std::uint32_t> out;
    for (const auto& [id, device] : c.devices) {
      if (device.changed_identity_key) {
        out.push_back(id);
      }
    }
    return out;
  }

  void trim_history() {
    while (state.history.size() > config.history_limit) {
      state.history.pop_front();
    }
  }

  // ---- receiving ----

  struct decryption {
    enum class status { ok, duplicate, failed } outcome = status::failed;
    crypto::secret_bytes<> plaintext;
    protocol::protocol_error error = protocol::protocol_error::decryption_failed;
    bool new_session = false;
    crypto::typed_public_key identity_key{};
    std::uint32_t registration_id = 0;
  };

  decryption decrypt(const net::envelope& e) {
    decryption out;
    const std::optional<protocol::message_type> type = protocol::to_message_type(e.type);
    if (!type || !net::is_canonical_uuid(e.source_account)) {
      out.error = protocol::protocol_error::malformed_message;
      return out;
    }
    const session_key key(e.source_account, e.source_device);
    if (std::vector<protocol::session>* list = sessions_of(key.first, key.second)) {
      for (std::size_t i = 0; i < list->size(); ++i) {
        protocol::result<crypto::secret_bytes<>> plain = (*list)[i].decrypt(*type, e.content);
        if (plain) {
          if (i > 0) {
            // The peer uses this one: it becomes current.
            std::rotate(list->begin(), list->begin() + static_cast<std::ptrdiff_t>(i),
                        list->begin() + static_cast<std::ptrdiff_t>(i) + 1);
          }
          out.outcome = decryption::status::ok;
          out.plaintext = std::move(*plain);
          out.identity_key = list->front().remote_identity_key();
          out.registration_id = list->front().remote_registration_id();
          return out;
        }
        if (plain.error() == protocol::protocol_error::duplicate_message) {
          out.outcome = decryption::status::duplicate;
          return out;
        }
        out.error = plain.error();
      }
    } else {
      out.error = protocol::protocol_error::session_mismatch;  // no session yet
    }
    if (*type == protocol::message_type::prekey) {
      state_prekey_store prekeys(state);
      protocol::result<protocol::accepted_session> accepted =
          protocol::session::accept(state.identity, prekeys, e.content);
      if (accepted) {
        out.outcome = decryption::status::ok;
        out.plaintext = std::move(accepted->plaintext);
        out.identity_key = accepted->session.remote_identity_key();
        out.registration_id = accepted->session.remote_registration_id();
        out.new_session = true;
        put_current_session(key.first, key.second, std::move(accepted->session));
        return out;
      }
      // A session that recognised the message but could not decrypt it says more than
      // accept's complaint (often that the one-time prekey is used up).
      if (out.error == protocol::protocol_error::session_mismatch) {
        out.error = accepted.error();
      }
    }
    return out;
  }

  // Checks a username claimed in a message against the directory (once per contact).
  void confirm_username(contact& c, const std::string& claimed, receive_result& result) {
    if (!c.username.empty() || claimed.empty() || !valid_username(claimed)) {
      return;
    }
    std::optional<std::string> id;
    try {
      id = api.lookup_username(claimed);
    } catch (const std::exception&) {
      return;  // unconfirmed for now; the next message tries again
    }
    if (id && *id == c.account_id && adopt_username(c.account_id, claimed)) {
      result.notices.push_back(make_notice(notice::kind::identity_changed, c, 0,
                                           "the username now belongs to a new account"));
    }
  }

  void deliver_content(const net::envelope& e, const decryption& d, receive_result& result) {
    contact& sender = contact_for(e.source_account);
    if (d.new_session) {
      const bool known_before = !sender.devices.empty();
      const observation seen = observe(sender, e.source_device, d.registration_id, d.identity_key);
      if (seen == observation::changed) {
        result.notices.push_back(
            make_notice(notice::kind::identity_changed, sender, e.source_device));
      } else if (seen == observation::new_device && known_before) {
        result.notices.push_back(make_notice(notice::kind::new_device, sender, e.source_device));
      }
    }
    const std::optional<content> body = decode_content(d.plaintext.view());
    if (!body) {
      result.notices.push_back(
          make_notice(notice::kind::undecryptable, sender, e.source_device, "malformed content"));
      return;
    }
    received_message message;
    message.guid = e.guid;
    message.sender_account = e.source_account;
    message.sender_device = e.source_device;
    message.server_timestamp_ms = e.server_timestamp;
    if (const auto* data = std::get_if<data_message>(&*body)) {
      confirm_username(sender, data->sender_username, result);
      message.peer_account = sender.account_id;
      message.peer_username = sender.username;
      message.text = data->text;
      message.timestamp_ms = data->timestamp_ms;
    } else {
      const auto& sent = std::get<sent_transcript>(*body);
      if (e.source_account != state.account_id ||
          !net::is_canonical_uuid(sent.destination_account)) {
        result.notices.push_back(make_notice(notice::kind::undecryptable, sender, e.source_device,
                                             "a sent-message copy from another account"));
        return;
      }
      contact& peer = contact_for(sent.destination_account);
      if (peer.username.empty() && valid_username(sent.destination_username) &&
          adopt_username(peer.account_id, sent.destination_username)) {
        result.notices.push_back(make_notice(notice::kind::identity_changed, peer, 0,
                                             "the username now belongs to a new account"));
      }
      message.sent_by_us = true;
      message.peer_account = peer.account_id;
      message.peer_username = peer.username;
      message.text = sent.message.text;
      message.timestamp_ms = sent.message.timestamp_ms;
    }
    // After the username check above, which may itself have revealed a changed identity.
    const auto sender_key = sender.devices.find(e.source_device);
    message.identity_unverified =
        sender.identity_changed ||
        (sender_key != sender.devices.end() && sender_key->second.identity_key != d.identity_key);
    state.history.push_back(history_entry{
        message.sent_by_us, message.peer_account, message.peer_username,
        message.sent_by_us ? 0 : e.source_device, message.sent_by_us ? e.source_device : 0,
        message.timestamp_ms, message.server_timestamp_ms, message.text});
    trim_history();
    result.messages.push_back(std::move(message));
  }

  receive_result process(std::span<const net::envelope> envelopes) {
    receive_result result;
    std::set<net::guid> in_batch;
    std::vector<const net::envelope*> pending;
    std::map<const net::envelope*, protocol::protocol_error> errors;
    for (const net::envelope& e : envelopes) {
      if (!in_batch.insert(e.guid).second) {
        ++result.duplicates;
        continue;
      }
      if (state.seen_guid_index.contains(e.guid)) {
        ++result.duplicates;
        result.acks.push_back(e.guid);
        continue;
      }
      pending.push_back(&e);
    }
    // Envelopes that fail may succeed once another one of the batch opened their session
    // (the batch may be out of order): go over the failures again while that helps.
    bool progress = true;
    while (progress && !pending.empty()) {
      progress = false;
      std::vector<const net::envelope*> failed;
      for (const net::envelope* e : pending) {
        decryption d = decrypt(*e);
        if (d.outcome == decryption::status::failed) {
          errors[e] = d.error;
          failed.push_back(e);
          continue;
        }
        progress = true;
        if (d.outcome == decryption::status::duplicate) {
          ++result.duplicates;
        } else {
          deliver_content(*e, d, result);
        }
        state.remember_guid(e->guid, seen_guid_limit);
        result.acks.push_back(e->guid);
      }
      pending = std::move(failed);
    }
    for (const net::envelope* e : pending) {
      // Dropped, but not remembered: an intact copy with the same guid may still decrypt.
      const contact& sender = contact_for(e->source_account);
      result.notices.push_back(make_notice(notice::kind::undecryptable, sender, e->source_device,
                                           std::string(protocol::describe(errors[e]))));
      result.acks.push_back(e->guid);
    }
    return result;
  }

  // ---- prekeys ----

  [[nodiscard]] std::size_t refill_threshold() const {
    return std::max<std::size_t>(1, config.one_time_prekey_target / 2);
  }

  std::size_t replenish_prekeys() {
    const net::key_status status = api.get_key_status();
    net::key_upload upload;
    const stored_prekey& current = state.signed_prekeys.back();
    if (!status.signed_prekey_id || *status.signed_prekey_id != current.key_id ||
        now_ms() - current.created_at_ms > signed_prekey_lifetime_ms) {
      state.signed_prekeys.push_back(new_prekey(state.next_signed_prekey_id++));
      // Older signed prekeys stay a while: prekey messages made with them may be in flight.
      while (state.signed_prekeys.size() > kept_signed_prekeys) {
        state.signed_prekeys.erase(state.signed_prekeys.begin());
      }
      upload.signed_prekey = signed_public(state, state.signed_prekeys.back());
    }
    std::size_t count = 0;
    // Refill once the pool is half used, not after every claim.
    if (status.one_time_prekeys < refill_threshold()) {
      count = std::min<std::size_t>(config.one_time_prekey_target - status.one_time_prekeys,
                                    max_prekeys_per_upload);
      upload.one_time_prekeys = add_one_time_prekeys(state, count);
    }
    if (upload.signed_prekey || !upload.one_time_prekeys.empty()) {
      save();  // private halves first: the server must never hand out a key we lack
      api.upload_keys(upload);
    }
    return count;
  }

  // ---- enrolment ----

  // Registers or links a fresh device: its keys are saved before the server hears of them, and
  // the state file is removed again when the server refuses.
  template <typename Enroll>
  static std::unique_ptr<impl> enroll(const messenger_config& config, std::size_t one_time,
                                      Enroll&& call) {
    validate_config(config);
    net::parse_server_url(config.server_url);  // a bad URL fails before anything is written
    const state_file::lock guard = state_file::acquire(config.state_path);
    state_file file = state_file::create(config.state_path, config.passphrase, config.kdf);
    auto [state, request] = new_device(config.server_url, one_time);
    file.write(encode_state(state).view());
    auto owner = std::make_unique<impl>(config, std::move(file), std::move(state));
    net::registered_device device;
    try {
      device = call(owner->api, request);
    } catch (...) {
      std::error_code ignored;
      std::filesystem::remove(config.state_path, ignored);
      throw;
    }
    owner->state.account_id = device.account_id;
    owner->state.device_id = device.device_id;
    owner->api.set_login(owner->login());
    owner->save();
    return owner;
  }

  // ---- backup ----

  restore_report merge_backup(backup_contents contents) {
    restore_report report;
    report.backup_created_at_ms = contents.created_at_ms;
    if (state.username.empty()) {
      state.username = contents.username;
    }
    for (contact& backed_up : contents.contacts) {
      auto [it, inserted] = state.contacts.try_emplace(backed_up.account_id, backed_up);
      if (inserted) {
        ++report.contacts_added;
        continue;
      }
      contact& mine = it->second;
      if (mine.username.empty()) {
        mine.username = backed_up.username;
      }
      bool same_keys = true;
      for (const auto& [id, device] : backed_up.devices) {
        const auto found = mine.devices.find(id);
        if (found == mine.devices.end()) {
          mine.devices[id] = device;
        } else if (found->second.identity_key != device.identity_key) {
          same_keys = false;
        }
      }
      mine.verified = mine.verified || (backed_up.verified && same_keys);
      mine.identity_changed = mine.identity_changed || backed_up.identity_changed;
    }
    std::set<std::tuple<bool, std::string, std::uint64_t, std::string>> present;
    for (const history_entry& entry : state.history) {
      present.emplace(entry.outgoing, entry.peer_account, entry.timestamp_ms, entry.text);
    }
    for (history_entry& entry : contents.history) {
      if (present.emplace(entry.outgoing, entry.peer_account, entry.timestamp_ms, entry.text)
              .second) {
        state.history.push_back(std::move(entry));
        ++report.history_added;
      }
    }
    std::stable_sort(state.history.begin(), state.history.end(),
                     [](const history_entry& a, const history_entry& b) {
                       return a.timestamp_ms < b.timestamp_ms;
                     });
    trim_history();
    return report;
  }
};

// ---- construction ----

messenger::messenger(std::unique_ptr<impl> state) : impl_(std::move(state)) {}
messenger::messenger(messenger&&) noexcept = default;
messenger& messenger::operator=(messenger&&) noexcept = default;
messenger::~messenger() = default;

messenger messenger::register_account(const messenger_config& config, const std::string& username,
                                      const registration_options& options) {
  const std::string name = lowercase(username);
  if (!valid_username(name)) {
    throw usage_error("a username is 3-32 characters of a-z 0-9 _ . -");
  }
  std::unique_ptr<impl> created(
      impl::enroll(config, options.one_time_prekeys,
                   [&](net::api_client& api, const net::new_device_request& r) {
                     return api.register_account(name, r, options.invite);
                   }));
  created->state.username = name;
  created->save();
  return messenger(std::move(created));
}

messenger messenger::link_device(const messenger_config& config, const std::string& link_token,
                                 const std::optional<std::string>& username,
                                 const registration_options& options) {
  if (link_token.empty()) {
    throw usage_error("an empty link token");
  }
  std::unique_ptr<impl> created(
      impl::enroll(config, options.one_time_prekeys,
                   [&](net::api_client& api, const net::new_device_request& r) {
                     return api.link_device(link_token, r);
                   }));
  if (username && valid_username(lowercase(*username))) {
    const std::string name = lowercase(*username);
    const std::optional<std::string> id = created->api.lookup_username(name);
    if (id && *id == created->state.account_id) {
      created->state.username = name;
      created->contact_for(created->state.account_id);
    }
  }
  created->save();
  return messenger(std::move(created));
}

messenger messenger::open(const messenger_config& config) {
  validate_config(config);
  const state_file::lock guard = state_file::acquire(config.state_path);
  state_file file = state_file::open(config.state_path, config.passphrase);
  local_state state = decode_state(file.read().view());
  if (state.account_id.empty()) {
    throw state_error(state_error::kind::corrupt,
                      "the registration that created " + config.state_path.string() +
                          " never completed; remove the file and register again");
  }
  const bool new_url = !config.server_url.empty() && config.server_url != state.server_url;
  if (new_url) {
    net::parse_server_url(config.server_url);
    state.server_url = config.server_url;
  }
  auto owner = std::make_unique<impl>(config, std::move(file), std::move(state));
  if (new_url) {
    owner->server_url_override = config.server_url;
    owner->save();
  }
  return messenger(std::move(owner));
}

// ---- accessors ----

std::string messenger::username() const {
  return impl_->state.username;
}
std::string messenger::account_id() const {
  return impl_->state.account_id;
}
std::uint32_t messenger::device_id() const {
  return impl_->state.device_id;
}
std::string messenger::server_url() const {
  return impl_->state.server_url;
}
crypto::typed_public_key messenger::identity_key() const {
  return impl_->state.identity_key();
}
net::device_login messenger::login() const {
  return impl_->login();
}

// ---- devices ----

net::link_token messenger::create_link_token() {
  return impl_->transact([&] {
    if (impl_->state.device_id != 1) {
      throw usage_error("only the primary device (device 1) can link new devices");
    }
    return impl_->api.create_link_token();
  });
}

std::vector<device_info> messenger::devices() {
  return impl_->transact([&] {
    const std::vector<net::device_entry> listed = impl_->api.list_devices(impl_->state.account_id);
    impl_->sync_devices(impl_->self(), listed);
    std::vector<device_info> out;
    for (const net::device_entry& d : listed) {
      device_info info;
      info.device_id = d.device_id;
      info.registration_id = d.registration_id;
      if (const auto key = typed_identity(d.identity_key)) {
        info.identity_key = *key;
      }
      info.this_device = d.device_id == impl_->state.device_id;
      out.push_back(info);
    }
    return out;
  });
}

void messenger::remove_device(std::uint32_t device_id) {
  impl_->transact([&] {
    impl_->api.remove_device(device_id);
    if (device_id != impl_->state.device_id) {
      impl_->forget_device(impl_->self(), device_id);
    }
  });
}

void messenger::delete_account() {
  if (impl_->deleted) {
    throw usage_error("this account was deleted");
  }
  const state_file::lock guard = impl_->file.acquire();
  impl_->refresh();
  if (impl_->state.device_id != 1) {
    throw usage_error("only the primary device (device 1) can delete the account");
  }
  impl_->api.delete_account();
  impl_->deleted = true;
  std::error_code ignored;
  std::filesystem::remove(impl_->file.path(), ignored);
  std::filesystem::remove(impl_->file.path().string() + ".lock", ignored);
}

// ---- messages ----

send_report messenger::send(const std::string& recipient, std::string_view text) {
  return impl_->transact([&] { return impl_->send(recipient, text); });
}

receive_result messenger::process(std::span<const net::envelope> envelopes) {
  return impl_->transact([&] { return impl_->process(envelopes); });
}

receive_result messenger::receive_pending() {
  receive_result total;
  for (;;) {
    const net::poll_result page = impl_->transact([&] { return impl_->api.poll_messages(); });
    if (page.envelopes.empty()) {
      return total;
    }
    receive_result batch = process(page.envelopes);
    for (const net::guid& id : batch.acks) {
      try {
        impl_->api.ack_message(id);
      } catch (const net::api_error& e) {
        if (e.status() != 404) {
          throw;  // 404: already gone, which is what an ack wants
        }
      }
    }
    std::move(batch.messages.begin(), batch.messages.end(), std::back_inserter(total.messages));
    std::move(batch.notices.begin(), batch.notices.end(), std::back_inserter(total.notices));
    total.acks.insert(total.acks.end(), batch.acks.begin(), batch.acks.end());
    total.duplicates += batch.duplicates;
    if (!page.more) {
      return total;
    }
  }
}

std::unique_ptr<net::websocket_client> messenger::connect() {
  return std::make_unique<net::websocket_client>(net::parse_server_url(impl_->state.server_url),
                                                 impl_->login(), impl_->connection_options());
}

listen_summary messenger::listen(net::websocket_client& socket, const listen_options& options,
                                 const listen_handlers& handlers) {
  listen_summary summary;
  const auto start = std::chrono::steady_clock::now();
  const auto tick = std::chrono::milliseconds(250);
  for (;;) {
    if (options.stop && options.stop()) {
      return summary;
    }
    std::chrono::milliseconds wait = tick;
    if (options.duration.count() > 0) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          start + options.duration - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        return summary;
      }
      wait = std::min(wait, left);
    }
    std::optional<net::server_frame> frame = socket.receive(wait);
    if (!frame) {
      continue;
    }
    std::vector<net::envelope> batch;
    std::vector<net::server_frame> signals;
    while (frame) {
      if (auto* e = std::get_if<net::envelope>(&*frame)) {
        batch.push_back(std::move(*e));
      } else {
        signals.push_back(std::move(*frame));
        break;  // handle the batch before what follows it
      }
      if (batch.size() >= listen_batch) {
        break;
      }
      frame = socket.receive(std::chrono::milliseconds(0));
    }
    if (!batch.empty()) {
      const receive_result result = process(batch);
      socket.ack(result.acks);
      summary.messages += result.messages.size();
      summary.duplicates += result.duplicates;
      for (const notice& n : result.notices) {
        if (handlers.on_notice) {
          handlers.on_notice(n);
        }
      }
      for (const received_message& m : result.messages) {
        if (handlers.on_message) {
          handlers.on_message(m);
        }
      }
    }
    for (const net::server_frame& signal : signals) {
      if (const auto* low = std::get_if<net::keys_low>(&signal)) {
        // KeysLow also comes when only the PQ pool is low; this client has no PQ keys, so
        // only its EC pool decides.
        if (low->one_time_prekeys >= impl_->refill_threshold()) {
          continue;
        }
        const std::size_t uploaded = replenish_prekeys();
        if (uploaded > 0 && handlers.on_notice) {
          handlers.on_notice(notice{notice::kind::prekeys_uploaded, impl_->state.account_id,
                                    impl_->state.username, impl_->state.device_id,
                                    std::to_string(uploaded)});
        }
      } else if (std::holds_alternative<net::queue_empty>(signal)) {
        summary.queue_empty_seen = true;
        if (handlers.on_queue_empty) {
          handlers.on_queue_empty();
        }
        if (options.until_queue_empty) {
          return summary;
        }
      }
    }
  }
}

std::size_t messenger::replenish_prekeys() {
  return impl_->transact([&] { return impl_->replenish_prekeys(); });
}

// ---- trust ----

std::vector<safety_number> messenger::safety_numbers(const std::string& who) {
  return impl_->transact([&] {
    contact& c = impl_->resolve(who);
    impl_->sync_devices(c, impl_->api.list_devices(c.account_id));
    const crypto::typed_public_key mine = impl_->state.identity_key();
    std::vector<safety_number> out;
    for (const auto& [id, device] : c.devices) {
      const crypto::typed_public_key& theirs =
          device.changed_identity_key.value_or(device.identity_key);
      safety_number number;
      number.device_id = id;
      number.digits = crypto::displayable_fingerprint(
          crypto::fingerprint_iterations, impl_->state.account_id, mine, c.account_id, theirs);
      number.changed = device.changed_identity_key.has_value() || c.identity_changed;
      number.verified = c.verified && !number.changed;
      out.push_back(std::move(number));
    }
    return out;
  });
}

void messenger::verify(const std::string& who) {
  impl_->transact([&] {
    contact& c = impl_->resolve(who);
    for (auto& [id, device] : c.devices) {
      if (device.changed_identity_key) {
        device.identity_key = *device.changed_identity_key;
        device.changed_identity_key.reset();
      }
      // Sessions with a key we no longer trust go; the next send starts fresh ones.
      const auto sessions = impl_->state.sessions.find(session_key(c.account_id, id));
      if (sessions != impl_->state.sessions.end()) {
        std::erase_if(sessions->second, [&](const protocol::session& s) {
          return s.remote_identity_key() != device.identity_key;
        });
      }
    }
    c.identity_changed = false;
    c.verified = true;
    c.replaced_account_id.clear();
  });
}

std::vector<contact_info> messenger::contacts() {
  return impl_->inspect([&] {
    std::vector<contact_info> out;
    for (const auto& [id, c] : impl_->state.contacts) {
      if (id == impl_->state.account_id) {
        continue;
      }
      contact_info info{c.account_id, c.username, c.verified, c.identity_changed, {}};
      for (const auto& [device_id, device] : c.devices) {
        info.devices.push_back(device_id);
      }
      out.push_back(std::move(info));
    }
    return out;
  });
}

std::vector<history_entry> messenger::history(const std::string& who) {
  return impl_->inspect([&] {
    std::string account;
    if (net::is_canonical_uuid(who)) {
      account = who;
    } else if (!who.empty()) {
      const std::string name = lowercase(who);
      for (const auto& [id, c] : impl_->state.contacts) {
        if (c.username == name) {
          account = id;
        }
      }
      if (account.empty()) {
        throw unknown_contact_error("no conversation with '" + who + "'");
      }
    }
    std::vector<history_entry> out;
    for (const history_entry& entry : impl_->state.history) {
      if (account.empty() || entry.peer_account == account) {
        out.push_back(entry);
      }
    }
    return out;
  });
}

// ---- backup ----

void messenger::backup(std::string_view backup_passphrase) {
  if (backup_passphrase.empty()) {
    throw usage_error("an empty backup passphrase");
  }
  impl_->transact([&] {
    const crypto::secret_bytes<> payload = encode_backup(impl_->state, now_ms());
    const sealed_box::header header = sealed_box::new_header(impl_->config.kdf);
    const crypto::aead_key key = sealed_box::derive_key(backup_passphrase, header);
    impl_->api.put_backup(sealed_box::seal(sealed_box::backup_magic, header, key, payload.view()));
  });
}

restore_report messenger::restore_backup(std::string_view backup_passphrase) {
  return impl_->transact([&] {
    const std::optional<net::byte_vector> blob = impl_->api.get_backup();
    if (!blob) {
      throw usage_error("this account has no backup on the server");
    }
    const std::optional<sealed_box::header> header =
        sealed_box::parse_header(sealed_box::backup_magic, *blob);
    if (!header) {
      throw state_error(state_error::kind::corrupt,
                        "the account's backup is not a Sealpost backup this client can read");
    }
    const crypto::aead_key key = sealed_box::derive_key(backup_passphrase, *header);
    const std::optional<crypto::secret_bytes<>> payload = sealed_box::open(key, *blob);
    if (!payload) {
      throw state_error(state_error::kind::wrong_passphrase,
                        "cannot decrypt the backup: wrong backup passphrase, or it was altered");
    }
    backup_contents contents = decode_backup(payload->view());
    if (contents.account_id != impl_->state.account_id) {
      throw state_error(state_error::kind::corrupt, "the backup belongs to another account");
    }
    return impl_->merge_backup(std::move(contents));
  });
}

}  // namespace sealpost::client
