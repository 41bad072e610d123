// The shared HTTP/1.1 client connection: request building, connect, exchange, and the
// classification of failures.
#include "http_connection.hpp"

#include <algorithm>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <cctype>

namespace sealpost::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;

boost::json::value http_result::json() const {
  return boost::json::parse(body);
}

http_request make_request(http::verb method, const std::string& target, const std::string& body,
                          const std::map<std::string, std::string>& headers) {
  http_request req{method, target, 11};
  req.set(http::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers)
    req.set(name, value);
  if (!body.empty() && req.find(http::field::content_type) == req.end())
    req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  return req;
}

namespace {

http_result answered(http::response<http::string_body>& res) {
  http_result out;
  out.status = res.result_int();
  out.keep_alive = res.keep_alive();
  for (const auto& field : res) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    out.headers[name] = std::string(field.value());
  }
  out.body = std::move(res.body());
  return out;
}

}  // namespace

http_connection::http_connection(asio::any_io_executor executor, asio::ip::tcp::endpoint server)
    : stream_(std::move(executor)), server_(std::move(server)) {}

asio::awaitable<http_result> http_connection::request(http_request req, http_limits limits) {
  boost::system::error_code ec;
  auto use = asio::redirect_error(asio::use_awaitable, ec);
  if (!stream_.socket().is_open()) {
    arm(limits.connect, limits);
    co_await stream_.async_connect(server_, use);
    if (ec)
      co_return failed(ec, http_result::kind::refused);
    stream_.socket().set_option(asio::ip::tcp::no_delay(true), ec);
  }
  arm(limits.exchange, limits);
  co_await http::async_write(stream_, req, use);
  if (ec)
    co_return failed(ec, http_result::kind::cut_off);
  http::response<http::string_body> res;
  co_await http::async_read(stream_, buffer_, res, use);
  if (ec)
    co_return failed(ec, http_result::kind::cut_off);
  stream_.expires_never();
  if (!res.keep_alive())
    close();
  co_return answered(res);
}

void http_connection::retarget(asio::ip::tcp::endpoint server) {
  if (server == server_)
    return;
  close();
  server_ = std::move(server);
}

void http_connection::close() {
  stream_.close();
  buffer_.clear();
}

// The phase's own bound or the overall deadline, whichever comes first.
void http_connection::arm(http_limits::clock::duration phase, const http_limits& limits) {
  auto until = limits.deadline;
  if (phase > http_limits::clock::duration::zero())
    until = std::min(until, http_limits::clock::now() + phase);
  if (until == http_limits::clock::time_point::max()) {
    stream_.expires_never();
  } else {
    stream_.expires_at(until);
  }
}

http_result http_connection::failed(boost::system::error_code ec, http_result::kind how) {
  close();
  http_result out;
  out.how = ec == beast::error::timeout ? http_result::kind::timed_out : how;
  out.error = ec;
  return out;
}

}  // namespace sealpost::testing
