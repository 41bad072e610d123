// The client's side of the WebSocket wire format (proto/sealpost/v1/websocket.proto):
// decoding the server's frames and encoding acks. Pure functions, shared by
// websocket_client and the fuzz target tests/fuzz/websocket_frames.cpp.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "net/api_types.hpp"

namespace sealpost::client::net {

// One binary ServerFrame: a delivery (its guid must be 16 bytes), QueueEmpty or KeysLow.
// Anything else throws transport_error.
server_frame decode_server_frame(std::span<const std::uint8_t> bytes);

// The ClientFrame that acknowledges `guids`.
std::string encode_ack(std::span<const guid> guids);

}  // namespace sealpost::client::net
