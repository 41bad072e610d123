// One device's WebSocket: delivers its queue (backlog, then QueueEmpty once, then live
// envelopes), takes acks, and tells it when its one-time keys run low. One reader and one
// writer (the pump) per socket, both on the connection's strand; at most delivery_window
// envelopes are unacknowledged, and every write waits for the previous one, so a slow
// reader makes the server wait, never buffer.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "app/services.hpp"
#include "auth/authenticator.hpp"
#include "delivery/connection_registry.hpp"
#include "net/http_session.hpp"
#include "net/http_types.hpp"
#include "net/transport.hpp"

namespace sealpost::delivery {

struct session_env {
  app::services& services;
  connection_registry& registry;
  net::lifecycle&
      life;  // an open session counts as a request in flight: shutdown waits for its close
  std::string node_id;
};

// Starts the WebSocket session of the authenticated `device` on `stream`: accepts the
// upgrade `req` and serves the socket until either side closes, on the stream's strand.
// Returns at once: the session owns the connection (and its `lease`) from here on, so no
// coroutine of the HTTP session stays suspended underneath it. Never throws for network
// errors.
void start_device_session(net::any_stream stream, net::request req,
                          auth::authenticated_device device, session_env env,
                          net::connection_lease lease);

}  // namespace sealpost::delivery
