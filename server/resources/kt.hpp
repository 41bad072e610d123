// /v1/kt: the key-transparency log's configuration, signed heads, searches, monitoring and
// owner checks (DESIGN.md, "Key transparency, stage 1": REST), and the auditor feed.
#pragma once

#include "app/services.hpp"
#include "net/router.hpp"

namespace sealpost::resources {

// Registers nothing when kt.enabled is off, so every route answers 404.
void register_kt_routes(net::router& routes, app::services& s);

}  // namespace sealpost::resources
