// Fuzz target: the client's session-state deserializer (session::deserialize in
// client/protocol/session_serialization.cpp), which reads sessions back from the local
// state file.
//
// Properties: any input gives a session or malformed_state, never an exception; a state it
// accepts re-serializes to bytes that deserialize to the same state (serialize is a fixed
// point from there on); and an accepted session is usable: it encrypts (unless its sending
// chain is exhausted, which encrypt reports as std::overflow_error) a message of the type
// awaiting_reply() implies, which the wire decoders accept.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "fuzz_check.hpp"
#include "protocol/session.hpp"
#include "protocol/wire.hpp"

namespace {

using namespace sealpost::client::protocol;

std::vector<std::uint8_t> state_of(const session& s) {
  const auto bytes = s.serialize();
  return {bytes.view().begin(), bytes.view().end()};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto restored = session::deserialize({data, size});
  if (!restored) {
    FUZZ_CHECK(restored.error() == protocol_error::malformed_state);
    return 0;
  }
  const auto first = state_of(*restored);
  auto again = session::deserialize(first);
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(state_of(*again) == first);
  const std::uint8_t identity_type = restored->remote_identity_key()[0];
  FUZZ_CHECK(identity_type == 0x05 || identity_type == 0x0E);
  FUZZ_CHECK(restored->remote_registration_id() == again->remote_registration_id());

  static constexpr std::uint8_t plaintext[] = {'f', 'u', 'z', 'z'};
  const bool awaiting = restored->awaiting_reply();
  outgoing_message out;
  try {
    out = restored->encrypt(plaintext);
  } catch (const std::overflow_error&) {
    FUZZ_CHECK(state_of(*restored) == first);  // nothing was sent, nothing changed
    return 0;
  }
  if (awaiting) {
    FUZZ_CHECK(out.type == message_type::prekey);
    const auto message = decode_prekey_message(out.content);
    FUZZ_CHECK(message.has_value());
    FUZZ_CHECK(decode_ratchet_message(message->message).has_value());
  } else {
    FUZZ_CHECK(out.type == message_type::ratchet);
    FUZZ_CHECK(decode_ratchet_message(out.content).has_value());
  }
  FUZZ_CHECK(session::deserialize(state_of(*restored)).has_value());
  return 0;
}
