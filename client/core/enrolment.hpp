// Making a device: fresh keys for registering an account or linking a device (saved before
// the server hears of them), and opening an existing state file.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

#include "core/messenger.hpp"
#include "core/messenger_core.hpp"
#include "net/api_client.hpp"

namespace sealpost::client {

// The request that registers or links a device: POST /v1/accounts or /v1/devices.
using enrol_call =
    std::function<net::registered_device(net::api_client&, const net::new_device_request&)>;

// A new account's primary makes the account's profile key and registers its access key; a
// linked device learns the profile key later, from the account's other devices.
enum class enrolment { new_account, linked_device };

// Creates the state file of a fresh device with `one_time` one-time prekeys, then lets
// `call` register it; the file is removed again when the server refuses. Then pins the
// server's sealed-sender trust root. usage_error for a missing path or more than 100
// prekeys; state_error(already_exists).
std::unique_ptr<messenger_core> enrol_device(const messenger_config& config, enrolment kind,
                                             std::size_t one_time, const enrol_call& call);

// The device of an existing state file (see messenger::open).
std::unique_ptr<messenger_core> open_device(const messenger_config& config);

}  // namespace sealpost::client
