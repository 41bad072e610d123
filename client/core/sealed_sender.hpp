// Sealed sender for this device (DESIGN.md, "Sealed sender"): the trust root pinned at
// registration, the delivery certificate renewed before it expires, sealing a ratchet
// ciphertext for a contact's device, and opening sealed envelopes with the whole certificate
// chain checked (docs/sealed-sender-format.md).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/local_state.hpp"
#include "core/messenger.hpp"
#include "crypto/key_encoding.hpp"
#include "net/api_client.hpp"
#include "net/api_types.hpp"
#include "protocol/protocol_error.hpp"

namespace sealpost::client {

// A certificate is renewed once less than this is left, so that a recipient that checks it
// against a server_timestamp a little later still finds it valid.
inline constexpr std::uint64_t certificate_renew_margin_ms = 60ull * 60 * 1000;

// A sealed envelope, opened and checked: the inner envelope as if the server had named the
// sender, and the identity key its certificate vouches for.
struct unsealed_envelope {
  net::envelope inner;
  crypto::typed_public_key certified_identity{};
};

class sealed_sender {
 public:
  sealed_sender(local_state& state, net::api_client& api) noexcept : state_(state), api_(api) {}

  // Pins the server's trust root unless one is pinned (at registration, and on first use for
  // state files from before sealed sender). False when the server has sealed sender off.
  bool pin_trust_root();

  // The sender certificate to put into this device's sealed messages, fetched or renewed
  // when it expires within the margin. nullopt when this device cannot send sealed: its
  // identity is 0x0E, or the server has sealed sender off. Throws trust_root_changed_error
  // when the server's certificate does not chain to the pinned root or does not name this
  // device and its identity key.
  std::optional<std::vector<std::uint8_t>> sender_certificate();

  // The envelope that carries `inner` (a ratchet message for `device`) sealed: type 6,
  // the sender certificate inside. Throws crypto_error on internal failure.
  [[nodiscard]] net::outgoing_envelope seal(const contact_device& device,
                                            const net::outgoing_envelope& inner,
                                            std::span<const std::uint8_t> certificate) const;

  // Opens a type-6 envelope for this device: the outer layer, then the certificate chain
  // against the pinned root at the envelope's server_timestamp, and that the certificate
  // names the key that sealed it. untrusted_certificate also when no root is pinned.
  [[nodiscard]] protocol::result<unsealed_envelope> open(const net::envelope& sealed) const;

  // messenger::privacy and messenger::change_privacy (the caller checks who may).
  privacy_settings settings();
  void change(const privacy_change& change);

 private:
  local_state& state_;
  net::api_client& api_;
};

}  // namespace sealpost::client
