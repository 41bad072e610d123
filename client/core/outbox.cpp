// Sending: fan-out to every device of the recipient and of this account, with the retries
// that 409 mismatched_devices and 410 stale_devices call for.
#include "core/outbox.hpp"

#include <set>

#include "core/clock.hpp"
#include "core/content.hpp"
#include "core/errors.hpp"
#include "core/history.hpp"

namespace sealpost::client {
namespace {

constexpr std::size_t max_text_bytes = std::size_t{64} * 1024;
constexpr int max_send_attempts = 5;

void validate_text(std::string_view text) {
  if (text.empty()) {
    throw usage_error("an empty message");
  }
  if (text.size() > max_text_bytes) {
    throw usage_error("a message may be at most " + std::to_string(max_text_bytes) + " bytes");
  }
}

}  // namespace

// Every message carries this account's profile key (when this device knows it), so that
// recipients can send back sealed.
data_message outbox::outgoing_data(std::string_view text, std::uint64_t timestamp) const {
  data_message data{std::string(text), timestamp, state_.username, {}};
  if (state_.profile_key) {
    data.profile_key.assign(state_.profile_key->view().begin(), state_.profile_key->view().end());
  }
  return data;
}

send_report outbox::send(const std::string& recipient, std::string_view text) {
  validate_text(text);
  contact& c = checked_recipient(recipient);
  const std::uint64_t timestamp = now_ms();
  const crypto::secret_bytes<> plaintext = encode_content(outgoing_data(text, timestamp));
  send_report report;
  const net::send_result result = deliver_to_recipient(c, plaintext.view(), timestamp, report);
  report.recipient_account = c.account_id;
  report.server_timestamp = result.server_timestamp;
  append_history(
      state_,
      history_entry{true, c.account_id, c.username, 0, state_.device_id, timestamp,
                    static_cast<std::uint64_t>(result.server_timestamp), std::string(text)},
      store_.config().history_limit);
  copy_to_own_devices(c, text, timestamp, report);
  return report;
}

contact& outbox::checked_recipient(const std::string& recipient) {
  contact& c = contacts_.resolve(recipient);
  if (c.account_id == state_.account_id) {
    throw usage_error("that is this account; your other devices get a copy of every message");
  }
  if (c.identity_changed) {
    throw identity_changed_error(display_name(c), changed_devices(c));
  }
  return c;
}

net::send_result outbox::deliver_to_recipient(contact& c, std::span<const std::uint8_t> plaintext,
                                              std::uint64_t timestamp, send_report& report) {
  try {
    delivery out;
    net::send_result result = deliver(c, plaintext, timestamp, out);
    report.recipient_devices = std::move(out.devices);
    report.sealed = out.sealed;
    return result;
  } catch (const net::api_error& e) {
    if (e.status() != 404) {
      throw;
    }
    explain_gone_account(c);
  }
}

// The account is gone (404). If its username now names another account, that is a new
// identity for the same name: report it like any other identity change.
void outbox::explain_gone_account(contact& c) {
  if (c.username.empty()) {
    throw unknown_contact_error("account " + c.account_id + " no longer exists");
  }
  const std::string name = c.username;
  const std::optional<std::string> id = api_.lookup_username(name);
  if (!id) {
    throw unknown_contact_error(name + "'s account no longer exists");
  }
  if (*id == c.account_id) {
    throw;  // the 404 being handled: the account exists, something else is missing
  }
  contacts_.adopt_typed_username(*id, name);
  throw identity_changed_error(name, {});
}

// Our other devices learn what we sent; a failure here does not undo the message itself.
void outbox::copy_to_own_devices(const contact& c, std::string_view text, std::uint64_t timestamp,
                                 send_report& report) {
  const crypto::secret_bytes<> transcript =
      encode_content(sent_transcript{c.account_id, c.username, outgoing_data(text, timestamp)});
  try {
    delivery out;
    deliver(contacts_.self(), transcript.view(), timestamp, out);
    report.own_devices = std::move(out.devices);
  } catch (const std::exception& e) {
    report.own_devices_warning = e.what();
  }
}

net::send_result outbox::deliver(contact& c, std::span<const std::uint8_t> plaintext,
                                 std::uint64_t timestamp, delivery& out) {
  device_ciphertexts ciphertexts;
  std::optional<std::vector<std::uint8_t>> certificate = sender_certificate_for(c);
  for (int attempt = 0; attempt < max_send_attempts; ++attempt) {
    prepare_sessions(c, ciphertexts);
    encrypt_for_devices(c, plaintext, ciphertexts);
    // The ratchets moved on: that must be on disk before any ciphertext leaves.
    store_.save();
    try {
      net::send_result result;
      if (certificate) {
        result = send_sealed(c, timestamp, ciphertexts, *certificate);
      } else {
        std::vector<net::outgoing_envelope> messages;
        for (const auto& [id, envelope] : ciphertexts) {
          messages.push_back(envelope);
        }
        result = api_.send_messages(c.account_id, timestamp, messages);
      }
      out.devices.clear();
      for (const auto& [id, envelope] : ciphertexts) {
        out.devices.push_back(id);
      }
      out.sealed = certificate.has_value();
      return result;
    } catch (const net::unauthorized_error&) {
      if (!certificate) {
        throw;  // our own credentials were refused
      }
      // The account replaced its access key (or no longer allows sealed messages): forget
      // ours until a message brings the new one, and send this one identified.
      c.access_key.reset();
      certificate.reset();
    } catch (const net::mismatched_devices_error& e) {
      on_mismatched(c, e, ciphertexts);
    } catch (const net::stale_devices_error& e) {
      on_stale(c, e, ciphertexts);
    }
  }
  throw net::transport_error("the devices of " + display_name(c) +
                             " kept changing while sending; try again");
}

// Our own account gets identified copies: its devices are ours, and DESIGN.md leaves no
// device out of a sealed send, so the sending device would get its own message back.
std::optional<std::vector<std::uint8_t>> outbox::sender_certificate_for(const contact& c) {
  if (c.account_id == state_.account_id || !c.access_key) {
    return std::nullopt;
  }
  return sealed_.sender_certificate();
}

net::send_result outbox::send_sealed(const contact& c, std::uint64_t timestamp,
                                     const device_ciphertexts& ciphertexts,
                                     std::span<const std::uint8_t> certificate) {
  std::vector<net::outgoing_envelope> messages;
  for (const auto& [id, envelope] : ciphertexts) {
    messages.push_back(sealed_.seal(c.devices.at(id), envelope, certificate));
  }
  return api_.send_sealed_messages(c.account_id, timestamp, messages, c.access_key->view());
}

bool outbox::is_this_device(const contact& c, std::uint32_t device_id) const {
  return c.account_id == state_.account_id && device_id == state_.device_id;
}

// Sessions for every device still without a ciphertext; ciphertexts for devices that went
// away meanwhile are dropped.
void outbox::prepare_sessions(contact& c, device_ciphertexts& ciphertexts) {
  if (c.account_id != state_.account_id && c.devices.empty()) {
    sessions_.establish(c, {});
  }
  std::set<std::uint32_t> need;
  for (const auto& [id, device] : c.devices) {
    if (!is_this_device(c, id) && !ciphertexts.contains(id) &&
        sessions_.sending_session(c, id) == nullptr) {
      need.insert(id);
    }
  }
  if (!need.empty()) {
    sessions_.establish(c, need);
  }
  std::erase_if(ciphertexts, [&](const auto& entry) { return !c.devices.contains(entry.first); });
}

void outbox::encrypt_for_devices(contact& c, std::span<const std::uint8_t> plaintext,
                                 device_ciphertexts& ciphertexts) {
  for (const auto& [id, device] : c.devices) {
    if (is_this_device(c, id) || ciphertexts.contains(id)) {
      continue;
    }
    protocol::session* session = sessions_.sending_session(c, id);
    if (session == nullptr) {
      continue;  // its bundle vanished; the server will tell us if it still exists
    }
    protocol::outgoing_message out = session->encrypt(plaintext);
    ciphertexts[id] = net::outgoing_envelope{
        id, device.registration_id, static_cast<std::uint32_t>(out.type), std::move(out.content)};
  }
}

// 409: devices we sent to that do not exist go; missing ones get sessions.
void outbox::on_mismatched(contact& c, const net::mismatched_devices_error& e,
                           device_ciphertexts& ciphertexts) {
  for (const std::uint32_t id : e.extra_devices()) {
    contacts_.forget_device(c, id);
    ciphertexts.erase(id);
  }
  std::set<std::uint32_t> missing(e.missing_devices().begin(), e.missing_devices().end());
  if (!missing.empty()) {
    sessions_.establish(c, missing);
  }
}

// 410: devices that were re-registered get fresh sessions and fresh ciphertexts.
void outbox::on_stale(contact& c, const net::stale_devices_error& e,
                      device_ciphertexts& ciphertexts) {
  std::set<std::uint32_t> stale;
  for (const std::uint32_t id : e.stale_devices()) {
    state_.sessions.erase(session_key(c.account_id, id));
    ciphertexts.erase(id);
    stale.insert(id);
  }
  sessions_.establish(c, stale);
}

}  // namespace sealpost::client
