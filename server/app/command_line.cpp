// The sealpost-server command line: options, configuration, then the server or an admin
// command. Shared by the real binary and the test binary built with one more migration.
#include "app/command_line.hpp"

#include <boost/program_options.hpp>
#include <iostream>
#include <pqxx/except>

#include "app/admin_commands.hpp"
#include "app/server_app.hpp"
#include "config/config.hpp"
#include "sealed_sender/signing_keys.hpp"
#include "transparency/log_keys.hpp"
#include "util/log.hpp"

extern char** environ;

namespace {

namespace po = boost::program_options;

std::vector<std::string> process_environment() {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e)
    env.emplace_back(*e);
  return env;
}

// The words from "admin" on go to the admin command as they are: its own options (--out,
// --key-id, ...) are not the server's. "admin" as the value of --config does not count.
int admin_word_index(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view word = argv[i];
    if (word == "--config") {
      ++i;
    } else if (word == "admin") {
      return i;
    }
  }
  return argc;
}

}  // namespace

namespace sealpost::app {

int run_command_line(int argc, char** argv, std::span<const storage::migration> schema) {
  po::options_description options("sealpost-server options");
  options.add_options()("help", "show this help and every configuration key")(
      "version", "print the version and exit")("config", po::value<std::string>(),
                                               "path of the TOML configuration file")(
      "check-config", "validate the configuration and exit (0 when valid)")(
      "database-configured",
      "exit 0 when a database URL is configured, 1 when not (used by scripts/run.sh)");
  po::options_description hidden;
  hidden.add_options()("command", po::value<std::vector<std::string>>(), "subcommand words");
  po::options_description all;
  all.add(options).add(hidden);
  po::positional_options_description positional;
  positional.add("command", -1);
  po::variables_map vm;
  const int admin_at = admin_word_index(argc, argv);
  const std::vector<std::string> admin_words(argv + admin_at, argv + argc);
  try {
    po::store(po::command_line_parser(admin_at, argv).options(all).positional(positional).run(),
              vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "sealpost-server: " << e.what() << "\n" << options;
    return 2;
  }
  if (vm.count("help")) {
    std::cout << "usage: sealpost-server [options]\n"
                 "       sealpost-server [--config FILE] admin invite create [COUNT] | list\n"
                 "       sealpost-server admin sealed-sender new-trust-root --out DIR\n"
                 "       sealpost-server admin sealed-sender new-server-certificate "
                 "--trust-root FILE.key --key-id N --out DIR\n"
                 "       sealpost-server [--config FILE] admin sealed-sender show\n"
                 "       sealpost-server admin kt new-keys --out DIR\n"
                 "       sealpost-server [--config FILE] admin kt show | verify [--from N] | "
                 "new-log --confirm\n\n"
              << options << "\nConfiguration keys (file key, environment variable, default):\n"
              << sealpost::config::describe_keys();
    return 0;
  }
  if (vm.count("version")) {
    std::cout << "sealpost-server " << SEALPOST_VERSION << "\n";
    return 0;
  }

  sealpost::config::server_config cfg;
  try {
    std::optional<std::filesystem::path> file;
    if (vm.count("config"))
      file = vm["config"].as<std::string>();
    cfg = sealpost::config::load(file, process_environment());
  } catch (const sealpost::config::config_error& e) {
    std::cerr << "sealpost-server: invalid configuration: " << e.what() << "\n";
    return 2;
  }
  if (vm.count("database-configured"))
    return cfg.database_url.empty() ? 1 : 0;
  if (vm.count("command")) {
    std::cerr << "sealpost-server: unknown command '"
              << vm["command"].as<std::vector<std::string>>().front() << "' (see --help)\n";
    return 2;
  }
  if (!admin_words.empty()) {
    try {
      return run_admin_command(cfg, {admin_words.begin() + 1, admin_words.end()}, schema);
    } catch (const std::exception& e) {
      std::cerr << "sealpost-server admin: " << e.what() << "\n";
      return 1;
    }
  }
  if (vm.count("check-config")) {
    // The key files are part of the configuration: a node would refuse to start on them.
    if (cfg.sealed_sender_enabled && sealpost::sealed_sender::uses_key_files(cfg)) {
      try {
        sealpost::sealed_sender::load_key_files(cfg);
      } catch (const sealpost::sealed_sender::certificate_error& e) {
        std::cerr << "sealpost-server: invalid configuration: " << e.what() << "\n";
        return 2;
      }
    }
    if (cfg.kt_enabled && sealpost::transparency::uses_key_files(cfg)) {
      try {
        sealpost::transparency::load_key_files(cfg);
      } catch (const sealpost::transparency::log_key_error& e) {
        std::cerr << "sealpost-server: invalid configuration: " << e.what() << "\n";
        return 2;
      }
    }
    std::cout << "configuration is valid\n";
    return 0;
  }
  if (cfg.database_url.empty()) {
    std::cerr << "sealpost-server: no database configured: set database.url or "
                 "SEALPOST_DATABASE_URL, or start it with scripts/run.sh, which runs a private "
                 "local Postgres\n";
    return 2;
  }

  sealpost::log::init(cfg.log_level);
  try {
    return run_server(cfg, schema);
  } catch (const sealpost::config::config_error& e) {
    std::cerr << "sealpost-server: " << e.what() << "\n";
    return 2;
  } catch (const sealpost::sealed_sender::certificate_error& e) {
    std::cerr << "sealpost-server: " << e.what() << "\n";
    sealpost::log::error("sealed_sender_keys_invalid", {{"what", e.what()}});
    return 1;
  } catch (const sealpost::transparency::log_key_error& e) {
    std::cerr << "sealpost-server: " << e.what() << "\n";
    sealpost::log::error("kt_keys_invalid", {{"what", e.what()}});
    return 1;
  } catch (const sealpost::storage::incompatible_schema& e) {
    std::cerr << "sealpost-server: " << e.what() << "\n";
    sealpost::log::error("incompatible_schema", {{"what", e.what()}});
    return 1;
  } catch (const pqxx::broken_connection& e) {
    sealpost::log::error("database_unreachable", {{"what", e.what()}});
    return 1;
  } catch (const std::exception& e) {
    sealpost::log::error("fatal", {{"what", e.what()}});
    return 1;
  }
}

}  // namespace sealpost::app
