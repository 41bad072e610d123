// Commands about trust and safety: safety-number, verify, backup, restore, privacy, kt.
#include <fstream>
#include <iostream>
#include <optional>

#include "cli/commands.hpp"
#include "cli/device_state.hpp"
#include "cli/printing.hpp"
#include "cli/terminal.hpp"

namespace sealpost::cli {

int cmd_safety_number(const arguments& args) {
  require_words(args, 2, 2, "safety-number USER");
  opened_device device(args);
  const std::string& contact = args.words[1];
  const std::vector<client::safety_number> numbers = device.messenger.safety_numbers(contact);
  std::cout << "Safety numbers between this device (" << device.messenger.device_id() << ") and "
            << printable(contact) << "'s devices; compare them with " << printable(contact)
            << " in person or over another trusted channel:" << std::endl;
  for (const client::safety_number& n : numbers) {
    std::cout << "  device " << n.device_id << ": " << grouped(n.digits)
              << (n.changed ? "  CHANGED" : (n.verified ? "  verified" : ""))
              << (n.not_in_log ? "  not in the key-transparency log: compare in person" : "")
              << std::endl;
  }
  return 0;
}

int cmd_verify(const arguments& args) {
  require_words(args, 2, 2, "verify USER");
  opened_device device(args);
  device.messenger.verify(args.words[1]);
  std::cout << "Verified " << printable(args.words[1]) << ": their current keys are trusted."
            << std::endl;
  return 0;
}

int cmd_backup(const arguments& args) {
  require_words(args, 1, 1, "backup");
  opened_device device(args);
  std::string passphrase = backup_passphrase(true);
  std::cerr << "Encrypting and uploading the backup..." << std::endl;
  device.messenger.backup(passphrase);
  wipe(passphrase);
  std::cout << "Backup stored on the server (encrypted; the server cannot read it)." << std::endl;
  return 0;
}

int cmd_restore(const arguments& args) {
  require_words(args, 1, 1, "restore [--link CODE]");
  // Onto a new device (linked here first) or into this device's existing state.
  std::optional<opened_device> existing;
  std::optional<client::messenger> linked;
  if (args.link_code) {
    linked.emplace(join(args, *args.link_code));
  } else {
    existing.emplace(args);
  }
  client::messenger& m = linked ? *linked : existing->messenger;
  std::string passphrase = backup_passphrase(false);
  std::cerr << "Fetching and decrypting the backup..." << std::endl;
  const client::restore_report report = m.restore_backup(passphrase);
  wipe(passphrase);
  std::cout << "Restored " << report.contacts_added << " contacts and " << report.history_added
            << " messages." << std::endl;
  return 0;
}

namespace {

std::optional<bool> on_or_off(const std::optional<std::string>& value) {
  if (!value) {
    return std::nullopt;
  }
  if (*value != "on" && *value != "off") {
    throw usage_failure("--allow-anyone takes on or off");
  }
  return *value == "on";
}

void print_privacy(const client::privacy_settings& p) {
  std::cout << "Sealed sender (the server is not told who sends a message):\n";
  std::cout << "  receiving sealed: "
            << (p.unrestricted ? "from anyone (--allow-anyone on)"
                : p.access_key_registered
                    ? "from contacts who got this account's access key in a message"
                    : "off: the account has no access key (run `sealpost privacy --new-key` on "
                      "the primary)")
            << "\n";
  std::cout << "  sending sealed:   to " << p.contacts_with_access_key << " contact"
            << (p.contacts_with_access_key == 1 ? "" : "s")
            << " whose access key this device holds; identified to others\n";
  if (!p.identity_can_send_sealed) {
    std::cout << "  this device:      cannot send sealed: its identity key is the older 0x0E "
                 "form, which certificates cannot carry\n";
  }
  std::cout << "  trust root:       "
            << (p.trust_root_pinned ? "pinned" : "not pinned yet (pinned on first use)") << "\n";
  std::cout << "  profile key:      "
            << (p.profile_key_known ? "known: messages give contacts the access key"
                                    : "not known yet: the account's other devices send it")
            << std::endl;
}

}  // namespace

int cmd_privacy(const arguments& args) {
  require_words(args, 1, 1, "privacy [--allow-anyone on|off] [--new-key] [--pin-new-root]");
  const client::privacy_change change{on_or_off(args.allow_anyone), args.new_key,
                                      args.pin_new_root};
  opened_device device(args);
  if (!change.unrestricted && !change.new_profile_key && !change.pin_new_root) {
    print_privacy(device.messenger.privacy());
    return 0;
  }
  print_privacy(device.messenger.change_privacy(change));
  if (change.new_profile_key) {
    std::cout << "New access key registered. Contacts learn it with your next message to them; "
                 "until then their messages arrive identified."
              << std::endl;
  }
  return 0;
}

namespace {

void print_kt_status(const client::kt_status& s) {
  std::cout << "Key transparency (the server's signed log of every account's devices):\n";
  if (!s.pinned) {
    std::cout << "  not checked yet: run `sealpost kt check`" << std::endl;
    return;
  }
  std::cout << "  log configuration: " << s.fingerprint << " (SHA-256; compare with the "
            << "operator's `admin kt show`)\n"
            << "  log size checked:  " << s.tree_size << " entries\n"
            << "  proven:            " << s.proven_accounts << " accounts' devices, "
            << s.proven_usernames << " usernames (" << s.contact_map_entries
            << " entries monitored hourly while `sealpost listen` runs)\n";
  if (!s.failure.empty()) {
    std::cout << "  FAILURE:           " << s.failure << "\n"
              << "  no new device of anyone is trusted until a check passes; `sealpost kt "
                 "evidence --out FILE` exports the "
              << s.evidence << " conflicting answers" << std::endl;
    return;
  }
  std::cout << "  status:            verified" << std::endl;
}

int kt_check(const arguments& args) {
  opened_device device(args);
  const client::kt_check_report report = device.messenger.check_key_transparency();
  if (!report.server_has_kt) {
    std::cout << "This server does not run key transparency (GET /v1/kt/config answered 404)."
              << std::endl;
    return 1;
  }
  if (!report.failure.empty()) {
    print_kt_findings(report);
    return 1;
  }
  if (report.pinned_now) {
    std::cout << "Pinned the server's key-transparency configuration." << std::endl;
  }
  std::cout << "The log verifies: " << report.tree_size << " entries, consistent with what "
            << "this device saw before." << std::endl;
  if (report.labels_monitored > 0) {
    std::cout << "Monitored " << report.labels_monitored << " contact label"
              << (report.labels_monitored == 1 ? "" : "s")
              << ": the log still holds what it proved before." << std::endl;
  }
  print_kt_findings(report);
  return report.alerts.empty() && report.contact_failures.empty() ? 0 : 1;
}

int kt_evidence(const arguments& args) {
  opened_device device(args);
  const std::string evidence = device.messenger.key_transparency_evidence();
  if (!args.out) {
    std::cout << evidence << std::endl;
    return 0;
  }
  std::ofstream out(*args.out, std::ios::binary | std::ios::trunc);
  out << evidence << "\n";
  if (!out) {
    throw std::runtime_error("cannot write '" + *args.out + "'");
  }
  std::cout << "Wrote the conflicting answers to " << *args.out << "." << std::endl;
  return 0;
}

}  // namespace

int cmd_kt(const arguments& args) {
  require_words(args, 2, 2, "kt status | check | evidence [--out FILE]");
  const std::string& what = args.words[1];
  if (what == "status") {
    opened_device device(args);
    print_kt_status(device.messenger.key_transparency_status());
    return 0;
  }
  if (what == "check") {
    return kt_check(args);
  }
  if (what == "evidence") {
    return kt_evidence(args);
  }
  throw usage_failure("usage: sealpost kt status | check | evidence [--out FILE]");
}

}  // namespace sealpost::cli
