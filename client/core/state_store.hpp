// The device's state in memory and in its encrypted file: every messenger call runs as a
// transaction on it (file lock, reload what another process wrote, save afterwards).
#pragma once

#include <string>
#include <type_traits>
#include <utility>

#include "core/errors.hpp"
#include "core/local_state.hpp"
#include "core/messenger.hpp"
#include "core/state_file.hpp"
#include "net/server_address.hpp"

namespace sealpost::client {

class state_store {
 public:
  state_store(messenger_config config, state_file file, local_state state)
      : config_(std::move(config)), file_(std::move(file)), state_(std::move(state)) {}

  // The state in memory; the same object for the store's lifetime (reloads assign to it),
  // so the messenger's parts may keep a reference.
  [[nodiscard]] local_state& state() noexcept { return state_; }
  [[nodiscard]] const local_state& state() const noexcept { return state_; }
  [[nodiscard]] const messenger_config& config() const noexcept { return config_; }
  [[nodiscard]] net::connection_options connection_options() const {
    return {config_.timeout, config_.ca_file};
  }
  [[nodiscard]] net::device_login login() const {
    return {state_.account_id, state_.device_id, state_.password};
  }

  // A server URL given at open() that replaces the stored one, also after reloads.
  void override_server_url(std::string url) { server_url_override_ = std::move(url); }

  void save() { file_.write(encode_state(state_).view()); }

  // Runs `f` under the file lock on fresh state and saves afterwards, also when `f` throws
  // (the state in memory is always consistent; it may only be ahead, e.g. ratchets that
  // moved on for a send that then failed, and losing that would reuse message keys).
  template <typename F>
  auto transact(F&& f) -> decltype(f()) {
    const state_file::lock guard = lock_fresh();
    try {
      if constexpr (std::is_void_v<decltype(f())>) {
        f();
        save();
      } else {
        auto result = f();
        save();
        return result;
      }
    } catch (...) {
      save_after_failure();
      throw;
    }
  }

  // Runs `f` under the file lock on fresh state without saving: for calls that only read.
  template <typename F>
  auto inspect(F&& f) -> decltype(f()) {
    const state_file::lock guard = lock_fresh();
    return f();
  }

  // Takes the file lock and reloads what another process wrote. usage_error once the
  // account was deleted.
  [[nodiscard]] state_file::lock lock_fresh();

  // After the account is deleted: removes the state file and its lock file; every later
  // call is a usage_error.
  void remove_files();

 private:
  void refresh();
  void save_after_failure() noexcept;

  messenger_config config_;
  state_file file_;
  local_state state_;
  std::string server_url_override_;
  bool deleted_ = false;
};

}  // namespace sealpost::client
