// WebSocket upgrade: authentication first, then the session; a refusal is a plain HTTP
// error response.
#include "resources/websocket.hpp"

// GCC 12 reports a false -Wmismatched-new-delete inside Asio's coroutine frame allocator
// (it pairs Asio's aligned_alloc with the frame's sized delete) for this lambda coroutine.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/ssl.hpp>

#include "net/request_error.hpp"
#include "storage/db_pool.hpp"

namespace sealpost::resources {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;

// The login and password of ?login=<account>.<device>&password=..., percent-decoded.
std::optional<std::pair<std::string, std::string>> query_credentials(std::string_view target) {
  const auto q = target.find('?');
  if (q == std::string_view::npos)
    return std::nullopt;
  std::optional<std::string> login, password;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const auto pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos)
      continue;
    std::string value;
    const auto raw = pair.substr(eq + 1);
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '%' && i + 2 < raw.size()) {
        const auto hex = std::string(raw.substr(i + 1, 2));
        if (std::isxdigit(static_cast<unsigned char>(hex[0])) &&
            std::isxdigit(static_cast<unsigned char>(hex[1]))) {
          value.push_back(static_cast<char>(std::stoi(hex, nullptr, 16)));
          i += 2;
          continue;
        }
      }
      value.push_back(raw[i] == '+' ? ' ' : raw[i]);
    }
    if (pair.substr(0, eq) == "login")
      login = std::move(value);
    if (pair.substr(0, eq) == "password")
      password = std::move(value);
  }
  if (!login || !password)
    return std::nullopt;
  return std::pair{std::move(*login), std::move(*password)};
}

asio::awaitable<void> refuse(net::any_stream& stream, const net::request& req,
                             const net::api_error& err) {
  auto res = net::error_response(err, req.version(), false);
  if (auto* tls = std::get_if<net::tls_stream>(&stream)) {
    co_await net::http::async_write(*tls, res, asio::as_tuple(asio::use_awaitable));
    co_await tls->async_shutdown(asio::as_tuple(asio::use_awaitable));
  } else {
    auto& plain = std::get<net::plain_stream>(stream);
    co_await net::http::async_write(plain, res, asio::as_tuple(asio::use_awaitable));
    boost::system::error_code ignored;
    plain.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  }
}

}  // namespace

net::upgrade_handler make_websocket_handler(delivery::session_env env) {
  return [env](net::any_stream stream, net::request req, asio::ip::address remote,
               std::function<void(unsigned)> answered,
               net::connection_lease lease) -> asio::awaitable<void> {
    std::optional<auth::authenticated_device> device;
    std::optional<net::api_error> refusal;
    try {
      if (auto creds = query_credentials(req.target())) {
        device = co_await env.services.auth.authenticate(creds->first, creds->second,
                                                         remote.to_string());
      } else {
        device =
            co_await env.services.auth.authenticate(req[net::http::field::authorization], remote);
      }
    } catch (const net::request_error& e) {
      refusal = e.error();
    } catch (const std::exception& e) {
      if (!storage::is_database_unavailable(e))
        throw;
      refusal = net::database_unavailable();
    }
    if (refusal) {
      answered(static_cast<unsigned>(net::status_of(refusal->code)));
      co_await refuse(stream, req, *refusal);
      co_return;
    }
    answered(101);
    delivery::start_device_session(std::move(stream), std::move(req), std::move(*device), env,
                                   std::move(lease));
  };
}

}  // namespace sealpost::resources
