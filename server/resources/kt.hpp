// /v1/kt: the key-transparency log's configuration, signed heads, searches, monitoring and
// owner checks (DESIGN.md, "Key transparency, stage 1": REST), and the auditor feed.
#pragma once

#include "app/services.hpp"
#include "net/router.hpp"

namespace sealpost::resources {

// Registers nothing when kt.enabled is off, so every route answers 404.
// With kt.audit_feed = public, GET /v1/kt/audit is among them.
void register_kt_routes(net::router& routes, app::services& s);

// GET /v1/kt/audit without authentication (`public_feed`: limited per client address); the
// admin listener registers it when kt.audit_feed = admin.
void register_kt_audit_route(net::router& routes, app::services& s, bool public_feed);

}  // namespace sealpost::resources
