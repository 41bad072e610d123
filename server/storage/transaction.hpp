// One database transaction as an awaitable: the unit of work every request runs on the pool.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <pqxx/nontransaction>
#include <pqxx/transaction>
#include <type_traits>

#include "storage/db_pool.hpp"

namespace sealpost::storage {

// Runs fn(pqxx::work&) in one transaction on the pool and commits it when fn returns
// normally; an exception (including request_error) rolls it back.
template <class Fn>
auto in_transaction(db_pool& db, Fn fn)
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

// Runs fn(pqxx::nontransaction&) on the pool without BEGIN and COMMIT: each statement fn
// runs is a transaction of its own. For work that is a single statement, this saves two
// round trips; never use it for two statements that must commit together.
template <class Fn>
auto autocommit(db_pool& db, Fn fn)
    -> boost::asio::awaitable<std::invoke_result_t<Fn&, pqxx::nontransaction&>> {
  co_return co_await db.run([fn = std::move(fn)](pqxx::connection& conn) mutable {
    pqxx::nontransaction tx(conn);
    return fn(tx);
  });
}

}  // namespace sealpost::storage
