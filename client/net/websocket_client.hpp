// The device's WebSocket (GET /v1/websocket): receives ServerFrames (deliveries,
// QueueEmpty, KeysLow) and sends acks, used blockingly with bounded waits. Not thread-safe.
#pragma once

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <span>

#include "net/api_types.hpp"
#include "net/server_address.hpp"

namespace sealpost::client::net {

class websocket_client {
 public:
  // Connects (wss:// when the address is https) and upgrades with the device's Basic
  // credentials. A refused upgrade throws the api_error of the server's answer
  // (unauthorized_error for bad credentials); a network or TLS failure or a timeout of
  // `options.timeout` throws transport_error.
  websocket_client(const server_address& address, const device_login& login,
                   const connection_options& options = {});
  ~websocket_client();
  websocket_client(const websocket_client&) = delete;
  websocket_client& operator=(const websocket_client&) = delete;

  // The next frame, waiting at most `timeout`; nullopt when none came in time (the socket
  // stays usable). Throws connection_closed once the socket has closed (its close code says
  // why: close_code_replaced when another connection of this device took over) and
  // transport_error for a frame that is not a ServerFrame.
  std::optional<server_frame> receive(std::chrono::milliseconds timeout);

  // Acknowledges envelopes: the server deletes them. Throws connection_closed.
  void ack(std::span<const guid> guids);

  // Sends a close frame and waits briefly for the server's; never throws.
  void close() noexcept;

 private:
  struct impl;
  template <typename Stream>
  struct stream_impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace sealpost::client::net
