// Fingerprints and reads of the server's tables, straight from Postgres.
#include "database_probe.hpp"

#include <pqxx/pqxx>

namespace sealpost::testing {

namespace {

struct table_info {
  const char* name;
  const char* account_column;  // nullptr: not per account
  bool has_device;
};

constexpr table_info kTables[] = {{"accounts", "id", false},
                                  {"devices", "account_id", true},
                                  {"signed_prekeys", "account_id", true},
                                  {"pq_last_resort_prekeys", "account_id", true},
                                  {"one_time_prekeys", "account_id", true},
                                  {"pq_one_time_prekeys", "account_id", true},
                                  {"claimed_prekeys", "account_id", true},
                                  {"link_tokens", "account_id", false},
                                  {"backups", "account_id", false},
                                  {"messages", "account_id", true},
                                  {"usernames", "account_id", false},
                                  {"invites", nullptr, false},
                                  {"sealed_sender_keys", nullptr, false},
                                  // The other kt_ tables change in the background: the
                                  // sequencer appends entries and deletes the queue rows
                                  // requests add, whenever its batch runs. So does
                                  // database_figures, with each count of the gauges.
                                  {"kt_config", nullptr, false}};

// The WHERE condition that keeps the rows of `t` that `f` lets through.
std::string condition(const table_info& t, const snapshot_filter& f, pqxx::nontransaction& tx) {
  if (t.account_column == nullptr)
    return "true";
  const std::string col = std::string("t.") + t.account_column + "::text";
  switch (f.kind) {
    case snapshot_filter::everything:
      break;
    case snapshot_filter::skip_device:
      if (t.has_device) {
        return "NOT (" + col + " = " + tx.quote(f.account) +
               " AND t.device_id = " + std::to_string(f.device) + ")";
      }
      break;
    case snapshot_filter::skip_account:
      return col + " <> " + tx.quote(f.account);
    case snapshot_filter::only_accounts:
      return col + " IN (" + tx.quote(f.account) + ", " + tx.quote(f.account2) + ")";
  }
  return "true";
}

}  // namespace

std::string q(const std::string& s) {
  return "'" + s + "'";
}

std::map<std::string, std::string> database_probe::snapshot(const snapshot_filter& f) {
  pqxx::nontransaction tx(conn_);
  std::string sql;
  for (const auto& t : kTables) {
    if (!sql.empty())
      sql += " UNION ALL ";
    sql += std::string("SELECT '") + t.name +
           "', count(*)::text || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), "
           "'') FROM " +
           t.name + " t WHERE " + condition(t, f, tx);
  }
  std::map<std::string, std::string> out;
  for (const auto& row : tx.exec(sql))
    out[row[0].as<std::string>()] = row[1].as<std::string>();
  return out;
}

long long database_probe::scalar(const std::string& sql) {
  pqxx::nontransaction tx(conn_);
  return tx.exec1(sql)[0].as<long long>();
}

long long database_probe::rows_of(const char* table, const std::string& account, int device) {
  return scalar(std::string("SELECT count(*) FROM ") + table + " WHERE account_id = " + q(account) +
                " AND device_id = " + std::to_string(device));
}

std::optional<std::string> database_probe::backup_of(const std::string& account) {
  pqxx::nontransaction tx(conn_);
  auto r = tx.exec("SELECT encode(blob, 'escape') FROM backups WHERE account_id = " + q(account));
  if (r.empty())
    return std::nullopt;
  return r[0][0].as<std::string>();
}

void database_probe::wipe_except(const std::vector<std::string>& keep) {
  pqxx::nontransaction tx(conn_);
  std::string list = "'00000000-0000-0000-0000-000000000000'";
  for (const auto& id : keep)
    list += ", " + q(id);
  tx.exec0("DELETE FROM accounts WHERE id NOT IN (" + list + ")");
}

}  // namespace sealpost::testing
