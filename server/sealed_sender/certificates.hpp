// Sealed-sender certificates as libsignal reads them (DESIGN.md, "Sealed sender": keys,
// certificates, signatures): the server certificate the trust root signs, and the sender
// certificates the server key signs for its devices.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/signing_key.hpp"

namespace sealpost::sealed_sender {

using bytes = std::vector<std::uint8_t>;

// Key ids libsignal gives a meaning of its own: 0xDEADC357 is revoked inside libsignal and
// 0x7357C357 is its test key. 0 is not a key id either.
bool is_allowed_key_id(std::uint64_t key_id) noexcept;

// A server certificate: `server_key` and its id, signed by the trust root. Throws
// std::invalid_argument for a key id that is not allowed.
bytes make_server_certificate(const crypto::signing_key& trust_root, std::uint32_t key_id,
                              const crypto::curve25519_public_key& server_key);

// What a server certificate says, once checked.
struct server_certificate_contents {
  std::uint32_t key_id = 0;
  crypto::curve25519_public_key key{};
};

// Thrown when a server certificate is not one this server can use; the message says why.
class certificate_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses `certificate` and checks it as libsignal does: every field present, a 33-byte 0x05
// key, an allowed key id, and the trust root's signature over the exact inner bytes.
server_certificate_contents check_server_certificate(
    std::span<const std::uint8_t> certificate, const crypto::curve25519_public_key& trust_root);

// The fields a sender certificate vouches for.
struct sender_identity {
  std::string_view account_id;                 // canonical lowercase UUID text
  std::uint32_t device_id = 0;                 // 1..127
  std::span<const std::uint8_t> identity_key;  // as stored: 33 bytes, 0x05
};

// A sender certificate for `sender`, valid while time <= expires_ms, embedding the whole
// serialized `server_certificate` and signed by `server_key` (the key it certifies).
bytes issue_sender_certificate(const sender_identity& sender, std::uint64_t expires_ms,
                               std::span<const std::uint8_t> server_certificate,
                               const crypto::signing_key& server_key);

}  // namespace sealpost::sealed_sender
