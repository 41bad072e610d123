// The sealpost-server command line (options, config, admin commands, the server), for a
// binary built for a given list of schema migrations.
#pragma once

#include <span>

#include "storage/migrations.hpp"

namespace sealpost::app {

// Parses argv and runs what it asks for; returns the process exit code.
int run_command_line(int argc, char** argv, std::span<const storage::migration> schema);

}  // namespace sealpost::app
