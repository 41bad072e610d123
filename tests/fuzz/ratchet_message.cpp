// Fuzz target: the client's decoding of received message content (client/protocol/wire.*)
// and what the client does with it (client/protocol/session.*): an input is a sequence of
// envelopes delivered to one device, each [type byte][2-byte big-endian length][content];
// the last one takes whatever is left. Every content goes through decode_ratchet_message
// and decode_prekey_message; then, like the messenger, an envelope of type 2 (ratchet) is
// decrypted by Bob's established session with Alice (fixtures.hpp) and one of type 1
// (prekey) both by that session and by session::accept against Bob's prekey store. Session
// and store carry over from one envelope to the next, so skipped keys, replays and
// one-time-prekey use are reachable.
//
// Properties: the decoders are total (an error value, no exception) and what they accept
// re-encodes to something that decodes to the same values, with the limits wire.hpp
// promises; a refused message leaves the session byte-for-byte unchanged and the prekey
// store unchanged; a message that decrypted does not decrypt a second time; accept removes
// the one-time prekey it used once (and only once) the message authenticated; errors are
// the ones session.hpp documents.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "crypto/aead.hpp"
#include "fixtures.hpp"
#include "fuzz_check.hpp"
#include "protocol/wire.hpp"

namespace {

using namespace sealpost::client::protocol;
namespace fx = sealpost::fuzz;

constexpr std::size_t kMaxEnvelopes = 8;

bool same_header(const ratchet_header& a, const ratchet_header& b) {
  return a.ratchet_key == b.ratchet_key && a.previous_chain_length == b.previous_chain_length &&
         a.message_number == b.message_number;
}

void check_decoders(std::span<const std::uint8_t> content) {
  if (const auto message = decode_ratchet_message(content)) {
    FUZZ_CHECK(message->ciphertext.size() >= sealpost::client::crypto::aead_tag_size);
    FUZZ_CHECK(message->header.message_number != std::numeric_limits<std::uint32_t>::max());
    const auto again =
        decode_ratchet_message(encode_ratchet_message(message->header_bytes, message->ciphertext));
    FUZZ_CHECK(again && same_header(again->header, message->header) &&
               again->header_bytes == message->header_bytes &&
               again->ciphertext == message->ciphertext);
    const auto canonical = decode_ratchet_message(
        encode_ratchet_message(encode_ratchet_header(message->header), message->ciphertext));
    FUZZ_CHECK(canonical && same_header(canonical->header, message->header));
  } else {
    FUZZ_CHECK(message.error() == protocol_error::malformed_message);
  }

  if (const auto message = decode_prekey_message(content)) {
    FUZZ_CHECK(message->registration_id >= min_registration_id &&
               message->registration_id <= max_registration_id);
    const auto again = decode_prekey_message(encode_prekey_message(*message));
    FUZZ_CHECK(again.has_value());
    FUZZ_CHECK(again->x3dh.identity_key == message->x3dh.identity_key &&
               again->x3dh.base_key == message->x3dh.base_key &&
               again->x3dh.signed_prekey_id == message->x3dh.signed_prekey_id &&
               again->x3dh.one_time_prekey_id == message->x3dh.one_time_prekey_id &&
               again->registration_id == message->registration_id &&
               again->message == message->message);
  } else {
    FUZZ_CHECK(message.error() == protocol_error::malformed_message);
  }
}

bool documented_decrypt_error(protocol_error e) {
  switch (e) {
    case protocol_error::malformed_message:
    case protocol_error::session_mismatch:
    case protocol_error::duplicate_message:
    case protocol_error::too_many_skipped_messages:
    case protocol_error::invalid_public_key:
    case protocol_error::decryption_failed:
      return true;
    default:
      return false;
  }
}

bool documented_accept_error(protocol_error e) {
  switch (e) {
    case protocol_error::malformed_message:
    case protocol_error::unknown_signed_prekey:
    case protocol_error::unknown_one_time_prekey:
    case protocol_error::invalid_identity_key:
    case protocol_error::invalid_public_key:
    case protocol_error::decryption_failed:
    case protocol_error::too_many_skipped_messages:
      return true;
    default:
      return false;
  }
}

std::vector<std::uint8_t> state_of(const session& s) {
  const auto bytes = s.serialize();
  return {bytes.view().begin(), bytes.view().end()};
}

std::vector<bool> one_time_prekeys_held(const in_memory_prekey_store& store) {
  std::vector<bool> held;
  for (const std::uint32_t id : fx::bob_one_time_prekey_ids) {
    held.push_back(store.find_one_time_prekey(id) != nullptr);
  }
  return held;
}

void deliver_to_session(session& bob, message_type type, std::span<const std::uint8_t> content) {
  const auto before = state_of(bob);
  const auto plaintext = bob.decrypt(type, content);
  if (!plaintext) {
    FUZZ_CHECK(documented_decrypt_error(plaintext.error()));
    FUZZ_CHECK(state_of(bob) == before);
    return;
  }
  const auto after = state_of(bob);
  const auto replay = bob.decrypt(type, content);
  FUZZ_CHECK(!replay.has_value());
  FUZZ_CHECK(documented_decrypt_error(replay.error()));
  FUZZ_CHECK(state_of(bob) == after);
}

void deliver_to_accept(in_memory_prekey_store& store, std::span<const std::uint8_t> content) {
  static const local_identity bob = fx::bob_identity();
  const auto held_before = one_time_prekeys_held(store);
  const auto accepted = session::accept(bob, store, content);
  if (!accepted) {
    FUZZ_CHECK(documented_accept_error(accepted.error()));
    FUZZ_CHECK(one_time_prekeys_held(store) == held_before);
    return;
  }
  const auto message = decode_prekey_message(content);
  FUZZ_CHECK(message.has_value());
  FUZZ_CHECK(accepted->session.remote_identity_key() == message->x3dh.identity_key);
  FUZZ_CHECK(accepted->session.remote_registration_id() == message->registration_id);
  const auto held_after = one_time_prekeys_held(store);
  for (std::size_t i = 0; i < held_after.size(); ++i) {
    const bool used = message->x3dh.one_time_prekey_id == fx::bob_one_time_prekey_ids[i];
    FUZZ_CHECK(held_after[i] == (held_before[i] && !used));
  }
  // The session accept opened is one that storage can keep.
  FUZZ_CHECK(session::deserialize(state_of(accepted->session)).has_value());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const session initial = fx::bob_session();
  static const in_memory_prekey_store initial_prekeys = fx::bob_prekeys();
  session bob = initial;
  in_memory_prekey_store prekeys = initial_prekeys;

  std::span<const std::uint8_t> in(data, size);
  for (std::size_t n = 0; n < kMaxEnvelopes && !in.empty(); ++n) {
    const std::uint8_t type_byte = in[0];
    std::size_t length = in.size() - 1;
    std::size_t header = 1;
    if (in.size() >= 3) {
      length = std::min<std::size_t>((std::size_t{in[1]} << 8) | in[2], in.size() - 3);
      header = 3;
    }
    const auto content = in.subspan(header, std::min(length, in.size() - header));
    in = in.subspan(header + content.size());

    check_decoders(content);
    const std::optional<message_type> type = to_message_type(type_byte);
    FUZZ_CHECK(type.has_value() == (type_byte == 1 || type_byte == 2));
    if (!type) {
      continue;  // the messenger ignores envelope types it does not know
    }
    deliver_to_session(bob, *type, content);
    if (*type == message_type::prekey) {
      deliver_to_accept(prekeys, content);
    }
  }
  return 0;
}
