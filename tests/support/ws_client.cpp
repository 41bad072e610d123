// Test WebSocket client on Beast's synchronous API with socket-level read timeouts.
#include "ws_client.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>

namespace sealpost::testing {

namespace asio = boost::asio;
namespace websocket = boost::beast::websocket;

std::string websocket_query_target(const device_login& login) {
  return "/v1/websocket?login=" +
         percent_encode(login.account_id + "." + std::to_string(login.device_id)) +
         "&password=" + percent_encode(login.password);
}

ws_client::ws_client(std::uint16_t port, const device_login& login, bool credentials_in_query)
    : ws_(ioc_) {
  ws_.next_layer().connect({asio::ip::make_address("127.0.0.1"), port});
  std::string target = "/v1/websocket";
  if (credentials_in_query) {
    target = websocket_query_target(login);
  } else {
    ws_.set_option(websocket::stream_base::decorator(
        [auth = basic_auth(login.account_id, login.device_id, login.password)](
            websocket::request_type& req) {
          req.set(boost::beast::http::field::authorization, auth);
        }));
  }
  ws_.handshake("127.0.0.1", target);
  ws_.binary(true);
}

std::optional<sealpost::v1::ServerFrame> ws_client::next(std::chrono::milliseconds timeout) {
  // An async read bounded by run_for: Beast may hold buffered frames a poll() cannot see.
  // After a timeout the client is spent (the read is cancelled), which suits tests that
  // assert that nothing arrives.
  boost::beast::flat_buffer buffer;
  std::optional<boost::system::error_code> result;
  ws_.async_read(buffer, [&](boost::system::error_code ec, std::size_t) { result = ec; });
  ioc_.restart();
  ioc_.run_for(timeout);
  if (!result) {
    boost::system::error_code ignored;
    ws_.next_layer().cancel(ignored);
    ioc_.restart();
    ioc_.run();
    return std::nullopt;
  }
  if (*result) {
    last_error_ = *result;
    return std::nullopt;
  }
  sealpost::v1::ServerFrame frame;
  if (!frame.ParseFromArray(buffer.data().data(), static_cast<int>(buffer.size())))
    return std::nullopt;
  return frame;
}

void ws_client::ack(const std::vector<std::string>& guids) {
  sealpost::v1::ClientFrame frame;
  for (const auto& g : guids)
    frame.mutable_ack()->add_guids(g);
  send_binary(frame.SerializeAsString());
}

void ws_client::send_text(const std::string& text) {
  ws_.text(true);
  ws_.write(asio::buffer(text));
  ws_.binary(true);
}

void ws_client::send_binary(const std::string& bytes) {
  ws_.write(asio::buffer(bytes));
}

int ws_client::wait_for_close(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (next(left))
      continue;  // skip frames still queued before the close
    if (last_error_ == websocket::error::closed)
      return ws_.reason().code;
    return last_error_ ? -1 : 0;
  }
  return 0;
}

std::vector<sealpost::v1::Envelope> drain_until_queue_empty(ws_client& ws) {
  std::vector<sealpost::v1::Envelope> out;
  for (;;) {
    auto frame = ws.next();
    INFO("last socket error: " << ws.last_error().message());
    REQUIRE(frame.has_value());
    if (frame->has_queue_empty())
      return out;
    if (frame->has_delivery())
      out.push_back(frame->delivery());
  }
}

int upgrade_status(std::uint16_t port, const std::string& target,
                   const std::string& authorization) {
  asio::io_context ioc;
  websocket::stream<asio::ip::tcp::socket> ws(ioc);
  ws.next_layer().connect({asio::ip::make_address("127.0.0.1"), port});
  if (!authorization.empty()) {
    ws.set_option(websocket::stream_base::decorator([authorization](websocket::request_type& req) {
      req.set(boost::beast::http::field::authorization, authorization);
    }));
  }
  websocket::response_type res;
  boost::system::error_code ec;
  ws.handshake(res, "127.0.0.1", target, ec);
  return res.result_int();
}

}  // namespace sealpost::testing
