// Sending: one ciphertext for every device of the recipient, then a copy for each of our
// other devices, retried when the server says the device set changed (409/410).
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/contacts.hpp"
#include "core/messaging_job.hpp"
#include "core/messenger.hpp"
#include "core/sessions.hpp"
#include "core/state_store.hpp"
#include "net/api_client.hpp"
#include "net/errors.hpp"

namespace sealpost::client {

class outbox : public messaging_job {
 public:
  using messaging_job::messaging_job;

  // messenger::send, inside a transaction.
  send_report send(const std::string& recipient, std::string_view text);

 private:
  // The ciphertexts of one fan-out so far, by device.
  using sealed_envelopes = std::map<std::uint32_t, net::outgoing_envelope>;

  contact& checked_recipient(const std::string& recipient);
  net::send_result deliver_to_recipient(contact& c, std::span<const std::uint8_t> plaintext,
                                        std::uint64_t timestamp, send_report& report);
  [[noreturn]] void explain_gone_account(contact& c);
  void copy_to_own_devices(const contact& c, std::string_view text, std::uint64_t timestamp,
                           send_report& report);

  // Encrypts `plaintext` for every device of `c` (but this one) and sends it in one
  // request, refreshing devices and sessions on 409/410 and trying again. `devices_out`
  // gets the devices it went to.
  net::send_result deliver(contact& c, std::span<const std::uint8_t> plaintext,
                           std::uint64_t timestamp, std::vector<std::uint32_t>& devices_out);
  [[nodiscard]] bool is_this_device(const contact& c, std::uint32_t device_id) const;
  void prepare_sessions(contact& c, sealed_envelopes& sealed);
  void seal_for_devices(contact& c, std::span<const std::uint8_t> plaintext,
                        sealed_envelopes& sealed);
  void on_mismatched(contact& c, const net::mismatched_devices_error& e, sealed_envelopes& sealed);
  void on_stale(contact& c, const net::stale_devices_error& e, sealed_envelopes& sealed);
};

}  // namespace sealpost::client
