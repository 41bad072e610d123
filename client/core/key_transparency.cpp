// Pinning the log's configuration and checking its heads.
#include "core/key_transparency.hpp"

#include <openssl/evp.h>

#include <boost/json.hpp>
#include <chrono>
#include <thread>

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "encoding/base64.hpp"
#include "keytrans/labels.hpp"
#include "keytrans/response_check.hpp"
#include "keytrans/tree_head.hpp"
#include "net/errors.hpp"

namespace sealpost::client {
namespace {

std::string hex(std::span<const std::uint8_t> data) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (const std::uint8_t b : data) {
    out += digits[b >> 4];
    out += digits[b & 0x0F];
  }
  return out;
}

// The canonical account id of 16 UUID bytes.
std::string account_id_of(std::span<const std::uint8_t> uuid) {
  std::string digits = hex(uuid);
  for (const std::size_t dash : {20U, 16U, 12U, 8U}) {
    digits.insert(dash, 1, '-');
  }
  return digits;
}

std::string sha256_hex(std::span<const std::uint8_t> data) {
  std::array<std::uint8_t, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  return hex(std::span(digest).first(size));
}

// Why a proof failed, in the user's terms. Stale and future heads are about the clock as much
// as the server (DESIGN.md, "What the user sees").
std::string describe(keytrans::kt_proof_error error) {
  using E = keytrans::kt_proof_error;
  switch (error) {
    case E::malformed:
    case E::missing_entries:
    case E::inclusion_invalid:
      return "the server's proof of its log is incomplete or malformed";
    case E::timestamps_out_of_order:
      return "the log's timestamps are out of order";
    case E::retained_mismatch:
      return "the log no longer contains what this device saw before: it was rewritten or "
             "forked";
    case E::bad_signature:
      return "the log's signed head does not verify: the log was rewritten or forked, or the "
             "head is forged";
    case E::head_too_old:
      return "the newest head is too old: the server stopped publishing, or this device's "
             "clock is ahead; check the clock";
    case E::head_in_future:
      return "the newest head is from the future: check this device's clock";
  }
  return "the log does not verify";
}

}  // namespace

// The account label of a canonical account id (its 32 hex digits, dashes left out).
keytrans::bytes account_label_of(const std::string& account_id) {
  std::string digits;
  std::copy_if(account_id.begin(), account_id.end(), std::back_inserter(digits),
               [](char c) { return c != '-'; });
  keytrans::account_uuid raw{};
  for (std::size_t i = 0; i < raw.size() && 2 * i + 1 < digits.size(); ++i) {
    raw[i] = static_cast<std::uint8_t>(std::stoi(digits.substr(2 * i, 2), nullptr, 16));
  }
  return keytrans::account_label(raw);
}

const char* describe(keytrans::kt_check_error error) {
  using E = keytrans::kt_check_error;
  switch (error) {
    case E::proof:
      return "its proof does not tie to the signed log";
    case E::wrong_label:
      return "the answer is about another account";
    case E::vrf_invalid:
      return "a VRF proof does not verify";
    case E::ladder_mismatch:
    case E::versions_mismatch:
    case E::prefix_proof_invalid:
    case E::commitment_mismatch:
      return "the log's proof of its devices does not verify";
    default:
      return "the answer is malformed";
  }
}

std::string key_directory::check_configuration(const net::kt_config& config,
                                               kt_check_report& report) {
  // The bytes must be what the fields make (DESIGN.md), so the pin covers what we use.
  keytrans::configuration rebuilt;
  rebuilt.signature_public_key = config.signature_public_key;
  rebuilt.vrf_public_key = config.vrf_public_key;
  rebuilt.max_ahead = config.max_ahead_ms;
  rebuilt.max_behind = config.max_behind_ms;
  rebuilt.reasonable_monitoring_window = config.reasonable_monitoring_window_ms;
  if (keytrans::encode_configuration(rebuilt) != config.configuration) {
    return "the server's configuration bytes do not match its own fields";
  }
  kt_view& kt = state_.key_transparency;
  if (kt.configuration.empty()) {
    kt.configuration = config.configuration;
    report.pinned_now = true;
    return {};
  }
  if (kt.configuration != config.configuration) {
    return "the log's configuration changed (new keys or settings): every proof before it is "
           "void";
  }
  return {};
}

void key_directory::record_failure(const std::string& failure, const std::string& answer) {
  kt_view& kt = state_.key_transparency;
  // The first conflict is what matters; a server that keeps failing must not grow the state.
  constexpr std::size_t max_evidence = 16;
  if (kt.failure.empty() && !kt.last_verified.empty() && kt.evidence.size() < max_evidence) {
    kt.evidence.push_back(kt.last_verified);  // what this device saw before
  }
  kt.failure = failure;
  if (kt.evidence.size() < max_evidence) {
    kt.evidence.push_back(answer);
  }
}

kt_check_report key_directory::check_head(std::uint64_t now_ms) {
  kt_check_report report;
  const std::optional<net::kt_config> config = api_.get_kt_config();
  if (!config) {
    report.server_has_kt = false;
    return report;
  }
  batch_interval_ms_ = config->batch_interval_ms;
  if (std::string failure = check_configuration(*config, report); !failure.empty()) {
    record_failure(failure,
                   boost::json::serialize(boost::json::object{
                       {"configuration", encoding::base64_encode(config->configuration)}}));
    report.failure = state_.key_transparency.failure;
    return report;
  }
  kt_view& kt = state_.key_transparency;
  const auto pinned = keytrans::decode_configuration(kt.configuration);
  if (!pinned) {
    throw std::runtime_error("the pinned key-transparency configuration is unreadable");
  }
  const net::kt_head_answer answer = api_.get_kt_head(last_size());
  const keytrans::kt_proof_check_params params{kt.configuration, pinned->signature_public_key,
                                               now_ms, pinned->max_ahead, pinned->max_behind};
  const keytrans::kt_proof_result result =
      keytrans::verify_kt_proof(params, answer.proof, kt.retained, {});
  if (!result.verified) {
    record_failure(describe(result.error), answer.body);
    report.failure = kt.failure;
    return report;
  }
  kt.retained = result.verified->retained;
  kt.last_check_ms = now_ms;
  kt.last_verified = answer.body;
  kt.failure.clear();  // a later check that passes clears the banner; the evidence stays
  report.tree_size = kt.retained.tree_size;
  if (const auto it = result.verified->entries.find(kt.retained.tree_size - 1);
      it != result.verified->entries.end()) {
    report.newest_timestamp_ms = it->second.timestamp;
  }
  return report;
}

kt_check_report key_directory::check_log(std::uint64_t now_ms) {
  kt_check_report report = check_head(now_ms);
  if (report.server_has_kt && report.failure.empty() && !state_.account_id.empty()) {
    report.failure = check_own_label(report);
  }
  if (report.server_has_kt && report.failure.empty() && !state_.account_id.empty()) {
    report.failure = check_own_username(report);
  }
  if (report.server_has_kt && report.failure.empty()) {
    monitor_contacts(report);
    report.failure = state_.key_transparency.failure;
  }
  return report;
}

keytrans::kt_check_context key_directory::context(const keytrans::configuration& pinned) const {
  // The spans point into `pinned` and the state: the caller keeps both alive while it checks.
  return {state_.key_transparency.configuration,
          pinned.signature_public_key,
          pinned.vrf_public_key,
          pinned.reasonable_monitoring_window,
          pinned.max_ahead,
          pinned.max_behind,
          now_ms()};
}

namespace {

// kt.max_owner_ladders may be set up to this; a response may carry any cut up to it.
constexpr std::size_t max_owner_ladders = 1024;
// A server that keeps answering `more` is cut off after this many rounds per check.
constexpr int max_owner_rounds = 64;

std::string device_words(const keytrans::kt_device& d) {
  return "device " + std::to_string(d.device_id);
}

// What changed between two device sets of this account, in words.
void describe_changes(const std::vector<keytrans::kt_device>& before,
                      const std::vector<keytrans::kt_device>& after, std::uint64_t position,
                      std::vector<std::string>& out) {
  const auto find = [](const std::vector<keytrans::kt_device>& set, std::uint32_t id) {
    return std::find_if(set.begin(), set.end(),
                        [id](const keytrans::kt_device& d) { return d.device_id == id; });
  };
  const std::string where = " (key-transparency log entry " + std::to_string(position) + ")";
  for (const keytrans::kt_device& d : after) {
    const auto old = find(before, d.device_id);
    if (old == before.end()) {
      out.push_back(device_words(d) + " was linked to your account" + where +
                    ". Not you? Remove it now (`sealpost remove-device " +
                    std::to_string(d.device_id) + "`): your server may be compromised.");
    } else if (!(*old == d)) {
      out.push_back(device_words(d) + " of your account has a new key" + where +
                    ". Not you? Remove it now: your server may be compromised.");
    }
  }
  for (const keytrans::kt_device& d : before) {
    if (find(after, d.device_id) == after.end()) {
      out.push_back(device_words(d) + " was removed from your account" + where + ".");
    }
  }
}

}  // namespace

std::string key_directory::owner_rounds(const net::kt_subject& subject,
                                        std::span<const std::uint8_t> label,
                                        std::optional<keytrans::kt_owner_state>& owner,
                                        const owned_version_handler& on_version) {
  kt_view& kt = state_.key_transparency;
  const bool first = !owner;
  if (first) {
    // A device adopts the history up to now [D4] and checks from there on.
    owner = keytrans::kt_owner_state{};
    owner->start = kt.retained.tree_size - 1;
  }
  const std::uint64_t adopted_up_to = owner->start;
  const auto pinned = keytrans::decode_configuration(kt.configuration);
  if (!pinned) {
    throw std::runtime_error("the pinned key-transparency configuration is unreadable");
  }
  for (int round = 0; round < max_owner_rounds; ++round) {
    const net::kt_owner_answer answer = api_.kt_owner(subject.type, *owner, last_size());
    const auto checked = keytrans::check_owner(context(*pinned), kt.retained, label, *owner,
                                               answer.response, max_owner_ladders);
    if (!checked.ok) {
      record_failure(checked.proof_error
                         ? describe(*checked.proof_error)
                         : std::string("the log's record of your own account does not verify (") +
                               describe(checked.error) + ")",
                     answer.body);
      return kt.failure;
    }
    kt.retained = checked.ok->verified.retained;
    for (const keytrans::kt_new_version& v : checked.ok->new_versions) {
      if (std::string failure = on_version(v, first && v.position <= adopted_up_to);
          !failure.empty()) {
        record_failure(failure, answer.body);
        return kt.failure;
      }
    }
    owner = checked.ok->state;
    if (!checked.ok->more) {
      break;
    }
  }
  return {};
}

std::string key_directory::check_own_label(kt_check_report& report) {
  kt_view& kt = state_.key_transparency;
  std::string failure = owner_rounds(
      {net::kt_subject::kind::account, state_.account_id}, account_label_of(state_.account_id),
      kt.owner, [&](const keytrans::kt_new_version& v, bool adopted) -> std::string {
        std::optional<std::vector<keytrans::kt_device>> devices =
            keytrans::decode_device_list(v.value);
        if (!devices) {
          return "your account's log value is not a device list";
        }
        if (!adopted) {
          describe_changes(kt.own_devices, *devices, v.position, report.own_changes);
        }
        kt.own_devices = std::move(*devices);
        return {};
      });
  if (!failure.empty()) {
    return failure;
  }
  // This device must be in the newest value, with its own key and registration id.
  const auto self =
      std::find_if(kt.own_devices.begin(), kt.own_devices.end(),
                   [&](const keytrans::kt_device& d) { return d.device_id == state_.device_id; });
  const crypto::typed_public_key& own_key = state_.identity_key();
  if (self == kt.own_devices.end() || self->registration_id != state_.identity.registration_id ||
      !std::equal(self->identity_key.begin(), self->identity_key.end(), own_key.begin(),
                  own_key.end())) {
    report.alerts.push_back(
        "this device is not in the key-transparency log with its own key: contacts may be "
        "sending to a key that is not yours. Your server may be compromised.");
  }
  return {};
}

std::string key_directory::check_own_username(kt_check_report& report) {
  const std::optional<keytrans::bytes> label = keytrans::username_label(state_.username);
  if (state_.username.empty() || !label) {
    return {};
  }
  kt_view& kt = state_.key_transparency;
  std::string failure = owner_rounds(
      {net::kt_subject::kind::username, state_.username}, *label, kt.username_owner,
      [&](const keytrans::kt_new_version& v, bool adopted) -> std::string {
        if (!v.value.empty() && v.value.size() != keytrans::account_uuid_size) {
          return "your username's log value is not an account id";
        }
        const std::string named = v.value.empty() ? std::string() : account_id_of(v.value);
        if (!adopted && named != state_.account_id && named != kt.own_username_account) {
          report.own_changes.push_back(
              "your username " + state_.username + " was given to " +
              (named.empty() ? std::string("no account") : "account " + named) +
              " (key-transparency log entry " + std::to_string(v.position) + ")");
        }
        kt.own_username_account = named;
        return {};
      });
  if (!failure.empty()) {
    return failure;
  }
  // Contacts who type the name reach whichever account the log names.
  if (kt.username_owner && !kt.username_owner->versions.empty() &&
      kt.own_username_account != state_.account_id) {
    report.alerts.push_back("your username " + state_.username +
                            " does not name your account in the key-transparency log: people "
                            "who type it reach another account. Your server may be "
                            "compromised.");
  }
  return {};
}

bool key_directory::log_in_use() {
  kt_view& kt = state_.key_transparency;
  if (!kt.configuration.empty() && kt.failure.empty() && batch_interval_ms_ != 0) {
    return true;
  }
  const bool was_pinned = !kt.configuration.empty();
  // The head only: the owner check reports changes to the user once, so it runs where they
  // are shown (`kt check`), never as a side effect of a send.
  const kt_check_report report = check_head(now_ms());
  if (!report.server_has_kt) {
    if (was_pinned) {
      throw kt_log_failure_error("the server no longer answers for its key-transparency log");
    }
    return false;
  }
  if (!report.failure.empty()) {
    throw kt_log_failure_error(report.failure);
  }
  return true;
}

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
  const auto pinned = keytrans::decode_configuration(kt.configuration);
  if (!pinned) {
    throw std::runtime_error("the pinned key-transparency configuration is unreadable");
  }
  auto checked = keytrans::check_search(context(*pinned), kt.retained, label, answer.response);
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

std::optional<std::uint64_t> key_directory::last_size() const {
  const std::uint64_t size = state_.key_transparency.retained.tree_size;
  return size == 0 ? std::nullopt : std::optional(size);
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
  const auto pinned = keytrans::decode_configuration(kt.configuration);
  if (!pinned) {
    throw std::runtime_error("the pinned key-transparency configuration is unreadable");
  }
  std::vector<keytrans::kt_map_entry> moved;
  for (std::size_t first = 0; first < entries.size(); first += monitor_entries_per_request) {
    const std::span<const keytrans::kt_map_entry> chunk = std::span(entries).subspan(
        first, std::min(monitor_entries_per_request, entries.size() - first));
    const net::kt_monitor_answer answer = api_.kt_monitor(subject, chunk, last_size());
    const auto checked =
        keytrans::check_monitor(context(*pinned), kt.retained, label, chunk, answer.response);
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
  const auto name_of = [&](const std::string& account_id) {
    const auto c = state_.contacts.find(account_id);
    return c != state_.contacts.end() && !c->second.username.empty() ? c->second.username
                                                                     : account_id;
  };
  for (auto it = kt.accounts.begin(); it != kt.accounts.end() && kt.failure.empty();) {
    if (it->second.entries.empty()) {
      ++it;
      continue;
    }
    const std::string failure = monitor({net::kt_subject::kind::account, it->first},
                                        account_label_of(it->first), it->second.entries);
    if (failure.empty()) {
      ++report.labels_monitored;
      ++it;
      continue;
    }
    if (kt.failure.empty()) {
      // Sessions already verified keep working; new devices wait for a search that passes.
      report.contact_failures.push_back("Sealpost could not verify " + name_of(it->first) +
                                        "'s devices against the key directory (" + failure + ")");
      it = kt.accounts.erase(it);
    }
  }
  for (auto it = kt.usernames.begin(); it != kt.usernames.end() && kt.failure.empty();) {
    const std::optional<keytrans::bytes> label = keytrans::username_label(it->first);
    if (it->second.entries.empty() || !label) {
      ++it;
      continue;
    }
    const std::string failure =
        monitor({net::kt_subject::kind::username, it->first}, *label, it->second.entries);
    if (failure.empty()) {
      ++report.labels_monitored;
      ++it;
      continue;
    }
    if (kt.failure.empty()) {
      report.contact_failures.push_back("Sealpost could not verify who the username " + it->first +
                                        " names in the key directory (" + failure + ")");
      it = kt.usernames.erase(it);
    }
  }
}

void key_directory::require_proven(const std::string& contact, const std::string& account_id,
                                   std::uint32_t device_id, std::uint32_t registration_id,
                                   std::span<const std::uint8_t> identity_key) {
  if (!log_in_use() || proves(account_id, device_id, registration_id, identity_key)) {
    return;
  }
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (attempt == 1) {
      // The log publishes every batch_interval_ms: a device that just joined may be in the
      // next entry (DESIGN.md: one retry).
      std::this_thread::sleep_for(std::chrono::milliseconds(batch_interval_ms_ + 100));
    }
    if (std::string failure = search(account_id); !failure.empty()) {
      throw kt_device_unverified_error(contact, failure);
    }
    if (proves(account_id, device_id, registration_id, identity_key)) {
      return;
    }
  }
  throw kt_device_unverified_error(contact,
                                   "the log does not list device " + std::to_string(device_id) +
                                       " with the key and registration id the server gave for it");
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
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (attempt == 1) {
      std::this_thread::sleep_for(std::chrono::milliseconds(batch_interval_ms_ + 100));
    }
    if (std::string failure = search_username(username); !failure.empty()) {
      throw kt_device_unverified_error(username, failure);
    }
    if (names()) {
      return;
    }
  }
  throw kt_device_unverified_error(
      username, "the log does not show the username naming the account the server gave for it");
}

std::string key_directory::confirm_own_removal(std::uint32_t device_id) {
  const std::string& self = state_.account_id;
  std::vector<keytrans::kt_device> expected = state_.key_transparency.own_devices;
  if (const auto proven = state_.key_transparency.accounts.find(self);
      proven != state_.key_transparency.accounts.end()) {
    expected = proven->second.devices;  // a search is newer than the last owner check
  }
  std::erase_if(expected, [&](const keytrans::kt_device& d) { return d.device_id == device_id; });
  try {
    if (!log_in_use()) {
      return {};
    }
  } catch (const kt_log_failure_error& e) {
    return e.what();
  }
  const auto shows_removal = [&] {
    const auto& accounts = state_.key_transparency.accounts;
    const auto proven = accounts.find(self);
    return proven != accounts.end() &&
           std::none_of(proven->second.devices.begin(), proven->second.devices.end(),
                        [&](const keytrans::kt_device& d) { return d.device_id == device_id; });
  };
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (attempt == 1) {
      std::this_thread::sleep_for(std::chrono::milliseconds(batch_interval_ms_ + 100));
    }
    if (std::string failure = search(self); !failure.empty()) {
      return "the key-transparency log's answer about your account does not verify (" + failure +
             ")";
    }
    if (shows_removal()) {
      break;
    }
  }
  if (!shows_removal()) {
    return "the key-transparency log still lists device " + std::to_string(device_id) +
           " in your account: contacts may go on encrypting to it. Your server may be "
           "compromised.";
  }
  // Exactly this change: a device this device knew of that also went, or one that came
  // with it, is the server's doing.
  const std::vector<keytrans::kt_device>& now = state_.key_transparency.accounts[self].devices;
  if (!expected.empty() && now != expected) {
    return "the key-transparency log shows more than your removal of device " +
           std::to_string(device_id) + ": run `sealpost kt check` to see what changed.";
  }
  return {};
}

kt_status key_directory::status() const {
  const kt_view& kt = state_.key_transparency;
  kt_status out;
  out.pinned = !kt.configuration.empty();
  if (out.pinned) {
    out.fingerprint = sha256_hex(kt.configuration);
  }
  out.tree_size = kt.retained.tree_size;
  out.last_check_ms = kt.last_check_ms;
  out.failure = kt.failure;
  out.evidence = kt.evidence.size();
  out.proven_accounts = kt.accounts.size();
  out.proven_usernames = kt.usernames.size();
  for (const auto& [id, account] : kt.accounts) {
    out.contact_map_entries += account.entries.size();
  }
  for (const auto& [name, username] : kt.usernames) {
    out.contact_map_entries += username.entries.size();
  }
  return out;
}

std::string key_directory::evidence_json() const {
  boost::json::array answers;
  for (const std::string& answer : state_.key_transparency.evidence) {
    boost::system::error_code ec;
    boost::json::value parsed = boost::json::parse(answer, ec);
    answers.push_back(ec ? boost::json::value(answer) : std::move(parsed));
  }
  return boost::json::serialize(answers);
}

}  // namespace sealpost::client
