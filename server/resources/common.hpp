// Small pieces every resource uses: errors by name, path parameters, running a transaction.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <pqxx/transaction>
#include <string>

#include "app/services.hpp"
#include "net/request_context.hpp"
#include "net/request_error.hpp"

namespace sealpost::resources {

[[noreturn]] inline void fail(net::api_errc code, std::string error, std::string message) {
  throw net::request_error(code, std::move(error), std::move(message));
}

// The account id in path parameter `name`; 404 when it cannot name an account.
std::string account_param(const net::request_context& ctx, std::string_view name);

// The device id in path parameter `name`; 404 when it cannot name a device.
std::int32_t device_param(const net::request_context& ctx, std::string_view name);

// Runs fn(pqxx::work&) in one transaction on the pool and commits it when fn returns
// normally; an exception (including request_error) rolls it back.
template <class Fn>
auto in_transaction(storage::db_pool& db, Fn fn)
    -> boost::asio::awaitable<std::invoke_result_t<Fn&, pqxx::work&>> {
  co_return co_await db.run([fn = std::move(fn)](pqxx::connection& conn) mutable {
    pqxx::work tx(conn);
    if constexpr (std::is_void_v<std::invoke_result_t<Fn&, pqxx::work&>>) {
      fn(tx);
      tx.commit();
    } else {
      auto result = fn(tx);
      tx.commit();
      return result;
    }
  });
}

}  // namespace sealpost::resources
