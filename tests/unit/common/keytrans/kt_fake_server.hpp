// An in-memory key-transparency log that answers search, monitor and owner requests exactly as
// server/transparency/log_view.cpp does (same planning functions, same ladders, same `versions`
// rules, same KtProof), built from the real primitives: VRF, commitments, a versioned prefix
// store, the log tree with stored balanced subtrees, P-256 signed heads. Every entry also adds
// one leaf of some other label (as the heartbeat [D6] and other accounts do), so every entry's
// prefix root differs. A response can be asked for at any earlier tree size (the log as it was
// then), so one log serves clients at many sizes.
#pragma once

#include <algorithm>
#include <bit>
#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "keytrans/binary_ladder.hpp"
#include "keytrans/commitment.hpp"
#include "keytrans/ibst.hpp"
#include "keytrans/kt_proof.hpp"
#include "keytrans/log_tree.hpp"
#include "keytrans/prefix_store.hpp"
#include "keytrans/proof_plan.hpp"
#include "keytrans/response_check.hpp"
#include "keytrans/tree_head.hpp"
#include "keytrans/vrf.hpp"

namespace sealpost::keytrans::test {

inline constexpr std::uint64_t fake_window_ms = 86'400'000;
inline constexpr std::uint64_t fake_max_ahead_ms = 600'000;
inline constexpr std::uint64_t fake_max_behind_ms = 3'600'000;

// A kt_versions row.
struct fake_version {
  std::uint32_t version = 0;
  std::uint64_t position = 0;
  bytes opening;
  bytes value;
  bytes vrf_proof;
  prefix_search_key key{};
  prefix_hash commitment{};
};

class fake_log {
 public:
  explicit fake_log(std::uint64_t seed) : rng_(seed), vrf_key_(vrf_private_key::generate()) {
    const p256_public_key signature_key = p256_public_key_of(*signing_key_);
    signature_public_key_.assign(signature_key.begin(), signature_key.end());
    vrf_public_key_ = vrf_key_.public_key();
    configuration config;
    config.signature_public_key = signature_public_key_;
    config.vrf_public_key = vrf_public_key_;
    config.max_ahead = fake_max_ahead_ms;
    config.max_behind = fake_max_behind_ms;
    config.reasonable_monitoring_window = fake_window_ms;
    configuration_ = encode_configuration(config).value();
  }

  // The sequencer's batch: one entry at `timestamp` publishing a new version of each label in
  // `changes` (label -> value) and one leaf of another label.
  void append(std::uint64_t timestamp, const std::vector<std::pair<bytes, bytes>>& changes) {
    const std::uint64_t position = entries_.size();
    std::vector<prefix_leaf> leaves;
    for (const auto& [label, value] : changes) {
      auto& versions = labels_[label];
      fake_version v;
      v.version = static_cast<std::uint32_t>(versions.size());
      v.position = position;
      const commitment_opening opening = new_commitment_opening();
      v.opening.assign(opening.begin(), opening.end());
      v.value = value;
      v.vrf_proof = vrf_key_.prove(encode_vrf_input(label, v.version));
      v.key = vrf_proof_to_hash(v.vrf_proof).value();
      v.commitment = compute_commitment(opening, label, v.version, value).value();
      leaves.push_back({v.key, v.commitment});
      versions.push_back(std::move(v));
    }
    prefix_leaf other{};
    for (auto& byte : other.vrf_output) {
      byte = static_cast<std::uint8_t>(rng_());
    }
    leaves.push_back(other);
    const std::optional<std::uint64_t> base =
        position == 0 ? std::nullopt : std::optional{position - 1};
    const auto inserted = prefix_store_insert(store_, base, leaves, position);
    store_.store(inserted.rows);
    entries_.push_back({position, timestamp, inserted.root});

    const auto appended = log_append_leaf(state_, log_leaf_value({timestamp, inserted.root}));
    REQUIRE(appended);
    for (const log_node& node : appended->completed) {
      nodes_[{node.subtree.level(), node.subtree.index_at_level()}] = node.value;
    }
    state_ = appended->state;
    const log_hash root = log_root_from_full_subtrees(state_).value();
    const p256_signature signature =
        p256_sign(*signing_key_, encode_tree_head_tbs(configuration_, state_.size, root));
    signatures_.emplace_back(signature.begin(), signature.end());
  }

  [[nodiscard]] std::uint64_t size() const { return entries_.size(); }
  [[nodiscard]] const kt_entry& entry(std::uint64_t position) const { return entries_[position]; }

  // A client's context whose clock finds the head of `tree_size` fresh.
  [[nodiscard]] kt_check_context context(std::uint64_t tree_size) const {
    return {configuration_,
            signature_public_key_,
            vrf_public_key_,
            fake_window_ms,
            fake_max_ahead_ms,
            fake_max_behind_ms,
            entries_[tree_size - 1].timestamp + 1000};
  }

  [[nodiscard]] timestamp_lookup timestamps(std::uint64_t tree_size) const {
    return [this, tree_size](std::uint64_t p) -> std::optional<std::uint64_t> {
      if (p >= tree_size) {
        return std::nullopt;
      }
      return entries_[p].timestamp;
    };
  }

  // The label's versions published in the log of `tree_size` entries.
  [[nodiscard]] std::vector<fake_version> versions_of(const bytes& label,
                                                      std::uint64_t tree_size) const {
    std::vector<fake_version> out;
    if (const auto it = labels_.find(label); it != labels_.end()) {
      for (const fake_version& v : it->second) {
        if (v.position < tree_size) {
          out.push_back(v);
        }
      }
    }
    return out;
  }

  // The encoded PrefixProof of `lookups` in the prefix tree of entry `at`.
  [[nodiscard]] bytes prove(const bytes& label, std::span<const std::uint32_t> lookups,
                            std::uint64_t at) {
    std::vector<prefix_search_key> keys;
    for (const std::uint32_t v : lookups) {
      keys.push_back(search_key(label, v).first);
    }
    const auto proof = prefix_store_prove(store_, at, keys);
    REQUIRE(proof);
    return encode_prefix_proof(*proof);
  }

  // log_view::search.
  [[nodiscard]] std::optional<kt_search_response> search(const bytes& label,
                                                         std::uint64_t tree_size,
                                                         std::optional<std::uint64_t> last) {
    const auto published = versions_of(label, tree_size);
    if (published.empty()) {
      return std::nullopt;
    }
    const auto positions =
        search_ladder_positions(tree_size, fake_window_ms, timestamps(tree_size));
    REQUIRE(positions);
    std::vector<planned> ladders;
    for (const std::uint64_t p : *positions) {
      const auto g = greatest_at(published, p);
      ladders.push_back({p, g, full_search_binary_ladder(g)});
    }
    const fake_version& newest = published.back();
    return kt_search_response{label,
                              newest.version,
                              newest.opening,
                              newest.value,
                              versions_json(label, published, ladders, newest.version),
                              ladders_json(label, ladders),
                              proof(tree_size, last, *positions)};
  }

  // log_view::monitor. Checks each entry as the server does (REQUIREd: the client's map must
  // stay acceptable to the real server).
  [[nodiscard]] kt_monitor_response monitor(const bytes& label,
                                            std::span<const kt_map_entry> entries,
                                            std::uint64_t tree_size,
                                            std::optional<std::uint64_t> last) {
    const auto published = versions_of(label, tree_size);
    const auto ladders = monitoring_ladders(published, entries, tree_size);
    std::vector<std::uint64_t> positions;
    for (const planned& l : ladders) {
      positions.push_back(l.position);
    }
    for (const kt_map_entry& e : entries) {
      positions.push_back(e.position);
    }
    return {versions_json(label, published, ladders, std::nullopt), ladders_json(label, ladders),
            proof(tree_size, last, positions)};
  }

  // log_view::owner, optionally hiding every version from `hide_from` on (a server that keeps
  // a version from its owner; the prefix trees still hold it).
  [[nodiscard]] kt_owner_response owner(const bytes& label, std::uint64_t start,
                                        std::optional<std::uint32_t> greatest_version,
                                        std::span<const kt_map_entry> entries,
                                        std::uint64_t tree_size, std::optional<std::uint64_t> last,
                                        std::size_t max_owner_ladders,
                                        std::optional<std::uint32_t> hide_from = std::nullopt) {
    REQUIRE(start < tree_size);
    auto published = versions_of(label, tree_size);
    if (hide_from) {
      std::erase_if(published, [&](const fake_version& v) { return v.version >= *hide_from; });
    }
    auto ladders = monitoring_ladders(published, entries, tree_size);
    std::vector<std::uint64_t> positions{start};
    for (const kt_map_entry& e : entries) {
      positions.push_back(e.position);
    }
    kt_owner_response response;
    for (const fake_version& v : published) {
      if (greatest_version && v.version <= *greatest_version) {
        continue;
      }
      positions.push_back(v.position);
      response.new_versions.push_back({v.version, v.position, v.opening, v.value, v.vrf_proof});
    }
    const auto distinguished =
        distinguished_entries_after(start, tree_size, fake_window_ms, timestamps(tree_size));
    REQUIRE(distinguished);
    response.more = distinguished->size() > max_owner_ladders;
    std::uint64_t previous = start;
    for (std::size_t i = 0; i < std::min(distinguished->size(), max_owner_ladders); ++i) {
      const std::uint64_t d = (*distinguished)[i];
      const auto g = greatest_at(published, d);
      planned l{d, g, full_search_binary_ladder(g)};
      for (const fake_version& v : published) {
        if (v.position > previous && v.position <= d &&
            std::find(l.lookups.begin(), l.lookups.end(), v.version) == l.lookups.end()) {
          l.lookups.push_back(v.version);
        }
      }
      ladders.push_back(std::move(l));
      positions.push_back(d);
      previous = d;
    }
    // A hiding server still has the real rows: a version's commitment is sent when the log
    // holds it, as log_view's versions_json reads it from kt_versions.
    response.versions = versions_json(label, versions_of(label, tree_size), ladders, std::nullopt);
    response.ladders = ladders_json(label, ladders);
    response.proof = proof(tree_size, last, positions);
    return response;
  }

  // The same owner response, but from a server that also hides the version's commitment
  // (it pretends the hidden versions do not exist anywhere but cannot change the trees).
  [[nodiscard]] kt_owner_response owner_hiding_consistently(const bytes& label, std::uint64_t start,
                                                            std::uint64_t tree_size,
                                                            std::uint32_t hide_from,
                                                            std::size_t max_owner_ladders) {
    kt_owner_response response = owner(label, start, std::nullopt, {}, tree_size, std::nullopt,
                                       max_owner_ladders, hide_from);
    for (kt_version_proof& v : response.versions) {
      if (v.version >= hide_from) {
        v.commitment.reset();
      }
    }
    return response;
  }

 private:
  struct planned {
    std::uint64_t position = 0;
    std::optional<std::uint32_t> greatest;
    std::vector<std::uint32_t> lookups;
  };

  static std::optional<std::uint32_t> greatest_at(const std::vector<fake_version>& published,
                                                  std::uint64_t position) {
    std::optional<std::uint32_t> g;
    for (const fake_version& v : published) {
      if (v.position <= position) {
        g = v.version;
      }
    }
    return g;
  }

  // Stored for a published version, else evaluated (and cached: the VRF is deterministic).
  std::pair<prefix_search_key, bytes> search_key(const bytes& label, std::uint32_t version) {
    if (const auto it = labels_.find(label); it != labels_.end()) {
      for (const fake_version& v : it->second) {
        if (v.version == version) {
          return {v.key, v.vrf_proof};
        }
      }
    }
    auto& cached = unpublished_[{label, version}];
    if (cached.second.empty()) {
      cached.second = vrf_key_.prove(encode_vrf_input(label, version));
      cached.first = vrf_proof_to_hash(cached.second).value();
    }
    return cached;
  }

  std::vector<planned> monitoring_ladders(const std::vector<fake_version>& published,
                                          std::span<const kt_map_entry> entries,
                                          std::uint64_t tree_size) {
    std::vector<planned> ladders;
    for (const kt_map_entry& e : entries) {
      const auto it = std::find_if(published.begin(), published.end(),
                                   [&](const fake_version& v) { return v.version == e.version; });
      REQUIRE(it != published.end());
      REQUIRE(e.position < tree_size);
      bool on_path = e.position == it->position;
      if (!on_path) {
        const auto path = ibst_direct_path(it->position, tree_size);
        on_path = path && std::find(path->begin(), path->end(), e.position) != path->end();
      }
      REQUIRE(on_path);
      const auto positions =
          monitoring_ladder_positions(e.position, tree_size, fake_window_ms, timestamps(tree_size));
      REQUIRE(positions);
      for (const std::uint64_t p : *positions) {
        ladders.push_back({p, e.version, monitoring_binary_ladder(e.version)});
      }
    }
    return ladders;
  }

  std::vector<kt_version_proof> versions_json(const bytes& label,
                                              const std::vector<fake_version>& published,
                                              const std::vector<planned>& ladders,
                                              std::optional<std::uint32_t> without_commitment) {
    std::set<std::uint32_t> looked_up;
    for (const planned& l : ladders) {
      looked_up.insert(l.lookups.begin(), l.lookups.end());
    }
    std::vector<kt_version_proof> out;
    for (const std::uint32_t version : looked_up) {
      kt_version_proof v{version, search_key(label, version).second, std::nullopt};
      const auto it = std::find_if(published.begin(), published.end(),
                                   [&](const fake_version& p) { return p.version == version; });
      if (it != published.end() && version != without_commitment) {
        v.commitment = it->commitment;
      }
      out.push_back(std::move(v));
    }
    return out;
  }

  std::vector<kt_ladder> ladders_json(const bytes& label, const std::vector<planned>& ladders) {
    std::vector<kt_ladder> out;
    for (const planned& l : ladders) {
      out.push_back({l.position, l.greatest, prove(label, l.lookups, l.position)});
    }
    return out;
  }

  // log_view::proof.
  [[nodiscard]] kt_proof proof(std::uint64_t tree_size, std::optional<std::uint64_t> last,
                               const std::vector<std::uint64_t>& positions) const {
    const auto listed = kt_proof_entries(tree_size, last, positions);
    REQUIRE(listed);
    kt_proof out{{tree_size, signatures_[tree_size - 1]}, {}, {}};
    for (const std::uint64_t p : *listed) {
      out.entries.push_back(entries_[p]);
    }
    const auto inclusion = kt_inclusion_elements(
        tree_size, last.value_or(0), *listed,
        [this, tree_size](const log_subtree& subtree) -> std::optional<log_hash> {
          if (!std::has_single_bit(subtree.size) || subtree.start + subtree.size > tree_size) {
            return std::nullopt;
          }
          const auto it = nodes_.find({subtree.level(), subtree.index_at_level()});
          if (it == nodes_.end()) {
            return std::nullopt;
          }
          return it->second;
        });
    REQUIRE(inclusion);
    out.inclusion = *inclusion;
    return out;
  }

  std::mt19937_64 rng_;
  ossl::pkey_ptr signing_key_ = generate_p256_signing_key();
  vrf_private_key vrf_key_;
  bytes signature_public_key_;
  bytes vrf_public_key_;
  bytes configuration_;
  memory_prefix_store store_;
  log_full_subtree_state state_;
  std::map<std::pair<int, std::uint64_t>, log_hash> nodes_;
  std::vector<kt_entry> entries_;
  std::vector<bytes> signatures_;
  std::map<bytes, std::vector<fake_version>> labels_;
  std::map<std::pair<bytes, std::uint32_t>, std::pair<prefix_search_key, bytes>> unpublished_;
};

}  // namespace sealpost::keytrans::test
