// Listening on one WebSocket (messenger::listen): deliveries in batches (processed and
// saved, then acked), prekey top-ups on KeysLow, and the end of the backlog.
#pragma once

#include <cstddef>
#include <functional>

#include "core/messenger.hpp"
#include "net/websocket_client.hpp"

namespace sealpost::client {

// Reads `socket` for `m` until `options` say stop; see messenger::listen. Uploads prekeys
// on KeysLow when the server's pool is below `refill_threshold`. Counts into `summary` as
// it goes, so that what was done before an exception still counts. `between_frames`, when
// set, runs whenever the loop wakes (at least every quarter second): the caller's periodic
// work.
void listen_on_socket(messenger& m, net::websocket_client& socket, const listen_options& options,
                      const listen_handlers& handlers, std::size_t refill_threshold,
                      listen_summary& summary, const std::function<void()>& between_frames = {});

}  // namespace sealpost::client
