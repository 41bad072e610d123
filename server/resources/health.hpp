// GET /healthz (the process is alive) and GET /readyz (database reachable, and its schema one
// that this node, built for `node_schema_version`, can serve: rolling upgrades).
#pragma once

#include "net/router.hpp"
#include "storage/db_pool.hpp"

namespace sealpost::resources {

void register_health_routes(net::router& routes, storage::db_pool& db,
                            std::int32_t node_schema_version);

}  // namespace sealpost::resources
