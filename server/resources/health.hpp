// GET /healthz (the process is alive) and GET /readyz (database reachable, schema current).
#pragma once

#include "net/router.hpp"
#include "storage/db_pool.hpp"

namespace sealpost::resources {

void register_health_routes(net::router& routes, storage::db_pool& db);

}  // namespace sealpost::resources
