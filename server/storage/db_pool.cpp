// Connection pool bookkeeping: one connection per worker thread at most, opened lazily.
#include "storage/db_pool.hpp"

#include <poll.h>

#include <pqxx/except>
#include <pqxx/nontransaction>

#include "metrics/metrics.hpp"

namespace sealpost::storage {
namespace {

// An idle connection whose server went away (Postgres restarted, or the session was
// terminated) still looks open to libpq until it is used, and then the job using it fails:
// after a database restart in a quiet spell, the first request on each pooled connection
// (a /readyz probe, a send) would fail although the database is back. Between jobs the
// server has nothing to say on a pool connection (none LISTENs), so a readable socket means
// end of stream or the FATAL message sent before it. A false alarm costs one reconnect.
bool closed_by_server(const pqxx::connection& conn) {
  pollfd p{conn.sock(), POLLIN, 0};
  return p.fd < 0 || ::poll(&p, 1, 0) != 0;  // readable, hung up, error (or poll failed)
}

// statement_timeout in milliseconds for the rest of the session; "0" turns it off.
constexpr const char* kSetStatementTimeout = "SELECT set_config('statement_timeout', $1, false)";

}  // namespace

bool is_database_unavailable(const std::exception& e) {
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr)
    return true;
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    // SQLSTATE class 08: connection exception; 57P01-57P03: admin or crash shutdown, and
    // "cannot connect now" while the server starts up or recovers; 57014: query_canceled,
    // which is what statement_timeout raises (nothing else here cancels queries).
    const std::string& state = sql->sqlstate();
    return state.starts_with("08") || state == "57P01" || state == "57P02" || state == "57P03" ||
           state == "57014";
  }
  return false;
}

db_pool::db_pool(std::string url, std::size_t size, std::chrono::milliseconds statement_timeout,
                 metrics::registry* metrics)
    : url_(std::move(url)),
      statement_timeout_(statement_timeout),
      metrics_(metrics),
      workers_(size) {
  if (metrics_)
    metrics_->db_pool_size(static_cast<double>(size));
}

std::unique_ptr<pqxx::connection> db_pool::connect() const {
  auto conn = std::make_unique<pqxx::connection>(url_);
  // Session-wide (is_local false), so it outlives this statement's implicit transaction.
  pqxx::nontransaction tx(*conn);
  tx.exec_params(kSetStatementTimeout, std::to_string(statement_timeout_.count()));
  return conn;
}

db_pool::~db_pool() {
  stop();
}

void db_pool::stop() {
  workers_.join();
}

void db_pool::job_started(std::chrono::steady_clock::time_point queued_at) {
  if (metrics_)
    metrics_->observe_db_wait(std::chrono::steady_clock::now() - queued_at);
}

db_pool::lease db_pool::acquire() {
  std::unique_ptr<pqxx::connection> conn;
  {
    std::lock_guard lock(mutex_);
    ++in_use_;
    if (metrics_)
      metrics_->db_in_use(static_cast<double>(in_use_));
    if (!idle_.empty()) {
      conn = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  // There are as many workers as connections, so a worker never waits for another's
  // connection; it opens its own when none is idle.
  if (!conn || !conn->is_open() || closed_by_server(*conn)) {
    try {
      conn = connect();
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
  if (metrics_)
    metrics_->db_in_use(static_cast<double>(in_use_));
  if (conn)
    idle_.push_back(std::move(conn));
}

db_pool::lease::lease(db_pool& pool, std::unique_ptr<pqxx::connection> conn)
    : pool_(pool), conn_(std::move(conn)) {}

db_pool::lease::~lease() {
  if (pool_.metrics_)
    pool_.metrics_->observe_query(std::chrono::steady_clock::now() - started_);
  pool_.release(std::move(conn_));
}

}  // namespace sealpost::storage
