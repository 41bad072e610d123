#include "kt_checker.hpp"

#include <catch2/catch.hpp>
#include <chrono>

#include "encoding/base64.hpp"
#include "keytrans/binary_ladder.hpp"
#include "keytrans/commitment.hpp"
#include "keytrans/prefix_tree.hpp"
#include "keytrans/proof_plan.hpp"
#include "keytrans/tree_head.hpp"
#include "keytrans/vrf.hpp"

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

std::uint64_t now_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

const char* error_name(keytrans::kt_proof_error e) {
  using E = keytrans::kt_proof_error;
  switch (e) {
    case E::malformed:
      return "malformed";
    case E::missing_entries:
      return "missing_entries";
    case E::timestamps_out_of_order:
      return "timestamps_out_of_order";
    case E::inclusion_invalid:
      return "inclusion_invalid";
    case E::retained_mismatch:
      return "retained_mismatch";
    case E::bad_signature:
      return "bad_signature";
    case E::head_too_old:
      return "head_too_old";
    case E::head_in_future:
      return "head_in_future";
  }
  return "unknown";
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

std::optional<std::string> kt_checker::check_proof(const json::value& proof_json,
                                                   const std::vector<std::uint64_t>& required,
                                                   keytrans::kt_verified_proof& verified) {
  const auto proof = decode_proof(proof_json);
  const keytrans::kt_proof_check_params params{configuration_, signature_public_key_, now_ms(),
                                               max_ahead_ms_, max_behind_ms_};
  auto result = keytrans::verify_kt_proof(params, proof, retained_, required);
  if (!result.verified)
    return std::string("KtProof: ") + error_name(result.error);
  verified = std::move(*result.verified);
  return std::nullopt;
}

std::optional<std::string> kt_checker::check_head(const json::value& body) {
  keytrans::kt_verified_proof verified;
  if (auto failure = check_proof(body.at("proof"), {}, verified))
    return failure;
  retained_ = verified.retained;
  return std::nullopt;
}

std::optional<std::string> kt_checker::check_search(const std::string& label,
                                                    const json::value& body,
                                                    kt_search_result* result) {
  if (decode(body.at("label")) != bytes(label.begin(), label.end()))
    return "the answer is for another label";
  const auto version = static_cast<std::uint32_t>(u64(body.at("version")));
  const auto opening = decode(body.at("opening"));
  const auto value = decode(body.at("value"));
  const auto proof_json = body.at("proof");
  const auto tree_size = u64(proof_json.at("head").at("tree_size"));

  // The ladder positions are ours to compute (§6.3), from the timestamps the proof lists; a
  // forged timestamp fails the signature below.
  std::map<std::uint64_t, std::uint64_t> timestamps;
  for (const auto& e : proof_json.at("entries").as_array())
    timestamps[u64(e.at("position"))] = u64(e.at("timestamp"));
  for (const auto& e : retained_.frontier)
    timestamps.emplace(e.position, e.timestamp);
  const auto positions = keytrans::search_ladder_positions(
      tree_size, window_ms_, [&](std::uint64_t p) -> std::optional<std::uint64_t> {
        const auto it = timestamps.find(p);
        if (it == timestamps.end())
          return std::nullopt;
        return it->second;
      });
  if (!positions)
    return "the proof lacks a timestamp the search ladders depend on";
  keytrans::kt_verified_proof verified;
  if (auto failure = check_proof(proof_json, *positions, verified))
    return failure;

  // VRF proofs give the search keys; the searched version's commitment comes from its opening.
  std::map<std::uint32_t, keytrans::prefix_search_key> keys;
  std::map<std::uint32_t, std::optional<keytrans::prefix_hash>> commitments;
  for (const auto& v : body.at("versions").as_array()) {
    const auto number = static_cast<std::uint32_t>(u64(v.at("version")));
    const auto key =
        keytrans::vrf_verify(vrf_public_key_, keytrans::encode_vrf_input(span_of(label), number),
                             decode(v.at("vrf_proof")));
    if (!key)
      return "a version's VRF proof does not verify";
    keys[number] = *key;
    if (!v.at("commitment").is_null())
      commitments[number] = decode_array<32>(v.at("commitment"));
    else
      commitments[number] = std::nullopt;
  }
  if (opening.size() != keytrans::commitment_opening_size)
    return "the opening is not 16 bytes";
  keytrans::commitment_opening opening_array{};
  std::copy(opening.begin(), opening.end(), opening_array.begin());
  commitments[version] =
      keytrans::compute_commitment(opening_array, span_of(label), version, value);

  const auto& ladders = body.at("ladders").as_array();
  if (ladders.size() != positions->size())
    return "one search ladder per frontier entry from the rightmost distinguished one";
  for (std::size_t i = 0; i < ladders.size(); ++i) {
    const auto& l = ladders[i];
    if (u64(l.at("position")) != (*positions)[i])
      return "a ladder sits at the wrong entry";
    std::optional<std::uint32_t> greatest;
    if (!l.at("greatest").is_null())
      greatest = static_cast<std::uint32_t>(u64(l.at("greatest")));
    if (greatest && *greatest > version)
      return "a ladder's greatest version exceeds the searched one";
    if (i + 1 == ladders.size() && greatest != version)
      return "the rightmost ladder does not end at the searched version";
    std::vector<keytrans::prefix_search_key> searches;
    std::vector<keytrans::prefix_claim> claims;
    for (const auto lookup : keytrans::full_search_binary_ladder(greatest)) {
      if (!keys.contains(lookup))
        return "a looked-up version is missing from versions";
      searches.push_back(keys[lookup]);
      if (greatest && lookup <= *greatest) {
        if (!commitments[lookup])
          return "an included version has no commitment";
        claims.push_back(commitments[lookup]);
      } else {
        claims.push_back(std::nullopt);
      }
    }
    const auto& entry = verified.entries.at((*positions)[i]);
    if (!keytrans::verify_prefix_proof(entry.prefix_root, searches, decode(l.at("proof")), claims))
      return "a ladder's prefix proof does not verify";
  }
  retained_ = verified.retained;
  if (result)
    *result = {version, std::string(value.begin(), value.end()), tree_size, *positions};
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
