// A blocking WebSocket client for tests: connects as a device, reads ServerFrames with a
// bounded wait, sends acks and raw frames.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "api_client.hpp"
#include "sealpost/v1/websocket.pb.h"

namespace sealpost::testing {

class ws_client {
 public:
  // Connects and upgrades with the device's Basic credentials (or query parameters).
  ws_client(std::uint16_t port, const device_login& login, bool credentials_in_query = false);

  // The next frame, or nullopt when none arrives within `timeout` or the socket closed.
  std::optional<sealpost::v1::ServerFrame> next(
      std::chrono::milliseconds timeout = std::chrono::seconds(5));

  void ack(const std::vector<std::string>& guids);  // raw 16-byte guids
  void send_text(const std::string& text);
  void send_binary(const std::string& bytes);

  // Reads until the server closes; returns its close code (0 when it did not close in time).
  boost::system::error_code last_error() const { return last_error_; }

  int wait_for_close(std::chrono::milliseconds timeout = std::chrono::seconds(5));

 private:
  boost::asio::io_context ioc_;
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
  boost::system::error_code last_error_;
};

// Reads frames until QueueEmpty; returns the deliveries before it. REQUIREs it to come.
std::vector<sealpost::v1::Envelope> drain_until_queue_empty(ws_client& ws);

// "/v1/websocket?login=ACCOUNT.DEVICE&password=..." (percent-encoded): the upgrade target
// for a client that cannot send an Authorization header.
std::string websocket_query_target(const device_login& login);

// Attempts an upgrade and returns the HTTP status of a refusal (101 when accepted).
int upgrade_status(std::uint16_t port, const std::string& target, const std::string& authorization);

}  // namespace sealpost::testing
