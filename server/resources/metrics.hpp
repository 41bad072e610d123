// GET /metrics: the Prometheus text exposition (admin listener only).
#pragma once

#include "metrics/metrics.hpp"
#include "net/router.hpp"

namespace sealpost::resources {

void register_metrics_routes(net::router& routes, metrics::registry& registry);

}  // namespace sealpost::resources
