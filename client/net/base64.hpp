// Standard padded base64 (RFC 4648 section 4), the byte encoding of every JSON field of the API.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sealpost::client::net {

std::string base64_encode(std::span<const std::uint8_t> bytes);

// The bytes, or nullopt unless `text` is canonical padded base64 in the standard alphabet
// (no whitespace, no URL-safe symbols, zero unused bits), exactly what the server accepts.
[[nodiscard]] std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

}  // namespace sealpost::client::net
