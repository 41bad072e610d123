// A blocking HTTP/1.1 client over a real TCP socket, for integration tests: the shared
// http_connection, run to completion on a private io_context.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "http_connection.hpp"

namespace sealpost::testing {

namespace http = boost::beast::http;

// http_result (status, body, lower-case headers, keep_alive, json(), and how a request
// ended) comes from http_connection.hpp.

class http_client {
 public:
  explicit http_client(std::uint16_t port);

  // Sends one request on the kept-alive connection (reconnecting if the server closed it).
  // Waits as long as it takes; throws boost::system::system_error when the server refuses
  // the connection, or when the exchange fails twice (a stale kept-alive connection is
  // retried once on a fresh one).
  http_result request(http::verb method, const std::string& target, const std::string& body = "",
                      const std::map<std::string, std::string>& headers = {});
  http_result get(const std::string& target) { return request(http::verb::get, target); }

  // One attempt that connecting, writing and reading must finish within `timeout`. Network
  // failures do not throw: the result's `how` says whether the request was answered,
  // refused, cut off or timed out. No retry: a cut-off request may have been processed.
  http_result try_request(std::chrono::milliseconds timeout, http::verb method,
                          const std::string& target, const std::string& body = "",
                          const std::map<std::string, std::string>& headers = {});

  // The server moved to another port (a restart): later requests connect there.
  void set_port(std::uint16_t port);
  std::uint16_t port() const { return port_; }

 private:
  http_result run(http_request req, http_limits limits);

  std::uint16_t port_;
  boost::asio::io_context ioc_;  // before connection_, which is bound to it
  http_connection connection_;
};

// `s` with every byte but letters, digits and "-._" as %XX: for a query parameter's value.
std::string percent_encode(const std::string& s);

// Sends raw bytes on a new connection and returns everything the server sends back until
// it closes the connection or `timeout` passes (then `timed_out` is set).
struct raw_exchange {
  std::string response;
  bool closed_by_server = false;
};
raw_exchange send_raw(std::uint16_t port, const std::string& bytes,
                      std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace sealpost::testing
