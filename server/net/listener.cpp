// The accept loop: connection cap, per-connection strand, exceptions contained per session.
#include "net/listener.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "util/log.hpp"

namespace sealpost::net {

namespace asio = boost::asio;

asio::awaitable<void> accept_loop(asio::ip::tcp::acceptor& acceptor, session_env env) {
  auto ex = co_await asio::this_coro::executor;
  while (acceptor.is_open()) {
    auto [ec, socket] =
        co_await acceptor.async_accept(asio::make_strand(ex), asio::as_tuple(asio::use_awaitable));
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {
      // Usually out of file descriptors: back off briefly instead of spinning.
      log::warn("accept_failed", {{"error", ec.message()}});
      asio::steady_timer pause(ex, std::chrono::milliseconds(50));
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    if (env.life.connections() >= env.cfg.http_max_connections || env.life.stopping()) {
      boost::system::error_code ignored;
      socket.close(ignored);
      continue;
    }
    auto strand = socket.get_executor();
    asio::co_spawn(strand, run_http_session(std::move(socket), env), [](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& err) {
        log::error("session_failed", {{"what", err.what()}});
      }
    });
  }
}

asio::ip::tcp::acceptor open_acceptor(asio::any_io_executor ex,
                                      const config::listen_address& where, std::string_view key) {
  try {
    asio::ip::tcp::resolver resolver(ex);
    auto results = resolver.resolve(where.host, std::to_string(where.port),
                                    asio::ip::tcp::resolver::passive);
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
