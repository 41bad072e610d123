// The accept loop: connection caps (process-wide and per client address), a strand per
// connection, exceptions contained per session.
#include "net/listener.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "metrics/metrics.hpp"
#include "net/client_address.hpp"
#include "util/log.hpp"

namespace sealpost::net {

namespace asio = boost::asio;

namespace {

// A ticket for the new connection, or nullopt (and a refusal counted) when a cap is full.
// Refused connections are closed without an answer: writing one would cost the very
// resources the cap protects.
template <class Socket>
std::optional<lifecycle::connection_ticket> admit(session_env& env, Socket& socket) {
  boost::system::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  if (ec)
    return std::nullopt;  // already gone
  lifecycle::refusal why{};
  // A trusted proxy carries many clients: its connections are counted per client once the
  // request header names one (http_session), not here.
  const std::size_t per_ip_cap =
      is_trusted_proxy(remote.address(), env.cfg.trusted_proxies) ? 0 : env.max_connections_per_ip;
  auto ticket =
      env.life.admit(limit_key(remote.address()), env.cfg.http_max_connections, per_ip_cap, why);
  if (why == lifecycle::refusal::process_limit)
    env.metrics.connection_refused("max_connections");
  if (why == lifecycle::refusal::per_ip_limit)
    env.metrics.connection_refused("max_connections_per_ip");
  return ticket;
}

}  // namespace

asio::awaitable<void> accept_loop(asio::ip::tcp::acceptor& acceptor, session_env env) {
  auto ex = co_await asio::this_coro::executor;
  while (acceptor.is_open()) {
    auto [ec, socket] =
        co_await acceptor.async_accept(asio::make_strand(ex), asio::as_tuple(asio::use_awaitable));
    if (ec == asio::error::operation_aborted || !acceptor.is_open())
      co_return;
    if (ec) {
      // Usually out of file descriptors: back off briefly instead of spinning.
      log::warn("accept_failed", {{"error", ec.message()}});
      asio::steady_timer pause(ex, std::chrono::milliseconds(50));
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    auto ticket = admit(env, socket);
    if (!ticket) {
      boost::system::error_code ignored;
      socket.close(ignored);
      continue;
    }
    auto strand = socket.get_executor();
    asio::co_spawn(strand, run_http_session(std::move(socket), std::move(*ticket), env),
                   log::log_failure("session_failed"));
  }
}

asio::ip::tcp::acceptor open_acceptor(asio::any_io_executor ex, const config::listen_address& where,
                                      std::string_view key) {
  try {
    asio::ip::tcp::resolver resolver(ex);
    auto results =
        resolver.resolve(where.host, std::to_string(where.port), asio::ip::tcp::resolver::passive);
    asio::ip::tcp::endpoint endpoint = results.begin()->endpoint();
    asio::ip::tcp::acceptor acceptor(ex);
    acceptor.open(endpoint.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(asio::socket_base::max_listen_connections);
    return acceptor;
  } catch (const boost::system::system_error& e) {
    throw config::config_error("config key '" + std::string(key) + "': cannot listen on " +
                               where.to_string() + ": " + e.code().message());
  }
}

}  // namespace sealpost::net
