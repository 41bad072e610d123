// Statements that Postgres parses and plans once per connection instead of on every call.
#pragma once

#include <pqxx/pqxx>
#include <utility>

namespace sealpost::storage {

struct prepared_statement {
  const char* name;
  const char* sql;
};

// Runs `statement` as a prepared statement on the transaction's connection. libpqxx
// registers it on the connection at the first call and sends it to the server with that
// first execution; later calls only execute it (redefining a name with the same text is a
// no-op), so any connection works, pooled or not, and a reconnected one prepares afresh.
template <class... Args>
pqxx::result exec_prepared(pqxx::transaction_base& tx, const prepared_statement& statement,
                           Args&&... args) {
  tx.conn().prepare(statement.name, statement.sql);
  return tx.exec_prepared(statement.name, std::forward<Args>(args)...);
}

}  // namespace sealpost::storage
