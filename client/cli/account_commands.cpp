// Commands about the account and its devices: register, link, devices, remove-device,
// delete-account, whoami.
#include <iostream>
#include <optional>
#include <utility>

#include "cli/commands.hpp"
#include "cli/device_state.hpp"
#include "cli/printing.hpp"
#include "cli/terminal.hpp"

namespace sealpost::cli {
namespace {

// "username:token" or a bare token.
std::pair<std::optional<std::string>, std::string> split_link_code(const std::string& code) {
  const auto colon = code.find(':');
  if (colon == std::string::npos) {
    return {std::nullopt, code};
  }
  return {code.substr(0, colon), code.substr(colon + 1)};
}

// The primary's half of linking: a code, and the command to run on the new device.
int print_link_code(const arguments& args) {
  opened_device device(args);
  client::messenger& m = device.messenger;
  const client::net::link_token token = m.create_link_token();
  const std::string code = m.username().empty() ? token.token : m.username() + ":" + token.token;
  std::cout << "Link code (single use, valid until "
            << clock_time(static_cast<std::uint64_t>(token.expires_at_ms)) << "):\n  " << code
            << "\nOn the new device run:\n  sealpost --server " << m.server_url()
            << " --state NEW_DEVICE.state link " << code << std::endl;
  return 0;
}

}  // namespace

int cmd_register(const arguments& args) {
  require_words(args, 2, 2, "register USERNAME [--invite CODE]");
  client::messenger_config config = make_config(args, true);
  const config_wiper wiper{config};
  client::registration_options options;
  options.invite = args.invite;
  std::cerr << "Registering " << args.words[1] << " at " << config.server_url << "..." << std::endl;
  client::messenger m = client::messenger::register_account(config, args.words[1], options);
  std::cout << "Registered " << m.username() << " (account " << m.account_id()
            << "), this is device " << m.device_id() << ".\nState saved in "
            << config.state_path.string() << std::endl;
  return 0;
}

client::messenger join(const arguments& args, const std::string& code) {
  client::messenger_config config = make_config(args, true);
  const config_wiper wiper{config};
  const auto [username, token] = split_link_code(code);
  std::cerr << "Linking this device at " << config.server_url << "..." << std::endl;
  client::messenger m = client::messenger::link_device(config, token, username);
  std::cout << "Linked: this is device " << m.device_id() << " of "
            << who(m.username(), m.account_id()) << ".\nState saved in "
            << config.state_path.string() << std::endl;
  return m;
}

int cmd_link(const arguments& args) {
  require_words(args, 1, 2, "link [CODE]");
  if (args.words.size() == 2) {
    join(args, args.words[1]);
    return 0;
  }
  return print_link_code(args);
}

int cmd_devices(const arguments& args) {
  require_words(args, 1, 1, "devices");
  opened_device device(args);
  for (const client::device_info& d : device.messenger.devices()) {
    std::cout << "device " << d.device_id << (d.device_id == 1 ? " (primary)" : "")
              << (d.this_device ? " (this device)" : "")
              << (d.not_in_log ? "  not in the key-transparency log" : "") << std::endl;
  }
  return 0;
}

int cmd_remove_device(const arguments& args) {
  require_words(args, 2, 2, "remove-device ID");
  const std::uint32_t id = parse_device_id(args.words[1]);
  opened_device device(args);
  const std::string warning = device.messenger.remove_device(id);
  if (id == device.messenger.device_id()) {
    std::cout << "This device was removed from the account; " << device.config.state_path.string()
              << " is of no further use." << std::endl;
    return 0;
  }
  std::cout << "Removed device " << id << "." << std::endl;
  if (!warning.empty()) {
    std::cout << "ALERT: " << warning << std::endl;
    return 1;
  }
  return 0;
}

int cmd_delete_account(const arguments& args) {
  require_words(args, 1, 1, "delete-account");
  opened_device device(args);
  device.messenger.delete_account();
  std::cout << "The account and " << device.config.state_path.string() << " are deleted."
            << std::endl;
  return 0;
}

int cmd_whoami(const arguments& args) {
  require_words(args, 1, 1, "whoami");
  opened_device device(args);
  const client::messenger& m = device.messenger;
  std::cout << "user:    " << (m.username().empty() ? "(unknown)" : m.username())
            << "\naccount: " << m.account_id() << "\ndevice:  " << m.device_id()
            << "\nserver:  " << m.server_url() << std::endl;
  return 0;
}

}  // namespace sealpost::cli
