// Accepts connections on one endpoint and runs each as a coroutine on its own strand.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "net/http_session.hpp"

namespace sealpost::net {

// Returns when the acceptor is closed.
boost::asio::awaitable<void> accept_loop(boost::asio::ip::tcp::acceptor& acceptor, session_env env);

// Opens, binds and listens; throws config::config_error naming `key` when that fails.
boost::asio::ip::tcp::acceptor open_acceptor(boost::asio::any_io_executor ex,
                                             const config::listen_address& where,
                                             std::string_view key);

}  // namespace sealpost::net
