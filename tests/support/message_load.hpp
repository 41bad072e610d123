// The load of a crash test: sender threads that PUT envelopes to both devices of one
// recipient at a steady pace, and a receiving device on a WebSocket, all following the
// server's current port and writing everything into a delivery_ledger.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "api_client.hpp"
#include "delivery_ledger.hpp"

namespace sealpost::testing {

// A request unanswered this long counts as a hang and fails the test: a database that is
// down must fail a request at once, not stall it until some timeout.
constexpr auto kRequestTimeout = std::chrono::seconds(10);
// Pause between two sends of one sender thread: at most 3 x 100 sends a second in all.
constexpr auto kSendPace = std::chrono::milliseconds(10);
constexpr int kSenders = 3;

struct recipient {
  device_login primary;    // listens during the run
  device_login secondary;  // offline until the final drain
};

struct load_accounts {
  recipient to;
  std::vector<device_login> senders;
};

// A recipient account with its two devices.
recipient register_recipient(std::uint16_t port);

// The recipient (two devices) and kSenders senders, each an account of its own.
load_accounts register_load_accounts(std::uint16_t port);

// Sends "s<thread>-<n>#<device>" contents from each sender. Device 1 of the recipient acks
// 60% over the socket, 20% with a REST DELETE (a 204 confirms the ack, then it is acked
// over the socket too, to free the delivery window), and leaves 20% unacked.
class message_load {
 public:
  message_load(std::uint16_t port, const std::vector<device_login>& senders, recipient to,
               delivery_ledger& book, std::uint32_t seed);
  ~message_load() { stop(); }
  message_load(const message_load&) = delete;
  message_load& operator=(const message_load&) = delete;

  void set_port(std::uint16_t port) { port_ = port; }
  int connections() const { return connections_; }

  // Holds the senders (once their requests in flight are answered) and closes the
  // receiver's socket, so that no client uses the server; resume() lets them go again.
  // REQUIREs that they stop within kRequestTimeout + 2 s.
  void pause();
  void resume() { paused_ = false; }

  void stop();

 private:
  void send_loop(int index, const device_login& me);
  void receive_loop(std::uint32_t seed);

  std::atomic<std::uint16_t> port_;
  recipient to_;
  delivery_ledger& book_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> paused_{false};
  std::atomic<int> sending_{0};
  std::atomic<bool> listening_{true};
  std::atomic<int> connections_{0};
  std::vector<std::thread> threads_;
};

// Drains both devices of the recipient over new sockets (acking everything), waits for the
// acks to take effect and checks that a new connection finds both queues empty.
void drain_all(std::uint16_t port, const recipient& to, delivery_ledger& book);

}  // namespace sealpost::testing
