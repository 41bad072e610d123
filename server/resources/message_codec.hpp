// JSON -> send request for PUT /v1/messages/{account_id}: the largest body a client
// controls. Kept apart from the handler so the fuzz target tests/fuzz/send_body.cpp runs
// exactly this code without a database.
#pragma once

#include <string_view>

#include "config/config.hpp"
#include "storage/message_repository.hpp"

namespace sealpost::resources {

// Reads the body: timestamp, optional online_only, and at most accounts.max_devices
// messages for distinct devices, each content at most messages.max_message_bytes after
// base64. 400 invalid_json / invalid_request, 413 too_many_items / message_too_large. The
// sender and recipient of the returned request are left empty for the handler to fill.
storage::send_request read_send_body(std::string_view body, const config::server_config& cfg);

}  // namespace sealpost::resources
