// The blocking test HTTP client: runs http_connection's coroutine on its own io_context.
#include "http_client.hpp"

#include <poll.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/system/system_error.hpp>
#include <cctype>
#include <exception>

namespace sealpost::testing {

namespace asio = boost::asio;

namespace {

asio::ip::tcp::endpoint local(std::uint16_t port) {
  return {asio::ip::make_address("127.0.0.1"), port};
}

}  // namespace

http_client::http_client(std::uint16_t port)
    : port_(port), connection_(ioc_.get_executor(), local(port)) {}

http_result http_client::request(http::verb method, const std::string& target,
                                 const std::string& body,
                                 const std::map<std::string, std::string>& headers) {
  const auto req = make_request(method, target, body, headers);
  for (int attempt = 0;; ++attempt) {
    auto result = run(req, {});
    if (result.how == http_result::kind::answered)
      return result;
    if (result.how == http_result::kind::refused)
      throw boost::system::system_error(result.error, "connect");
    if (attempt == 1)
      throw boost::system::system_error(result.error);
    // Cut off: a stale kept-alive connection. Retry once on a fresh one.
  }
}

http_result http_client::try_request(std::chrono::milliseconds timeout, http::verb method,
                                     const std::string& target, const std::string& body,
                                     const std::map<std::string, std::string>& headers) {
  return run(make_request(method, target, body, headers), http_limits::within(timeout));
}

void http_client::set_port(std::uint16_t port) {
  port_ = port;
  connection_.retarget(local(port));
}

http_result http_client::run(http_request req, http_limits limits) {
  http_result result;
  std::exception_ptr failure;
  asio::co_spawn(ioc_, connection_.request(std::move(req), limits),
                 [&](std::exception_ptr e, http_result r) {
                   failure = e;
                   result = std::move(r);
                 });
  ioc_.restart();
  ioc_.run();
  if (failure)
    std::rethrow_exception(failure);
  return result;
}

std::string percent_encode(const std::string& s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_') {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

raw_exchange send_raw(std::uint16_t port, const std::string& bytes,
                      std::chrono::milliseconds timeout) {
  asio::io_context ioc;
  asio::ip::tcp::socket socket(ioc);
  socket.connect(local(port));
  asio::write(socket, asio::buffer(bytes));
  raw_exchange result;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return result;
    pollfd pfd{socket.native_handle(), POLLIN, 0};
    if (poll(&pfd, 1, static_cast<int>(left.count())) <= 0)
      return result;
    char buf[4096];
    boost::system::error_code ec;
    std::size_t n = socket.read_some(asio::buffer(buf), ec);
    if (ec) {
      result.closed_by_server = true;
      return result;
    }
    result.response.append(buf, n);
  }
}

}  // namespace sealpost::testing
