// The wall clock in milliseconds since the epoch: message timestamps and key ages.
#pragma once

#include <chrono>
#include <cstdint>

namespace sealpost::client {

inline std::uint64_t now_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

}  // namespace sealpost::client
