// Key transparency, this account's own labels (DESIGN.md "Owner checks"): the owner rounds of
// its account and its username, what changed since the last check, and the search after this
// device's own removal of another device [D3].
#include <algorithm>

#include "core/errors.hpp"
#include "core/key_transparency.hpp"
#include "core/kt_support.hpp"
#include "keytrans/labels.hpp"
#include "keytrans/response_check.hpp"

namespace sealpost::client {

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
  const keytrans::configuration pinned = pinned_configuration(kt);
  for (int round = 0; round < max_owner_rounds; ++round) {
    const net::kt_owner_answer answer = api_.kt_owner(subject.type, *owner, last_size());
    const auto checked = keytrans::check_owner(context(pinned), kt.retained, label, *owner,
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
  if (std::string failure = search_with_retry([&] { return search(self); }, shows_removal);
      !failure.empty()) {
    return "the key-transparency log's answer about your account does not verify (" + failure + ")";
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

}  // namespace sealpost::client
