// Fuzz target: the client's check of a sealed message's sender certificate
// (validate_sender_certificate in client/protocol/sender_certificate.*), the one parser of
// sealed-sender input that runs before the message's sender is known. The trust root and
// the server key are fixed (fixtures.hpp); the seeds are certificates they signed.
//
// Properties: the check is total, with only the three certificate errors; what it accepts
// names a canonical account, a device in 1..127, a 0x05 identity key, and an expiry not
// before the check time; the same bytes are still accepted at exactly their expiry and
// refused as expired one millisecond later; and another trust root accepts nothing.
#include "protocol/sender_certificate.hpp"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>

#include "crypto/identity_key.hpp"
#include "fixtures.hpp"
#include "fuzz_check.hpp"
#include "net/api_types.hpp"

namespace {

using namespace sealpost::client;
using protocol::protocol_error;
namespace fx = sealpost::fuzz;

bool is_certificate_error(protocol_error error) {
  return error == protocol_error::malformed_certificate ||
         error == protocol_error::untrusted_certificate ||
         error == protocol_error::expired_certificate;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const crypto::typed_public_key root =
      fx::fixed_identity(fx::certificate_root_tag).public_key;
  // No seed is signed by this root (other-root.bin is signed by 0x73).
  static const crypto::typed_public_key other_root = fx::fixed_identity(0x75).public_key;
  const std::span<const std::uint8_t> input(data, size);

  const auto claims = protocol::validate_sender_certificate(input, root, fx::certificate_check_ms);
  const auto foreign = protocol::validate_sender_certificate(input, other_root, 0);
  FUZZ_CHECK(!foreign.has_value());
  FUZZ_CHECK(is_certificate_error(foreign.error()));
  if (!claims) {
    FUZZ_CHECK(is_certificate_error(claims.error()));
    return 0;
  }
  FUZZ_CHECK(net::is_canonical_uuid(claims->sender_account));
  FUZZ_CHECK(claims->sender_device >= 1 && claims->sender_device <= 127);
  FUZZ_CHECK(claims->identity_key[0] == crypto::curve25519_key_type);
  FUZZ_CHECK(claims->expires_ms >= fx::certificate_check_ms);
  FUZZ_CHECK(protocol::validate_sender_certificate(input, root, claims->expires_ms).has_value());
  if (claims->expires_ms < std::numeric_limits<std::uint64_t>::max()) {
    const auto late = protocol::validate_sender_certificate(input, root, claims->expires_ms + 1);
    FUZZ_CHECK(!late.has_value());
    FUZZ_CHECK(late.error() == protocol_error::expired_certificate);
  }
  return 0;
}
