// `sealpost-server admin kt ...`: the key-transparency log's keys, state, full verification
// and replacement (DESIGN.md, "Operator: admin commands, config, metrics").
#pragma once

#include <span>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "storage/migrations.hpp"

namespace sealpost::app {

// Runs `args` (the words after "kt"); returns the exit code: 0, 1 when a file exists or the
// log does not verify, 2 for usage errors.
int run_kt_command(const config::server_config& cfg, const std::vector<std::string>& args,
                   std::span<const storage::migration> schema);

}  // namespace sealpost::app
