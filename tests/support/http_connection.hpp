// One kept-alive HTTP/1.1 connection on Beast's coroutine API: the HTTP client that the
// tests (through the blocking http_client) and the load generator share.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/value.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <map>
#include <string>

namespace sealpost::testing {

namespace http = boost::beast::http;

using http_request = http::request<http::string_body>;

// What one request came to.
struct http_result {
  // refused: no connection, nothing was sent. cut_off: the connection failed during the
  // exchange, so the server may or may not have processed the request. timed_out: a bound of
  // http_limits passed first (a hang, to the caller).
  enum class kind { answered, refused, cut_off, timed_out };

  unsigned status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  bool keep_alive = false;
  kind how = kind::answered;
  boost::system::error_code error;  // why it was not answered

  boost::json::value json() const;
};

// Bounds on one request. A zero duration bounds nothing; each duration counts from the start
// of its phase, `deadline` bounds all phases together.
struct http_limits {
  using clock = std::chrono::steady_clock;
  clock::duration connect{};   // opening a new connection
  clock::duration exchange{};  // writing the request and reading the answer
  clock::time_point deadline = clock::time_point::max();

  // Connecting, writing and reading together within `timeout` from now.
  static http_limits within(clock::duration timeout) { return {{}, {}, clock::now() + timeout}; }
};

// A request to the test server: Host 127.0.0.1, `headers`, a JSON content type when there
// is a body and `headers` names none, Content-Length filled in.
http_request make_request(http::verb method, const std::string& target, const std::string& body,
                          const std::map<std::string, std::string>& headers);

class http_connection {
 public:
  http_connection(boost::asio::any_io_executor executor, boost::asio::ip::tcp::endpoint server);

  // Sends `req` on the kept-alive connection, connecting first when there is none (none yet,
  // or the server closed it). Network failures do not throw: the result says how the
  // exchange ended, and a failed connection is dropped. There is no retry here, since a
  // cut-off request may have been processed; the caller decides.
  boost::asio::awaitable<http_result> request(http_request req, http_limits limits = {});

  // The server moved (a restart on a new port): the next request connects there.
  void retarget(boost::asio::ip::tcp::endpoint server);
  const boost::asio::ip::tcp::endpoint& server() const { return server_; }

  void close();

 private:
  void arm(http_limits::clock::duration phase, const http_limits& limits);
  http_result failed(boost::system::error_code ec, http_result::kind how);

  boost::beast::tcp_stream stream_;
  boost::asio::ip::tcp::endpoint server_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace sealpost::testing
