// Commands about trust and safety: safety-number, verify, backup, restore.
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
              << (n.changed ? "  CHANGED" : (n.verified ? "  verified" : "")) << std::endl;
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

}  // namespace sealpost::cli
