// Pinning the log's configuration and checking its heads.
#include "core/key_transparency.hpp"

#include <openssl/evp.h>

#include <boost/json.hpp>

#include "encoding/base64.hpp"
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

kt_check_report key_directory::check_log(std::uint64_t now_ms) {
  kt_check_report report;
  const std::optional<net::kt_config> config = api_.get_kt_config();
  if (!config) {
    report.server_has_kt = false;
    return report;
  }
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
  const std::optional<std::uint64_t> last =
      kt.retained.tree_size == 0 ? std::nullopt : std::optional(kt.retained.tree_size);
  const net::kt_head_answer answer = api_.get_kt_head(last);
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
