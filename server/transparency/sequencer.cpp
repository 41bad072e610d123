// One sequencer batch, and the thread that runs one every kt.batch_interval_ms.
#include "transparency/sequencer.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <map>
#include <pqxx/pqxx>
#include <set>

#include "keytrans/binary_ladder.hpp"
#include "keytrans/commitment.hpp"
#include "keytrans/labels.hpp"
#include "keytrans/log_tree.hpp"
#include "keytrans/prefix_store.hpp"
#include "metrics/metrics.hpp"
#include "storage/kt_repository.hpp"
#include "transparency/labels.hpp"
#include "transparency/prefix_reader.hpp"
#include "transparency/raw_bytes.hpp"
#include "util/log.hpp"

namespace sealpost::transparency {
namespace {

using keytrans::bytes;

// The value each label has now, read in this transaction (READ COMMITTED: every change whose
// queue row the batch read has committed, so it is visible). Labels no Sealpost label has are
// left out: their queue rows are dropped.
std::map<std::string, std::string> current_values(pqxx::work& tx,
                                                  const std::set<std::string>& labels,
                                                  std::uint64_t now_ms) {
  std::map<std::string, std::string> account_of_label, username_of_label;
  std::vector<std::string> accounts, usernames;
  std::map<std::string, std::string> values;
  for (const auto& label : labels) {
    const auto parsed = parse_label(label);
    if (!parsed)
      continue;
    if (const auto* a = std::get_if<account_label_of>(&*parsed)) {
      accounts.push_back(a->account_id);
      account_of_label[label] = a->account_id;
    } else if (const auto* u = std::get_if<username_label_of>(&*parsed)) {
      usernames.push_back(u->username);
      username_of_label[label] = u->username;
    } else {
      values[label] = as_string(keytrans::heartbeat_value(now_ms));
    }
  }
  const auto device_sets = storage::read_device_sets(tx, accounts);
  for (const auto& [label, account_id] : account_of_label) {
    std::vector<keytrans::kt_device> devices;
    if (const auto it = device_sets.find(account_id); it != device_sets.end()) {
      for (const auto& d : it->second)
        devices.push_back({d.device_id, d.registration_id,
                           bytes(span_of(d.identity_key).begin(), span_of(d.identity_key).end())});
    }
    const auto encoded = keytrans::encode_device_list(devices);
    if (!encoded)
      throw std::runtime_error("kt: an account's device list cannot be encoded");
    values[label] = as_string(*encoded);
  }
  const auto owners = storage::read_username_owners(tx, usernames);
  for (const auto& [label, name] : username_of_label) {
    const auto it = owners.find(name);
    values[label] = it == owners.end() ? std::string() : account_label(it->second).substr(1);
  }
  return values;
}

// A new version of `label`: its search key and proof from the VRF, a fresh opening, the
// commitment [D5].
storage::kt_version_row new_version(const log_keys& keys, const std::string& label,
                                    std::uint32_t version, std::uint64_t position,
                                    const std::string& value) {
  const auto evaluation =
      keys.vrf_key.evaluate(keytrans::encode_vrf_input(span_of(label), version));
  auto opening = keytrans::new_commitment_opening();
  const auto commitment =
      keytrans::compute_commitment(opening, span_of(label), version, span_of(value));
  if (!commitment)
    throw std::runtime_error("kt: cannot make a version's commitment");
  storage::kt_version_row row{label,
                              version,
                              position,
                              as_string(evaluation.output),
                              as_string(evaluation.proof),
                              as_string(*commitment),
                              as_string(opening),
                              value};
  OPENSSL_cleanse(opening.data(), opening.size());
  return row;
}

// The versions this batch publishes: one per label whose value differs from its newest
// published one [D5].
std::vector<storage::kt_version_row> changed_versions(
    pqxx::work& tx, const log_keys& keys, const std::map<std::string, std::string>& values,
    std::uint64_t position) {
  std::vector<std::string> labels;
  for (const auto& [label, value] : values)
    labels.push_back(label);
  const auto latest = storage::latest_kt_versions(tx, labels);
  std::vector<storage::kt_version_row> versions;
  for (const auto& [label, value] : values) {
    const auto it = latest.find(label);
    if (it != latest.end() && it->second.value == value)
      continue;
    if (it != latest.end() && it->second.version == keytrans::max_label_version)
      throw std::runtime_error("kt: a label ran out of versions");
    const std::uint32_t version = it == latest.end() ? 0 : it->second.version + 1;
    versions.push_back(new_version(keys, label, version, position, value));
  }
  return versions;
}

// The log tree's full subtrees at `size` leaves, from kt_log_nodes.
keytrans::log_full_subtree_state log_state(pqxx::work& tx, std::uint64_t size) {
  std::vector<storage::kt_log_node_row> wanted;
  for (const auto& subtree : keytrans::log_full_subtrees(size))
    wanted.push_back({subtree.level(), subtree.index_at_level(), {}});
  const auto found = storage::read_kt_log_nodes(tx, wanted);
  keytrans::log_full_subtree_state state{size, {}};
  for (const auto& w : wanted) {
    const auto it = std::find_if(found.begin(), found.end(), [&](const auto& f) {
      return f.level == w.level && f.index == w.index;
    });
    if (it == found.end())
      throw std::runtime_error("kt tables: a full subtree of the log is missing");
    state.heads.push_back(as_array<keytrans::log_hash_size>(it->hash));
  }
  return state;
}

// Appends the entry's leaf to the log tree, stores the subtrees it completes, and returns the
// new root.
keytrans::log_hash append_log_leaf(pqxx::work& tx, std::uint64_t position,
                                   const keytrans::log_entry& entry) {
  const auto appended =
      keytrans::log_append_leaf(log_state(tx, position), keytrans::log_leaf_value(entry));
  if (!appended)
    throw std::runtime_error("kt tables: the log's full subtrees do not fit its size");
  std::vector<storage::kt_log_node_row> nodes;
  for (const auto& node : appended->completed)
    nodes.push_back({node.subtree.level(), node.subtree.index_at_level(), as_string(node.value)});
  storage::insert_kt_log_nodes(tx, nodes);
  const auto root = keytrans::log_root_from_full_subtrees(appended->state);
  if (!root)
    throw std::runtime_error("kt: the log has no root after an append");
  return *root;
}

// Inserts the versions' leaves into the prefix tree as of entry `position`; returns its root.
keytrans::prefix_hash append_prefix_leaves(pqxx::work& tx, std::uint64_t position,
                                           const std::vector<storage::kt_version_row>& versions) {
  std::vector<keytrans::prefix_leaf> leaves;
  for (const auto& v : versions)
    leaves.push_back({as_array<keytrans::prefix_search_key_size>(v.search_key),
                      as_array<keytrans::prefix_hash_size>(v.commitment)});
  database_prefix_reader reader(tx);
  const auto base = position == 0 ? std::nullopt : std::optional<std::uint64_t>(position - 1);
  const auto inserted = keytrans::prefix_store_insert(reader, base, leaves, position);
  storage::insert_kt_prefix_nodes(tx, to_rows(inserted.rows));
  return inserted.root;
}

// Appends entry `position` with `versions`, signs its tree head and writes every row.
void append_entry(pqxx::work& tx, const log_keys& keys, std::uint64_t position,
                  std::uint64_t timestamp_ms,
                  const std::vector<storage::kt_version_row>& versions) {
  const auto prefix_root = append_prefix_leaves(tx, position, versions);
  const auto log_root = append_log_leaf(tx, position, {timestamp_ms, prefix_root});
  const auto tbs = keytrans::encode_tree_head_tbs(keys.configuration, position + 1, log_root);
  const auto signature = keytrans::p256_sign(*keys.signing_key, tbs);
  storage::insert_kt_versions(tx, versions);
  storage::insert_kt_entry(tx,
                           {position, timestamp_ms, as_string(prefix_root), as_string(signature)});
  storage::notify_kt_head(tx, position);
}

}  // namespace

const char* to_string(batch_result result) {
  switch (result) {
    case batch_result::locked:
      return "locked";
    case batch_result::idle:
      return "idle";
    case batch_result::unchanged:
      return "unchanged";
    case batch_result::published:
      return "published";
    case batch_result::heartbeat:
      return "heartbeat";
  }
  return "unknown";
}

batch_outcome run_batch(pqxx::connection& conn, const log_keys& keys,
                        const config::server_config& cfg, std::uint64_t now_ms) {
  pqxx::work tx(conn);
  if (!storage::try_lock_kt_sequencer(tx))
    return {batch_result::locked, std::nullopt, 0};
  const auto pending = storage::read_kt_pending(tx, cfg.kt_max_batch);
  std::set<std::string> labels;
  std::vector<std::int64_t> pending_ids;
  for (const auto& row : pending) {
    labels.insert(row.label);
    pending_ids.push_back(row.id);
  }
  const auto newest = storage::newest_kt_entry(tx);
  const std::uint64_t position = newest ? newest->position + 1 : 0;
  auto versions = changed_versions(tx, keys, current_values(tx, labels, now_ms), position);

  batch_result result = batch_result::published;
  if (versions.empty()) {
    const bool heartbeat_due =
        !newest || now_ms >= newest->timestamp_ms + cfg.kt_heartbeat_interval_ms;
    if (!heartbeat_due) {
      if (pending_ids.empty())
        return {batch_result::idle, std::nullopt, 0};  // the transaction rolls back
      storage::delete_kt_pending(tx, pending_ids);
      tx.commit();
      return {batch_result::unchanged, std::nullopt, 0};
    }
    versions = changed_versions(
        tx, keys, {{heartbeat_label(), as_string(keytrans::heartbeat_value(now_ms))}}, position);
    result = batch_result::heartbeat;
  }
  const std::uint64_t timestamp_ms = newest ? std::max(now_ms, newest->timestamp_ms) : now_ms;
  append_entry(tx, keys, position, timestamp_ms, versions);
  storage::delete_kt_pending(tx, pending_ids);
  tx.commit();
  return {result, position, versions.size()};
}

sequencer::sequencer(std::string database_url, std::string node_id, const log_keys& keys,
                     const config::server_config& cfg, metrics::registry& metrics,
                     publication_watch& watch)
    : url_(std::move(database_url)),
      node_id_(std::move(node_id)),
      keys_(keys),
      cfg_(cfg),
      metrics_(metrics),
      watch_(watch),
      thread_([this] { run(); }) {}

sequencer::~sequencer() {
  stop();
}

void sequencer::stop() {
  stopping_ = true;
  if (thread_.joinable())
    thread_.join();
}

void sequencer::run() {
  while (!stopping_) {
    try {
      run_until_broken();
    } catch (const std::exception& e) {
      metrics_.kt_batch("failed", std::chrono::seconds(0));
      log::warn("kt_sequencer_failed", {{"what", e.what()}});
    }
    for (int i = 0; i < 10 && !stopping_; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

namespace {

class head_receiver : public pqxx::notification_receiver {
 public:
  head_receiver(pqxx::connection_base& conn, publication_watch& watch)
      : pqxx::notification_receiver(conn, storage::kKtHeadChannel), watch_(watch) {}
  void operator()(const std::string& payload, int /*backend_pid*/) override {
    try {
      watch_.published(std::stoull(payload));
    } catch (const std::exception&) {
      // Not ours: only sequencers notify this channel, with a decimal position.
    }
  }

 private:
  publication_watch& watch_;
};

std::uint64_t now_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

}  // namespace

void sequencer::record(const batch_outcome& outcome, std::chrono::steady_clock::duration took) {
  metrics_.kt_batch(to_string(outcome.result), took);
  if (outcome.position)
    log::info("kt_entry_appended",
              {{"position", *outcome.position},
               {"versions", outcome.versions},
               {"batch_ms", std::chrono::duration_cast<std::chrono::milliseconds>(took).count()}});
}

void sequencer::run_until_broken() {
  pqxx::connection conn(url_);
  {
    pqxx::nontransaction tx(conn);
    tx.exec("SET application_name = " + tx.quote("sealpost-kt-sequencer " + node_id_));
  }
  head_receiver receiver(conn, watch_);
  conn.get_notifs();
  const auto interval = std::chrono::milliseconds(cfg_.kt_batch_interval_ms);
  while (!stopping_) {
    const auto started = std::chrono::steady_clock::now();
    const auto outcome = run_batch(conn, keys_, cfg_, now_ms());
    record(outcome, std::chrono::steady_clock::now() - started);
    {
      pqxx::work tx(conn);
      const auto newest = storage::newest_kt_entry(tx);
      const double age =
          newest ? static_cast<double>(now_ms() - std::min(now_ms(), newest->timestamp_ms)) / 1000
                 : 0;
      metrics_.kt_log_state(newest ? static_cast<double>(newest->position + 1) : 0,
                            static_cast<double>(storage::count_all_kt_pending(tx)), age);
    }
    // Wait for the next batch, passing on every entry any node appends meanwhile.
    const auto next = started + interval;
    while (!stopping_ && std::chrono::steady_clock::now() < next) {
      const auto left = std::chrono::duration_cast<std::chrono::microseconds>(
          next - std::chrono::steady_clock::now());
      const auto slice = std::min<long>(std::max<long>(left.count(), 0), 200000);
      conn.await_notification(0, slice);
      if (!conn.is_open())
        throw pqxx::broken_connection("kt sequencer connection closed");
    }
  }
}

}  // namespace sealpost::transparency
