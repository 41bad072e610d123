// Blocking HTTP over Beast's asynchronous operations, so that every step has a deadline:
// start the operation, then run the io_context until it completes or the timer fires.
#include "net/http_connection.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "net/errors.hpp"

namespace sealpost::client::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// Runs the io_context until the operation started by `start` has called back, and returns
// its error code.
template <typename Start>
boost::system::error_code run_until_done(asio::io_context& ioc, Start&& start) {
  std::optional<boost::system::error_code> result;
  start([&result](boost::system::error_code ec, auto&&...) { result = ec; });
  ioc.restart();
  while (!result && ioc.run_one() > 0) {
  }
  return result.value_or(asio::error::operation_aborted);
}

std::string reason(const boost::system::error_code& ec) {
  return ec == beast::error::timeout ? std::string("timed out") : ec.message();
}

}  // namespace

http_connection::http_connection(server_address address, const connection_options& options)
    : address_(std::move(address)), timeout_(options.timeout) {
  if (address_.tls) {
    tls_context_.emplace(make_tls_context(options));
  }
}

http_connection::~http_connection() {
  close();
}

beast::tcp_stream& http_connection::lowest_layer() {
  return secure_ ? beast::get_lowest_layer(*secure_) : *plain_;
}

void http_connection::close() noexcept {
  if (connected()) {
    boost::system::error_code ignored;
    lowest_layer().socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest_layer().close();
  }
  secure_.reset();
  plain_.reset();
}

void http_connection::connect() {
  tcp::resolver resolver(ioc_);
  tcp::resolver::results_type endpoints;
  const boost::system::error_code resolve_ec = run_until_done(ioc_, [&](auto handler) {
    resolver.async_resolve(address_.host, std::to_string(address_.port),
                           [&endpoints, handler](boost::system::error_code ec,
                                                 tcp::resolver::results_type results) mutable {
                             endpoints = std::move(results);
                             handler(ec);
                           });
  });
  if (resolve_ec) {
    throw transport_error("cannot resolve " + address_.host + ": " + resolve_ec.message());
  }
  if (tls_context_) {
    secure_.emplace(ioc_, *tls_context_);
    prepare_tls_stream(*secure_, address_.host);
  } else {
    plain_.emplace(ioc_);
  }
  beast::tcp_stream& stream = lowest_layer();
  stream.expires_after(timeout_);
  const boost::system::error_code ec =
      run_until_done(ioc_, [&](auto handler) { stream.async_connect(endpoints, handler); });
  if (ec) {
    close();
    throw transport_error("cannot connect to " + address_.to_string() + ": " + reason(ec));
  }
  stream.socket().set_option(tcp::no_delay(true));
  if (secure_) {
    const boost::system::error_code handshake = run_until_done(ioc_, [&](auto handler) {
      secure_->async_handshake(asio::ssl::stream_base::client, handler);
    });
    if (handshake) {
      close();
      throw transport_error(handshake == beast::error::timeout
                                ? "TLS with " + address_.to_string() + " timed out"
                                : describe_tls_failure(handshake, address_));
    }
  }
}

http_response http_connection::request(http::verb method, const std::string& target,
                                       const std::string& body, const std::string& content_type,
                                       const http_credential& credential) {
  http::request<http::string_body> req{method, address_.path_prefix + target, 11};
  req.set(http::field::host, address_.host_header());
  req.set(http::field::user_agent, "sealpost-client/" SEALPOST_VERSION);
  if (!credential.header.empty()) {
    req.set(credential.header, credential.value);
  }
  if (!content_type.empty()) {
    req.set(http::field::content_type, content_type);
  }
  req.keep_alive(true);
  req.body() = body;
  req.prepare_payload();

  for (int attempt = 0;; ++attempt) {
    const bool reused = connected();
    if (!reused) {
      connect();
    }
    lowest_layer().expires_after(timeout_);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    // The same exchange over whichever stream this connection has.
    auto exchange = [&](auto& stream) {
      boost::system::error_code ec =
          run_until_done(ioc_, [&](auto handler) { http::async_write(stream, req, handler); });
      if (!ec) {
        ec = run_until_done(
            ioc_, [&](auto handler) { http::async_read(stream, buffer, parser, handler); });
      }
      return ec;
    };
    const boost::system::error_code ec = secure_ ? exchange(*secure_) : exchange(*plain_);
    if (!ec) {
      http::response<http::string_body> res = parser.release();
      http_response out;
      out.status = res.result_int();
      out.body = std::move(res.body());
      if (const auto it = res.find(http::field::retry_after); it != res.end()) {
        out.retry_after = std::string(it->value());
      }
      if (!res.keep_alive()) {
        close();
      }
      return out;
    }
    const bool nothing_received = buffer.size() == 0 && !parser.got_some();
    close();
    // A kept-alive connection may have been closed by the server while idle: the request
    // never reached a live session, so sending it again on a new connection is safe.
    const bool stale = reused && nothing_received && ec != beast::error::timeout;
    if (attempt == 0 && stale) {
      continue;
    }
    throw transport_error("request to " + address_.to_string() + " failed: " + reason(ec));
  }
}

}  // namespace sealpost::client::net
