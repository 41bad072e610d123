// Descriptions of protocol errors.
#include "protocol/protocol_error.hpp"

namespace sealpost::client::protocol {

std::string_view describe(protocol_error error) noexcept {
  switch (error) {
    case protocol_error::invalid_identity_key:
      return "invalid identity key";
    case protocol_error::invalid_public_key:
      return "invalid public key";
    case protocol_error::bad_signature:
      return "signed prekey signature does not verify";
    case protocol_error::malformed_message:
      return "malformed message";
    case protocol_error::unknown_signed_prekey:
      return "unknown signed prekey";
    case protocol_error::unknown_one_time_prekey:
      return "unknown one-time prekey";
    case protocol_error::session_mismatch:
      return "message belongs to a different session";
    case protocol_error::duplicate_message:
      return "duplicate message";
    case protocol_error::too_many_skipped_messages:
      return "too many skipped messages";
    case protocol_error::decryption_failed:
      return "message does not authenticate";
    case protocol_error::malformed_state:
      return "malformed session state";
    case protocol_error::unsupported_sealed_sender_version:
      return "unsupported sealed-sender version";
    case protocol_error::malformed_certificate:
      return "malformed sender certificate";
    case protocol_error::untrusted_certificate:
      return "sender certificate not signed by the trusted chain";
    case protocol_error::expired_certificate:
      return "sender certificate expired";
  }
  return "unknown protocol error";
}

}  // namespace sealpost::client::protocol
