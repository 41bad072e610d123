// Process-wide connection bookkeeping that graceful shutdown waits on.
#pragma once

#include <atomic>
#include <cstddef>

namespace sealpost::net {

class lifecycle {
 public:
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }
  void begin_stopping() { stopping_.store(true, std::memory_order_release); }

  std::size_t connections() const { return connections_.load(); }
  std::size_t in_flight() const { return in_flight_.load(); }

  // RAII counters: one per open connection, one per request being handled.
  class connection_scope {
   public:
    explicit connection_scope(lifecycle& l) : l_(l) { ++l_.connections_; }
    ~connection_scope() { --l_.connections_; }
    connection_scope(const connection_scope&) = delete;
    connection_scope& operator=(const connection_scope&) = delete;

   private:
    lifecycle& l_;
  };
  class request_scope {
   public:
    explicit request_scope(lifecycle& l) : l_(l) { ++l_.in_flight_; }
    ~request_scope() { --l_.in_flight_; }
    request_scope(const request_scope&) = delete;
    request_scope& operator=(const request_scope&) = delete;

   private:
    lifecycle& l_;
  };

 private:
  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> connections_{0};
  std::atomic<std::size_t> in_flight_{0};
};

}  // namespace sealpost::net
