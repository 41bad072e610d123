// The pause before reconnecting a listener: short after a connection that worked, doubling
// after each attempt that failed, up to a ceiling, so that a server that is down is not
// hammered and one that is back is reached soon.
#pragma once

#include <algorithm>
#include <chrono>

namespace sealpost::client {

class reconnect_backoff {
 public:
  constexpr reconnect_backoff(std::chrono::seconds first = std::chrono::seconds(1),
                              std::chrono::seconds ceiling = std::chrono::seconds(30)) noexcept
      : first_(first), ceiling_(std::max(first, ceiling)), pause_(first) {}

  // How long to wait before the next attempt.
  [[nodiscard]] constexpr std::chrono::seconds pause() const noexcept { return pause_; }

  // A connection came up: the next failure waits the shortest pause again.
  constexpr void connected() noexcept { pause_ = first_; }

  // The pause was waited and another attempt follows: the one after that waits longer.
  constexpr void waited() noexcept { pause_ = std::min(pause_ * 2, ceiling_); }

 private:
  std::chrono::seconds first_;
  std::chrono::seconds ceiling_;
  std::chrono::seconds pause_;
};

}  // namespace sealpost::client
