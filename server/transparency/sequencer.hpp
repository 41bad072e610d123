// The sequencer (DESIGN.md, "When versions are appended; the sequencer"): every node runs it;
// a batch is one transaction under a Postgres advisory lock, so with several nodes exactly one
// appends at a time and every change is published once, in order.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <pqxx/connection>
#include <string>
#include <thread>

#include "config/config.hpp"
#include "transparency/log_keys.hpp"
#include "transparency/publication_watch.hpp"

namespace sealpost::metrics {
class registry;
}

namespace sealpost::transparency {

enum class batch_result : std::uint8_t {
  locked,     // another node's batch was running
  idle,       // nothing to publish and no heartbeat due: rolled back
  unchanged,  // pending labels whose values equal the published ones: queue rows deleted
  published,  // a new entry with the changed labels
  heartbeat,  // a new entry with only the heartbeat label
};
const char* to_string(batch_result result);

struct batch_outcome {
  batch_result result = batch_result::idle;
  std::optional<std::uint64_t> position;  // the new entry's, when one was appended
  std::size_t versions = 0;               // label versions it published
};

// One batch in one transaction on `conn`, at time `now_ms` (ms since the Unix epoch).
batch_outcome run_batch(pqxx::connection& conn, const log_keys& keys,
                        const config::server_config& cfg, std::uint64_t now_ms);

// A node's sequencer thread: a batch every kt.batch_interval_ms on a connection of its own,
// which also LISTENs on kt_head so `watch` learns of entries any node appends.
class sequencer {
 public:
  sequencer(std::string database_url, std::string node_id, const log_keys& keys,
            const config::server_config& cfg, metrics::registry& metrics, publication_watch& watch);
  ~sequencer();
  sequencer(const sequencer&) = delete;
  sequencer& operator=(const sequencer&) = delete;

  void stop();

 private:
  void run();
  void run_until_broken();
  void record(const batch_outcome& outcome, std::chrono::steady_clock::duration took);

  std::string url_;
  std::string node_id_;
  const log_keys& keys_;
  const config::server_config& cfg_;
  metrics::registry& metrics_;
  publication_watch& watch_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace sealpost::transparency
