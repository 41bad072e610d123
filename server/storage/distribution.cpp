// Which table goes where on Citus, and why.
#include "storage/distribution.hpp"

#include <array>
#include <pqxx/nontransaction>
#include <string_view>

namespace sealpost::storage {
namespace {

// Constraints that span every account, which a distributed table cannot have. Each has a
// per-account (or per-username) replacement from schema 5 that Citus keeps.
constexpr std::string_view kDropGlobalConstraints = R"sql(
DROP TRIGGER IF EXISTS usernames_follow_accounts ON accounts;
ALTER TABLE accounts DROP CONSTRAINT IF EXISTS accounts_username_key;
ALTER TABLE messages DROP CONSTRAINT IF EXISTS messages_guid_key;
ALTER TABLE link_tokens DROP CONSTRAINT IF EXISTS link_tokens_pkey)sql";

// Citus moves shards between workers (rebalancing, draining a node) with logical
// replication, which needs a replica identity on every table. link_tokens lost its primary
// key above; its per-account unique key takes the part. Run while it is off (a database
// distributed before this step was added), Citus applies it to every shard.
constexpr std::string_view kLinkTokensNeedIdentity =
    "SELECT relreplident <> 'i' FROM pg_class WHERE oid = 'link_tokens'::regclass";
constexpr std::string_view kLinkTokensIdentity =
    "ALTER TABLE link_tokens REPLICA IDENTITY USING INDEX link_tokens_account_hash";

struct placement {
  std::string_view table;
  std::string_view column;         // distribution column
  std::string_view colocate_with;  // Citus's colocate_with argument
};

// Everything of an account lives in the shard of its id, colocated with `accounts`, so a
// statement that names one account (a send, a claim, a delivery) touches one worker. The
// order follows the foreign keys: a referenced table is distributed first.
// Usernames are looked up by name, so they are spread by name: a registration writes one
// shard there and one by account (a distributed transaction, committed with 2PC).
constexpr std::array kPlacements{
    placement{"accounts", "id", "default"},
    placement{"devices", "account_id", "accounts"},
    placement{"signed_prekeys", "account_id", "accounts"},
    placement{"pq_last_resort_prekeys", "account_id", "accounts"},
    placement{"one_time_prekeys", "account_id", "accounts"},
    placement{"pq_one_time_prekeys", "account_id", "accounts"},
    placement{"claimed_prekeys", "account_id", "accounts"},
    placement{"messages", "account_id", "accounts"},
    placement{"device_presence", "account_id", "accounts"},
    placement{"link_tokens", "account_id", "accounts"},
    placement{"backups", "account_id", "accounts"},
    placement{"usernames", "username", "default"},
};

// Functions that run where the account's shard is: Citus delegates a call to the worker that
// holds the shard of the named argument, so all their statements run there, locally.
struct delegated_function {
  std::string_view signature;
  std::string_view by_argument;
};
constexpr std::array kDelegatedFunctions{
    delegated_function{"sealpost_send(uuid, uuid, integer, integer[], integer[], bigint[], "
                       "integer[], integer[], bytea, bigint, bigint, bigint, bigint, boolean)",
                       "recipient"},
    delegated_function{"sealpost_ack(uuid, integer, uuid[], boolean)", "account"},
    delegated_function{"sealpost_claim(uuid, integer, bigint)", "account"},
};

// Left on the coordinator, undistributed: schema_migrations (read at start and by /readyz),
// invites (a few rows, written once per registration by invite, never joined),
// sealed_sender_keys (one row, read once per node start), the
// websocket_connection_generation sequence (one nextval per connection), and the kt_ tables
// of key transparency: one log for the whole deployment, appended by one sequencer batch at
// a time under an advisory lock, read a few index probes per proof; a change adds one
// kt_pending row there to the transaction it already is. Also database_figures: a few rows,
// written by one node per metrics interval.

bool exists(pqxx::nontransaction& tx, std::string_view table) {
  return tx.exec_params1("SELECT to_regclass($1) IS NOT NULL", std::string(table))[0].as<bool>();
}

bool is_distributed(pqxx::nontransaction& tx, std::string_view table) {
  return tx
      .exec_params1(
          "SELECT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = "
          "to_regclass($1))",
          std::string(table))[0]
      .as<bool>();
}

bool has_primary_key(pqxx::nontransaction& tx, std::string_view table) {
  return tx
      .exec_params1(
          "SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = to_regclass($1) AND "
          "contype = 'p')",
          std::string(table))[0]
      .as<bool>();
}

bool distribute(pqxx::nontransaction& tx, const placement& p) {
  if (!exists(tx, p.table) || is_distributed(tx, p.table))
    return false;
  tx.exec_params("SELECT create_distributed_table($1, $2, colocate_with => $3)",
                 std::string(p.table), std::string(p.column), std::string(p.colocate_with));
  return true;
}

bool delegate(pqxx::nontransaction& tx, const delegated_function& f) {
  const std::string signature(f.signature);
  const bool pending = tx.exec_params1(R"sql(
SELECT to_regprocedure($1) IS NOT NULL AND NOT EXISTS (
  SELECT 1 FROM pg_dist_object
  WHERE objid = to_regprocedure($1)::oid AND distribution_argument_index IS NOT NULL))sql",
                                       signature)[0]
                           .as<bool>();
  if (pending) {
    tx.exec_params("SELECT create_distributed_function($1, $2, colocate_with => 'accounts')",
                   signature, std::string(f.by_argument));
  }
  return pending;
}

}  // namespace

bool citus_present(pqxx::connection& conn) {
  pqxx::nontransaction tx(conn);
  return tx.exec1("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')")[0]
      .as<bool>();
}

std::vector<std::string> citus_nodes_committing_async(pqxx::connection& conn) {
  std::vector<std::string> nodes;
  if (!citus_present(conn))
    return nodes;
  pqxx::nontransaction tx(conn);
  // Each node's own setting for a session in this database (run_command_on_all_nodes opens
  // one there), so a per-database or per-node override counts too.
  for (const auto& row :
       tx.exec("SELECT n.nodename || ':' || n.nodeport FROM run_command_on_all_nodes("
               "'SHOW synchronous_commit') r JOIN pg_dist_node n ON n.nodeid = r.nodeid "
               "WHERE r.success AND r.result = 'off' ORDER BY n.nodeid"))
    nodes.push_back(row[0].as<std::string>());
  return nodes;
}

int distribute_tables(pqxx::connection& conn) {
  if (!citus_present(conn))
    return 0;
  pqxx::nontransaction tx(conn);
  // Once, before `accounts` is distributed: Citus refuses even DROP TRIGGER IF EXISTS on a
  // distributed table.
  if (exists(tx, "usernames") && exists(tx, "link_tokens") && !is_distributed(tx, "accounts"))
    tx.exec(std::string(kDropGlobalConstraints));
  if (exists(tx, "link_tokens") && !has_primary_key(tx, "link_tokens") &&
      tx.exec1(std::string(kLinkTokensNeedIdentity))[0].as<bool>())
    tx.exec(std::string(kLinkTokensIdentity));
  int distributed = 0;
  for (const auto& p : kPlacements)
    distributed += distribute(tx, p) ? 1 : 0;
  for (const auto& f : kDelegatedFunctions)
    delegate(tx, f);
  return distributed;
}

}  // namespace sealpost::storage
