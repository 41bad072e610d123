// GET /v1/websocket: authenticates the upgrade request (Basic header, or ?login=&password=
// for browsers) and hands the connection to a WebSocket session.
#pragma once

#include "net/http_session.hpp"
#include "delivery/device_session.hpp"

namespace sealpost::resources {

net::upgrade_handler make_websocket_handler(delivery::session_env env);

}  // namespace sealpost::resources
