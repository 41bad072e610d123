// Creates and drops per-test databases.
#include "test_database.hpp"

#include <cstdlib>
#include <fstream>
#include <optional>
#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <random>
#include <sstream>
#include <stdexcept>

namespace sealpost::testing {

std::string with_database(const std::string& url, const std::string& db) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos)
    throw std::runtime_error("unsupported test database URL");
  const auto path_start = url.find('/', scheme_end + 3);
  const auto query = url.find('?');
  std::string base = url.substr(0, path_start == std::string::npos ? query : path_start);
  std::string rest = query == std::string::npos ? "" : url.substr(query);
  return base + "/" + db + rest;
}

std::string citus_node_name(const std::string& url) {
  const auto at = url.find("host=");
  if (at == std::string::npos)
    throw std::runtime_error("a Citus node URL without host=");
  const auto end = url.find('&', at);
  return url.substr(at + 5, end == std::string::npos ? std::string::npos : end - at - 5);
}

std::string citus_worker_of(const std::string& url, const std::string& account_id) {
  pqxx::connection conn(url);
  pqxx::nontransaction tx(conn);
  return tx
      .exec_params1(
          "SELECT n.nodename FROM pg_dist_placement p JOIN pg_dist_node n USING (groupid) "
          "WHERE p.shardid = get_shard_id_for_distribution_column('accounts', $1::uuid)",
          account_id)[0]
      .as<std::string>();
}

namespace {

// A line "KEY=value" of the fixture's env file, if there is one.
std::optional<std::string> fixture_setting(const std::string& key) {
  const char* env_file = std::getenv("SEALPOST_TEST_PG_ENV");
  if (env_file == nullptr)
    return std::nullopt;
  std::ifstream in(env_file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + "=", 0) == 0)
      return line.substr(key.size() + 1);
  }
  return std::nullopt;
}

void create_database(const std::string& admin_url, const std::string& name) {
  pqxx::connection conn(admin_url);
  pqxx::nontransaction tx(conn);
  tx.exec("CREATE DATABASE " + tx.quote_name(name));
}

void drop_database(const std::string& admin_url, const std::string& name) {
  try {
    pqxx::connection conn(admin_url);
    pqxx::nontransaction tx(conn);
    tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(name) + " WITH (FORCE)");
  } catch (...) {
    // A leftover test database is harmless in a throwaway cluster.
  }
}

// Citus keeps its node list per database: each new one gets the extension on every node and
// the workers registered, as scripts/local-citus.sh does for "sealpost".
void register_citus_nodes(const std::string& coordinator_url,
                          const std::vector<std::string>& worker_urls) {
  for (const auto& w : worker_urls) {
    pqxx::connection conn(w);
    pqxx::nontransaction(conn).exec("CREATE EXTENSION citus");
  }
  pqxx::connection conn(coordinator_url);
  pqxx::nontransaction tx(conn);
  tx.exec("CREATE EXTENSION citus");
  tx.exec_params("SELECT citus_set_coordinator_host($1, 5432)", citus_node_name(coordinator_url));
  for (const auto& w : worker_urls)
    tx.exec_params("SELECT citus_add_node($1, 5432)", citus_node_name(w));
}

}  // namespace

std::vector<std::string> citus_worker_urls() {
  std::vector<std::string> urls;
  if (const char* url = std::getenv("SEALPOST_TEST_DATABASE_URL"); url && *url)
    return urls;
  std::istringstream words(fixture_setting("SEALPOST_CITUS_WORKERS").value_or(""));
  for (std::string w; words >> w;)
    urls.push_back(with_database(w, "postgres"));
  return urls;
}

std::string cluster_admin_url() {
  if (const char* url = std::getenv("SEALPOST_TEST_DATABASE_URL"); url && *url) {
    return with_database(url, "postgres");
  }
  const char* env_file = std::getenv("SEALPOST_TEST_PG_ENV");
  if (env_file == nullptr) {
    throw std::runtime_error(
        "no test database: run the tests with ctest (which starts a throwaway cluster) or set "
        "SEALPOST_TEST_DATABASE_URL");
  }
  std::ifstream in(env_file);
  std::string line;
  const std::string prefix = "SEALPOST_DATABASE_URL=";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0)
      return with_database(line.substr(prefix.size()), "postgres");
  }
  throw std::runtime_error(std::string("no database URL in ") + env_file);
}

test_database::test_database() : test_database(cluster_admin_url(), citus_worker_urls()) {}

test_database::test_database(std::string admin_url, std::vector<std::string> worker_urls)
    : admin_url_(std::move(admin_url)), worker_admin_urls_(std::move(worker_urls)) {
  std::random_device rd;
  name_ = "sealpost_test_" + std::to_string(rd()) + std::to_string(rd() % 100000);
  create_database(admin_url_, name_);
  url_ = with_database(admin_url_, name_);
  if (worker_admin_urls_.empty())
    return;
  // Registering nodes updates shared catalogs on the workers: two test processes doing it at
  // once fail with "tuple concurrently updated". One lock in the coordinator's maintenance
  // database (held by this connection until it closes) takes them in turn.
  pqxx::connection serial(admin_url_);
  pqxx::nontransaction(serial).exec("SELECT pg_advisory_lock(5385172)");
  std::vector<std::string> workers;
  for (const auto& w : worker_admin_urls_) {
    create_database(w, name_);
    workers.push_back(with_database(w, name_));
  }
  register_citus_nodes(url_, workers);
}

test_database::~test_database() {
  drop_database(admin_url_, name_);
  for (const auto& w : worker_admin_urls_)
    drop_database(w, name_);
}

}  // namespace sealpost::testing
