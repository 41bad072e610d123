// The server-wide bound on request bodies being read at once (http.max_body_bytes_in_flight):
// many slow or large uploads together cannot grow the process past it.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <utility>

namespace sealpost::net {

class body_budget {
 public:
  explicit body_budget(std::uint64_t capacity) : capacity_(capacity) {}

  // Bytes held for one request's body until it has been handled. Move-only.
  class reservation {
   public:
    reservation(reservation&& other) noexcept
        : budget_(std::exchange(other.budget_, nullptr)), bytes_(other.bytes_) {}
    reservation& operator=(reservation&& other) noexcept {
      if (this != &other) {
        release();
        budget_ = std::exchange(other.budget_, nullptr);
        bytes_ = other.bytes_;
      }
      return *this;
    }
    reservation(const reservation&) = delete;
    reservation& operator=(const reservation&) = delete;
    ~reservation() { release(); }

   private:
    friend class body_budget;
    reservation(body_budget& b, std::uint64_t bytes) : budget_(&b), bytes_(bytes) {}
    void release() {
      if (budget_ != nullptr)
        budget_->used_.fetch_sub(bytes_, std::memory_order_relaxed);
      budget_ = nullptr;
    }
    body_budget* budget_;
    std::uint64_t bytes_;
  };

  // Holds `bytes` of the budget, or nullopt when that would exceed it.
  std::optional<reservation> try_reserve(std::uint64_t bytes) {
    std::uint64_t used = used_.load(std::memory_order_relaxed);
    do {
      if (bytes > capacity_ - used)
        return std::nullopt;
    } while (!used_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
    return reservation(*this, bytes);
  }

  std::uint64_t capacity() const { return capacity_; }
  std::uint64_t in_use() const { return used_.load(std::memory_order_relaxed); }

 private:
  const std::uint64_t capacity_;
  std::atomic<std::uint64_t> used_{0};
};

}  // namespace sealpost::net
