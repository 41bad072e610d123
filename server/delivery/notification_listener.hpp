// A dedicated Postgres connection LISTENing for wake-ups sent by any node's send
// transaction. Runs on its own thread (libpqxx blocks); reconnects after a lost connection
// and then reports it, so that the node re-checks every connected device's queue.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace sealpost::delivery {

class notification_listener {
 public:
  using on_payload = std::function<void(const std::string& payload)>;
  using on_connected = std::function<void()>;

  notification_listener(std::string database_url, std::string node_id, on_payload payload,
                        on_connected connected);
  ~notification_listener();
  notification_listener(const notification_listener&) = delete;
  notification_listener& operator=(const notification_listener&) = delete;

  void stop();

 private:
  void run();
  void listen_until_broken();

  std::string url_;
  std::string node_id_;
  on_payload payload_;
  on_connected connected_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace sealpost::delivery
