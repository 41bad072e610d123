// Standard padded base64 (RFC 4648 section 4), shared by the server and the client: the
// byte encoding of every JSON field of the REST API, decoded strictly on both sides.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sealpost::encoding {

// Encodes `bytes` as standard base64 with '=' padding and no line breaks.
// Throws std::bad_alloc only.
std::string base64_encode(std::span<const std::uint8_t> bytes);

// Decodes standard padded base64. Returns std::nullopt unless `text` is the canonical
// encoding of some byte string: length a multiple of 4, only [A-Za-z0-9+/], at most two
// '=' and only at the end, no whitespace, and zero bits in the unused low bits of the
// last symbol (so every byte string has exactly one accepted encoding). The output is at
// most 3/4 of the input length; callers bound the input. Throws std::bad_alloc only.
[[nodiscard]] std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

}  // namespace sealpost::encoding
