// The conversation history: appending with a bound, and filtering by contact.
#include "core/history.hpp"

namespace sealpost::client {

void append_history(local_state& state, history_entry entry, std::size_t limit) {
  state.history.push_back(std::move(entry));
  trim_history(state, limit);
}

void trim_history(local_state& state, std::size_t limit) {
  while (state.history.size() > limit) {
    state.history.pop_front();
  }
}

std::vector<history_entry> history_with(const local_state& state, const std::string& account) {
  std::vector<history_entry> out;
  for (const history_entry& entry : state.history) {
    if (account.empty() || entry.peer_account == account) {
      out.push_back(entry);
    }
  }
  return out;
}

}  // namespace sealpost::client
