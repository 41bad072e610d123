// One kept-alive HTTP/1.1 connection to the server (plain or TLS), used blockingly: each
// request waits for its response, bounded by a timeout. Not thread-safe: one connection
// per thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "net/server_address.hpp"
#include "net/tls.hpp"

namespace sealpost::client::net {

struct http_response {
  unsigned status = 0;
  std::string body;
  std::string retry_after;  // the Retry-After header, empty when absent
};

// The one header that authenticates a request: `Authorization` (Basic, a device) or
// `Unidentified-Access-Key` (a sealed-sender send, no device). Empty: none.
struct http_credential {
  std::string header;
  std::string value;
};

class http_connection {
 public:
  // Does not connect yet: the first request does. Throws transport_error when TLS is
  // asked for and its CA file cannot be used.
  http_connection(server_address address, const connection_options& options);
  ~http_connection();
  http_connection(const http_connection&) = delete;
  http_connection& operator=(const http_connection&) = delete;

  // Sends one request (target relative to the server's path prefix, e.g. "/v1/keys") and
  // returns the response, whatever its status. `credential` and `content_type` are sent
  // when not empty. A kept-alive connection the server has closed meanwhile is replaced and
  // the request sent once more, but only when nothing of a response had arrived. Throws
  // transport_error when the server cannot be reached, the exchange times out or breaks.
  http_response request(boost::beast::http::verb method, const std::string& target,
                        const std::string& body = {}, const std::string& content_type = {},
                        const http_credential& credential = {});

  [[nodiscard]] const server_address& address() const noexcept { return address_; }

 private:
  void connect();
  void close() noexcept;
  [[nodiscard]] bool connected() const noexcept {
    return plain_.has_value() || secure_.has_value();
  }
  boost::beast::tcp_stream& lowest_layer();

  server_address address_;
  std::chrono::milliseconds timeout_;
  boost::asio::io_context ioc_;
  std::optional<boost::asio::ssl::context> tls_context_;
  std::optional<boost::beast::tcp_stream> plain_;
  std::optional<tls_stream> secure_;
};

}  // namespace sealpost::client::net
