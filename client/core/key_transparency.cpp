// Key transparency, the log itself: pinning its configuration, checking each new head against
// the view this device kept, recording a failure with its evidence. The checks of contacts'
// labels are in kt_contacts.cpp, those of this account's own labels in kt_own_account.cpp.
#include "core/key_transparency.hpp"

#include <openssl/evp.h>

#include <boost/json.hpp>

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/kt_support.hpp"
#include "encoding/base64.hpp"
#include "keytrans/labels.hpp"
#include "keytrans/response_check.hpp"
#include "keytrans/tree_head.hpp"
#include "net/errors.hpp"

namespace sealpost::client {
namespace {

std::string sha256_hex(std::span<const std::uint8_t> data) {
  std::array<std::uint8_t, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  return hex(std::span(digest).first(size));
}

}  // namespace

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

keytrans::configuration pinned_configuration(const kt_view& kt) {
  std::optional<keytrans::configuration> pinned = keytrans::decode_configuration(kt.configuration);
  if (!pinned) {
    throw std::runtime_error("the pinned key-transparency configuration is unreadable");
  }
  return std::move(*pinned);
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
  const keytrans::configuration pinned = pinned_configuration(kt);
  const net::kt_head_answer answer = api_.get_kt_head(last_size());
  const keytrans::kt_proof_check_params params{kt.configuration, pinned.signature_public_key,
                                               now_ms, pinned.max_ahead, pinned.max_behind};
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

std::optional<std::uint64_t> key_directory::last_size() const {
  const std::uint64_t size = state_.key_transparency.retained.tree_size;
  return size == 0 ? std::nullopt : std::optional(size);
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
