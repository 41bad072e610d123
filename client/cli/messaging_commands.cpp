// Commands about messages: send, listen, history, contacts.
#include <atomic>
#include <csignal>
#include <iostream>
#include <iterator>

#include "cli/commands.hpp"
#include "cli/device_state.hpp"
#include "cli/printing.hpp"
#include "cli/terminal.hpp"

namespace sealpost::cli {
namespace {

std::atomic<bool> interrupted{false};

extern "C" void on_interrupt(int) {
  interrupted = true;
}

// The message of `send USER MESSAGE...`: the words joined, or standard input for '-'.
std::string message_text(const arguments& args) {
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
  return text;
}

void print_send_report(const std::string& recipient, const client::send_report& report) {
  std::cout << (report.sealed ? "Sent sealed to " : "Sent to ") << printable(recipient) << " ("
            << report.recipient_devices.size()
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
}

// What the reconnecting listener says about the connection, on standard error.
client::reconnect_handlers connection_messages() {
  client::reconnect_handlers events;
  events.on_prekey_check_failed = [](const std::exception& e) {
    std::cerr << "warning: could not check the prekeys on the server: " << e.what() << std::endl;
  };
  events.on_closed = [](const client::net::connection_closed& e, std::chrono::seconds) {
    std::cerr << "! " << e.what() << "; reconnecting" << std::endl;
  };
  events.on_unreachable = [](const client::net::transport_error& e, std::chrono::seconds pause) {
    std::cerr << "! " << e.what() << "; retrying in " << pause.count() << " s" << std::endl;
  };
  return events;
}

}  // namespace

int cmd_send(const arguments& args) {
  if (args.words.size() < 3) {
    throw usage_failure(
        "usage: sealpost send USER MESSAGE...   (MESSAGE '-' reads standard input)");
  }
  std::string text = message_text(args);
  opened_device device(args);
  const client::send_report report = device.messenger.send(args.words[1], text);
  wipe(text);
  print_send_report(args.words[1], report);
  return 0;
}

int cmd_listen(const arguments& args) {
  require_words(args, 1, 1, "listen [--once] [--timeout SECONDS]");
  opened_device device(args);
  client::messenger& m = device.messenger;
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  client::listen_options options;
  options.until_queue_empty = args.once;
  if (args.timeout_seconds) {
    options.duration = std::chrono::seconds(*args.timeout_seconds);
  }
  options.stop = [] { return interrupted.load(); };
  if (!args.once) {
    std::cerr << "Listening as " << who(m.username(), m.account_id()) << " (device "
              << m.device_id() << "); Ctrl-C stops." << std::endl;
  }
  client::listen_handlers handlers;
  handlers.on_message = print_message;
  handlers.on_notice = print_notice;
  handlers.on_key_transparency = [](const client::kt_check_report& report) {
    print_kt_findings(report);
  };
  handlers.on_key_transparency_error = [](const std::exception& e) {
    std::cerr << "warning: could not check the key-transparency log: " << e.what() << std::endl;
  };
  m.listen_forever(options, handlers, connection_messages());
  return 0;
}

int cmd_history(const arguments& args) {
  require_words(args, 1, 2, "history [USER]");
  opened_device device(args);
  const std::string contact = args.words.size() == 2 ? args.words[1] : "";
  for (const client::history_entry& e : device.messenger.history(contact)) {
    const std::string peer = printable(who(e.peer_username, e.peer_account));
    std::cout << "[" << clock_time(e.timestamp_ms) << "] " << (e.outgoing ? "you -> " + peer : peer)
              << ": " << printable(e.text) << std::endl;
  }
  return 0;
}

int cmd_contacts(const arguments& args) {
  require_words(args, 1, 1, "contacts");
  opened_device device(args);
  for (const client::contact_info& c : device.messenger.contacts()) {
    std::cout << printable(who(c.username, c.account_id)) << "  " << c.devices.size()
              << (c.devices.size() == 1 ? " device" : " devices")
              << (c.identity_changed ? "  SAFETY NUMBER CHANGED"
                                     : (c.verified ? "  verified" : "  not verified"))
              << std::endl;
  }
  return 0;
}

}  // namespace sealpost::cli
