// Opening this device's state for a command, written once: which state file and server,
// the passphrase (from the environment or asked), and the messenger over them. The
// passphrase copies are wiped when the command is done.
#pragma once

#include <filesystem>
#include <string>

#include "cli/arguments.hpp"
#include "core/messenger.hpp"

namespace sealpost::cli {

// The configuration for a state file that exists (`creating` false: the server URL comes
// from it unless given) or is about to be made. Asks for the passphrase.
client::messenger_config make_config(const arguments& args, bool creating);

// Wipes the passphrase copy in a config when the command is done.
struct config_wiper {
  explicit config_wiper(client::messenger_config& c) noexcept : config(c) {}
  config_wiper(const config_wiper&) = delete;
  config_wiper& operator=(const config_wiper&) = delete;
  ~config_wiper();

  client::messenger_config& config;
};

// The existing state file's messenger, for commands that need one (all but register and
// link CODE). Throws what messenger::open throws.
struct opened_device {
  explicit opened_device(const arguments& args)
      : config(make_config(args, false)),
        wiper{config},
        messenger(client::messenger::open(config)) {}

  client::messenger_config config;
  config_wiper wiper;
  client::messenger messenger;
};

// The backup passphrase (SEALPOST_BACKUP_PASSPHRASE, or asked; twice when `confirm`).
std::string backup_passphrase(bool confirm);

// Overwrites `secret` in memory (a passphrase or a message text that is done with).
void wipe(std::string& secret);

}  // namespace sealpost::cli
