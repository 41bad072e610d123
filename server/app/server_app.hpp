// Wiring of one server process: database, routers, listeners, signals, threads.
#pragma once

#include "config/config.hpp"

namespace sealpost::app {

// Runs the server until SIGTERM/SIGINT; returns the process exit code. Prints one line
// "sealpost-server listening on http://HOST:PORT (admin http://HOST:PORT)" to stdout once
// both listeners accept connections (tests and scripts read the real ports from it).
int run_server(const config::server_config& cfg);

}  // namespace sealpost::app
