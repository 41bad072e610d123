// Process-wide connection bookkeeping: the admission decision for new connections (the
// process cap and the per-IP cap), and the counters graceful shutdown waits on.
#pragma once

#include <atomic>
#include <boost/asio/ip/address.hpp>
#include <cstddef>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace sealpost::net {

class lifecycle {
 public:
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }
  void begin_stopping() { stopping_.store(true, std::memory_order_release); }

  std::size_t connections() const { return connections_.load(); }
  std::size_t in_flight() const { return in_flight_.load(); }

  // One admitted connection; releases its place (process-wide and for its IP) when it
  // goes. Move-only, so it can travel from the accept loop into the session coroutine.
  class connection_ticket {
   public:
    connection_ticket(connection_ticket&& other) noexcept
        : life_(std::exchange(other.life_, nullptr)), remote_(other.remote_) {}
    connection_ticket& operator=(connection_ticket&&) = delete;
    connection_ticket(const connection_ticket&) = delete;
    connection_ticket& operator=(const connection_ticket&) = delete;
    ~connection_ticket() {
      if (life_ != nullptr)
        life_->release(remote_);
    }

   private:
    friend class lifecycle;
    connection_ticket(lifecycle& l, const boost::asio::ip::address& remote)
        : life_(&l), remote_(remote) {}
    lifecycle* life_;
    boost::asio::ip::address remote_;
  };

  enum class refusal { none, stopping, process_limit, per_ip_limit };

  // Admits a connection from `remote` unless the process holds `max_total` connections or
  // `remote` holds `max_per_ip` (0 = no per-IP limit). Check and count happen under one
  // lock, so concurrent accepts cannot overshoot either cap.
  std::optional<connection_ticket> admit(const boost::asio::ip::address& remote,
                                         std::size_t max_total, std::size_t max_per_ip,
                                         refusal& why) {
    std::lock_guard lock(admission_);
    why = refusal::none;
    if (stopping()) {
      why = refusal::stopping;
    } else if (connections_.load() >= max_total) {
      why = refusal::process_limit;
    } else if (max_per_ip != 0 && per_ip_count(remote) >= max_per_ip) {
      why = refusal::per_ip_limit;
    }
    if (why != refusal::none)
      return std::nullopt;
    ++connections_;
    ++per_ip_[remote];
    return connection_ticket(*this, remote);
  }

  // Moves `ticket`'s place in the per-IP count to `remote` (behind a trusted proxy: the
  // client the connection now carries), unless `remote` already holds `max_per_ip`
  // connections (0 = no limit); then false, and the ticket stays where it was.
  bool recount(connection_ticket& ticket, const boost::asio::ip::address& remote,
               std::size_t max_per_ip) {
    std::lock_guard lock(admission_);
    if (ticket.remote_ == remote)
      return true;
    if (max_per_ip != 0 && per_ip_count(remote) >= max_per_ip)
      return false;
    forget_one(ticket.remote_);
    ++per_ip_[remote];
    ticket.remote_ = remote;
    return true;
  }

  std::size_t connections_from(const boost::asio::ip::address& remote) {
    std::lock_guard lock(admission_);
    return per_ip_count(remote);
  }

  // RAII counter: one per request being handled.
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
  std::size_t per_ip_count(const boost::asio::ip::address& remote) const {
    auto it = per_ip_.find(remote);
    return it == per_ip_.end() ? 0 : it->second;
  }

  void release(const boost::asio::ip::address& remote) {
    std::lock_guard lock(admission_);
    --connections_;
    forget_one(remote);
  }

  // Erase at zero so the table only holds addresses with open connections: its size is
  // bounded by the connection cap, whatever the number of distinct clients over time.
  void forget_one(const boost::asio::ip::address& remote) {
    if (auto it = per_ip_.find(remote); it != per_ip_.end() && --it->second == 0)
      per_ip_.erase(it);
  }

  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> connections_{0};
  std::atomic<std::size_t> in_flight_{0};
  std::mutex admission_;
  std::unordered_map<boost::asio::ip::address, std::size_t> per_ip_;
};

}  // namespace sealpost::net
