#include "storage/notifications.hpp"

#include "storage/prepared.hpp"

namespace sealpost::storage {
namespace {

constexpr prepared_statement kNotify{"notify", R"sql(
SELECT pg_notify($2, payload) FROM unnest($1::text[]) AS payload)sql"};

constexpr prepared_statement kNotifyUnflushed{"notify_unflushed", R"sql(
SELECT pg_notify($2, payload)
FROM unnest($1::text[]) AS payload, set_config('synchronous_commit', 'off', true))sql"};

// A text[] literal: every element double-quoted, with '"' and '\' escaped.
std::string text_array(std::span<const std::string> items) {
  std::string out = "{";
  for (const auto& item : items) {
    if (out.size() > 1)
      out += ',';
    out += '"';
    for (const char c : item) {
      if (c == '"' || c == '\\')
        out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

}  // namespace

void notify(pqxx::transaction_base& tx, std::span<const std::string> payloads) {
  if (!payloads.empty())
    exec_prepared(tx, kNotify, text_array(payloads), kNotifyChannel);
}

void notify_unflushed(pqxx::connection& conn, std::span<const std::string> payloads) {
  if (payloads.empty())
    return;
  // Autocommit: the statement is its own transaction, so set_config(..., true) covers
  // exactly its commit.
  pqxx::nontransaction tx(conn);
  exec_prepared(tx, kNotifyUnflushed, text_array(payloads), kNotifyChannel);
}

}  // namespace sealpost::storage
