#include "kt_checker.hpp"

#include <catch2/catch.hpp>
#include <chrono>

#include "encoding/base64.hpp"
#include "keytrans/tree_head.hpp"

namespace sealpost::testing {
namespace {

namespace json = boost::json;
using keytrans::bytes;

bytes decode(const json::value& v) {
  auto raw = encoding::base64_decode(std::string(v.as_string()));
  if (!raw)
    throw std::runtime_error("not base64");
  return bytes(raw->begin(), raw->end());
}

template <std::size_t N>
std::array<std::uint8_t, N> decode_array(const json::value& v) {
  const auto raw = decode(v);
  if (raw.size() != N)
    throw std::runtime_error("wrong length");
  std::array<std::uint8_t, N> out{};
  std::copy(raw.begin(), raw.end(), out.begin());
  return out;
}

std::uint64_t u64(const json::value& v) {
  return v.is_uint64() ? v.as_uint64() : static_cast<std::uint64_t>(v.as_int64());
}

std::optional<std::uint32_t> optional_u32(const json::value& v) {
  if (v.is_null())
    return std::nullopt;
  return static_cast<std::uint32_t>(u64(v));
}

std::uint64_t now_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

template <class T>
std::string failure_of(const keytrans::kt_check_result<T>& result) {
  std::string text = keytrans::to_string(result.error);
  if (result.proof_error)
    text += std::string(" (") + keytrans::to_string(*result.proof_error) + ")";
  return text;
}

keytrans::kt_proof decode_proof(const json::value& proof_json) {
  keytrans::kt_proof proof;
  const auto& head = proof_json.at("head");
  proof.head.tree_size = u64(head.at("tree_size"));
  proof.head.signature = decode(head.at("signature"));
  for (const auto& e : proof_json.at("entries").as_array())
    proof.entries.push_back(
        {u64(e.at("position")), u64(e.at("timestamp")), decode_array<32>(e.at("prefix_root"))});
  for (const auto& element : proof_json.at("inclusion").as_array())
    proof.inclusion.push_back(decode_array<32>(element));
  return proof;
}

std::vector<keytrans::kt_version_proof> decode_versions(const json::value& versions) {
  std::vector<keytrans::kt_version_proof> out;
  for (const auto& v : versions.as_array()) {
    keytrans::kt_version_proof version;
    version.version = static_cast<std::uint32_t>(u64(v.at("version")));
    version.vrf_proof = decode(v.at("vrf_proof"));
    if (!v.at("commitment").is_null())
      version.commitment = decode_array<32>(v.at("commitment"));
    out.push_back(std::move(version));
  }
  return out;
}

std::vector<keytrans::kt_ladder> decode_ladders(const json::value& ladders) {
  std::vector<keytrans::kt_ladder> out;
  for (const auto& l : ladders.as_array())
    out.push_back({u64(l.at("position")), optional_u32(l.at("greatest")), decode(l.at("proof"))});
  return out;
}

std::span<const std::uint8_t> span_of(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace

kt_checker::kt_checker(const json::value& config) {
  configuration_ = decode(config.at("configuration"));
  signature_public_key_ = decode(config.at("signature_public_key"));
  vrf_public_key_ = decode(config.at("vrf_public_key"));
  max_ahead_ms_ = u64(config.at("max_ahead_ms"));
  max_behind_ms_ = u64(config.at("max_behind_ms"));
  window_ms_ = u64(config.at("reasonable_monitoring_window_ms"));
  // The configuration bytes are exactly what the JSON fields make (DESIGN.md).
  keytrans::configuration rebuilt;
  rebuilt.signature_public_key = signature_public_key_;
  rebuilt.vrf_public_key = vrf_public_key_;
  rebuilt.max_ahead = max_ahead_ms_;
  rebuilt.max_behind = max_behind_ms_;
  rebuilt.reasonable_monitoring_window = window_ms_;
  REQUIRE(keytrans::encode_configuration(rebuilt) == configuration_);
  REQUIRE(u64(config.at("ciphersuite")) == 1);
  REQUIRE(u64(config.at("mode")) == 1);
}

std::string kt_checker::last_query() const {
  return retained_.tree_size == 0 ? std::string() : "?last=" + std::to_string(retained_.tree_size);
}

keytrans::kt_check_context kt_checker::context() const {
  return {configuration_, signature_public_key_, vrf_public_key_, window_ms_,
          max_ahead_ms_,  max_behind_ms_,        now_ms()};
}

std::optional<std::string> kt_checker::check_head(const json::value& body) {
  const auto proof = decode_proof(body.at("proof"));
  const keytrans::kt_proof_check_params params{configuration_, signature_public_key_, now_ms(),
                                               max_ahead_ms_, max_behind_ms_};
  const auto result = keytrans::verify_kt_proof(params, proof, retained_, {});
  if (!result.verified)
    return std::string("KtProof: ") + keytrans::to_string(result.error);
  retained_ = result.verified->retained;
  return std::nullopt;
}

std::optional<std::string> kt_checker::check_search(const std::string& label,
                                                    const json::value& body,
                                                    kt_search_result* result,
                                                    keytrans::kt_search_outcome* outcome) {
  keytrans::kt_search_response response;
  response.label = decode(body.at("label"));
  response.version = static_cast<std::uint32_t>(u64(body.at("version")));
  response.opening = decode(body.at("opening"));
  response.value = decode(body.at("value"));
  response.versions = decode_versions(body.at("versions"));
  response.ladders = decode_ladders(body.at("ladders"));
  response.proof = decode_proof(body.at("proof"));
  const auto checked = keytrans::check_search(context(), retained_, span_of(label), response);
  if (!checked.ok)
    return "search: " + failure_of(checked);
  retained_ = checked.ok->verified.retained;
  if (result) {
    std::vector<std::uint64_t> positions;
    for (const auto& l : response.ladders)
      positions.push_back(l.position);
    *result = {checked.ok->version, std::string(checked.ok->value.begin(), checked.ok->value.end()),
               response.proof.head.tree_size, positions};
  }
  if (outcome)
    *outcome = *checked.ok;
  return std::nullopt;
}

std::optional<std::string> kt_checker::check_monitor(
    const std::string& label, const std::vector<keytrans::kt_map_entry>& entries,
    const json::value& body, std::vector<keytrans::kt_map_entry>* moved) {
  const keytrans::kt_monitor_response response{decode_versions(body.at("versions")),
                                               decode_ladders(body.at("ladders")),
                                               decode_proof(body.at("proof"))};
  const auto checked =
      keytrans::check_monitor(context(), retained_, span_of(label), entries, response);
  if (!checked.ok)
    return "monitor: " + failure_of(checked);
  retained_ = checked.ok->verified.retained;
  if (moved)
    *moved = checked.ok->entries;
  return std::nullopt;
}

std::optional<std::string> kt_checker::check_owner(const std::string& label,
                                                   const keytrans::kt_owner_state& state,
                                                   const json::value& body,
                                                   std::size_t max_owner_ladders,
                                                   keytrans::kt_owner_outcome* outcome) {
  keytrans::kt_owner_response response;
  for (const auto& v : body.at("new_versions").as_array())
    response.new_versions.push_back({static_cast<std::uint32_t>(u64(v.at("version"))),
                                     u64(v.at("position")), decode(v.at("opening")),
                                     decode(v.at("value")), decode(v.at("vrf_proof"))});
  response.versions = decode_versions(body.at("versions"));
  response.ladders = decode_ladders(body.at("ladders"));
  response.more = body.at("more").as_bool();
  response.proof = decode_proof(body.at("proof"));
  const auto checked = keytrans::check_owner(context(), retained_, span_of(label), state, response,
                                             max_owner_ladders);
  if (!checked.ok)
    return "owner: " + failure_of(checked);
  retained_ = checked.ok->verified.retained;
  if (outcome)
    *outcome = *checked.ok;
  return std::nullopt;
}

std::string kt_account_label(const std::string& account_id) {
  keytrans::account_uuid raw{};
  std::size_t n = 0;
  for (std::size_t i = 0; i < account_id.size(); i += 2) {
    if (account_id[i] == '-')
      ++i;
    raw[n++] = static_cast<std::uint8_t>(std::stoi(account_id.substr(i, 2), nullptr, 16));
  }
  const auto label = keytrans::account_label(raw);
  return {label.begin(), label.end()};
}

std::string kt_username_label(const std::string& username) {
  const auto label = keytrans::username_label(username);
  return {label->begin(), label->end()};
}

}  // namespace sealpost::testing
