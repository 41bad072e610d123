// One device's WebSocket: delivers its queue (backlog, then QueueEmpty once, then live
// envelopes), takes acks, and tells it when its one-time keys run low. One reader and one
// writer (the pump) per socket, both on the connection's strand; at most delivery_window
// envelopes are unacknowledged, and every write waits for the previous one, so a slow
// reader makes the server wait, never buffer.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "app/services.hpp"
#include "auth/authenticator.hpp"
#include "net/http_types.hpp"
#include "net/transport.hpp"
#include "realtime/connection_registry.hpp"

namespace sealpost::net {

struct websocket_env {
  app::services& services;
  realtime::connection_registry& registry;
  std::string node_id;
};

// Accepts the upgrade `req` on `stream` for the authenticated `device` and serves it until
// either side closes. Never throws for network errors.
boost::asio::awaitable<void> run_websocket_session(any_stream stream, request req,
                                                   auth::authenticated_device device,
                                                   websocket_env env);

}  // namespace sealpost::net
