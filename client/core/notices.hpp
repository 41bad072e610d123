// Notices about a contact (a changed key, a new or removed device, a dropped envelope) as
// the messenger's parts make them; describe() in messenger.hpp words them for people.
#pragma once

#include <cstdint>
#include <string>

#include "core/local_state.hpp"
#include "core/messenger.hpp"

namespace sealpost::client {

inline notice make_notice(notice::kind what, const contact& c, std::uint32_t device,
                          std::string detail = {}) {
  return notice{what, c.account_id, c.username, device, std::move(detail)};
}

}  // namespace sealpost::client
