// A private Postgres cluster (scripts/local-postgres.sh) that a test may crash at will
// without disturbing the tests that share the suite's cluster.
#pragma once

#include <optional>
#include <string>

#include "test_database.hpp"

namespace sealpost::testing {

// Its data folder stays between runs (initdb is slow); each instance uses a fresh database
// in it and stops the cluster at the end. Synchronous commit stays on (--nofsync, not
// --fast), so a commit that Postgres confirmed survives its crash.
class private_postgres {
 public:
  // Starts the cluster in `data_dir` (creating it the first time) and creates a database.
  // Throws std::runtime_error when the script fails.
  explicit private_postgres(std::string data_dir);
  ~private_postgres();
  private_postgres(const private_postgres&) = delete;
  private_postgres& operator=(const private_postgres&) = delete;

  const std::string& url() const { return database_->url(); }

  // Immediate shutdown: like a crash of the database server (no checkpoint).
  void crash() { script("kill"); }
  // Fast shutdown: sessions are terminated, then a clean checkpoint.
  void stop() { script("stop"); }
  // Returns once Postgres accepts connections.
  void start() { script("start"); }

 private:
  // Runs local-postgres.sh CMD DIR --nofsync; returns the last line of its output (`start`
  // prints the cluster's URL). Throws when it fails.
  std::string script(const std::string& cmd) const;

  std::string data_dir_;
  std::optional<test_database> database_;
};

}  // namespace sealpost::testing
