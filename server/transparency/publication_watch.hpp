// What a request that changed a label waits on (DESIGN.md: registrations and links wait for
// publication, kt.confirm_wait_ms): a counter that the sequencer's LISTEN connection bumps for
// every entry any node appends. Waiters look at the database only when it moved.
#pragma once

#include <atomic>
#include <cstdint>

namespace sealpost::transparency {

class publication_watch {
 public:
  // Called for each NOTIFY kt_head (from the sequencer's thread).
  void published(std::uint64_t position) noexcept {
    newest_.store(position, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
  }
  // Changes whenever an entry was appended since it was last read.
  [[nodiscard]] std::uint64_t generation() const noexcept {
    return generation_.load(std::memory_order_acquire);
  }
  [[nodiscard]] std::uint64_t newest_position() const noexcept {
    return newest_.load(std::memory_order_relaxed);
  }

 private:
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<std::uint64_t> newest_{0};
};

}  // namespace sealpost::transparency
