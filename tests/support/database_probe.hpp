// A test's own view of the server's database: whole-table fingerprints to prove that a
// call changed nothing (or nothing outside a scope), and small reads for its effects.
#pragma once

#include <map>
#include <optional>
#include <pqxx/connection>
#include <string>
#include <vector>

namespace sealpost::testing {

// Which rows a snapshot leaves out.
struct snapshot_filter {
  enum { everything, skip_device, skip_account, only_accounts } kind = everything;
  std::string account;   // skip_device, skip_account
  int device = 0;        // skip_device
  std::string account2;  // only_accounts: {account, account2}
};

// The SQL literal of a UUID or a username (neither can hold a quote).
std::string q(const std::string& s);

// One connection to the test's database for all the test's own reads.
class database_probe {
 public:
  explicit database_probe(const std::string& url) : conn_(url) {}

  // count:md5 of every row of every table, less the rows `f` leaves out; one round trip.
  // device_presence is left out: it mirrors open sockets and is cleared asynchronously after
  // a socket closes, which would race with the next snapshot.
  std::map<std::string, std::string> snapshot(const snapshot_filter& f);

  // The one value of a query that returns one row of one number.
  long long scalar(const std::string& sql);
  // The rows of `table` for one device.
  long long rows_of(const char* table, const std::string& account, int device);
  // The account's backup, when it has one.
  std::optional<std::string> backup_of(const std::string& account);

  // Deletes every account but `keep` (each cascades to its devices, keys, queues, tokens
  // and backup), so that snapshots stay small.
  void wipe_except(const std::vector<std::string>& keep);

 private:
  pqxx::connection conn_;
};

}  // namespace sealpost::testing
