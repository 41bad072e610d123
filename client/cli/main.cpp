// `sealpost`: the reference client's command line. Wiring only: parse the arguments, find
// the command in the table, run it, and turn what it throws into a sentence and an exit
// status. The commands live in *_commands.cpp.
#include <iostream>
#include <map>
#include <string>

#include "cli/arguments.hpp"
#include "cli/commands.hpp"
#include "core/errors.hpp"
#include "core/messenger.hpp"
#include "net/errors.hpp"

namespace {

namespace cli = sealpost::cli;
namespace client = sealpost::client;
namespace net = sealpost::client::net;

constexpr const char* usage_text =
    R"(sealpost - end-to-end encrypted messaging over a Sealpost server

usage: sealpost [--server URL] [--state PATH] COMMAND [ARGUMENTS]

commands:
  register USERNAME [--invite CODE]  create an account; this device becomes its primary
  link                               (primary) print a code for linking a new device
  link CODE                          join an account as a new device (with a new --state)
  devices                            list this account's devices
  remove-device ID                   remove a device (the primary any other, a device itself)
  send USER MESSAGE...               send a message ('-' reads it from standard input)
  listen [--once] [--timeout SECS]   print messages as they arrive (--once: stop when the
                                     backlog is done)
  history [USER]                     show past messages
  contacts                           list contacts
  safety-number USER                 show the safety numbers with USER's devices
  verify USER                        trust USER's current keys after comparing safety numbers
  backup                             store an encrypted backup of contacts and history
  restore [--link CODE]              restore the backup (onto a new device: link it with --link)
  privacy                            show sealed-sender settings (who the server cannot see)
  privacy [--allow-anyone on|off] [--new-key] [--pin-new-root]
                                     (primary) let anyone send sealed, or only contacts
                                     with the access key; give the account a new access key;
                                     (any device) accept the server's new trust root
  kt status                          show the key-transparency log this device checks
  kt check                           check the server's log against what this device saw
                                     before (exit 1 on a failure)
  kt evidence [--out FILE]           write the answers that conflict (JSON) to FILE or stdout
  delete-account                     (primary) delete the account and this state file
  whoami                             show this device's account

options:
  --server URL    the server, http:// or https:// (env SEALPOST_SERVER; default: the one
                  this state file was made with, else http://127.0.0.1:8080)
  --state PATH    this device's state file (env SEALPOST_STATE; default
                  ~/.sealpost/sealpost.state)
  --ca-file PATH  for https:// servers: trust the certificates in this PEM file (e.g. a
                  self-signed server certificate) instead of the system's (env
                  SEALPOST_CA_FILE); the certificate and host name are always verified
  -h, --help      this text

environment:
  SEALPOST_PASSPHRASE         the state file's passphrase (asked on the terminal if unset)
  SEALPOST_BACKUP_PASSPHRASE  the backup's passphrase (asked on the terminal if unset)

exit status: 0 done, 1 failed, 2 bad usage, 3 a contact's safety number changed
)";

int run(const cli::arguments& args) {
  if (args.help || args.words.empty()) {
    std::cout << usage_text;
    return args.help ? 0 : 2;
  }
  using command = int (*)(const cli::arguments&);
  static const std::map<std::string, command> commands{{"register", cli::cmd_register},
                                                       {"link", cli::cmd_link},
                                                       {"devices", cli::cmd_devices},
                                                       {"remove-device", cli::cmd_remove_device},
                                                       {"send", cli::cmd_send},
                                                       {"listen", cli::cmd_listen},
                                                       {"history", cli::cmd_history},
                                                       {"contacts", cli::cmd_contacts},
                                                       {"safety-number", cli::cmd_safety_number},
                                                       {"verify", cli::cmd_verify},
                                                       {"backup", cli::cmd_backup},
                                                       {"restore", cli::cmd_restore},
                                                       {"privacy", cli::cmd_privacy},
                                                       {"kt", cli::cmd_kt},
                                                       {"delete-account", cli::cmd_delete_account},
                                                       {"whoami", cli::cmd_whoami}};
  const auto it = commands.find(args.words[0]);
  if (it == commands.end()) {
    throw cli::usage_failure("unknown command '" + args.words[0] + "' (see sealpost --help)");
  }
  return it->second(args);
}

// A hint that says what to do about an error, or "".
std::string hint_for(const net::api_error& e) {
  if (dynamic_cast<const net::unauthorized_error*>(&e) != nullptr) {
    return "the server did not accept this device's credentials; was it removed from the "
           "account, or the account deleted?";
  }
  if (const auto* limited = dynamic_cast<const net::rate_limited_error*>(&e)) {
    return "try again in " + std::to_string(limited->retry_after().count()) + " s";
  }
  if (e.code() == "username_taken") {
    return "pick another username";
  }
  if (e.code() == "invalid_link_token") {
    return "ask the primary device for a new code with `sealpost link`";
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(true);
  try {
    return run(cli::parse(argc, argv));
  } catch (const cli::usage_failure& e) {
    std::cerr << "sealpost: " << e.what() << std::endl;
    return 2;
  } catch (const client::identity_changed_error& e) {
    std::cerr << "sealpost: " << e.what() << ".\n  Run `sealpost safety-number " << e.contact()
              << "`, compare the numbers with " << e.contact() << ", then `sealpost verify "
              << e.contact() << "`." << std::endl;
    return 3;
  } catch (const client::trust_root_changed_error& e) {
    std::cerr << "sealpost: " << e.what() << std::endl;
    return 1;
  } catch (const client::usage_error& e) {
    std::cerr << "sealpost: " << e.what() << std::endl;
    return 2;
  } catch (const client::state_error& e) {
    std::cerr << "sealpost: " << e.what() << std::endl;
    if (e.error_kind() == client::state_error::kind::not_found) {
      std::cerr << "  Create one with `sealpost register USERNAME`, or link this device with "
                   "`sealpost link CODE`; --state chooses the file."
                << std::endl;
    }
    return 1;
  } catch (const net::api_error& e) {
    std::cerr << "sealpost: the server refused: " << e.what() << std::endl;
    if (const std::string hint = hint_for(e); !hint.empty()) {
      std::cerr << "  " << hint << std::endl;
    }
    return 1;
  } catch (const std::invalid_argument& e) {
    std::cerr << "sealpost: " << e.what() << std::endl;
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "sealpost: " << e.what() << std::endl;
    return 1;
  }
}
