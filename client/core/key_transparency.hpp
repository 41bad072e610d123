// Key transparency for this device (DESIGN.md, "Reference client: what it checks, when"):
// the log's configuration pinned at first contact, and the log checked against the view this
// device retained, so that a server that rewrites or forks its log, or changes its keys, is
// caught. A failure is recorded with the answers that conflict and stays until a later check
// passes; nothing of a failed answer is retained.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "core/local_state.hpp"
#include "keytrans/response_check.hpp"
#include "keytrans/tree_head.hpp"
#include "net/api_client.hpp"

namespace sealpost::client {

// A device as the server lists it, for key_directory::unproven_devices.
struct listed_device {
  std::uint32_t device_id = 0;
  std::uint32_t registration_id = 0;
  crypto::typed_public_key identity_key{};
};

// What `sealpost kt status` shows.
struct kt_status {
  bool pinned = false;
  std::string fingerprint;  // SHA-256 of the pinned configuration, hex
  std::uint64_t tree_size = 0;
  std::uint64_t last_check_ms = 0;
  std::string failure;  // empty: none
  std::size_t evidence = 0;
  std::size_t proven_accounts = 0;      // accounts whose device sets a search proved
  std::size_t proven_usernames = 0;     // usernames the user typed that a search proved
  std::size_t contact_map_entries = 0;  // what monitoring follows (DESIGN.md, §8.2)
};

// What one check found.
struct kt_check_report {
  bool server_has_kt = true;  // false: the server answers 404 (key transparency off)
  bool pinned_now = false;    // this check pinned the configuration
  std::string failure;        // empty: the log verified
  std::uint64_t tree_size = 0;
  std::uint64_t newest_timestamp_ms = 0;
  // Changes to this account's devices the log shows since the last check, in words ("device
  // 4 was linked ..."), and alerts (this device missing from the log).
  std::vector<std::string> own_changes;
  std::vector<std::string> alerts;
  // Contacts whose entries in the log failed monitoring, in words ("Sealpost could not verify
  // bob's devices ..."); new devices of theirs get nothing until a search passes.
  std::vector<std::string> contact_failures;
  std::size_t labels_monitored = 0;  // contacts' labels whose map entries verified
};

class key_directory {
 public:
  key_directory(local_state& state, net::api_client& api) noexcept : state_(state), api_(api) {}

  // Before the first session with a device: the log must prove it, with this registration
  // id and identity key, in the device set of its account. Searches the account when the
  // last proven set lacks it, once more after kt batch_interval_ms when the log has not caught
  // up. Throws kt_device_unverified_error naming `contact` when it stays unproven, and
  // kt_log_failure_error while the log itself fails its checks. Does nothing for a server
  // without key transparency that this device never saw run it.
  void require_proven(const std::string& contact, const std::string& account_id,
                      std::uint32_t device_id, std::uint32_t registration_id,
                      std::span<const std::uint8_t> identity_key);

  // Of a device list the server gave for `account_id`, the devices the log does not prove
  // with the registration id and identity key listed. When the last proven set lacks one,
  // searches the account once first: a list may show what the last proof did not (DESIGN.md).
  // Empty for a server without key transparency; every device while the log fails its
  // checks, since nothing is proven then (never throws for that: a list is still shown).
  std::set<std::uint32_t> unproven_devices(const std::string& account_id,
                                           std::span<const listed_device> listed);

  // Before a username the user typed names `account_id` for this device: the log must show
  // the name with that account as its value (searched when the last proof differs, with the
  // same one retry). Throws kt_device_unverified_error naming the username otherwise, and
  // kt_log_failure_error while the log itself fails.
  void require_username(const std::string& username, const std::string& account_id);

  // After this device removed `device_id` from its account: searches the account's label,
  // whose proven device set must lack exactly that device and keep the others this device
  // last proved (DESIGN.md [D3]), with one retry after batch_interval_ms. Returns what
  // differs, or empty; never throws for what the log shows (the removal itself succeeded).
  std::string confirm_own_removal(std::uint32_t device_id);

  // Pins the configuration (first use), verifies the newest signed head against the retained
  // view and retains the new one, checks this account's own label (the changes to its
  // devices since the last check, shown to the user once), then monitors the contact-map
  // entries of every contact's labels. A failure is recorded in the state, not thrown.
  kt_check_report check_log(std::uint64_t now_ms);

  [[nodiscard]] kt_status status() const;
  // The answers that conflict, as a JSON array, for `sealpost kt evidence`.
  [[nodiscard]] std::string evidence_json() const;

 private:
  // check_log without the owner check: pins the configuration and verifies the head.
  kt_check_report check_head(std::uint64_t now_ms);
  // The failure of the configuration the server now answers with; empty when it is the
  // pinned one (pinning it when none is).
  std::string check_configuration(const net::kt_config& config, kt_check_report& report);
  void record_failure(const std::string& failure, const std::string& answer);
  // Sees each version an owner check reveals, and whether it is history this device adopted
  // at its first check [D4]; returns a failure (the value is malformed) or empty.
  using owned_version_handler =
      std::function<std::string(const keytrans::kt_new_version&, bool adopted)>;
  // The owner rounds (POST /v1/kt/owner, again while `more`) for one of this account's labels,
  // adopting the history up to now the first time; the failure (recorded), or empty.
  std::string owner_rounds(const net::kt_subject& subject, std::span<const std::uint8_t> label,
                           std::optional<keytrans::kt_owner_state>& owner,
                           const owned_version_handler& on_version);
  // The owner check of this account's label (DESIGN.md "Owner checks"); the failure, or
  // empty with the changes and alerts added to `report`.
  std::string check_own_label(kt_check_report& report);
  // The same for this account's username: the name must keep naming this account.
  std::string check_own_username(kt_check_report& report);
  [[nodiscard]] keytrans::kt_check_context context(const keytrans::configuration& pinned) const;
  // True when the log is pinned and passing (checking it when not yet or after a failure);
  // false for a server without key transparency that was never pinned.
  bool log_in_use();
  // Searches `account_id` and keeps its proven device set; the reason when the answer does
  // not verify (a log-level failure is also recorded), empty on success or when unpublished.
  std::string search(const std::string& account_id);
  // Runs `search` until `shows()` holds, once more after batch_interval_ms when the log has
  // not caught up (DESIGN.md: one retry); the search's failure, or empty.
  std::string search_with_retry(const std::function<std::string()>& search,
                                const std::function<bool()>& shows);
  // Searches `username` and keeps the account it names; as search().
  std::string search_username(const std::string& username);
  // Checks a search answer for `label`: the outcome, or nullopt with the reason in `failure`
  // (a log-level failure is also recorded). On success the new view is retained.
  std::optional<keytrans::kt_search_outcome> checked_search(std::span<const std::uint8_t> label,
                                                            const net::kt_search_answer& answer,
                                                            std::string& failure);
  // Monitors one label's contact map (in requests of at most max_monitor_entries) and
  // replaces it with the entries moved up; the reason when an answer does not verify.
  std::string monitor(const net::kt_subject& subject, std::span<const std::uint8_t> label,
                      std::vector<keytrans::kt_map_entry>& entries);
  // Monitors every contact's labels; a contact whose check fails loses its proven set.
  void monitor_contacts(kt_check_report& report);
  // The retained tree size, as a request's `last` (nullopt before the first view).
  [[nodiscard]] std::optional<std::uint64_t> last_size() const;
  [[nodiscard]] bool proves(const std::string& account_id, std::uint32_t device_id,
                            std::uint32_t registration_id,
                            std::span<const std::uint8_t> identity_key) const;

  std::uint64_t batch_interval_ms_ = 0;  // from /v1/kt/config at the last check

  local_state& state_;
  net::api_client& api_;
};

}  // namespace sealpost::client
