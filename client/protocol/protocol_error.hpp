// The expected failures of the protocol layer, and a result type that carries them.
#pragma once

#include <string_view>
#include <utility>
#include <variant>

namespace sealpost::client::protocol {

// Every way untrusted input (a bundle, a received message, stored state) can be refused.
// None of them changes any state: a refused message leaves the session as it was.
enum class protocol_error {
  invalid_identity_key,       // not 0x05 / 0x0E || 32 bytes, or not a usable point
  invalid_public_key,         // a prekey or ratchet key not 0x05 || 32 bytes, or low order
  bad_signature,              // the signed prekey's signature does not verify
  malformed_message,          // undecodable, or a field out of range
  unknown_signed_prekey,      // the prekey message names a signed prekey we do not hold
  unknown_one_time_prekey,    // ... a one-time prekey we do not hold (used, or never ours)
  session_mismatch,           // a prekey message that belongs to a different session
  duplicate_message,          // its message key was already used and wiped
  too_many_skipped_messages,  // accepting it would skip more than max_skip message keys
  decryption_failed,          // does not authenticate under the key it claims
  malformed_state,            // serialised session state that is undecodable or inconsistent
  unsupported_sealed_sender_version,  // a sealed-sender message whose version byte is not
                                      // 0x11 (SSv1), e.g. an SSv2 (0x22) message
  malformed_certificate,  // a sender certificate that does not parse, lacks a field, or has
                          // a field out of range
  untrusted_certificate,  // a signature in the certificate chain does not verify, or the
                          // server key id is revoked or reserved
  expired_certificate,    // a valid certificate checked after its expiry
};

// A short English description for logs and people; never includes message contents.
std::string_view describe(protocol_error error) noexcept;

// A T or the protocol_error that prevented one. Shaped like the C++23
// std::expected<T, protocol_error> so call sites read the same way.
template <typename T>
class result {
 public:
  // Implicit on purpose, as with std::expected: `return value;` and `return error;` both work.
  // NOLINTNEXTLINE(google-explicit-constructor)
  result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  // NOLINTNEXTLINE(google-explicit-constructor)
  result(protocol_error error) : state_(std::in_place_index<1>, error) {}

  [[nodiscard]] bool has_value() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  // The value; throws std::bad_variant_access when there is none.
  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T value() && { return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // The error; throws std::bad_variant_access when there is a value.
  [[nodiscard]] protocol_error error() const { return std::get<1>(state_); }

 private:
  std::variant<T, protocol_error> state_;
};

}  // namespace sealpost::client::protocol
