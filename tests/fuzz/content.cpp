// Fuzz target: the client's decoding of a decrypted message (decode_content in
// client/core/content.*). The plaintext is whatever the peer chose to encrypt, so it is as
// hostile as any network input.
//
// Properties: decode_content is total (nullopt for bad padding or encoding, no exception);
// trailing zero bytes do not change the result (they are padding); what it accepts
// re-encodes to a padded plaintext (a non-empty multiple of the padding block) that decodes
// to the same content.
#include "core/content.hpp"

#include <cstddef>
#include <cstdint>
#include <variant>
#include <vector>

#include "fuzz_check.hpp"
#include "quiet_protobuf.hpp"

namespace {

using namespace sealpost::client;

bool same(const data_message& a, const data_message& b) {
  return a.text == b.text && a.timestamp_ms == b.timestamp_ms &&
         a.sender_username == b.sender_username && a.profile_key == b.profile_key;
}

bool same(const content& a, const content& b) {
  if (a.index() != b.index()) {
    return false;
  }
  if (const auto* data = std::get_if<data_message>(&a)) {
    return same(*data, std::get<data_message>(b));
  }
  const auto& x = std::get<sent_transcript>(a);
  const auto& y = std::get<sent_transcript>(b);
  return x.destination_account == y.destination_account &&
         x.destination_username == y.destination_username && same(x.message, y.message);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> plaintext(data, size);
  const auto decoded = decode_content(plaintext);

  std::vector<std::uint8_t> more_padding(plaintext.begin(), plaintext.end());
  more_padding.insert(more_padding.end(), 3, 0);
  const auto padded = decode_content(more_padding);
  FUZZ_CHECK(padded.has_value() == decoded.has_value());
  if (!decoded) {
    return 0;
  }
  FUZZ_CHECK(same(*padded, *decoded));

  const auto encoded = encode_content(*decoded);
  FUZZ_CHECK(encoded.size() > 0 && encoded.size() % content_padding_block == 0);
  const auto again = decode_content(encoded.view());
  FUZZ_CHECK(again.has_value() && same(*again, *decoded));
  return 0;
}
