// One HTTP/1.1 connection: read a request, route it, write the response, repeat while
// keep-alive holds. Every read and write has a deadline.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <functional>

#include "config/config.hpp"
#include "net/body_budget.hpp"
#include "net/caller.hpp"
#include "net/http_types.hpp"
#include "net/lifecycle.hpp"
#include "net/router.hpp"
#include "net/transport.hpp"

namespace sealpost::metrics {
class registry;
}

namespace sealpost::net {

// Keeps a connection counted while it is open: its admission ticket (the connection caps)
// and the open-connections gauge. Move-only: after a WebSocket upgrade it travels with the
// socket into the WebSocket session, so that the HTTP session's coroutines (and the memory
// they hold) can end while the socket lives on.
class connection_lease {
 public:
  connection_lease(lifecycle::connection_ticket ticket, metrics::registry& metrics);
  connection_lease(connection_lease&& other) noexcept;
  connection_lease& operator=(connection_lease&&) = delete;
  connection_lease(const connection_lease&) = delete;
  connection_lease& operator=(const connection_lease&) = delete;
  ~connection_lease();

  // Counts this connection, for the per-IP cap, under `client` from now on (a trusted
  // proxy's connection carries a client known only from its request header). False when
  // `client` already holds `max_per_ip` connections (0 = no limit).
  bool count_as(lifecycle& life, const boost::asio::ip::address& client, std::size_t max_per_ip);

 private:
  lifecycle::connection_ticket ticket_;
  metrics::registry* metrics_;  // null once moved from
};

// Takes over a connection whose request asked for a WebSocket on kWebSocketPath: answers
// it, and on success starts the WebSocket session (which owns `lease` from then on) and
// returns. `answered(status)` is called once the handler knows its answer (101, or a
// refusal), so the request is counted under the status the client really got.
using upgrade_handler = std::function<boost::asio::awaitable<void>(
    any_stream stream, request req, boost::asio::ip::address remote,
    std::function<void(unsigned)> answered, connection_lease lease)>;

inline constexpr std::string_view kWebSocketPath = "/v1/websocket";

// Checks an Authorization header value of a request from `client`: the device, or a
// request_error (401, 429). Used on access::device routes before the body is read.
using device_authenticator = std::function<boost::asio::awaitable<authenticated_device>(
    std::string_view authorization, const boost::asio::ip::address& client)>;

// Admits a request that came with an Unidentified-Access-Key from `client`: throws
// request_error (429) when unidentified_messages_per_ip is spent. Empty: sealed sender is
// off, and such requests get 401.
using unidentified_admission = std::function<void(const boost::asio::ip::address& client)>;

struct session_env {
  const config::server_config& cfg;
  const router& routes;
  lifecycle& life;
  metrics::registry& metrics;
  upgrade_handler upgrade = {};              // empty on listeners without WebSockets
  boost::asio::ssl::context* tls = nullptr;  // set: connections must speak TLS
  // http.max_connections_per_ip on the public listener; 0 (no limit) on the admin listener,
  // so a client address at its cap never locks out the operator's scraper on the same host.
  std::size_t max_connections_per_ip = 0;
  device_authenticator authenticate = {};  // empty on listeners without access::device routes
  body_budget* bodies = nullptr;           // http.max_body_bytes_in_flight; null: unbounded
  unidentified_admission admit_unidentified = {};
};

// Never throws for network or protocol errors: those end the session. `ticket` is the
// connection's admission (see lifecycle::admit), held until the session ends.
boost::asio::awaitable<void> run_http_session(boost::asio::ip::tcp::socket socket,
                                              lifecycle::connection_ticket ticket, session_env env);

}  // namespace sealpost::net
