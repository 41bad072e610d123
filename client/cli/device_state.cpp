// Where this device's state is, and the passphrases that open it and its backup.
#include "cli/device_state.hpp"

#include <openssl/crypto.h>

#include <optional>

#include "cli/terminal.hpp"

namespace sealpost::cli {
namespace {

constexpr const char* default_server = "http://127.0.0.1:8080";

std::filesystem::path state_path(const arguments& args) {
  if (args.state) {
    return *args.state;
  }
  if (const auto from_env = env("SEALPOST_STATE")) {
    return *from_env;
  }
  const auto home = env("HOME");
  if (!home) {
    throw usage_failure("no --state given and HOME is not set");
  }
  return std::filesystem::path(*home) / ".sealpost" / "sealpost.state";
}

}  // namespace

client::messenger_config make_config(const arguments& args, bool creating) {
  client::messenger_config config;
  config.state_path = state_path(args);
  std::optional<std::string> server = args.server ? args.server : env("SEALPOST_SERVER");
  if (creating) {
    config.server_url = server.value_or(default_server);
  } else if (server) {
    config.server_url = *server;
  }
  config.ca_file = args.ca_file ? *args.ca_file : env("SEALPOST_CA_FILE").value_or("");
  config.passphrase =
      read_passphrase("SEALPOST_PASSPHRASE",
                      creating ? "New passphrase for " + config.state_path.string() + ": "
                               : "Passphrase for " + config.state_path.string() + ": ",
                      creating);
  return config;
}

config_wiper::~config_wiper() {
  wipe(config.passphrase);
}

std::string backup_passphrase(bool confirm) {
  return read_passphrase("SEALPOST_BACKUP_PASSPHRASE", "Backup passphrase: ", confirm);
}

void wipe(std::string& secret) {
  OPENSSL_cleanse(secret.data(), secret.size());
}

}  // namespace sealpost::cli
