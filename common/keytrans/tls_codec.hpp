// The TLS presentation language (RFC 8446 §3) as the KEYTRANS draft uses it (§2.1): big-endian
// integers, fixed-size byte strings, and variable-length vectors with a length prefix of as
// many bytes as their maximum length needs (the prefix counts bytes). Everything that is
// hashed, signed or VRF-evaluated is built with tls_writer; everything read from the wire with
// tls_reader, which never reads past its input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace sealpost::keytrans {

using bytes = std::vector<std::uint8_t>;

// The size of a vector's length prefix: 1, 2 or 4 bytes (<0..2^8-1>, <0..2^16-1>, <0..2^32-1>).
enum class length_prefix : std::uint8_t { u8 = 1, u16 = 2, u32 = 4 };

class tls_writer {
 public:
  tls_writer& u8(std::uint8_t value);
  tls_writer& u16(std::uint16_t value);
  tls_writer& u32(std::uint32_t value);
  tls_writer& u64(std::uint64_t value);
  // Bytes as they are (a fixed-size field, or an already encoded struct).
  tls_writer& raw(std::span<const std::uint8_t> value);
  // A variable-length vector: the length in `prefix` bytes, then the bytes. Throws
  // std::length_error when `value` is too long for the prefix.
  tls_writer& vector(length_prefix prefix, std::span<const std::uint8_t> value);

  [[nodiscard]] const bytes& data() const noexcept { return out_; }
  [[nodiscard]] bytes take() noexcept { return std::move(out_); }

 private:
  bytes out_;
};

// Reads fields in order. A read past the end, or a vector longer than what is left, sets
// failed() and gives nothing (nullopt); every later read then fails too, so a parser can read
// a whole struct and check once.
class tls_reader {
 public:
  explicit tls_reader(std::span<const std::uint8_t> input) noexcept : rest_(input) {}

  std::optional<std::uint8_t> u8();
  std::optional<std::uint16_t> u16();
  std::optional<std::uint32_t> u32();
  std::optional<std::uint64_t> u64();
  // Exactly `size` bytes.
  std::optional<std::span<const std::uint8_t>> raw(std::size_t size);
  // A variable-length vector with a `prefix`-byte length.
  std::optional<std::span<const std::uint8_t>> vector(length_prefix prefix);

  [[nodiscard]] bool failed() const noexcept { return failed_; }
  // True when every byte was read and nothing failed: the input was exactly one encoding.
  [[nodiscard]] bool done() const noexcept { return !failed_ && rest_.empty(); }
  [[nodiscard]] std::size_t remaining() const noexcept { return rest_.size(); }

 private:
  std::optional<std::uint64_t> integer(std::size_t size);

  std::span<const std::uint8_t> rest_;
  bool failed_ = false;
};

}  // namespace sealpost::keytrans
