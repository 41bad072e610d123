// Polls a condition until it holds or a timeout passes: for tests that wait on another
// process or thread.
#pragma once

#include <chrono>
#include <thread>

namespace sealpost::testing {

// True as soon as pred() is; false when `timeout` passed first. Polls every 5 ms.
template <class Pred>
bool wait_until(Pred pred, std::chrono::steady_clock::duration timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace sealpost::testing
