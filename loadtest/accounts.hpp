// The load generator's set-up: registering accounts and linking devices, several at a time.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdint>
#include <exception>
#include <string>

#include "connection.hpp"

namespace sealpost::loadtest {

struct login {
  std::string account_id;
  std::int32_t device_id = 0;
  std::string password;
  std::string auth() const;  // the Basic Authorization header
};

// Registers a new account (username "lt<run>_<kind><n>") with `one_time_keys` EC and PQ
// one-time prekeys; throws std::runtime_error unless 201 (a 429 names the rate limits).
asio::awaitable<login> register_account(connection& c, std::size_t one_time_keys, const char* kind);

// Links a new device to `primary`'s account; throws std::runtime_error unless 201.
asio::awaitable<login> link_device(connection& c, const login& primary);

// Runs make(c, i) for i in [0, n) on `concurrency` connections; rethrows the first failure
// once every worker has stopped (the others take no new work after it).
template <typename F>
asio::awaitable<void> parallel_setup(tcp::endpoint ep, int n, int concurrency, F make) {
  auto ex = co_await asio::this_coro::executor;
  int next = 0, running = concurrency;
  std::exception_ptr failure;
  for (int w = 0; w < concurrency; ++w) {
    asio::co_spawn(
        ex,
        [&]() -> asio::awaitable<void> {
          connection c(ex, ep);
          while (next < n)
            co_await make(c, next++);
        },
        [&](std::exception_ptr e) {
          --running;
          if (e && !failure) {
            failure = e;
            next = n;
          }
        });
  }
  asio::steady_timer t(ex);
  while (running > 0) {
    t.expires_after(std::chrono::milliseconds(20));
    co_await t.async_wait(asio::use_awaitable);
  }
  if (failure)
    std::rethrow_exception(failure);
}

}  // namespace sealpost::loadtest
