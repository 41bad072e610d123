// Fuzz target: opening a received sealed-sender message (client/protocol/sealed_sender_v1.*):
// each input is opened by two fixed recipients, one with a 0x05 identity key and one with a
// 0x0E identity key (the recipients of tests/vectors/sealed_sender_v1.json, whose messages
// are the seeds), and decoded as the content (USMC) inside a sealed message.
//
// Properties: opening is total, with only the errors sealed_sender_v1.hpp documents, and
// unsupported_sealed_sender_version exactly when the first byte is not 0x11; what opens is
// the canonical encoding (its size follows from the content's) of a 0x05 sender key; the
// content decoder is total (malformed_message or a value), and what it accepts re-encodes
// to bytes that decode to the same value.
#include "protocol/sealed_sender_v1.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "crypto/x25519.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace sealpost::client;
using protocol::protocol_error;

std::vector<std::uint8_t> from_hex(std::string_view hex) {
  const auto nibble = [](char c) {
    return static_cast<std::uint8_t>(c <= '9' ? c - '0' : c - 'a' + 10);
  };
  std::vector<std::uint8_t> bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes.push_back(static_cast<std::uint8_t>(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
  }
  return bytes;
}

struct recipient {
  protocol::sealed_sender_typed_key identity{};
  crypto::x25519_private_key dh_private;
};

recipient make_recipient(std::string_view identity_hex, std::string_view private_hex) {
  recipient r;
  const std::vector<std::uint8_t> identity = from_hex(identity_hex);
  std::copy(identity.begin(), identity.end(), r.identity.begin());
  r.dh_private = crypto::x25519_private_key(from_hex(private_hex));
  return r;
}

std::size_t varint_size(std::size_t value) {
  std::size_t size = 1;
  while (value >= 0x80) {
    value >>= 7;
    ++size;
  }
  return size;
}

bool documented_open_error(protocol_error e) {
  switch (e) {
    case protocol_error::unsupported_sealed_sender_version:
    case protocol_error::malformed_message:
    case protocol_error::invalid_public_key:
    case protocol_error::decryption_failed:
    case protocol_error::invalid_identity_key:
      return true;
    default:
      return false;
  }
}

void check_content_decoder(std::span<const std::uint8_t> bytes) {
  const auto content = protocol::decode_sealed_sender_content(bytes);
  if (!content) {
    FUZZ_CHECK(content.error() == protocol_error::malformed_message);
    return;
  }
  const auto again =
      protocol::decode_sealed_sender_content(protocol::encode_sealed_sender_content(*content));
  FUZZ_CHECK(again.has_value() && *again == *content);
}

void check_open(const recipient& r, std::span<const std::uint8_t> message) {
  const auto opened = protocol::open_sealed_sender_v1(r.identity, r.dh_private, message);
  const bool v1_byte = !message.empty() && message[0] == protocol::sealed_sender_v1_version;
  if (!opened) {
    FUZZ_CHECK(documented_open_error(opened.error()));
    FUZZ_CHECK((opened.error() == protocol_error::unsupported_sealed_sender_version) == !v1_byte);
    return;
  }
  FUZZ_CHECK(v1_byte);
  FUZZ_CHECK(opened->sender_identity[0] == 0x05);
  // 0x11, ephemeral (2 + 33), encrypted static (2 + 43), encrypted message (content + 10).
  const std::size_t sealed_content = opened->content.size() + 10;
  FUZZ_CHECK(message.size() == 1 + 35 + 45 + 1 + varint_size(sealed_content) + sealed_content);
  check_content_decoder(opened->content.view());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The recipients of the vectors: Bob (0x05) and Carol (an old device, 0x0E).
  static const recipient bob =
      make_recipient("056229a228d5238ff510c56e8a51b559afa062eee96c6d670ba521045ea7fdd34a",
                     "51d4eaf37f8b6c7b352e8575b6e6d81dcfc3813926fe8dd28d1aab0dca084572");
  static const recipient carol =
      make_recipient("0e8436943cd5f1dbd8453b68331db44ed31df974525ee0c45cb8cdb82c8b7a690d",
                     "2e8f9f64355312b5055f7ae28e13868fe5c451bcfa36f6a23778390846bc6900");
  const std::span<const std::uint8_t> input(data, size);
  check_open(bob, input);
  check_open(carol, input);
  check_content_decoder(input);
  return 0;
}
