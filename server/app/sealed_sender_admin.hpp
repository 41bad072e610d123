// `sealpost-server admin sealed-sender ...`: the operator's offline key ceremony and a
// check of the keys in use (DESIGN.md, "Sealed sender": operator).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "storage/migrations.hpp"

namespace sealpost::app {

// Runs `args` (the words after "sealed-sender"); returns the exit code: 0, 1 when a file
// exists or a key does not verify, 2 for usage errors.
int run_sealed_sender_command(const config::server_config& cfg,
                              const std::vector<std::string>& args,
                              std::span<const storage::migration> schema);

}  // namespace sealpost::app
