// A blocking HTTP/1.1 client over a real TCP socket, for integration tests.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace sealpost::testing {

namespace http = boost::beast::http;

struct http_result {
  unsigned status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  bool keep_alive = false;

  boost::json::value json() const;
};

class http_client {
 public:
  explicit http_client(std::uint16_t port);

  // Sends one request on the kept-alive connection (reconnecting if the server closed it).
  http_result request(http::verb method, const std::string& target, const std::string& body = "",
                      const std::map<std::string, std::string>& headers = {});
  http_result get(const std::string& target) { return request(http::verb::get, target); }

 private:
  void connect();

  std::uint16_t port_;
  boost::asio::io_context ioc_;
  std::optional<boost::asio::ip::tcp::socket> socket_;
};

// Sends raw bytes on a new connection and returns everything the server sends back until
// it closes the connection or `timeout` passes (then `timed_out` is set).
struct raw_exchange {
  std::string response;
  bool closed_by_server = false;
};
raw_exchange send_raw(std::uint16_t port, const std::string& bytes,
                      std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace sealpost::testing
