// SQL for the key-transparency log (schema 10): its configuration, the queue of changed
// labels, and what the sequencer appends and the proofs read. Bytes are raw std::strings.
#pragma once

#include <openssl/crypto.h>

#include <cstdint>
#include <map>
#include <optional>
#include <pqxx/transaction>
#include <string>
#include <vector>

namespace sealpost::storage {

// The kt_config row. The keys are present only in auto mode; secret, wiped with the struct.
struct stored_kt_config {
  std::string configuration;
  std::optional<std::string> signing_key_der;  // PKCS#8 DER
  std::optional<std::string> vrf_scalar;       // 32 bytes

  stored_kt_config() = default;
  stored_kt_config(const stored_kt_config&) = delete;
  stored_kt_config& operator=(const stored_kt_config&) = delete;
  stored_kt_config(stored_kt_config&&) = default;
  stored_kt_config& operator=(stored_kt_config&&) = default;
  ~stored_kt_config();
};

// Offers `candidate` as the log's configuration and returns the stored row: the candidate
// when the log did not exist, else the earlier one (concurrent first starts agree).
stored_kt_config offer_kt_config(pqxx::work& tx, const stored_kt_config& candidate);
std::optional<stored_kt_config> find_kt_config(pqxx::work& tx);

// The labels a request changed, in the request's own transaction. Returns the queue ids, so
// the request can wait until a batch has taken them.
std::vector<std::int64_t> enqueue_kt_labels(pqxx::work& tx, const std::vector<std::string>& labels);
// How many of `ids` are still queued.
std::size_t count_kt_pending(pqxx::work& tx, const std::vector<std::int64_t>& ids);
std::int64_t count_all_kt_pending(pqxx::work& tx);

struct kt_pending_row {
  std::int64_t id = 0;
  std::string label;
};
// The oldest `limit` queued rows.
std::vector<kt_pending_row> read_kt_pending(pqxx::work& tx, std::uint64_t limit);
void delete_kt_pending(pqxx::work& tx, const std::vector<std::int64_t>& ids);

// Takes the sequencer's transaction-scoped advisory lock; false when another node holds it.
bool try_lock_kt_sequencer(pqxx::work& tx);

// The current device set of each account (ascending device id); accounts without devices
// (deleted or unknown) are absent.
struct kt_device_row {
  std::uint32_t device_id = 0;
  std::uint32_t registration_id = 0;
  std::string identity_key;
};
std::map<std::string, std::vector<kt_device_row>> read_device_sets(
    pqxx::work& tx, const std::vector<std::string>& account_ids);
// The account id (canonical text) of each username that exists.
std::map<std::string, std::string> read_username_owners(pqxx::work& tx,
                                                        const std::vector<std::string>& names);

struct kt_version_row {
  std::string label;
  std::uint32_t version = 0;
  std::uint64_t position = 0;
  std::string search_key;
  std::string vrf_proof;
  std::string commitment;
  std::string opening;
  std::string value;
};
// The newest version of each of `labels` that has one.
std::map<std::string, kt_version_row> latest_kt_versions(pqxx::work& tx,
                                                         const std::vector<std::string>& labels);
// Every version of `label`, ascending.
std::vector<kt_version_row> kt_versions_of(pqxx::work& tx, const std::string& label);
// Every version created at entries [first, last], by position then search key.
std::vector<kt_version_row> kt_versions_between(pqxx::work& tx, std::uint64_t first,
                                                std::uint64_t last);
void insert_kt_versions(pqxx::work& tx, const std::vector<kt_version_row>& versions);

struct kt_entry_row {
  std::uint64_t position = 0;
  std::uint64_t timestamp_ms = 0;
  std::string prefix_root;
  std::string signature;
};
std::optional<kt_entry_row> newest_kt_entry(pqxx::work& tx);
// The entries at `positions` that exist, ascending.
std::vector<kt_entry_row> kt_entries_at(pqxx::work& tx,
                                        const std::vector<std::uint64_t>& positions);
// Entries [first, last], ascending.
std::vector<kt_entry_row> kt_entries_between(pqxx::work& tx, std::uint64_t first,
                                             std::uint64_t last);
void insert_kt_entry(pqxx::work& tx, const kt_entry_row& entry);

struct kt_log_node_row {
  int level = 0;
  std::uint64_t index = 0;
  std::string hash;
};
// The stored balanced subtrees among `nodes` (level, index), in any order.
std::vector<kt_log_node_row> read_kt_log_nodes(pqxx::work& tx,
                                               const std::vector<kt_log_node_row>& nodes);
void insert_kt_log_nodes(pqxx::work& tx, const std::vector<kt_log_node_row>& nodes);

struct kt_prefix_node_row {
  int depth = 0;
  std::string prefix;
  std::uint64_t position = 0;
  std::string hash;
  std::optional<std::string> leaf_key;
  std::optional<std::string> leaf_commitment;
};
// For each place (depths[i], prefixes[i]), the row with the greatest position <= at; places
// without one are left out.
std::vector<kt_prefix_node_row> read_kt_prefix_nodes(pqxx::work& tx, const std::vector<int>& depths,
                                                     const std::vector<std::string>& prefixes,
                                                     std::uint64_t at);
void insert_kt_prefix_nodes(pqxx::work& tx, const std::vector<kt_prefix_node_row>& nodes);

// Every stored balanced subtree of the log (for `admin kt verify`).
std::vector<kt_log_node_row> all_kt_log_nodes(pqxx::work& tx);

// `admin kt new-log`: copies every kt_ table to kt_archive_<suffix>_<table>, empties them, and
// queues every account and username again, so the next start publishes them at version 0
// under the new keys. Returns the labels queued.
std::int64_t archive_kt_log(pqxx::work& tx, const std::string& suffix);

// The account's username (read before a deletion, to queue its label); nullopt when none.
std::optional<std::string> find_username_of(pqxx::work& tx, const std::string& account_id);

// NOTIFY kt_head with the new position, delivered when the transaction commits.
inline constexpr const char* kKtHeadChannel = "kt_head";
void notify_kt_head(pqxx::work& tx, std::uint64_t position);

}  // namespace sealpost::storage
