// Receiving: de-duplication by guid, decryption (retried within a batch, which may be out
// of order), and turning plaintext into messages, notices and history entries.
#include "core/inbox.hpp"

#include <algorithm>
#include <iterator>
#include <set>
#include <utility>

#include "core/history.hpp"
#include "core/notices.hpp"
#include "core/usernames.hpp"

namespace sealpost::client {
namespace {

// Redeliveries only concern envelopes that were in flight (at most the server's delivery
// window, 256 by default), so a few thousand guids are plenty.
constexpr std::size_t seen_guid_limit = 5000;

}  // namespace

struct inbox::decryption {
  enum class status { ok, duplicate, failed } outcome = status::failed;
  crypto::secret_bytes<> plaintext;
  protocol::protocol_error error = protocol::protocol_error::decryption_failed;
  bool new_session = false;
  crypto::typed_public_key identity_key{};
  std::uint32_t registration_id = 0;
};

receive_result inbox::process(std::span<const net::envelope> envelopes) {
  receive_result result;
  envelope_errors errors;
  unsealed_.clear();
  certified_.clear();
  const std::vector<const net::envelope*> failed =
      decrypt_all(unseal_all(drop_duplicates(envelopes, result), result), errors, result);
  report_undecryptable(failed, errors, result);
  return result;
}

// Each sealed envelope becomes its inner envelope, named by its sender certificate. One that
// does not open, or whose certificate fails, is dropped with a notice and acknowledged before
// any session sees it: trying again cannot help, and no session changes.
std::vector<const net::envelope*> inbox::unseal_all(
    const std::vector<const net::envelope*>& pending, receive_result& result) {
  std::vector<const net::envelope*> out;
  bool pin_tried = false;
  for (const net::envelope* e : pending) {
    if (e->type != net::unidentified_sender_type) {
      out.push_back(e);
      continue;
    }
    if (!state_.trust_root && !std::exchange(pin_tried, true)) {
      pin_trust_root_for_old_state();
    }
    protocol::result<unsealed_envelope> opened = sealed_.open(*e);
    if (!opened) {
      result.notices.push_back(notice{notice::kind::sealed_refused,
                                      {},
                                      {},
                                      0,
                                      std::string(protocol::describe(opened.error()))});
      result.acks.push_back(e->guid);
      continue;
    }
    const net::envelope& inner = unsealed_.emplace_back(std::move(opened->inner));
    certified_[&inner] = opened->certified_identity;
    out.push_back(&inner);
  }
  return out;
}

// A state file from before sealed sender pins the root when its first sealed message comes
// (trust on first use, as at registration). Without a root the message is refused.
void inbox::pin_trust_root_for_old_state() {
  try {
    sealed_.pin_trust_root();
  } catch (const std::exception&) {
  }
}

const crypto::typed_public_key* inbox::certified_identity(const net::envelope& e) const {
  const auto found = certified_.find(&e);
  return found == certified_.end() ? nullptr : &found->second;
}

// Duplicates within the batch are skipped; envelopes processed before are acked again.
std::vector<const net::envelope*> inbox::drop_duplicates(std::span<const net::envelope> envelopes,
                                                         receive_result& result) {
  std::set<net::guid> in_batch;
  std::vector<const net::envelope*> pending;
  for (const net::envelope& e : envelopes) {
    if (!in_batch.insert(e.guid).second) {
      ++result.duplicates;
      continue;
    }
    if (state_.seen_guid_index.contains(e.guid)) {
      ++result.duplicates;
      result.acks.push_back(e.guid);
      continue;
    }
    pending.push_back(&e);
  }
  return pending;
}

// Envelopes that fail may succeed once another one of the batch opened their session
// (the batch may be out of order): go over the failures again while that helps. Returns
// those that never decrypted.
std::vector<const net::envelope*> inbox::decrypt_all(std::vector<const net::envelope*> pending,
                                                     envelope_errors& errors,
                                                     receive_result& result) {
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
      state_.remember_guid(e->guid, seen_guid_limit);
      result.acks.push_back(e->guid);
    }
    pending = std::move(failed);
  }
  return pending;
}

void inbox::report_undecryptable(const std::vector<const net::envelope*>& failed,
                                 envelope_errors& errors, receive_result& result) {
  for (const net::envelope* e : failed) {
    // Dropped, but not remembered: an intact copy with the same guid may still decrypt.
    const contact& sender = contacts_.contact_for(e->source_account);
    result.notices.push_back(make_notice(notice::kind::undecryptable, sender, e->source_device,
                                         std::string(protocol::describe(errors[e]))));
    result.acks.push_back(e->guid);
  }
}

inbox::decryption inbox::decrypt(const net::envelope& e) {
  decryption out;
  const std::optional<protocol::message_type> type = protocol::to_message_type(e.type);
  if (!type || !net::is_canonical_uuid(e.source_account)) {
    out.error = protocol::protocol_error::malformed_message;
    return out;
  }
  if (std::vector<protocol::session>* list =
          sessions_.sessions_of(e.source_account, e.source_device)) {
    if (decrypt_with_sessions(*list, *type, e, out)) {
      return out;
    }
  } else {
    out.error = protocol::protocol_error::session_mismatch;  // no session yet
  }
  if (*type == protocol::message_type::prekey) {
    accept_prekey_message(e, out);
  }
  return out;
}

// Tries each session with the sender's device, newest first. True when one decrypted the
// envelope or recognised it as a duplicate; otherwise `out.error` is the last complaint.
bool inbox::decrypt_with_sessions(std::vector<protocol::session>& list, protocol::message_type type,
                                  const net::envelope& e, decryption& out) {
  const crypto::typed_public_key* certified = certified_identity(e);
  for (std::size_t i = 0; i < list.size(); ++i) {
    // A sealed message opens only a session with the key its certificate names.
    if (certified != nullptr && list[i].remote_identity_key() != *certified) {
      out.error = protocol::protocol_error::untrusted_certificate;
      continue;
    }
    protocol::result<crypto::secret_bytes<>> plain = list[i].decrypt(type, e.content);
    if (plain) {
      if (i > 0) {
        // The peer uses this one: it becomes current.
        std::rotate(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(i),
                    list.begin() + static_cast<std::ptrdiff_t>(i) + 1);
      }
      out.outcome = decryption::status::ok;
      out.plaintext = std::move(*plain);
      out.identity_key = list.front().remote_identity_key();
      out.registration_id = list.front().remote_registration_id();
      return true;
    }
    if (plain.error() == protocol::protocol_error::duplicate_message) {
      out.outcome = decryption::status::duplicate;
      return true;
    }
    out.error = plain.error();
  }
  return false;
}

void inbox::accept_prekey_message(const net::envelope& e, decryption& out) {
  state_prekey_store prekeys(state_);
  protocol::result<protocol::accepted_session> accepted =
      protocol::session::accept(state_.identity, prekeys, e.content);
  const crypto::typed_public_key* certified = certified_identity(e);
  if (accepted && certified != nullptr && accepted->session.remote_identity_key() != *certified) {
    out.error = protocol::protocol_error::untrusted_certificate;
    return;  // the session is not kept
  }
  if (accepted) {
    out.outcome = decryption::status::ok;
    out.plaintext = std::move(accepted->plaintext);
    out.identity_key = accepted->session.remote_identity_key();
    out.registration_id = accepted->session.remote_registration_id();
    out.new_session = true;
    sessions_.put_current(e.source_account, e.source_device, std::move(accepted->session));
    return;
  }
  // A session that recognised the message but could not decrypt it says more than
  // accept's complaint (often that the one-time prekey is used up).
  if (out.error == protocol::protocol_error::session_mismatch) {
    out.error = accepted.error();
  }
}

void inbox::deliver_content(const net::envelope& e, const decryption& d, receive_result& result) {
  contact& sender = contacts_.contact_for(e.source_account);
  if (d.new_session) {
    observe_new_session(sender, e, d, result);
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
  message.sealed = certified_identity(e) != nullptr;
  if (const auto* data = std::get_if<data_message>(&*body)) {
    read_data_message(sender, *data, message, result);
  } else if (!read_sent_transcript(e, std::get<sent_transcript>(*body), message, result)) {
    return;
  }
  // After the username check above, which may itself have revealed a changed identity.
  const auto sender_key = sender.devices.find(e.source_device);
  message.identity_unverified =
      sender.identity_changed ||
      (sender_key != sender.devices.end() && sender_key->second.identity_key != d.identity_key);
  record(e, message);
  result.messages.push_back(std::move(message));
}

// A prekey message opened a session: its identity key is trusted on first use or recorded
// as a change.
void inbox::observe_new_session(contact& sender, const net::envelope& e, const decryption& d,
                                receive_result& result) {
  const bool known_before = !sender.devices.empty();
  const observation seen = observe(sender, e.source_device, d.registration_id, d.identity_key);
  if (seen == observation::changed) {
    result.notices.push_back(make_notice(notice::kind::identity_changed, sender, e.source_device));
  } else if (seen == observation::new_device && known_before) {
    result.notices.push_back(make_notice(notice::kind::new_device, sender, e.source_device));
  }
}

void inbox::read_data_message(contact& sender, const data_message& data, received_message& message,
                              receive_result& result) {
  confirm_username(sender, data.sender_username, result);
  learn_access_key(sender, data.profile_key);
  message.peer_account = sender.account_id;
  message.peer_username = sender.username;
  message.text = data.text;
  message.timestamp_ms = data.timestamp_ms;
}

// A copy of what another device of ours sent. False (with a notice) when it did not come
// from this account.
bool inbox::read_sent_transcript(const net::envelope& e, const sent_transcript& sent,
                                 received_message& message, receive_result& result) {
  if (e.source_account != state_.account_id || !net::is_canonical_uuid(sent.destination_account)) {
    result.notices.push_back(make_notice(notice::kind::undecryptable,
                                         contacts_.contact_for(e.source_account), e.source_device,
                                         "a sent-message copy from another account"));
    return false;
  }
  contact& peer = contacts_.contact_for(sent.destination_account);
  if (peer.username.empty() && valid_username(sent.destination_username) &&
      contacts_.adopt_username(peer.account_id, sent.destination_username)) {
    result.notices.push_back(make_notice(notice::kind::identity_changed, peer, 0,
                                         "the username now belongs to a new account"));
  }
  adopt_profile_key(sent.message.profile_key);
  message.sent_by_us = true;
  message.peer_account = peer.account_id;
  message.peer_username = peer.username;
  message.text = sent.message.text;
  message.timestamp_ms = sent.message.timestamp_ms;
  return true;
}

// A contact's profile key gives its access key: from now on messages to it go sealed.
void inbox::learn_access_key(contact& sender, std::span<const std::uint8_t> profile_key) {
  if (profile_key.size() != crypto::profile_key_size || sender.account_id == state_.account_id) {
    return;
  }
  sender.access_key = crypto::derive_access_key(crypto::profile_key(profile_key));
}

// Our other devices tell us the account's profile key: a linked device learns it this way,
// and every device learns a new one after `privacy --new-key`.
void inbox::adopt_profile_key(std::span<const std::uint8_t> profile_key) {
  if (profile_key.size() == crypto::profile_key_size) {
    state_.profile_key = crypto::profile_key(profile_key);
  }
}

// Checks a username claimed in a message against the directory (once per contact).
void inbox::confirm_username(contact& c, const std::string& claimed, receive_result& result) {
  if (!c.username.empty() || claimed.empty() || !valid_username(claimed)) {
    return;
  }
  std::optional<std::string> id;
  try {
    id = api_.lookup_username(claimed);
  } catch (const std::exception&) {
    return;  // unconfirmed for now; the next message tries again
  }
  if (id && *id == c.account_id && contacts_.adopt_username(c.account_id, claimed)) {
    result.notices.push_back(make_notice(notice::kind::identity_changed, c, 0,
                                         "the username now belongs to a new account"));
  }
}

void inbox::record(const net::envelope& e, const received_message& message) {
  append_history(state_,
                 history_entry{message.sent_by_us, message.peer_account, message.peer_username,
                               message.sent_by_us ? 0 : e.source_device,
                               message.sent_by_us ? e.source_device : 0, message.timestamp_ms,
                               message.server_timestamp_ms, message.text},
                 store_.config().history_limit);
}

void append_result(receive_result& total, receive_result&& batch) {
  std::move(batch.messages.begin(), batch.messages.end(), std::back_inserter(total.messages));
  std::move(batch.notices.begin(), batch.notices.end(), std::back_inserter(total.notices));
  total.acks.insert(total.acks.end(), batch.acks.begin(), batch.acks.end());
  total.duplicates += batch.duplicates;
}

}  // namespace sealpost::client
