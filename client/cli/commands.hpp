// The CLI's commands, one function each: `sealpost NAME ...` runs cmd_NAME, which returns
// the exit status. Grouped by file: account_commands.cpp (the account and its devices),
// messaging_commands.cpp (send, listen, history, contacts), safety_commands.cpp (safety
// numbers, verification, backups, sealed-sender privacy and key transparency).
#pragma once

#include <string>

#include "cli/arguments.hpp"
#include "core/messenger.hpp"

namespace sealpost::cli {

int cmd_register(const arguments& args);
int cmd_link(const arguments& args);
int cmd_devices(const arguments& args);
int cmd_remove_device(const arguments& args);
int cmd_delete_account(const arguments& args);
int cmd_whoami(const arguments& args);

int cmd_send(const arguments& args);
int cmd_listen(const arguments& args);
int cmd_history(const arguments& args);
int cmd_contacts(const arguments& args);

int cmd_safety_number(const arguments& args);
int cmd_verify(const arguments& args);
int cmd_backup(const arguments& args);
int cmd_restore(const arguments& args);
int cmd_privacy(const arguments& args);
int cmd_kt(const arguments& args);

// Links this new device with a link code ("username:token" or a bare token) and says so;
// `link CODE` and `restore --link CODE` both start here.
client::messenger join(const arguments& args, const std::string& code);

}  // namespace sealpost::cli
