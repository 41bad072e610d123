// A private database cluster that a test may crash at will without disturbing the tests
// that share the suite's cluster. It runs on the suite's engine (SEALPOST_TEST_ENGINE):
// plain Postgres (scripts/local-postgres.sh), or Citus, a coordinator and two workers
// (scripts/local-citus.sh), whose workers can be killed one at a time.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "test_database.hpp"

namespace sealpost::testing {

// Its data folders stay between runs (initdb is slow); each instance uses a fresh database
// in it and stops the cluster at the end. Synchronous commit stays on (--nofsync, not
// --fast), so a commit that Postgres confirmed survives its crash.
class private_cluster {
 public:
  // Starts the cluster under `data_dir` (creating it the first time) and creates a
  // database (on every node, on Citus). Throws std::runtime_error when a script fails.
  explicit private_cluster(const std::string& data_dir);
  ~private_cluster();
  private_cluster(const private_cluster&) = delete;
  private_cluster& operator=(const private_cluster&) = delete;

  const std::string& url() const { return database_->url(); }
  bool citus() const { return citus_; }

  // The Postgres that the server connects to (the coordinator, on Citus):
  // immediate shutdown, like a crash of the database server (no checkpoint)...
  void crash();
  // ...fast shutdown: sessions are terminated, then a clean checkpoint...
  void stop();
  // ...and start again; returns once it accepts connections.
  void start();

  // Citus only: SIGKILL worker `k` (1 or 2), its postmaster and every backend at once; and
  // start it again, returning once it accepts connections.
  void kill_worker(int k);
  void start_worker(int k);
  // The name the coordinator knows worker `k` by (pg_dist_node.nodename).
  std::string worker_name(int k) const;

 private:
  // Runs scripts/`script` CMD DIR [EXTRA] --nofsync (DIR: this cluster's folder unless
  // given); returns the last line of its output (`start` prints the URL). Throws when it
  // fails.
  std::string run(const std::string& script, const std::string& cmd) const;
  std::string run(const std::string& script, const std::string& cmd, const std::string& dir,
                  const std::string& extra = "") const;
  std::string coordinator_dir() const;

  bool citus_;
  std::string data_dir_;
  std::vector<std::string> worker_urls_;  // maintenance databases; empty on plain Postgres
  std::optional<test_database> database_;
};

}  // namespace sealpost::testing
