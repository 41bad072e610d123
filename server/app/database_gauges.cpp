// Database gauges. Counting queued envelopes and prekey pools reads whole tables, too costly
// for every scrape and for every node: each figure is measured by one node per interval and
// shared through the database (storage/database_figures.hpp), so every node reports the same.
#include "app/database_gauges.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "storage/database_figures.hpp"
#include "storage/key_repository.hpp"
#include "storage/message_repository.hpp"
#include "storage/migrations.hpp"
#include "storage/transaction.hpp"
#include "util/log.hpp"

namespace sealpost::app {
namespace {

namespace asio = boost::asio;

asio::awaitable<void> refresh_readiness(storage::db_pool& db, metrics::registry& metrics,
                                        std::int32_t node_schema_version) {
  try {
    const auto state =
        co_await db.run([](pqxx::connection& conn) { return storage::read_schema_state(conn); });
    metrics.ready(storage::can_serve(state, node_schema_version));
  } catch (const std::exception& e) {
    metrics.ready(false);
    log::warn("readiness_check_failed", {{"what", e.what()}});
  }
}

// A node reads figures another node measured up to this long ago. Just under the interval, so
// that the node whose timer fires first after an interval measures, the others read its
// result, and timer jitter does not make two nodes measure in one interval. A gauge is thus
// at most twice the interval old.
std::chrono::milliseconds shared_figure_max_age(const config::server_config& cfg) {
  return std::chrono::milliseconds(cfg.metrics_database_refresh_ms * 9 / 10);
}

// The figures `name` ("figure" or "figure:what it depends on"; the metrics' label is the
// figure), read or measured; none when another node is measuring them for the first time, or
// on a database error (logged as `failure`).
asio::awaitable<std::optional<storage::shared_figures>> read_or_measure_figures(
    storage::db_pool& db, metrics::registry& metrics, const config::server_config& cfg,
    std::string name, std::size_t arity, const char* failure, storage::figure_measurement measure) {
  try {
    auto figures = co_await storage::in_transaction(db, [&](pqxx::work& tx) {
      return storage::read_or_measure(tx, name, arity, shared_figure_max_age(cfg),
                                      std::chrono::milliseconds(cfg.metrics_database_refresh_ms),
                                      measure);
    });
    if (figures) {
      metrics.database_figures(name.substr(0, name.find(':')), figures->measured_at,
                               figures->measured_here);
    }
    co_return figures;
  } catch (const std::exception& e) {
    log::warn(failure, {{"what", e.what()}});
    co_return std::nullopt;
  }
}

asio::awaitable<void> refresh_queue_depth(storage::db_pool& db, metrics::registry& metrics,
                                          const config::server_config& cfg) {
  const auto figures = co_await read_or_measure_figures(
      db, metrics, cfg, "queue_depth", 2, "queue_depth_failed", [](pqxx::work& tx) {
        const auto [total, deepest] = storage::queue_depth(tx);
        return std::vector<std::int64_t>{total, deepest};
      });
  if (figures) {
    metrics.queue_depth(static_cast<double>(figures->values[0]),
                        static_cast<double>(figures->values[1]));
  }
}

// Counted against this node's keys.keys_low_watermark, which names the figure: nodes
// configured alike share one census.
asio::awaitable<void> refresh_prekey_census(storage::db_pool& db, metrics::registry& metrics,
                                            const config::server_config& cfg) {
  const std::uint64_t watermark = cfg.keys_low_watermark;
  const auto figures = co_await read_or_measure_figures(
      db, metrics, cfg, "prekey_census:watermark=" + std::to_string(watermark), 4,
      "prekey_census_failed", [watermark](pqxx::work& tx) {
        const auto pools = storage::count_devices_low_on_keys(tx, watermark);
        return std::vector<std::int64_t>{pools.ec_low, pools.pq_low, pools.ec_empty,
                                         pools.pq_empty};
      });
  if (figures) {
    const auto& v = figures->values;
    metrics.devices_low_on_prekeys(static_cast<double>(v[0]), static_cast<double>(v[1]),
                                   static_cast<double>(v[2]), static_cast<double>(v[3]));
  }
}

}  // namespace

asio::awaitable<void> refresh_database_gauges(storage::db_pool& db, metrics::registry& metrics,
                                              std::int32_t node_schema_version,
                                              const config::server_config& cfg) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    co_await refresh_readiness(db, metrics, node_schema_version);
    co_await refresh_queue_depth(db, metrics, cfg);
    co_await refresh_prekey_census(db, metrics, cfg);
    timer.expires_after(std::chrono::milliseconds(cfg.metrics_database_refresh_ms));
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec)
      co_return;
  }
}

}  // namespace sealpost::app
