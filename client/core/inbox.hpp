// Receiving: decrypting envelopes with the device's sessions (or a new one from a prekey
// message), each exactly once whatever the order and duplicates, into messages, notices
// and the history.
#pragma once

#include <deque>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/contacts.hpp"
#include "core/content.hpp"
#include "core/messaging_job.hpp"
#include "core/messenger.hpp"
#include "core/sessions.hpp"
#include "core/state_store.hpp"
#include "net/api_client.hpp"

namespace sealpost::client {

class inbox : public messaging_job {
 public:
  using messaging_job::messaging_job;

  // messenger::process, inside a transaction.
  receive_result process(std::span<const net::envelope> envelopes);

 private:
  struct decryption;
  using envelope_errors = std::map<const net::envelope*, protocol::protocol_error>;

  std::vector<const net::envelope*> drop_duplicates(std::span<const net::envelope> envelopes,
                                                    receive_result& result);
  std::vector<const net::envelope*> unseal_all(const std::vector<const net::envelope*>& pending,
                                               receive_result& result);
  void pin_trust_root_for_old_state();
  [[nodiscard]] const crypto::typed_public_key* certified_identity(const net::envelope& e) const;
  std::vector<const net::envelope*> decrypt_all(std::vector<const net::envelope*> pending,
                                                envelope_errors& errors, receive_result& result);
  void report_undecryptable(const std::vector<const net::envelope*>& failed,
                            envelope_errors& errors, receive_result& result);

  decryption decrypt(const net::envelope& e);
  bool decrypt_with_sessions(std::vector<protocol::session>& list, protocol::message_type type,
                             const net::envelope& e, decryption& out);
  void accept_prekey_message(const net::envelope& e, decryption& out);

  void deliver_content(const net::envelope& e, const decryption& d, receive_result& result);
  void observe_new_session(contact& sender, const net::envelope& e, const decryption& d,
                           receive_result& result);
  void read_data_message(contact& sender, const data_message& data, received_message& message,
                         receive_result& result);
  bool read_sent_transcript(const net::envelope& e, const sent_transcript& sent,
                            received_message& message, receive_result& result);
  void learn_access_key(contact& sender, std::span<const std::uint8_t> profile_key);
  void adopt_profile_key(std::span<const std::uint8_t> profile_key);
  void confirm_username(contact& c, const std::string& claimed, receive_result& result);
  void record(const net::envelope& e, const received_message& message);

  // The sealed envelopes of the batch being processed, opened: the inner envelopes and the
  // identity key each one's sender certificate vouches for.
  std::deque<net::envelope> unsealed_;
  std::map<const net::envelope*, crypto::typed_public_key> certified_;
};

// Adds `batch` to `total` (messages, notices, acks and duplicates).
void append_result(receive_result& total, receive_result&& batch);

}  // namespace sealpost::client
