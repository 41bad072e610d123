// Operator subcommands: invites against the configured database (migrated first, like the
// server), and the sealed-sender keys (app/sealed_sender_admin.cpp).
#include "app/admin_commands.hpp"

#include <charconv>
#include <iostream>
#include <pqxx/pqxx>

#include "app/kt_admin.hpp"
#include "app/sealed_sender_admin.hpp"
#include "model/ids.hpp"
#include "storage/account_repository.hpp"
#include "storage/migrations.hpp"

namespace sealpost::app {
namespace {

constexpr const char* kUsage =
    "usage: sealpost-server [--config FILE] admin invite create [COUNT]\n"
    "       sealpost-server [--config FILE] admin invite list\n"
    "       sealpost-server [--config FILE] admin sealed-sender "
    "new-trust-root|new-server-certificate|show ...\n"
    "       sealpost-server [--config FILE] admin kt new-keys|show|verify|new-log ...\n";

int create_invites(pqxx::connection& conn, int count) {
  pqxx::work tx(conn);
  std::vector<std::string> tokens;
  for (int i = 0; i < count; ++i) {
    auto token = model::new_secret_token();
    storage::create_invite(tx, token.hash);
    tokens.push_back(token.token);
  }
  tx.commit();
  // Only the hash is stored: this is the one time the tokens can be seen.
  for (const auto& t : tokens)
    std::cout << t << "\n";
  return 0;
}

int list_invites(pqxx::connection& conn) {
  pqxx::work tx(conn);
  std::cout << "id        created_at                     used_at\n";
  for (const auto& e : storage::list_invites(tx)) {
    std::cout << e.id << "  " << e.created_at << "  " << e.used_at.value_or("-") << "\n";
  }
  return 0;
}

}  // namespace

int run_admin_command(const config::server_config& cfg, const std::vector<std::string>& args,
                      std::span<const storage::migration> schema) {
  if (!args.empty() && args[0] == "sealed-sender")
    return run_sealed_sender_command(cfg, {args.begin() + 1, args.end()}, schema);
  if (!args.empty() && args[0] == "kt")
    return run_kt_command(cfg, {args.begin() + 1, args.end()}, schema);
  if (args.size() < 2 || args[0] != "invite") {
    std::cerr << kUsage;
    return 2;
  }
  if (cfg.database_url.empty()) {
    std::cerr
        << "sealpost-server admin: no database configured (database.url / SEALPOST_DATABASE_URL)\n";
    return 2;
  }
  pqxx::connection conn(cfg.database_url);
  storage::migrate_for_node(conn, schema);
  if (args[1] == "create" && args.size() <= 3) {
    int count = 1;
    if (args.size() == 3) {
      auto [p, ec] = std::from_chars(args[2].data(), args[2].data() + args[2].size(), count);
      if (ec != std::errc{} || p != args[2].data() + args[2].size() || count < 1 || count > 1000) {
        std::cerr << "sealpost-server admin: COUNT must be 1..1000\n";
        return 2;
      }
    }
    return create_invites(conn, count);
  }
  if (args[1] == "list" && args.size() == 2)
    return list_invites(conn);
  std::cerr << kUsage;
  return 2;
}

}  // namespace sealpost::app
