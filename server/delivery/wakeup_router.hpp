// Routes wake-ups: to this node's sockets at once, and to the other nodes' in batches.
//
// A send's commit never waits for a wake-up. After the commit, the resource hands the
// wake-up here: a socket of the device on this node is woken in-process, and the wake-up
// joins the next batch for the other nodes. One coroutine sends each batch as a NOTIFY in
// a transaction of its own that does not wait for the WAL flush (storage::notify_unflushed),
// at most one at a time, so a node sends a few hundred NOTIFYs a second however many sends
// it takes, and no send's commit ever holds Postgres's notify lock.
//
// A lost wake-up (this node dies between a commit and its batch; a listener's connection
// breaks) never loses an envelope, only delays it: a listener that reconnects re-checks
// every socket of its node, and every socket re-checks its queue on its own after
// websocket.recheck_interval_ms without a wake-up.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "delivery/connection_registry.hpp"
#include "delivery/wakeup.hpp"

namespace sealpost::metrics {
class registry;
}
namespace sealpost::storage {
class db_pool;
}

namespace sealpost::delivery {

class wakeup_router {
 public:
  wakeup_router(boost::asio::any_io_executor executor, storage::db_pool& db,
                connection_registry& sockets, std::string node_id,
                std::chrono::milliseconds batch_delay, metrics::registry& metrics);

  // After a commit: new envelopes for the device, or its one-time keys ran low.
  void publish(wakeup w);

  // A NOTIFY payload from this node's listener. Wake-ups this node sent itself were
  // applied when published and are skipped.
  void received(std::string_view payload);

  // The listener (re)connected: whatever was sent while it was away is found by re-checking
  // every socket of this node.
  void listener_connected();

  // Starts sending the gathered wake-ups, batch by batch, until the executor stops.
  void start();

  const std::string& node_id() const { return node_id_; }

 private:
  boost::asio::awaitable<void> run();  // on strand_
  // One batch as NOTIFYs; false when it could not be sent.
  boost::asio::awaitable<bool> send(const std::vector<wakeup>& batch);
  std::vector<wakeup> take_batch();
  void put_back(std::vector<wakeup> batch);

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  storage::db_pool& db_;
  connection_registry& sockets_;
  const std::string node_id_;
  const std::chrono::milliseconds batch_delay_;
  metrics::registry& metrics_;
  boost::asio::steady_timer signal_;  // cancelled when work arrives for an idle run()

  std::mutex mutex_;
  std::vector<wakeup> pending_;
  std::unordered_set<std::string> pending_lines_;  // the same wake-up is sent once per batch
  bool idle_ = false;                              // run() waits on signal_
};

}  // namespace sealpost::delivery
