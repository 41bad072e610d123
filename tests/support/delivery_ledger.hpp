// The ledger of a crash test: what clients attempted, what the server answered, what
// devices received and which acks the server confirmed. Thread-safe while it records.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "http_connection.hpp"
#include "sealpost/v1/websocket.pb.h"

namespace sealpost::testing {

using ledger_clock = std::chrono::steady_clock;

// An answer not come yet: as if refused (nothing known to have reached the server).
inline http_result no_answer() {
  http_result r;
  r.how = http_result::kind::refused;
  return r;
}

struct send_attempt {
  std::string sender_account;
  ledger_clock::time_point started;
  ledger_clock::time_point finished;  // == started while the request is in flight
  bool done = false;
  http_result answer = no_answer();
  std::map<std::int32_t, std::string> guids;  // device -> guid, from a 200
};

struct delivery_record {
  std::string guid;  // canonical UUID text
  std::string content;
  std::int32_t device = 0;  // the device whose socket received it
  std::uint32_t destination_device = 0;
  std::string source_account;
  std::uint32_t source_device = 0;
  int connection = 0;  // which WebSocket connection of that device
  ledger_clock::time_point at;
};

// A 5xx with the API's JSON error body: {"error": "...", "message": "..."}.
bool is_clean_server_error(const http_result& r);

class delivery_ledger {
 public:
  // A send with content key `key` ("s<thread>-<n>") starts / got answer `r`.
  void begin(const std::string& key, const std::string& sender);
  void finish(const std::string& key, const http_result& r);

  void delivered(const sealpost::v1::Envelope& e, std::int32_t device, int connection);
  void ws_acked();
  void confirmed_ack(const std::string& guid);

  std::size_t ok_count();
  std::size_t delivery_count();
  // Sends started at or after `since` that have been answered (`only_ok`: with 200).
  std::size_t finished_since(ledger_clock::time_point since, bool only_ok);

  // Read only after the threads that write have been joined.
  const std::map<std::string, send_attempt>& attempts() const { return attempts_; }
  const std::vector<delivery_record>& deliveries() const { return deliveries_; }
  const std::map<std::string, ledger_clock::time_point>& confirmed_acks() const {
    return confirmed_acks_;
  }
  std::size_t ws_acks() const { return ws_acks_; }

 private:
  std::mutex mutex_;
  std::map<std::string, send_attempt> attempts_;  // by content key "s<thread>-<n>"
  std::vector<delivery_record> deliveries_;
  std::map<std::string, ledger_clock::time_point> confirmed_acks_;  // guid -> when confirmed
  std::size_t ok_ = 0;
  std::size_t ws_acks_ = 0;
};

}  // namespace sealpost::testing
