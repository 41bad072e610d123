// The conversation history kept in the state: bounded to the newest entries.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/local_state.hpp"

namespace sealpost::client {

// Appends `entry` and drops the oldest entries beyond `limit`.
void append_history(local_state& state, history_entry entry, std::size_t limit);

// Drops the oldest entries beyond `limit`.
void trim_history(local_state& state, std::size_t limit);

// The entries with `account` (every entry when it is empty), oldest first.
[[nodiscard]] std::vector<history_entry> history_with(const local_state& state,
                                                      const std::string& account);

}  // namespace sealpost::client
