// Test HTTP client built on Beast's synchronous API.
#include "http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/json/parse.hpp>
#include <poll.h>

namespace sealpost::testing {

namespace asio = boost::asio;

boost::json::value http_result::json() const { return boost::json::parse(body); }

http_client::http_client(std::uint16_t port) : port_(port) {}

void http_client::connect() {
  socket_.emplace(ioc_);
  socket_->connect({asio::ip::make_address("127.0.0.1"), port_});
}

http_result http_client::request(http::verb method, const std::string& target,
                                 const std::string& body,
                                 const std::map<std::string, std::string>& headers) {
  http::request<http::string_body> req{method, target, 11};
  req.set(http::field::host, "127.0.0.1");
  for (const auto& [k, v] : headers) req.set(k, v);
  if (!body.empty() && req.find(http::field::content_type) == req.end()) {
    req.set(http::field::content_type, "application/json");
  }
  req.body() = body;
  req.prepare_payload();

  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!socket_ || !socket_->is_open()) connect();
    boost::system::error_code ec;
    http::write(*socket_, req, ec);
    if (!ec) {
      boost::beast::flat_buffer buffer;
      http::response<http::string_body> res;
      http::read(*socket_, buffer, res, ec);
      if (!ec) {
        http_result result;
        result.status = res.result_int();
        result.body = res.body();
        result.keep_alive = res.keep_alive();
        for (const auto& field : res) {
          std::string name(field.name_string());
          for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          result.headers[name] = std::string(field.value());
        }
        if (!res.keep_alive()) socket_.reset();
        return result;
      }
    }
    socket_.reset();  // a stale kept-alive connection: retry once on a fresh one
    if (attempt == 1) throw boost::system::system_error(ec);
  }
  return {};
}

raw_exchange send_raw(std::uint16_t port, const std::string& bytes,
                      std::chrono::milliseconds timeout) {
  asio::io_context ioc;
  asio::ip::tcp::socket socket(ioc);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  asio::write(socket, asio::buffer(bytes));
  raw_exchange result;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return result;
    pollfd pfd{socket.native_handle(), POLLIN, 0};
    if (poll(&pfd, 1, static_cast<int>(left.count())) <= 0) return result;
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
