// A fresh, empty Postgres database for one test, dropped afterwards. The cluster comes from
// SEALPOST_TEST_DATABASE_URL when set, else from the throwaway cluster that the CTest
// fixture started (its URL file is named by SEALPOST_TEST_PG_ENV). On a Citus cluster
// (SEALPOST_TEST_ENGINE=citus) the database is made on the coordinator and every worker,
// with the workers registered in it, so the server distributes its tables there.
#pragma once

#include <string>
#include <vector>

namespace sealpost::testing {

class test_database {
 public:
  // A database in the suite's shared cluster (see cluster_admin_url()).
  test_database();
  // A database in the cluster whose maintenance database `admin_url` names.
  explicit test_database(std::string admin_url, std::vector<std::string> worker_urls = {});
  ~test_database();
  test_database(const test_database&) = delete;
  test_database& operator=(const test_database&) = delete;

  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }

 private:
  std::string admin_url_;
  std::vector<std::string> worker_admin_urls_;  // Citus workers; empty on plain Postgres
  std::string name_;
  std::string url_;
};

// The URL of the cluster's maintenance database (where databases are created).
std::string cluster_admin_url();

// The URLs of the fixture cluster's Citus workers; empty for plain Postgres.
std::vector<std::string> citus_worker_urls();

// On Citus: the name of the worker that holds `account_id`'s shard of accounts (and of every
// table colocated with it), read from the coordinator of database `url`.
std::string citus_worker_of(const std::string& url, const std::string& account_id);

// The name Citus knows a local node by: the Unix socket folder its URL names (`host=`).
std::string citus_node_name(const std::string& url);

// `url` ("postgresql://.../NAME?params" or "postgresql:///NAME?...") naming database `db`
// instead. Throws std::runtime_error for a URL of another form.
std::string with_database(const std::string& url, const std::string& db);

}  // namespace sealpost::testing
