// The wire side of the device WebSocket (proto/sealpost/v1/websocket.proto): what a client
// frame means to the server, and the mapping between a guid's 16 wire bytes and the
// canonical UUID text the database and the REST API use. Pure functions, so the fuzz
// target tests/fuzz/websocket_frames.cpp exercises exactly what the session runs.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sealpost::net {

// The envelopes a binary client frame acknowledges, as canonical UUID text; guids that are
// not 16 bytes cannot name one of ours and are skipped. nullopt when the bytes are not a
// ClientFrame carrying an Ack: the session closes with 1003.
std::optional<std::vector<std::string>> read_client_frame(std::span<const std::uint8_t> bytes);

// 16 bytes -> "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (lower-case hex).
std::string guid_text(std::string_view bytes);

// Canonical UUID text (as stored) -> its 16 bytes.
std::string guid_bytes(std::string_view text);

}  // namespace sealpost::net
