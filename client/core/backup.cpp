// Backups: sealing and opening the SPBACKUP container, and merging one into the state.
#include "core/backup.hpp"

#include <algorithm>
#include <set>
#include <tuple>

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/history.hpp"
#include "core/sealed_box.hpp"

namespace sealpost::client {
namespace {

// Adds a backed-up contact's devices we lack; trust (verified) only carries over when
// every device key it has agrees with ours.
void merge_contact(contact& mine, const contact& backed_up) {
  if (mine.username.empty()) {
    mine.username = backed_up.username;
  }
  bool same_keys = true;
  for (const auto& [id, device] : backed_up.devices) {
    const auto found = mine.devices.find(id);
    if (found == mine.devices.end()) {
      mine.devices[id] = device;
    } else if (found->second.identity_key != device.identity_key) {
      same_keys = false;
    }
  }
  mine.verified = mine.verified || (backed_up.verified && same_keys);
  mine.identity_changed = mine.identity_changed || backed_up.identity_changed;
}

std::size_t merge_history(local_state& state, std::vector<history_entry> backed_up,
                          std::size_t history_limit) {
  std::set<std::tuple<bool, std::string, std::uint64_t, std::string>> present;
  for (const history_entry& entry : state.history) {
    present.emplace(entry.outgoing, entry.peer_account, entry.timestamp_ms, entry.text);
  }
  std::size_t added = 0;
  for (history_entry& entry : backed_up) {
    if (present.emplace(entry.outgoing, entry.peer_account, entry.timestamp_ms, entry.text)
            .second) {
      state.history.push_back(std::move(entry));
      ++added;
    }
  }
  std::stable_sort(state.history.begin(), state.history.end(),
                   [](const history_entry& a, const history_entry& b) {
                     return a.timestamp_ms < b.timestamp_ms;
                   });
  trim_history(state, history_limit);
  return added;
}

}  // namespace

net::byte_vector seal_backup(const local_state& state, std::string_view backup_passphrase,
                             const crypto::scrypt_params& kdf) {
  const crypto::secret_bytes<> payload = encode_backup(state, now_ms());
  const sealed_box::header header = sealed_box::new_header(kdf);
  const crypto::aead_key key = sealed_box::derive_key(backup_passphrase, header);
  return sealed_box::seal(sealed_box::backup_magic, header, key, payload.view());
}

backup_contents open_backup(std::span<const std::uint8_t> blob, std::string_view backup_passphrase,
                            const std::string& account_id) {
  const std::optional<sealed_box::header> header =
      sealed_box::parse_header(sealed_box::backup_magic, blob);
  if (!header) {
    throw state_error(state_error::kind::corrupt,
                      "the account's backup is not a Sealpost backup this client can read");
  }
  const crypto::aead_key key = sealed_box::derive_key(backup_passphrase, *header);
  const std::optional<crypto::secret_bytes<>> payload = sealed_box::open(key, blob);
  if (!payload) {
    throw state_error(state_error::kind::wrong_passphrase,
                      "cannot decrypt the backup: wrong backup passphrase, or it was altered");
  }
  backup_contents contents = decode_backup(payload->view());
  if (contents.account_id != account_id) {
    throw state_error(state_error::kind::corrupt, "the backup belongs to another account");
  }
  return contents;
}

restore_report merge_backup(local_state& state, backup_contents contents,
                            std::size_t history_limit) {
  restore_report report;
  report.backup_created_at_ms = contents.created_at_ms;
  if (state.username.empty()) {
    state.username = contents.username;
  }
  for (contact& backed_up : contents.contacts) {
    auto [it, inserted] = state.contacts.try_emplace(backed_up.account_id, backed_up);
    if (inserted) {
      ++report.contacts_added;
    } else {
      merge_contact(it->second, backed_up);
    }
  }
  report.history_added = merge_history(state, std::move(contents.history), history_limit);
  return report;
}

}  // namespace sealpost::client
