// A bounded Postgres connection pool whose blocking libpqxx work runs on its own threads,
// never on the network threads: `co_await pool.run(fn)` runs fn(connection&) on a database
// worker and resumes the caller on its own executor with the result (or the exception).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <pqxx/connection>
#include <string>
#include <type_traits>
#include <vector>

namespace sealpost::metrics {
class registry;
}

namespace sealpost::storage {

// True when `e` says the database cannot serve right now (connection refused or lost, server
// shutting down or starting up, a statement cancelled by statement_timeout because it waited
// or ran too long) rather than that the request itself failed: worth a 503 and a retry, not
// a 500.
bool is_database_unavailable(const std::exception& e);

class db_pool {
 public:
  // No connection is opened here: each worker opens one on first use and reopens it after
  // it breaks, so the server survives a Postgres restart without restarting itself. Every
  // connection it opens gets `statement_timeout` as its session's statement_timeout (zero:
  // none), so no job holds a worker forever behind a lock or a runaway query.
  db_pool(std::string url, std::size_t size, std::chrono::milliseconds statement_timeout,
          metrics::registry* metrics = nullptr);
  ~db_pool();
  db_pool(const db_pool&) = delete;
  db_pool& operator=(const db_pool&) = delete;

  template <class Fn>
  auto run(Fn fn) -> boost::asio::awaitable<std::invoke_result_t<Fn&, pqxx::connection&>> {
    using result_t = std::invoke_result_t<Fn&, pqxx::connection&>;
    const auto queued_at = std::chrono::steady_clock::now();
    if constexpr (std::is_void_v<result_t>) {
      co_await boost::asio::co_spawn(
          workers_.get_executor(),
          [this, fn = std::move(fn), queued_at]() mutable -> boost::asio::awaitable<void> {
            job_started(queued_at);
            lease conn = acquire();
            conn.call(fn);
            co_return;
          },
          boost::asio::use_awaitable);
    } else {
      // Asio hands results through a default-constructed value; optional makes any result
      // type (even one without a default constructor) fit.
      auto result = co_await boost::asio::co_spawn(
          workers_.get_executor(),
          [this, fn = std::move(fn),
           queued_at]() mutable -> boost::asio::awaitable<std::optional<result_t>> {
            job_started(queued_at);
            lease conn = acquire();
            co_return std::optional<result_t>(conn.call(fn));
          },
          boost::asio::use_awaitable);
      co_return std::move(*result);
    }
  }

  // Stops the workers after the jobs already queued.
  void stop();

 private:
  // A connection taken from the pool for one job; returned on destruction unless the job
  // found it broken.
  class lease {
   public:
    lease(db_pool& pool, std::unique_ptr<pqxx::connection> conn);
    ~lease();
    lease(const lease&) = delete;
    lease& operator=(const lease&) = delete;

    template <class Fn>
    decltype(auto) call(Fn& fn) {
      try {
        return fn(*conn_);
      } catch (const pqxx::broken_connection&) {
        conn_.reset();
        throw;
      }
    }

    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();

   private:
    db_pool& pool_;
    std::unique_ptr<pqxx::connection> conn_;
  };
  friend class lease;

  void job_started(std::chrono::steady_clock::time_point queued_at);
  lease acquire();
  void release(std::unique_ptr<pqxx::connection> conn);

  // Opens a connection and applies the session settings.
  std::unique_ptr<pqxx::connection> connect() const;

  std::string url_;
  std::chrono::milliseconds statement_timeout_;
  metrics::registry* metrics_;
  boost::asio::thread_pool workers_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  std::size_t in_use_ = 0;
};

}  // namespace sealpost::storage
