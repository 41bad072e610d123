// The gauges of /metrics that need the database: this node's readiness, and the figures about
// the whole database (queue depth, prekey pools) that one node measures per interval for all.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>

#include "config/config.hpp"
#include "metrics/metrics.hpp"
#include "storage/db_pool.hpp"

namespace sealpost::app {

// Refreshes the gauges every metrics.database_refresh_ms, until the io_context stops.
boost::asio::awaitable<void> refresh_database_gauges(storage::db_pool& db,
                                                     metrics::registry& metrics,
                                                     std::int32_t node_schema_version,
                                                     const config::server_config& cfg);

}  // namespace sealpost::app
