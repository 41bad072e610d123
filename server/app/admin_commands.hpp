// Operator subcommands of the server binary: `sealpost-server admin invite create|list` and
// `admin sealed-sender ...`.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "storage/migrations.hpp"

namespace sealpost::app {

// Runs `args` (the words after "admin"); prints results to stdout; returns the exit code.
// Migrates the database to `schema` first, like the server does at start-up.
int run_admin_command(const config::server_config& cfg, const std::vector<std::string>& args,
                      std::span<const storage::migration> schema);

}  // namespace sealpost::app
