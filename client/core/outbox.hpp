// Sending: one ciphertext for every device of the recipient, then a copy for each of our
// other devices, retried when the server says the device set changed (409/410).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/contacts.hpp"
#include "core/content.hpp"
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
  using device_ciphertexts = std::map<std::uint32_t, net::outgoing_envelope>;

  [[nodiscard]] data_message outgoing_data(std::string_view text, std::uint64_t timestamp) const;
  contact& checked_recipient(const std::string& recipient);
  net::send_result deliver_to_recipient(contact& c, std::span<const std::uint8_t> plaintext,
                                        std::uint64_t timestamp, send_report& report);
  [[noreturn]] void explain_gone_account(contact& c);
  void copy_to_own_devices(const contact& c, std::string_view text, std::uint64_t timestamp,
                           send_report& report);

  // Where one fan-out went: the devices, and whether it went sealed.
  struct delivery {
    std::vector<std::uint32_t> devices;
    bool sealed = false;
  };

  // Encrypts `plaintext` for every device of `c` (but this one) and sends it in one
  // request, refreshing devices and sessions on 409/410 and trying again. Sealed when we
  // hold the account's access key and this device has a sender certificate; a refused
  // access key is forgotten and the message goes identified.
  net::send_result deliver(contact& c, std::span<const std::uint8_t> plaintext,
                           std::uint64_t timestamp, delivery& out);
  std::optional<std::vector<std::uint8_t>> sender_certificate_for(const contact& c);
  net::send_result send_sealed(const contact& c, std::uint64_t timestamp,
                               const device_ciphertexts& ciphertexts,
                               std::span<const std::uint8_t> certificate);
  [[nodiscard]] bool is_this_device(const contact& c, std::uint32_t device_id) const;
  void prepare_sessions(contact& c, device_ciphertexts& ciphertexts);
  void encrypt_for_devices(contact& c, std::span<const std::uint8_t> plaintext,
                           device_ciphertexts& ciphertexts);
  void on_mismatched(contact& c, const net::mismatched_devices_error& e,
                     device_ciphertexts& ciphertexts);
  void on_stale(contact& c, const net::stale_devices_error& e, device_ciphertexts& ciphertexts);
};

}  // namespace sealpost::client
