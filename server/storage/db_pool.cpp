// Connection pool bookkeeping: one connection per worker thread at most, opened lazily.
#include "storage/db_pool.hpp"

#include "metrics/metrics.hpp"

namespace sealpost::storage {

db_pool::db_pool(std::string url, std::size_t size, metrics::registry* metrics)
    : url_(std::move(url)), metrics_(metrics), workers_(size) {}

db_pool::~db_pool() { stop(); }

void db_pool::stop() { workers_.join(); }

void db_pool::job_started(std::chrono::steady_clock::time_point queued_at) {
  if (metrics_) metrics_->observe_db_wait(std::chrono::steady_clock::now() - queued_at);
}

db_pool::lease db_pool::acquire() {
  std::unique_ptr<pqxx::connection> conn;
  {
    std::lock_guard lock(mutex_);
    ++in_use_;
    if (metrics_) metrics_->db_in_use(static_cast<double>(in_use_));
    if (!idle_.empty()) {
      conn = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  // There are as many workers as connections, so a worker never waits for another's
  // connection; it opens its own when none is idle.
  if (!conn || !conn->is_open()) {
    try {
      conn = std::make_unique<pqxx::connection>(url_);
    } catch (...) {
      release(nullptr);
      throw;
    }
  }
  return lease(*this, std::move(conn));
}

void db_pool::release(std::unique_ptr<pqxx::connection> conn) {
  std::lock_guard lock(mutex_);
  --in_use_;
  if (metrics_) metrics_->db_in_use(static_cast<double>(in_use_));
  if (conn) idle_.push_back(std::move(conn));
}

db_pool::lease::lease(db_pool& pool, std::unique_ptr<pqxx::connection> conn)
    : pool_(pool), conn_(std::move(conn)) {}

db_pool::lease::~lease() {
  if (pool_.metrics_) pool_.metrics_->observe_query(std::chrono::steady_clock::now() - started_);
  pool_.release(std::move(conn_));
}

}  // namespace sealpost::storage
