// Listening for as long as the user wants (messenger::listen_forever): reconnecting after
// network failures with a growing pause, stopping for good when the server refuses us.
#pragma once

#include <cstddef>

#include "core/messenger.hpp"

namespace sealpost::client {

// See messenger::listen_forever; `refill_threshold` as for listen_on_socket.
listen_summary listen_with_reconnects(messenger& m, const listen_options& options,
                                      const listen_handlers& handlers,
                                      const reconnect_handlers& events,
                                      std::size_t refill_threshold);

}  // namespace sealpost::client
