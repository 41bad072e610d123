// `sealpost`: the reference client's command line. Wiring only: parse the arguments, open
// or create the device's state, run one messenger call, print the outcome for people.
#include <openssl/crypto.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cli/terminal.hpp"
#include "core/errors.hpp"
#include "core/messenger.hpp"
#include "net/errors.hpp"

namespace {

namespace client = sealpost::client;
namespace net = sealpost::client::net;
using sealpost::cli::printable;

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

constexpr const char* default_server = "http://127.0.0.1:8080";

class usage_failure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct arguments {
  std::optional<std::string> server;
  std::optional<std::string> state;
  std::optional<std::string> invite;
  std::optional<std::string> link_code;
  std::optional<std::string> ca_file;
  std::optional<long> timeout_seconds;
  bool once = false;
  bool help = false;
  std::vector<std::string> words;  // the command and its positional arguments
};

std::optional<std::string> env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::optional<std::string>(value) : std::nullopt;
}

arguments parse(int argc, char** argv) {
  arguments out;
  const std::map<std::string, std::optional<std::string> arguments::*> valued{
      {"--server", &arguments::server},
      {"--state", &arguments::state},
      {"--invite", &arguments::invite},
      {"--link", &arguments::link_code},
      {"--ca-file", &arguments::ca_file}};
  bool only_words = false;
  for (int i = 1; i < argc; ++i) {
    std::string word = argv[i];
    if (only_words || word == "-" || !word.starts_with("-")) {
      out.words.push_back(std::move(word));
      continue;
    }
    if (word == "--") {
      only_words = true;
      continue;
    }
    std::optional<std::string> inline_value;
    if (const auto eq = word.find('='); eq != std::string::npos && word.starts_with("--")) {
      inline_value = word.substr(eq + 1);
      word = word.substr(0, eq);
    }
    auto value = [&]() -> std::string {
      if (inline_value) {
        return *inline_value;
      }
      if (i + 1 >= argc) {
        throw usage_failure(word + " needs a value");
      }
      return argv[++i];
    };
    if (word == "-h" || word == "--help") {
      out.help = true;
    } else if (word == "--once") {
      out.once = true;
    } else if (word == "--timeout") {
      const std::string text = value();
      char* end = nullptr;
      const long seconds = std::strtol(text.c_str(), &end, 10);
      if (text.empty() || *end != '\0' || seconds <= 0) {
        throw usage_failure("--timeout takes a number of seconds");
      }
      out.timeout_seconds = seconds;
    } else if (const auto it = valued.find(word); it != valued.end()) {
      out.*(it->second) = value();
    } else {
      throw usage_failure("unknown option " + word);
    }
  }
  return out;
}

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

// The configuration for a state file that exists (`creating` false: the server URL comes
// from it unless given) or is about to be made.
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
  config.passphrase = sealpost::cli::read_passphrase(
      "SEALPOST_PASSPHRASE",
      creating ? "New passphrase for " + config.state_path.string() + ": "
               : "Passphrase for " + config.state_path.string() + ": ",
      creating);
  return config;
}

// Wipes the passphrase copy in the config when the command is done.
struct config_wiper {
  client::messenger_config& config;
  ~config_wiper() { OPENSSL_cleanse(config.passphrase.data(), config.passphrase.size()); }
};

std::string backup_passphrase(bool confirm) {
  return sealpost::cli::read_passphrase("SEALPOST_BACKUP_PASSPHRASE",
                                        "Backup passphrase: ", confirm);
}

void require_words(const arguments& args, std::size_t min, std::size_t max, const char* form) {
  if (args.words.size() < min || args.words.size() > max) {
    throw usage_failure(std::string("usage: sealpost ") + form);
  }
}

std::uint32_t parse_device_id(const std::string& text) {
  char* end = nullptr;
  const unsigned long id = std::strtoul(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || id == 0 || id > INT32_MAX) {
    throw usage_failure("'" + text + "' is not a device id");
  }
  return static_cast<std::uint32_t>(id);
}

std::string who(const std::string& username, const std::string& account_id) {
  return username.empty() ? account_id : username;
}

std::string grouped(const std::string& digits) {
  std::string out;
  for (std::size_t i = 0; i < digits.size(); i += 5) {
    if (!out.empty()) {
      out.push_back(' ');
    }
    out += digits.substr(i, 5);
  }
  return out;
}

void print_message(const client::received_message& m) {
  const std::string peer = printable(who(m.peer_username, m.peer_account));
  std::cout << "[" << sealpost::cli::clock_time(m.timestamp_ms) << "] ";
  if (m.sent_by_us) {
    std::cout << "you (device " << m.sender_device << ") -> " << peer;
  } else {
    std::cout << peer;
    if (m.sender_device != 1) {
      std::cout << " (device " << m.sender_device << ")";
    }
  }
  if (m.identity_unverified) {
    std::cout << " [UNVERIFIED: safety number changed]";
  }
  std::cout << ": " << printable(m.text) << std::endl;
}

void print_notice(const client::notice& n) {
  std::cout << "! " << printable(client::describe(n)) << std::endl;
}

// ---- commands ----

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

// "username:token" or a bare token.
std::pair<std::optional<std::string>, std::string> split_link_code(const std::string& code) {
  const auto colon = code.find(':');
  if (colon == std::string::npos) {
    return {std::nullopt, code};
  }
  return {code.substr(0, colon), code.substr(colon + 1)};
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
  client::messenger_config config = make_config(args, false);
  const config_wiper wiper{config};
  client::messenger m = client::messenger::open(config);
  const net::link_token token = m.create_link_token();
  const std::string code = m.username().empty() ? token.token : m.username() + ":" + token.token;
  std::cout << "Link code (single use, valid until "
            << sealpost::cli::clock_time(static_cast<std::uint64_t>(token.expires_at_ms))
            << "):\n  " << code << "\nOn the new device run:\n  sealpost --server "
            << m.server_url() << " --state NEW_DEVICE.state link " << code << std::endl;
  return 0;
}

int cmd_devices(const arguments& args) {
  require_words(args, 1, 1, "devices");
  client::messenger_config config = make_config(args, false);
  const config_wiper wiper{config};
  client::messenger m = client::messenger::open(config);
  for (const client::device_info& d : m.devices()) {
    std::cout << "device " << d.device_id << (d.device_id == 1 ? " (primary)" : "")
              << (d.this_device ? " (this device)" : "") << std::endl;
  }
  return 0;
}

int cmd_remove_device(const arguments& args) {
  require_words(args, 2, 2, "remove-device ID");
  const std::uint32_t id = parse_device_id(args.words[1]);
  client::messenger_config config = make_config(args, false);
  const config_wiper wiper{config};
  client::messenger m = client::messenger::open(config);
  m.remove_device(id);
  if (id == m.device_id()) {
    std::cout << "This device was removed from the account; " << config.state_path.string()
              << " is of no further use." << std::endl;
  } else {
    std::cout << "Removed device " << id << "." << std::endl;
  }
  return 0;
}

int cmd_send(const arguments& args) {
  if (args.words.size() < 3) {
    throw usage_failure(
        "usage: sealpost send USER MESSAGE...   (MESSAGE '-' reads standard input)");
  }
  std::string text;
  if (args.words.size() == 3 && args.words[2] == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    while (!text.empty() && text.back() == '\n') {
      text.pop_back();
    }
  } else {
    for (std::size_t i = 2; i < args.words.size(); ++i) {
      text += (i > 2 ? " " : "") + args.words[i];
    }
  }
  client::messenger_config config = make_config(args, false);
  const config_wiper wiper{config};
  client::messenger m = client::messenger::open(config);
  const client::send_report report = m.send(args.words[1], text);
  OPENSSL_cleanse(text.data(), text.size());
  std::cout << "Sent to " << printable(args.words[1]) << " (" << report.recipient_devices.size()
            << (report.recipient_devices.size() == 1 ? " device" : " devices") << ")";
  if (!report.own_devices.empty()) {
    std::cout << ", copied to " << report.own_devices.size() << " other device"
              << (report.own_devices.size() == 1 ? "" : "s") << " of yours";
  }
  std::cout << "." << std::endl;
  if (!report.own_devices_warning.empty()) {
    std::cerr << "warning: the copy for your other devices failed: " << report.own_devices_warning
              << std::endl;
  }
  return 0;
}

std::atomic<bool> interrupted{false};

extern "C" void on_interrupt(int) {
  interrupted = true;
}

int cmd_listen(const arguments& args) {
  require_words(args, 1, 1, "listen [--once] [--timeout SECONDS]");
  client::messenger_config config = make_config(args, false);
  const config_wiper wiper{config};
  client::messenger m = client::messenger::open(config);
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  try {
    m.replenish_prekeys();
  } catch (const std::exception& e) {
    std::cerr << "warning: could not check the prekeys on the server: " << e.what() << std::endl;
  }
  client::listen_options options;
  options.until_queue_empty = args.once;
  if (args.timeout_seconds) {
    options.duration = std::chrono::seconds(*args.timeout_seconds);
  }
  options.stop = [] { return interrupted.load(); };
  client::listen_handlers handlers;
  handlers.on_message = print_message;
  handlers.on_notice = print_notice;
  if (!args.once) {
    std::cerr << "Listening as " << who(m.username(), m.account_id()) << " (device "
              << m.device_id() << "); Ctrl-C stops." << std::endl;
  }
  const bool has_deadline = options.duration.count() > 0;
  const auto deadline = std::chrono::steady_clock::now() + options.duration;
  // Reconnects after network failures, with growing pauses; stops for good when the server
  // refuses us or another connection of this device took over.
  std::chrono::seconds pause(1);
  for (;;) {
    try {
      const std::unique_ptr<net::websocket_client> socket = m.connect();
      pause = std::chrono::seconds(1);
      if (has_deadline) {
        options.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (options.duration.count() <= 0) {
          return 0;
        }
      }
      m.listen(*socket, options, handlers);
      socket->close();
      return 0;
    } catch (const net::connection_closed& e) {
      if (e.close_code() == net::close_code_replaced) {
        throw;
      }
      std::cerr << "! " << e.what() << "; reconnecting" << std::endl;
    } catch (const net::api_error&) {
      throw;
    } catch (const net::transport_error& e) {
      std::cerr << "! " << e.what() << "; retrying in " << pause.count() << " s" << std::endl;
    }
    for (int i = 0; i < pause.count() * 10 && !interrupted; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (interrupted || (has_deadline && std::chrono::steady_clock::now() >= deadline)) {
      return 0;
    }
    pause = std::min(pause * 2, std::chrono::seconds(30));
  }
}

int cmd_history(const arguments& args) {
  require_words(args, 1, 2, "history [USER]");
  client::messenger_config config = make_config(args, false);
  const config_wiper wiper{config};
  client::messenger m = client::messenger::open(config);
  for (const client::history_entry& e : m.history(args.words.size() == 2 ? args.words[1] : "")) {
    const std::string peer = printable(who(e.peer_username, e.peer_account));
    std::cout << "[" << sealpost::cli::clock_time(e.timestamp_ms) << "] "
              << (e.outgoing ? "you -> " + peer : peer) << ": " << printable(e.text) << std::endl;
  }
  return 0;
}

int cmd_contacts(const arguments& args) {
  require_words(args, 1, 1, "contacts");
  client::messenger_config config = make_config(args, false);
  const config_wiper wiper{config};
  client::messenger m = client::messenger::open(config);
  for (const client::contact_info& c : m.contacts()) {
    std::cout << printable(who(c.username, c.account_id)) << "  " << c.devices.size()
              << (c.devices.size() == 1 ? " device" : " devices")
              << (c.identity_changed ? "  SAFETY NUMBER CHANGED"
                                     : (c.verified ? "  verified" : "  not verified"))
              << std::endl;
  }
  return 0;
}

int cmd_safety_number(const arguments& args) {
  require_words(args, 2, 2, "safety-number USER");
  client::messenger_config config = make_config(args, false);
  const config_wiper wiper{config};
  client::messenger m = client::messenger::open(config);
  const std::vector<client::safety_number> numbers = m.safety_numbers(args.words[1]);
  std::cout << "Safety numbers between this device (" << m.device_id() << ") and "
            << printable(args.words[1]) << "'s devices; compare them with "
            << printable(args.words[1])
            << " in person or over another trusted channel:" << std::endl;
  for (const client::safety_number& n : numbers) {
    std::cout << "  device " << n.device_id << ": " << grouped(n.digits)
              << (n.changed ? "  CHANGED" : (n.verified ? "  verified" : "")) << std::endl;
  }
  return 0;
}

int cmd_verify(const arguments& args) {
  require_words(args, 2, 2, "verify USER");
  client::messenger_config config = make_config(args, false);
  const config_wiper wiper{config};
  client::messenger m = client::messenger::open(config);
  m.verify(args.words[1]);
  std::cout << "Verified " << printable(args.words[1]) << ": their current keys are trusted."
            << std::endl;
  return 0;
}

int cmd_backup(const arguments& args) {
  require_words(args, 1, 1, "backup");
  client::messenger_config config = make_config(args, false);
  const config_wiper wiper{config};
  client::messenger m = client::messenger::open(config);
  std::string passphrase = backup_passphrase(true);
  std::cerr << "Encrypting and uploading the backup..." << std::endl;
  m.backup(passphrase);
  OPENSSL_cleanse(passphrase.data(), passphrase.size());
  std::cout << "Backup stored on the server (encrypted; the server cannot read it)." << std::endl;
  return 0;
}

int cmd_restore(const arguments& args) {
  require_words(args, 1, 1, "restore [--link CODE]");
  std::optional<client::messenger> m;
  if (args.link_code) {
    m.emplace(join(args, *args.link_code));
  } else {
    client::messenger_config config = make_config(args, false);
    const config_wiper wiper{config};
    m.emplace(client::messenger::open(config));
  }
  std::string passphrase = backup_passphrase(false);
  std::cerr << "Fetching and decrypting the backup..." << std::endl;
  const client::restore_report report = m->restore_backup(passphrase);
  OPENSSL_cleanse(passphrase.data(), passphrase.size());
  std::cout << "Restored " << report.contacts_added << " contacts and " << report.history_added
            << " messages." << std::endl;
  return 0;
}

int cmd_delete_account(const arguments& args) {
  require_words(args, 1, 1, "delete-account");
  client::messenger_config config = make_config(args, false);
  const config_wiper wiper{config};
  client::messenger m = client::messenger::open(config);
  m.delete_account();
  std::cout << "The account and " << config.state_path.string() << " are deleted." << std::endl;
  return 0;
}

int cmd_whoami(const arguments& args) {
  require_words(args, 1, 1, "whoami");
  client::messenger_config config = make_config(args, false);
  const config_wiper wiper{config};
  client::messenger m = client::messenger::open(config);
  std::cout << "user:    " << (m.username().empty() ? "(unknown)" : m.username())
            << "\naccount: " << m.account_id() << "\ndevice:  " << m.device_id()
            << "\nserver:  " << m.server_url() << std::endl;
  return 0;
}

int run(const arguments& args) {
  if (args.help || args.words.empty()) {
    std::cout << usage_text;
    return args.help ? 0 : 2;
  }
  using command = int (*)(const arguments&);
  static const std::map<std::string, command> commands{{"register", cmd_register},
                                                       {"link", cmd_link},
                                                       {"devices", cmd_devices},
                                                       {"remove-device", cmd_remove_device},
                                                       {"send", cmd_send},
                                                       {"listen", cmd_listen},
                                                       {"history", cmd_history},
                                                       {"contacts", cmd_contacts},
                                                       {"safety-number", cmd_safety_number},
                                                       {"verify", cmd_verify},
                                                       {"backup", cmd_backup},
                                                       {"restore", cmd_restore},
                                                       {"delete-account", cmd_delete_account},
                                                       {"whoami", cmd_whoami}};
  const auto it = commands.find(args.words[0]);
  if (it == commands.end()) {
    throw usage_failure("unknown command '" + args.words[0] + "' (see sealpost --help)");
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
    return run(parse(argc, argv));
  } catch (const usage_failure& e) {
    std::cerr << "sealpost: " << e.what() << std::endl;
    return 2;
  } catch (const client::identity_changed_error& e) {
    std::cerr << "sealpost: " << e.what() << ".\n  Run `sealpost safety-number " << e.contact()
              << "`, compare the numbers with " << e.contact() << ", then `sealpost verify "
              << e.contact() << "`." << std::endl;
    return 3;
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
