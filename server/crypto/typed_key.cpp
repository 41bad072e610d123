// Type-byte and length rules for the public keys the server accepts.
#include "crypto/typed_key.hpp"

namespace sealpost::crypto {
namespace {

// The key type `bytes` would parse as for `purpose`, or why they are not such a key.
using verdict = std::variant<key_type, key_error>;

bool is_ec_type(std::uint8_t type_byte) {
  return type_byte == curve25519_type_byte || type_byte == ed25519_type_byte;
}

// Whether an EC type byte is usable for `purpose`.
bool ec_type_allowed(std::uint8_t type_byte, key_purpose purpose) {
  switch (purpose) {
    case key_purpose::identity:
      return true;
    case key_purpose::dh_prekey:
      // Prekeys feed X25519 in X3DH; clients expect them in the 0x05 form.
      return type_byte == curve25519_type_byte;
    case key_purpose::kem_prekey:
      return false;
  }
  return false;
}

verdict classify_ec(std::span<const std::uint8_t> bytes, key_purpose purpose) {
  if (!ec_type_allowed(bytes.front(), purpose)) {
    return key_error::wrong_type;
  }
  // Exactly 33 bytes: libsignal tolerates bytes after the point, but a second spelling
  // of the same key would make stored keys and safety numbers ambiguous.
  if (bytes.size() != ec_key_size) {
    return key_error::wrong_length;
  }
  return bytes.front() == curve25519_type_byte ? key_type::curve25519 : key_type::ed25519;
}

verdict classify_kem(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < kem_key_min_size || bytes.size() > kem_key_max_size) {
    return key_error::wrong_length;
  }
  return key_type::kem;
}

verdict classify(std::span<const std::uint8_t> bytes, key_purpose purpose) {
  if (bytes.empty()) {
    return key_error::empty;
  }
  if (is_ec_type(bytes.front())) {
    return classify_ec(bytes, purpose);
  }
  // Any other type byte can only be a KEM key, and only where one is asked for: the
  // server cannot tell a KEM type byte from garbage, so it never guesses.
  if (purpose != key_purpose::kem_prekey) {
    return key_error::unknown_type;
  }
  return classify_kem(bytes);
}

}  // namespace

std::string_view to_string(key_error error) noexcept {
  switch (error) {
    case key_error::empty:
      return "empty";
    case key_error::unknown_type:
      return "unknown_type";
    case key_error::wrong_type:
      return "wrong_type";
    case key_error::wrong_length:
      return "wrong_length";
  }
  return "unknown_error";
}

typed_key_result parse_typed_key(std::span<const std::uint8_t> bytes, key_purpose purpose) {
  const verdict result = classify(bytes, purpose);
  if (const auto* error = std::get_if<key_error>(&result)) {
    return *error;
  }
  return typed_key(std::get<key_type>(result), bytes);
}

}  // namespace sealpost::crypto
