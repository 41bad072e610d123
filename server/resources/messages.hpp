// /v1/messages: sending envelopes to every device of an account, and the REST fallback for
// fetching and acknowledging them (the WebSocket is the primary delivery path).
#pragma once

#include "app/services.hpp"
#include "net/router.hpp"

namespace sealpost::resources {

void register_message_routes(net::router& routes, app::services& s);

}  // namespace sealpost::resources
