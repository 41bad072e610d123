// Fuzz target: identity-key signature verification (server/crypto/signature.*), the check
// the server runs on every uploaded signed prekey and PQ prekey: XEdDSA for 0x05 identity
// keys, Ed25519 for 0x0E.
//
// Input: [key length][key bytes][signature length][signature bytes][message...]; a length
// longer than what is left takes what is left. The key goes through parse_typed_key first,
// as in key_codec.cpp.
//
// Properties: bad input gives false, never an exception; only 64-byte signatures verify;
// for 0x0E keys the result equals the client's Ed25519 verifier (client/crypto/ed25519.*);
// a signature that verifies stops verifying when a message bit flips or s is replaced by
// s + L; and a valid Ed25519 signature by A also verifies as XEdDSA under the Montgomery
// form of A (computed by the client's independent map, client/crypto/identity_key_map.*)
// with A's sign bit in the top bit of the signature, which is what libsignal's XEdDSA is.
#include "crypto/signature.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "crypto/ed25519.hpp"
#include "crypto/identity_key_map.hpp"
#include "crypto/typed_key.hpp"
#include "fuzz_check.hpp"

namespace {

using sealpost::crypto::key_purpose;
using sealpost::crypto::key_type;
using sealpost::crypto::parse_typed_key;
using sealpost::crypto::verify_signature;
using bytes = std::vector<std::uint8_t>;

class reader {
 public:
  explicit reader(std::span<const std::uint8_t> data) : data_(data) {}
  std::span<const std::uint8_t> take_prefixed() {
    if (data_.empty()) {
      return {};
    }
    const std::size_t n = std::min<std::size_t>(data_[0], data_.size() - 1);
    const auto out = data_.subspan(1, n);
    data_ = data_.subspan(1 + n);
    return out;
  }
  std::span<const std::uint8_t> rest() const { return data_; }

 private:
  std::span<const std::uint8_t> data_;
};

// The same signature with s + L (L the group order) in place of s; the top bit of the last
// byte (XEdDSA's sign bit) is kept as it was.
bytes add_group_order_to_s(bytes signature) {
  static constexpr std::array<std::uint8_t, 32> order{
      0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
      0xa2, 0xde, 0xf9, 0xde, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};
  const std::uint8_t sign_bit = signature[63] & 0x80;
  signature[63] &= 0x7f;
  unsigned carry = 0;
  for (std::size_t i = 0; i < 32; ++i) {
    const unsigned sum = signature[32 + i] + order[i] + carry;
    signature[32 + i] = static_cast<std::uint8_t>(sum);
    carry = sum >> 8;
  }
  signature[63] = static_cast<std::uint8_t>((signature[63] & 0x7f) | sign_bit);
  return signature;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  reader in({data, size});
  const auto key_bytes = in.take_prefixed();
  const auto signature = in.take_prefixed();
  const auto message = in.rest();

  const auto key = parse_typed_key(key_bytes, key_purpose::identity);
  if (!key) {
    return 0;
  }
  const bool valid = verify_signature(*key, message, signature);
  if (signature.size() != sealpost::crypto::signature_size) {
    FUZZ_CHECK(!valid);
  }

  namespace client = sealpost::client::crypto;
  if (key->type() == key_type::ed25519) {
    const std::span<const std::uint8_t, 32> point(key->key_bytes().data(), 32);
    FUZZ_CHECK(valid == client::ed25519_verify(point, message, signature));
  }
  if (!valid) {
    return 0;
  }

  if (!message.empty()) {
    bytes altered(message.begin(), message.end());
    altered[altered.size() / 2] ^= 0x01;
    FUZZ_CHECK(!verify_signature(*key, altered, signature));
  }
  FUZZ_CHECK(
      !verify_signature(*key, message, add_group_order_to_s({signature.begin(), signature.end()})));

  if (key->type() == key_type::ed25519) {
    const std::span<const std::uint8_t, 32> point(key->key_bytes().data(), 32);
    if (const auto u = client::x25519_public_from_ed25519_public(point)) {
      bytes montgomery{sealpost::crypto::curve25519_type_byte};
      montgomery.insert(montgomery.end(), u->begin(), u->end());
      bytes xeddsa_signature(signature.begin(), signature.end());
      xeddsa_signature[63] |= point[31] & 0x80;
      const auto montgomery_key = parse_typed_key(montgomery, key_purpose::identity);
      FUZZ_CHECK(montgomery_key.has_value());
      FUZZ_CHECK(verify_signature(*montgomery_key, message, xeddsa_signature));
    }
  }
  return 0;
}
