// The load generator's HTTP connection: the tests' shared http_connection with the load
// generator's timeouts, JSON bodies and Basic credentials; I/O errors throw.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <string>

#include "http_connection.hpp"
#include "statistics.hpp"

namespace sealpost::loadtest {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using sealpost::testing::http_result;

// One kept-alive HTTP/1.1 connection; reconnects after the server closes it or an error.
class connection {
 public:
  connection(asio::any_io_executor ex, tcp::endpoint ep) : http_(std::move(ex), ep) {}

  // An answer of any status; throws boost::system::system_error when the connection fails
  // (10 s to connect, 30 s to write the request and read the answer).
  asio::awaitable<http_result> request(http::verb method, const std::string& target,
                                       const std::string& body = "", const std::string& auth = "");

 private:
  sealpost::testing::http_connection http_;
};

// Waits `d` on the current coroutine's executor.
asio::awaitable<void> sleep_for(sclock::duration d);

}  // namespace sealpost::loadtest
