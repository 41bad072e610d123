// The body fields shared by registration and device linking: password, registration id,
// identity key and the device's first keys.
#pragma once

#include "config/config.hpp"
#include "net/json_reader.hpp"
#include "storage/account_repository.hpp"

namespace sealpost::resources {

// Reads and validates them; the password is hashed at once and not kept.
storage::new_device read_new_device(net::json_reader& body, const config::server_config& cfg);

}  // namespace sealpost::resources
