// Key transparency, contacts' labels: the search before the first session with a device or a
// typed username, and monitoring the contact-map entries those searches leave.
#include <algorithm>
#include <chrono>
#include <thread>

#include "core/contacts.hpp"
#include "core/errors.hpp"
#include "core/key_transparency.hpp"
#include "core/kt_support.hpp"
#include "keytrans/labels.hpp"
#include "keytrans/response_check.hpp"

namespace sealpost::client {

bool key_directory::proves(const std::string& account_id, std::uint32_t device_id,
                           std::uint32_t registration_id,
                           std::span<const std::uint8_t> identity_key) const {
  const auto& accounts = state_.key_transparency.accounts;
  const auto it = accounts.find(account_id);
  if (it == accounts.end()) {
    return false;
  }
  return std::any_of(it->second.devices.begin(), it->second.devices.end(),
                     [&](const keytrans::kt_device& d) {
                       return d.device_id == device_id && d.registration_id == registration_id &&
                              std::equal(d.identity_key.begin(), d.identity_key.end(),
                                         identity_key.begin(), identity_key.end());
                     });
}

namespace {

// Adds a search's terminal entry to a label's contact map (§8): of two entries at one
// position the greater version stays; the map stays in ascending position.
void add_map_entry(std::vector<keytrans::kt_map_entry>& entries,
                   const std::optional<keytrans::kt_map_entry>& added) {
  if (!added) {
    return;
  }
  const auto at = std::lower_bound(entries.begin(), entries.end(), added->position,
                                   [](const keytrans::kt_map_entry& e, std::uint64_t position) {
                                     return e.position < position;
                                   });
  if (at != entries.end() && at->position == added->position) {
    if (at->version < added->version) {
      *at = *added;
    }
    return;
  }
  entries.insert(at, *added);
}

// The most map entries one /v1/kt/monitor request carries (kt.max_monitor_entries' default;
// DESIGN.md: more are split over several requests).
constexpr std::size_t monitor_entries_per_request = 16;

}  // namespace

std::optional<keytrans::kt_search_outcome> key_directory::checked_search(
    std::span<const std::uint8_t> label, const net::kt_search_answer& answer,
    std::string& failure) {
  kt_view& kt = state_.key_transparency;
  const keytrans::configuration pinned = pinned_configuration(kt);
  auto checked = keytrans::check_search(context(pinned), kt.retained, label, answer.response);
  if (!checked.ok) {
    if (checked.proof_error) {
      record_failure(describe(*checked.proof_error), answer.body);  // the log itself failed
      failure = kt.failure;
    } else {
      failure = describe(checked.error);
    }
    return std::nullopt;
  }
  kt.retained = checked.ok->verified.retained;
  return std::move(checked.ok);
}

std::string key_directory::search(const std::string& account_id) {
  const std::optional<net::kt_search_answer> answer =
      api_.kt_search_account(account_id, last_size());
  if (!answer) {
    return {};  // not published yet
  }
  std::string failure;
  std::optional<keytrans::kt_search_outcome> outcome =
      checked_search(account_label_of(account_id), *answer, failure);
  if (!outcome) {
    return failure;
  }
  std::optional<std::vector<keytrans::kt_device>> devices =
      keytrans::decode_device_list(outcome->value);
  if (!devices) {
    return "the proven value is not a device list";
  }
  kt_proven_account& proven = state_.key_transparency.accounts[account_id];
  proven.version = outcome->version;
  proven.devices = std::move(*devices);
  add_map_entry(proven.entries, outcome->map_entry);
  return {};
}

std::string key_directory::search_username(const std::string& username) {
  const std::optional<keytrans::bytes> label = keytrans::username_label(username);
  if (!label) {
    return "the username is too long for the log";
  }
  const std::optional<net::kt_search_answer> answer =
      api_.kt_search_username(username, last_size());
  if (!answer) {
    return {};  // not published yet
  }
  std::string failure;
  std::optional<keytrans::kt_search_outcome> outcome = checked_search(*label, *answer, failure);
  if (!outcome) {
    return failure;
  }
  if (!outcome->value.empty() && outcome->value.size() != keytrans::account_uuid_size) {
    return "the proven value is not an account id";
  }
  kt_proven_username& proven = state_.key_transparency.usernames[username];
  // Empty: the name's account was deleted.
  proven.account_id = outcome->value.empty() ? std::string() : account_id_of(outcome->value);
  proven.version = outcome->version;
  add_map_entry(proven.entries, outcome->map_entry);
  return {};
}

std::string key_directory::monitor(const net::kt_subject& subject,
                                   std::span<const std::uint8_t> label,
                                   std::vector<keytrans::kt_map_entry>& entries) {
  kt_view& kt = state_.key_transparency;
  const keytrans::configuration pinned = pinned_configuration(kt);
  std::vector<keytrans::kt_map_entry> moved;
  for (std::size_t first = 0; first < entries.size(); first += monitor_entries_per_request) {
    const std::span<const keytrans::kt_map_entry> chunk = std::span(entries).subspan(
        first, std::min(monitor_entries_per_request, entries.size() - first));
    const net::kt_monitor_answer answer = api_.kt_monitor(subject, chunk, last_size());
    const auto checked =
        keytrans::check_monitor(context(pinned), kt.retained, label, chunk, answer.response);
    if (!checked.ok) {
      if (checked.proof_error) {
        record_failure(describe(*checked.proof_error), answer.body);
        return kt.failure;
      }
      return describe(checked.error);
    }
    kt.retained = checked.ok->verified.retained;
    for (const keytrans::kt_map_entry& e : checked.ok->entries) {
      add_map_entry(moved, e);
    }
  }
  entries = std::move(moved);
  return {};
}

void key_directory::monitor_contacts(kt_check_report& report) {
  kt_view& kt = state_.key_transparency;
  // Monitors every label of `proven` (accounts or usernames) that has map entries. One whose
  // history fails loses its proof and is reported: sessions already verified keep working,
  // new devices wait for a search that passes. A log-level failure stops it all.
  const auto monitor_each = [&](auto& proven, net::kt_subject::kind kind, const auto& label_of,
                                const auto& in_words) {
    for (auto it = proven.begin(); it != proven.end() && kt.failure.empty();) {
      const std::optional<keytrans::bytes> label = label_of(it->first);
      if (it->second.entries.empty() || !label) {
        ++it;
        continue;
      }
      const std::string failure = monitor({kind, it->first}, *label, it->second.entries);
      if (failure.empty()) {
        ++report.labels_monitored;
        ++it;
      } else if (kt.failure.empty()) {
        report.contact_failures.push_back(in_words(it->first, failure));
        it = proven.erase(it);
      }
    }
  };
  monitor_each(
      kt.accounts, net::kt_subject::kind::account,
      [](const std::string& id) { return std::optional(account_label_of(id)); },
      [&](const std::string& id, const std::string& failure) {
        const auto c = state_.contacts.find(id);
        const std::string name = c != state_.contacts.end() ? display_name(c->second) : id;
        return "Sealpost could not verify " + name + "'s devices against the key directory (" +
               failure + ")";
      });
  monitor_each(
      kt.usernames, net::kt_subject::kind::username,
      [](const std::string& name) { return keytrans::username_label(name); },
      [](const std::string& name, const std::string& failure) {
        return "Sealpost could not verify who the username " + name +
               " names in the key directory (" + failure + ")";
      });
}

std::string key_directory::search_with_retry(const std::function<std::string()>& search,
                                             const std::function<bool()>& shows) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (attempt == 1) {
      // The log publishes every batch_interval_ms: a change just made may be in the next
      // entry (DESIGN.md: one retry).
      std::this_thread::sleep_for(std::chrono::milliseconds(batch_interval_ms_ + 100));
    }
    if (std::string failure = search(); !failure.empty() || shows()) {
      return failure;
    }
  }
  return {};
}

void key_directory::require_proven(const std::string& contact, const std::string& account_id,
                                   std::uint32_t device_id, std::uint32_t registration_id,
                                   std::span<const std::uint8_t> identity_key) {
  const auto proven = [&] { return proves(account_id, device_id, registration_id, identity_key); };
  if (!log_in_use() || proven()) {
    return;
  }
  if (std::string failure = search_with_retry([&] { return search(account_id); }, proven);
      !failure.empty()) {
    throw kt_device_unverified_error(contact, failure);
  }
  if (!proven()) {
    throw kt_device_unverified_error(
        contact, "the log does not list device " + std::to_string(device_id) +
                     " with the key and registration id the server gave for it");
  }
}

std::set<std::uint32_t> key_directory::unproven_devices(const std::string& account_id,
                                                        std::span<const listed_device> listed) {
  const auto unproven = [&] {
    std::set<std::uint32_t> out;
    for (const listed_device& d : listed) {
      if (!proves(account_id, d.device_id, d.registration_id, d.identity_key)) {
        out.insert(d.device_id);
      }
    }
    return out;
  };
  try {
    if (!log_in_use()) {
      return {};
    }
  } catch (const kt_log_failure_error&) {
    std::set<std::uint32_t> all;
    for (const listed_device& d : listed) {
      all.insert(d.device_id);
    }
    return all;
  }
  if (unproven().empty()) {
    return {};
  }
  // A failed search leaves the devices unproven; a log-level failure is recorded by it.
  search(account_id);
  return unproven();
}

void key_directory::require_username(const std::string& username, const std::string& account_id) {
  const auto names = [&] {
    const auto& usernames = state_.key_transparency.usernames;
    const auto it = usernames.find(username);
    return it != usernames.end() && it->second.account_id == account_id;
  };
  if (!log_in_use() || names()) {
    return;
  }
  if (std::string failure = search_with_retry([&] { return search_username(username); }, names);
      !failure.empty()) {
    throw kt_device_unverified_error(username, failure);
  }
  if (!names()) {
    throw kt_device_unverified_error(
        username, "the log does not show the username naming the account the server gave for it");
  }
}

}  // namespace sealpost::client
