// Typed public keys as they travel in the API: the first byte names the algorithm.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace sealpost::crypto {

inline constexpr std::uint8_t curve25519_type_byte = 0x05;
inline constexpr std::uint8_t ed25519_type_byte = 0x0E;
// Type byte plus the 32-byte point, for both EC types.
inline constexpr std::size_t ec_key_size = 33;
// KEM keys are opaque to the server: a type byte and at least one byte of key.
inline constexpr std::size_t kem_key_min_size = 2;
inline constexpr std::size_t kem_key_max_size = 2048;

// The algorithm a parsed key is for.
enum class key_type {
  curve25519,  // 0x05: X25519 for DH, XEdDSA when it signs
  ed25519,     // 0x0E: Ed25519 signatures
  kem,         // any other type byte, only where a KEM key is expected
};

// What the caller will use the key for; decides which type bytes are acceptable.
enum class key_purpose {
  identity,    // 0x05 or 0x0E
  dh_prekey,   // 0x05 only: signed and one-time EC prekeys
  kem_prekey,  // anything but 0x05 / 0x0E: PQ prekeys
};

// Why bytes are not a key of the requested purpose.
enum class key_error {
  empty,         // no bytes, so no type byte either
  unknown_type,  // a type byte this purpose knows nothing about
  wrong_type,    // a known type, but not usable for this purpose (an Ed25519 key as DH prekey)
  wrong_length,  // the length does not fit the type
};

// A short stable name for `error` ("wrong_length", ...), for logs and error messages.
std::string_view to_string(key_error error) noexcept;

class typed_key_result;

// A public key whose type and length have been checked. Only parse_typed_key makes one.
class typed_key {
 public:
  key_type type() const noexcept { return type_; }
  std::uint8_t type_byte() const noexcept { return bytes_.front(); }
  // All bytes, type byte included: what is stored, handed out and signed over.
  std::span<const std::uint8_t> serialized() const noexcept { return bytes_; }
  // The bytes after the type byte (the 32-byte point for the EC types).
  std::span<const std::uint8_t> key_bytes() const noexcept {
    return std::span<const std::uint8_t>(bytes_).subspan(1);
  }

  friend bool operator==(const typed_key&, const typed_key&) = default;

 private:
  friend typed_key_result parse_typed_key(std::span<const std::uint8_t> bytes, key_purpose purpose);

  typed_key(key_type type, std::span<const std::uint8_t> bytes)
      : type_(type), bytes_(bytes.begin(), bytes.end()) {}

  key_type type_;
  std::vector<std::uint8_t> bytes_;
};

// A typed_key or the key_error that prevented one. Shaped like the C++23
// std::expected<typed_key, key_error> so call sites read the same way.
class typed_key_result {
 public:
  // Implicit on purpose, as with std::expected: `return key;` and `return error;` both work.
  // NOLINTNEXTLINE(google-explicit-constructor)
  typed_key_result(typed_key key) : state_(std::move(key)) {}
  // NOLINTNEXTLINE(google-explicit-constructor)
  typed_key_result(key_error error) : state_(error) {}

  bool has_value() const noexcept { return std::holds_alternative<typed_key>(state_); }
  explicit operator bool() const noexcept { return has_value(); }

  // The key; throws std::bad_variant_access when there is none.
  const typed_key& value() const& { return std::get<typed_key>(state_); }
  // By value, so `const auto& key = parse_typed_key(...).value();` cannot dangle.
  typed_key value() && { return std::get<typed_key>(std::move(state_)); }
  const typed_key& operator*() const& { return value(); }
  const typed_key* operator->() const { return &value(); }

  // The error; throws std::bad_variant_access when there is a key.
  key_error error() const { return std::get<key_error>(state_); }

 private:
  std::variant<typed_key, key_error> state_;
};

// Parses the serialized form of a public key meant for `purpose`. Bad input is reported
// through the result, never thrown; only std::bad_alloc escapes.
typed_key_result parse_typed_key(std::span<const std::uint8_t> bytes, key_purpose purpose);

}  // namespace sealpost::crypto
