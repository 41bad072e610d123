// The authorization matrix's fixture ("world"): two accounts in every state a caller can be
// in, with queued envelopes and backups, so that a device answered with another device's
// data shows.
//   account A: A.1 primary, A.2 linked secondary, A.3 linked then removed by A.1, A.4 another
//              linked secondary; one envelope queued for each of A.1, A.2, A.4 (sent by B.1);
//              a backup.
//   account B: B.1 primary only; one envelope queued for it (sent by A.1); a backup of its own.
#pragma once

#include <boost/json/object.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "api_client.hpp"
#include "database_probe.hpp"
#include "test_identity.hpp"

namespace sealpost::testing {

// One-time prekeys by device id of A (every device a different count); B.1 has 7.
constexpr int kOneTimeKeys[] = {0, 5, 6, 3, 4};

struct world {
  std::string a_username;
  test_identity a_ids[5];  // [1..4] used
  test_identity b1_id;
  device_login a[5];  // [1..4]; a[3] is removed
  device_login b1;
  std::string wrong_password = random_password();
  std::map<std::string, std::string> seeded;  // "<account>.<device>" -> guid queued in the fixture
  std::string a_backup, b_backup;

  const std::string& A() const { return a[1].account_id; }
  const std::string& B() const { return b1.account_id; }
};

// "<account>.<device>", the key of world::seeded.
std::string key_of(const device_login& d);

// The body of PUT /v1/messages/{account} with one envelope of `text` for each of `devices`.
boost::json::object send_body(const std::vector<int>& devices, const std::string& text);

// Sends from `from` to account `to`; returns device id -> guid. Throws unless 200.
std::map<int, std::string> send_to(std::uint16_t port, const device_login& from,
                                   const std::string& to, const std::vector<int>& devices,
                                   const std::string& text);

// Stores `bytes` as the backup of `who`'s account. Throws unless 204.
void put_backup(std::uint16_t port, const device_login& who, const std::string& bytes);

// A new world. The database belongs to the test: each new fixture first deletes the accounts
// of fixtures no longer in use (all but `keep`), which keeps the whole-database snapshots
// small. Throws when a step of the set-up fails.
std::unique_ptr<world> make_world(std::uint16_t port, database_probe& db,
                                  const std::vector<std::string>& keep);

}  // namespace sealpost::testing
