// Fuzz target: the server's strict base64 (server/crypto/base64.*), which every byte field of
// the REST API goes through, checked against the client's independent table-driven codec
// (client/net/base64.*), which promises to accept exactly what the server accepts.
//
// Properties: decode succeeds only for the canonical encoding, so encode(decode(text)) ==
// text; both decoders agree on every input; encode has the exact padded length, matches the
// client's encoder and decodes back to its input.
#include "crypto/base64.hpp"

#include <cstddef>
#include <cstdint>

#include "fuzz_check.hpp"
#include "net/base64.hpp"

namespace server = sealpost::crypto;
namespace client = sealpost::client::net;
using sealpost::fuzz::text_of;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  const std::string_view text = text_of(input);

  // The input as base64 text.
  const auto decoded = server::base64_decode(text);
  const auto client_decoded = client::base64_decode(text);
  FUZZ_CHECK(decoded.has_value() == client_decoded.has_value());
  if (decoded) {
    FUZZ_CHECK(*decoded == *client_decoded);
    FUZZ_CHECK(text.size() % 4 == 0);
    FUZZ_CHECK(decoded->size() <= text.size() / 4 * 3);
    FUZZ_CHECK(server::base64_encode(*decoded) == text);
  }

  // The input as bytes to encode.
  const std::string encoded = server::base64_encode(input);
  FUZZ_CHECK(encoded.size() == (size + 2) / 3 * 4);
  FUZZ_CHECK(encoded == client::base64_encode(input));
  const auto round_trip = server::base64_decode(encoded);
  FUZZ_CHECK(round_trip.has_value());
  FUZZ_CHECK(std::equal(round_trip->begin(), round_trip->end(), input.begin(), input.end()));
  return 0;
}
