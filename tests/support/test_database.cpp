// Creates and drops per-test databases.
#include "test_database.hpp"

#include <cstdlib>
#include <fstream>
#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <random>
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

test_database::test_database() : test_database(cluster_admin_url()) {}

test_database::test_database(std::string admin_url) : admin_url_(std::move(admin_url)) {
  std::random_device rd;
  name_ = "sealpost_test_" + std::to_string(rd()) + std::to_string(rd() % 100000);
  pqxx::connection conn(admin_url_);
  pqxx::nontransaction tx(conn);
  tx.exec("CREATE DATABASE " + tx.quote_name(name_));
  url_ = with_database(admin_url_, name_);
}

test_database::~test_database() {
  try {
    pqxx::connection conn(admin_url_);
    pqxx::nontransaction tx(conn);
    tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(name_) + " WITH (FORCE)");
  } catch (...) {
    // A leftover test database is harmless in a throwaway cluster.
  }
}

}  // namespace sealpost::testing
