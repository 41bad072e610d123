// The state store's locking, reloading and removal.
#include "core/state_store.hpp"

#include <filesystem>
#include <system_error>

namespace sealpost::client {

state_file::lock state_store::lock_fresh() {
  if (deleted_) {
    throw usage_error("this account was deleted");
  }
  state_file::lock guard = file_.acquire();
  refresh();
  return guard;
}

void state_store::remove_files() {
  deleted_ = true;
  std::error_code ignored;
  std::filesystem::remove(file_.path(), ignored);
  std::filesystem::remove(file_.path().string() + ".lock", ignored);
}

// Picks up what another process wrote since we last read or wrote the file.
void state_store::refresh() {
  if (file_.changed_on_disk()) {
    local_state fresh = decode_state(file_.read().view());
    if (!server_url_override_.empty()) {
      fresh.server_url = server_url_override_;
    }
    state_ = std::move(fresh);
  }
}

void state_store::save_after_failure() noexcept {
  try {
    save();
  } catch (...) {
    // The original failure is the one to report.
  }
}

}  // namespace sealpost::client
