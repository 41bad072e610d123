// PUT /v1/messages/multi_recipient: one sealed ciphertext for many accounts, libsignal's
// multi-recipient format, fanned out to every recipient device in one transaction
// (DESIGN.md, "Multi-recipient send").
#pragma once

#include "app/services.hpp"
#include "net/router.hpp"

namespace sealpost::resources {

// Registers nothing when sealed sender is off (the route then answers as
// PUT /v1/messages/{account_id} does without credentials: 401).
void register_multi_recipient_routes(net::router& routes, app::services& s);

}  // namespace sealpost::resources
