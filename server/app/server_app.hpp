// Wiring of one server process: database, routers, listeners, signals, threads.
#pragma once

#include <span>

#include "config/config.hpp"
#include "storage/migrations.hpp"

namespace sealpost::app {

// Runs the server until SIGTERM/SIGINT; returns the process exit code. Prints one line
// "sealpost-server listening on http://HOST:PORT (admin http://HOST:PORT)" to stdout once
// both listeners accept connections (tests and scripts read the real ports from it).
// `schema` is the list of migrations this node is built for (storage::embedded_migrations()
// in the real binary): it migrates the database to it and serves while the database's schema
// is compatible with it (rolling upgrades).
int run_server(const config::server_config& cfg, std::span<const storage::migration> schema);

}  // namespace sealpost::app
