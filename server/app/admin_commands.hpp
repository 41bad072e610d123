// Operator subcommands of the server binary: `sealpost-server admin invite create|list`.
#pragma once

#include <string>
#include <vector>

#include "config/config.hpp"

namespace sealpost::app {

// Runs `args` (the words after "admin"); prints results to stdout; returns the exit code.
int run_admin_command(const config::server_config& cfg, const std::vector<std::string>& args);

}  // namespace sealpost::app
