// Big-endian fields and length-prefixed vectors, bounds-checked on reading.
#include "keytrans/tls_codec.hpp"

#include <stdexcept>

namespace sealpost::keytrans {
namespace {

std::uint64_t max_length(length_prefix prefix) noexcept {
  return (std::uint64_t{1} << (8 * static_cast<unsigned>(prefix))) - 1;
}

void append_integer(bytes& out, std::uint64_t value, std::size_t size) {
  for (std::size_t i = size; i-- > 0;) {
    out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
  }
}

}  // namespace

tls_writer& tls_writer::u8(std::uint8_t value) {
  append_integer(out_, value, 1);
  return *this;
}

tls_writer& tls_writer::u16(std::uint16_t value) {
  append_integer(out_, value, 2);
  return *this;
}

tls_writer& tls_writer::u32(std::uint32_t value) {
  append_integer(out_, value, 4);
  return *this;
}

tls_writer& tls_writer::u64(std::uint64_t value) {
  append_integer(out_, value, 8);
  return *this;
}

tls_writer& tls_writer::raw(std::span<const std::uint8_t> value) {
  out_.insert(out_.end(), value.begin(), value.end());
  return *this;
}

tls_writer& tls_writer::vector(length_prefix prefix, std::span<const std::uint8_t> value) {
  if (value.size() > max_length(prefix)) {
    throw std::length_error("tls_writer: a vector too long for its length prefix");
  }
  append_integer(out_, value.size(), static_cast<std::size_t>(prefix));
  return raw(value);
}

std::optional<std::uint64_t> tls_reader::integer(std::size_t size) {
  const std::optional<std::span<const std::uint8_t>> field = raw(size);
  if (!field) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  for (const std::uint8_t byte : *field) {
    value = (value << 8) | byte;
  }
  return value;
}

std::optional<std::uint8_t> tls_reader::u8() {
  const auto value = integer(1);
  return value ? std::optional(static_cast<std::uint8_t>(*value)) : std::nullopt;
}

std::optional<std::uint16_t> tls_reader::u16() {
  const auto value = integer(2);
  return value ? std::optional(static_cast<std::uint16_t>(*value)) : std::nullopt;
}

std::optional<std::uint32_t> tls_reader::u32() {
  const auto value = integer(4);
  return value ? std::optional(static_cast<std::uint32_t>(*value)) : std::nullopt;
}

std::optional<std::uint64_t> tls_reader::u64() {
  return integer(8);
}

std::optional<std::span<const std::uint8_t>> tls_reader::raw(std::size_t size) {
  if (failed_ || size > rest_.size()) {
    failed_ = true;
    return std::nullopt;
  }
  const std::span<const std::uint8_t> field = rest_.first(size);
  rest_ = rest_.subspan(size);
  return field;
}

std::optional<std::span<const std::uint8_t>> tls_reader::vector(length_prefix prefix) {
  const std::optional<std::uint64_t> length = integer(static_cast<std::size_t>(prefix));
  if (!length) {
    return std::nullopt;
  }
  if (*length > rest_.size()) {
    failed_ = true;
    return std::nullopt;
  }
  return raw(static_cast<std::size_t>(*length));
}

}  // namespace sealpost::keytrans
