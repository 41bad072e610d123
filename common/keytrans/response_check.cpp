// The client's checks of search, monitor and owner responses. Each check runs in the same
// order: plan the ladder positions from the claimed timestamps, verify the KtProof with those
// positions required (the signature then vouches for the timestamps the plan used), plan each
// ladder's lookups and expected results from the client's own knowledge, check `versions`
// (VRF proofs, commitments) against that plan, then each ladder's PrefixProof against its
// entry's prefix root.
#include "keytrans/response_check.hpp"

#include <algorithm>
#include <iterator>
#include <set>
#include <utility>

#include "keytrans/binary_ladder.hpp"
#include "keytrans/commitment.hpp"
#include "keytrans/distinguished.hpp"
#include "keytrans/proof_plan.hpp"
#include "keytrans/vrf.hpp"

namespace sealpost::keytrans {
namespace {

// VrfInput's and CommitmentValue's label<0..2^8-1>.
constexpr std::size_t max_label_size = 255;

struct failure {
  kt_check_error error{};
  std::optional<kt_proof_error> proof_error;
};

// A step that either passes (nullopt) or says why the response fails.
using step = std::optional<failure>;

failure fail(kt_check_error error) {
  return {error, std::nullopt};
}

failure fail_proof(kt_proof_error error) {
  return {kt_check_error::proof, error};
}

template <typename T>
kt_check_result<T> result_of(const failure& f) {
  return {std::nullopt, f.error, f.proof_error};
}

template <typename T>
kt_check_result<T> result_of(T value) {
  return {std::move(value), {}, std::nullopt};
}

// ---- Timestamps and the KtProof ----

using timestamp_map = std::map<std::uint64_t, std::uint64_t>;

// The timestamps the response claims, over the retained frontier: only used to plan which
// entries must be listed; verify_kt_proof then checks the listed ones against the signed head
// (and re-sent retained ones against what was retained).
timestamp_map claimed_timestamps(const kt_proof& proof, const kt_retained_view& retained) {
  timestamp_map out;
  for (const kt_entry& e : retained.frontier) {
    out[e.position] = e.timestamp;
  }
  for (const kt_entry& e : proof.entries) {
    out[e.position] = e.timestamp;
  }
  return out;
}

timestamp_map verified_timestamps(const kt_verified_proof& verified) {
  timestamp_map out;
  for (const auto& [position, entry] : verified.entries) {
    out[position] = entry.timestamp;
  }
  return out;
}

timestamp_lookup lookup_over(const timestamp_map& timestamps) {
  return [&timestamps](std::uint64_t position) -> std::optional<std::uint64_t> {
    const auto it = timestamps.find(position);
    if (it == timestamps.end()) {
      return std::nullopt;
    }
    return it->second;
  };
}

// A plan that cannot be made lacks a timestamp: the proof did not list an entry it must.
failure plan_failure(const kt_proof& proof) {
  return fail_proof(proof.head.tree_size == 0 ? kt_proof_error::malformed
                                              : kt_proof_error::missing_entries);
}

step verify_proof(const kt_check_context& ctx, const kt_retained_view& retained,
                  const kt_proof& proof, std::span<const std::uint64_t> required,
                  kt_verified_proof& out) {
  const kt_proof_check_params params{ctx.configuration, ctx.signature_public_key, ctx.now_ms,
                                     ctx.max_ahead_ms, ctx.max_behind_ms};
  kt_proof_result result = verify_kt_proof(params, proof, retained, required);
  if (!result.verified) {
    return fail_proof(result.error);
  }
  out = std::move(*result.verified);
  return std::nullopt;
}

// ---- Versions ----

struct version_info {
  prefix_search_key key{};
  std::optional<prefix_hash> commitment;
};
using version_map = std::map<std::uint32_t, version_info>;

// `versions` must be ascending, unique and exactly the versions the ladders look up (the
// client computed that set; an extra or missing one means the server planned other ladders),
// and each VRF proof must give the search key of (label, version).
step verify_versions(const kt_check_context& ctx, std::span<const std::uint8_t> label,
                     const std::vector<kt_version_proof>& versions,
                     const std::set<std::uint32_t>& looked_up, version_map& out) {
  if (versions.size() != looked_up.size() ||
      !std::equal(versions.begin(), versions.end(), looked_up.begin(),
                  [](const kt_version_proof& v, std::uint32_t n) { return v.version == n; })) {
    return fail(kt_check_error::versions_mismatch);
  }
  for (const kt_version_proof& v : versions) {
    const auto key =
        vrf_verify(ctx.vrf_public_key, encode_vrf_input(label, v.version), v.vrf_proof);
    if (!key) {
      return fail(kt_check_error::vrf_invalid);
    }
    out[v.version] = {*key, v.commitment};
  }
  return std::nullopt;
}

// The commitment a value opens to, or nullopt when the opening is not Nc bytes or the value
// cannot be encoded.
std::optional<prefix_hash> commitment_of(std::span<const std::uint8_t> label, std::uint32_t version,
                                         std::span<const std::uint8_t> opening,
                                         std::span<const std::uint8_t> value) {
  if (opening.size() != commitment_opening_size) {
    return std::nullopt;
  }
  commitment_opening raw{};
  std::copy(opening.begin(), opening.end(), raw.begin());
  return compute_commitment(raw, label, version, value);
}

// ---- Ladders ----

// A ladder as the client expects it: where, which `greatest`, which lookups in which order, and
// the result each lookup must give (a commitment: included under it; nullopt: absent).
struct planned_ladder {
  std::uint64_t position = 0;
  std::optional<std::uint32_t> greatest;
  std::vector<std::uint32_t> lookups;
  std::vector<prefix_claim> claims;
};

std::set<std::uint32_t> looked_up_versions(const std::vector<planned_ladder>& ladders) {
  std::set<std::uint32_t> out;
  for (const planned_ladder& l : ladders) {
    out.insert(l.lookups.begin(), l.lookups.end());
  }
  return out;
}

// The versions some ladder proved included (under the claimed commitment).
std::set<std::uint32_t> included_versions(const std::vector<planned_ladder>& ladders) {
  std::set<std::uint32_t> out;
  for (const planned_ladder& l : ladders) {
    for (std::size_t i = 0; i < l.lookups.size(); ++i) {
      if (l.claims[i]) {
        out.insert(l.lookups[i]);
      }
    }
  }
  return out;
}

// Every version a ladder expects included must carry that same commitment in `versions` (so a
// null commitment is never included anywhere, and a swapped one is caught by name).
step check_included_commitments(const std::vector<planned_ladder>& ladders,
                                const version_map& versions) {
  for (const planned_ladder& l : ladders) {
    for (std::size_t i = 0; i < l.lookups.size(); ++i) {
      if (l.claims[i] && versions.at(l.lookups[i]).commitment != l.claims[i]) {
        return fail(kt_check_error::commitment_mismatch);
      }
    }
  }
  return std::nullopt;
}

// The ladders' shape first (count, positions, greatest), then every PrefixProof against the
// prefix root of its entry, which the signed head commits to.
step check_ladders(const std::vector<planned_ladder>& planned,
                   const std::vector<kt_ladder>& ladders, const version_map& versions,
                   const kt_verified_proof& verified) {
  if (planned.size() != ladders.size()) {
    return fail(kt_check_error::ladder_mismatch);
  }
  for (std::size_t i = 0; i < planned.size(); ++i) {
    if (planned[i].position != ladders[i].position || planned[i].greatest != ladders[i].greatest) {
      return fail(kt_check_error::ladder_mismatch);
    }
  }
  for (std::size_t i = 0; i < planned.size(); ++i) {
    const auto entry = verified.entries.find(planned[i].position);
    if (entry == verified.entries.end()) {
      return fail_proof(kt_proof_error::missing_entries);  // required, so listed: not reached
    }
    std::vector<prefix_search_key> searches;
    for (const std::uint32_t version : planned[i].lookups) {
      searches.push_back(versions.at(version).key);
    }
    if (!verify_prefix_proof(entry->second.prefix_root, searches, ladders[i].proof,
                             planned[i].claims)) {
      return fail(kt_check_error::prefix_proof_invalid);
    }
  }
  return std::nullopt;
}

// ---- Contact map (§8.2) ----

std::optional<kt_map_entry> map_entry_for(std::uint64_t position, std::uint32_t version,
                                          const std::map<std::uint32_t, prefix_hash>& known) {
  kt_map_entry entry{position, version, {}};
  for (const std::uint32_t v : monitoring_binary_ladder(version)) {
    const auto it = known.find(v);
    if (it == known.end()) {
      return std::nullopt;
    }
    entry.commitments[v] = it->second;
  }
  return entry;
}

// The monitoring ladder positions of each map entry, in request order.
std::optional<std::vector<std::vector<std::uint64_t>>> plan_monitoring_positions(
    std::span<const kt_map_entry> entries, std::uint64_t tree_size, std::uint64_t window,
    const timestamp_lookup& timestamp_of) {
  std::vector<std::vector<std::uint64_t>> out;
  for (const kt_map_entry& e : entries) {
    auto positions = monitoring_ladder_positions(e.position, tree_size, window, timestamp_of);
    if (!positions) {
      return std::nullopt;
    }
    out.push_back(std::move(*positions));
  }
  return out;
}

// §8.1: each looks up monitoring_binary_ladder(version), every lookup included under the
// commitment the client holds. A map entry lacking one is the caller's bug: malformed.
step plan_monitoring_ladders(std::span<const kt_map_entry> entries,
                             const std::vector<std::vector<std::uint64_t>>& positions,
                             std::vector<planned_ladder>& out) {
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const kt_map_entry& e = entries[i];
    std::vector<prefix_claim> claims;
    const std::vector<std::uint32_t> lookups = monitoring_binary_ladder(e.version);
    for (const std::uint32_t v : lookups) {
      const auto it = e.commitments.find(v);
      if (it == e.commitments.end()) {
        return fail(kt_check_error::malformed);
      }
      claims.emplace_back(it->second);
    }
    for (const std::uint64_t p : positions[i]) {
      out.push_back({p, e.version, lookups, claims});
    }
  }
  return std::nullopt;
}

std::vector<std::uint64_t> positions_of(std::span<const kt_map_entry> entries) {
  std::vector<std::uint64_t> out;
  for (const kt_map_entry& e : entries) {
    out.push_back(e.position);
  }
  return out;
}

// Map entries beyond the head cannot be planned (the log would have shrunk): the proof is
// malformed for them, as verify_kt_proof reports a required position past the size.
bool within(std::span<const std::uint64_t> positions, std::uint64_t tree_size) {
  return std::all_of(positions.begin(), positions.end(),
                     [tree_size](std::uint64_t p) { return p < tree_size; });
}

// Of entries at one position, the greater version is kept (§8.2); ascending position.
std::vector<kt_map_entry> merge_map(std::vector<kt_map_entry> entries) {
  std::map<std::uint64_t, kt_map_entry> by_position;
  for (kt_map_entry& e : entries) {
    const auto it = by_position.find(e.position);
    if (it == by_position.end() || it->second.version < e.version) {
      by_position[e.position] = std::move(e);
    }
  }
  std::vector<kt_map_entry> out;
  for (auto& [position, e] : by_position) {
    out.push_back(std::move(e));
  }
  return out;
}

// Each entry moves to the highest position a ladder verified it at, and leaves the map once
// that position is distinguished. nullopt when a timestamp is missing (not reached: every
// position here was required, so its root path is listed).
std::optional<std::vector<kt_map_entry>> advance_map(
    std::span<const kt_map_entry> entries, const std::vector<std::vector<std::uint64_t>>& positions,
    std::uint64_t tree_size, std::uint64_t window, const timestamp_lookup& timestamp_of) {
  std::vector<kt_map_entry> out;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::uint64_t reached = positions[i].empty() ? entries[i].position : positions[i].back();
    const auto distinguished = is_distinguished(reached, tree_size, window, timestamp_of);
    if (!distinguished) {
      return std::nullopt;
    }
    if (!*distinguished) {
      out.push_back({reached, entries[i].version, entries[i].commitments});
    }
  }
  return out;
}

// ---- Search ----

// DESIGN.md: each `greatest` at most the searched version, never decreasing left to right (a
// version once in the log stays), and the searched version at the rightmost entry.
bool search_greatest_consistent(const std::vector<kt_ladder>& ladders, std::uint32_t version) {
  std::optional<std::uint32_t> previous;
  for (const kt_ladder& l : ladders) {
    if (l.greatest && *l.greatest > version) {
      return false;
    }
    if (previous && (!l.greatest || *l.greatest < *previous)) {
      return false;
    }
    previous = l.greatest;
  }
  return !ladders.empty() && ladders.back().greatest == version;
}

// The searched version is the newest at the head, so every lower version exists there (carries
// a commitment) and no higher one does (carries none). Its own commitment is the computed one
// (the server sends null; a different one is refused).
step settle_search_commitments(version_map& versions, std::uint32_t version,
                               const prefix_hash& computed) {
  for (auto& [v, info] : versions) {
    if (v < version && !info.commitment) {
      return fail(kt_check_error::versions_mismatch);
    }
    if (v > version && info.commitment) {
      return fail(kt_check_error::versions_mismatch);
    }
    if (v == version) {
      if (info.commitment && *info.commitment != computed) {
        return fail(kt_check_error::commitment_mismatch);
      }
      info.commitment = computed;
    }
  }
  return std::nullopt;
}

std::vector<planned_ladder> plan_search_ladders(const std::vector<kt_ladder>& ladders) {
  std::vector<planned_ladder> out;
  for (const kt_ladder& l : ladders) {
    out.push_back({l.position, l.greatest, full_search_binary_ladder(l.greatest), {}});
  }
  return out;
}

// Included up to greatest, absent above (a null greatest: version 0 absent).
void claim_search_results(std::vector<planned_ladder>& ladders, const version_map& versions) {
  for (planned_ladder& l : ladders) {
    for (const std::uint32_t v : l.lookups) {
      if (l.greatest && v <= *l.greatest) {
        l.claims.push_back(versions.at(v).commitment);
      } else {
        l.claims.emplace_back(std::nullopt);
      }
    }
  }
}

// ---- Owner ----

// The owner's versions: every version from 0 to its greatest (a gap is a caller bug).
bool contiguous_from_zero(const std::map<std::uint32_t, kt_owned_version>& versions) {
  std::uint64_t expected = 0;
  for (const auto& [v, owned] : versions) {
    if (v != expected) {
      return false;
    }
    ++expected;
  }
  return true;
}

// Each new version: the next number, a later entry than the one before ([D5]: one version per
// label per entry), a VRF proof for it, and the commitment its opening and value make.
step accept_new_versions(const kt_check_context& ctx, std::span<const std::uint8_t> label,
                         const std::vector<kt_owner_version>& new_versions,
                         std::map<std::uint32_t, kt_owned_version>& all) {
  std::uint64_t expected = all.empty() ? 0 : std::uint64_t{all.rbegin()->first} + 1;
  std::optional<std::uint64_t> previous_position;
  if (!all.empty()) {
    previous_position = all.rbegin()->second.position;
  }
  for (const kt_owner_version& nv : new_versions) {
    if (nv.version != expected || (previous_position && nv.position <= *previous_position)) {
      return fail(kt_check_error::new_versions_invalid);
    }
    if (!vrf_verify(ctx.vrf_public_key, encode_vrf_input(label, nv.version), nv.vrf_proof)) {
      return fail(kt_check_error::vrf_invalid);
    }
    const auto commitment = commitment_of(label, nv.version, nv.opening, nv.value);
    if (!commitment) {
      return fail(kt_check_error::malformed);
    }
    all[nv.version] = {nv.position, *commitment};
    previous_position = nv.position;
    ++expected;
  }
  return std::nullopt;
}

// The newest version created at or before entry d.
std::optional<std::uint32_t> greatest_at(const std::map<std::uint32_t, kt_owned_version>& all,
                                         std::uint64_t d) {
  std::optional<std::uint32_t> out;
  for (const auto& [v, owned] : all) {
    if (owned.position <= d) {
      out = v;
    }
  }
  return out;
}

// An owner ladder at distinguished entry d ([D3]): full_search_binary_ladder(g), then every
// version created in (previous, d] it skipped, ascending. A version created at or before d is
// included under the commitment the owner holds; any other lookup is absent.
planned_ladder plan_owner_ladder(const std::map<std::uint32_t, kt_owned_version>& all,
                                 std::uint64_t previous, std::uint64_t d) {
  const std::optional<std::uint32_t> g = greatest_at(all, d);
  planned_ladder l{d, g, full_search_binary_ladder(g), {}};
  for (const auto& [v, owned] : all) {
    if (owned.position > previous && owned.position <= d &&
        std::find(l.lookups.begin(), l.lookups.end(), v) == l.lookups.end()) {
      l.lookups.push_back(v);
    }
  }
  for (const std::uint32_t v : l.lookups) {
    const auto it = all.find(v);
    if (it != all.end() && it->second.position <= d) {
      l.claims.emplace_back(it->second.commitment);
    } else {
      l.claims.emplace_back(std::nullopt);
    }
  }
  return l;
}

// Every version the owner knows is in the tree at the head, so it carries the owner's
// commitment; one above them that carries a commitment is a version the server withheld.
step check_owner_commitments(const version_map& versions,
                             const std::map<std::uint32_t, kt_owned_version>& all) {
  for (const auto& [v, info] : versions) {
    const auto it = all.find(v);
    if (it == all.end()) {
      if (info.commitment) {
        return fail(kt_check_error::unknown_version);
      }
    } else if (info.commitment != it->second.commitment) {
      return fail(kt_check_error::commitment_mismatch);
    }
  }
  return std::nullopt;
}

// The owner ladders' entries: all distinguished entries after start, or when `more` the first
// n, where n (the response's owner ladder count) must be 1..max_owner_ladders and the walk must
// find that many.
std::optional<std::vector<std::uint64_t>> plan_owner_positions(
    std::uint64_t start, std::uint64_t tree_size, std::uint64_t window,
    const timestamp_lookup& timestamp_of, bool more, std::size_t owner_ladders) {
  if (more) {
    return distinguished_entries_after(start, tree_size, window, timestamp_of, owner_ladders);
  }
  return distinguished_entries_after(start, tree_size, window, timestamp_of);
}

std::map<std::uint32_t, prefix_hash> commitments_of(
    const std::map<std::uint32_t, kt_owned_version>& all) {
  std::map<std::uint32_t, prefix_hash> out;
  for (const auto& [v, owned] : all) {
    out[v] = owned.commitment;
  }
  return out;
}

// §9 step 4: a new version created after the old start at an entry that is not distinguished
// is monitored like a contact's search result.
std::optional<std::vector<kt_map_entry>> new_version_entries(
    const std::vector<kt_owner_version>& new_versions,
    const std::map<std::uint32_t, kt_owned_version>& all, std::uint64_t start,
    std::uint64_t tree_size, std::uint64_t window, const timestamp_lookup& timestamp_of) {
  const auto commitments = commitments_of(all);
  std::vector<kt_map_entry> out;
  for (const kt_owner_version& nv : new_versions) {
    if (nv.position <= start) {
      continue;  // [D4]: history up to start is adopted, not monitored
    }
    const auto distinguished = is_distinguished(nv.position, tree_size, window, timestamp_of);
    if (!distinguished) {
      return std::nullopt;
    }
    if (!*distinguished) {
      auto entry = map_entry_for(nv.position, nv.version, commitments);
      if (!entry) {
        return std::nullopt;
      }
      out.push_back(std::move(*entry));
    }
  }
  return out;
}

}  // namespace

kt_check_result<kt_search_outcome> check_search(const kt_check_context& ctx,
                                                const kt_retained_view& retained,
                                                std::span<const std::uint8_t> label,
                                                const kt_search_response& response) {
  using result = kt_check_result<kt_search_outcome>;
  if (label.size() > max_label_size) {
    return result_of<kt_search_outcome>(fail(kt_check_error::malformed));
  }
  if (!std::equal(label.begin(), label.end(), response.label.begin(), response.label.end())) {
    return result_of<kt_search_outcome>(fail(kt_check_error::wrong_label));
  }
  const std::uint64_t tree_size = response.proof.head.tree_size;
  const timestamp_map claimed = claimed_timestamps(response.proof, retained);
  const auto positions = search_ladder_positions(tree_size, ctx.window_ms, lookup_over(claimed));
  if (!positions) {
    return result_of<kt_search_outcome>(plan_failure(response.proof));
  }
  kt_search_outcome outcome;
  if (auto f = verify_proof(ctx, retained, response.proof, *positions, outcome.verified)) {
    return result_of<kt_search_outcome>(*f);
  }
  // The positions are ours; the greatest values are the server's claim, held to DESIGN's rules
  // and then proven (or refuted) by the ladders they determine.
  if (response.ladders.size() != positions->size() ||
      !std::equal(positions->begin(), positions->end(), response.ladders.begin(),
                  [](std::uint64_t p, const kt_ladder& l) { return l.position == p; }) ||
      !search_greatest_consistent(response.ladders, response.version)) {
    return result_of<kt_search_outcome>(fail(kt_check_error::ladder_mismatch));
  }
  std::vector<planned_ladder> planned = plan_search_ladders(response.ladders);
  version_map versions;
  if (auto f =
          verify_versions(ctx, label, response.versions, looked_up_versions(planned), versions)) {
    return result_of<kt_search_outcome>(*f);
  }
  const auto computed = commitment_of(label, response.version, response.opening, response.value);
  if (!computed) {
    return result_of<kt_search_outcome>(fail(kt_check_error::malformed));
  }
  if (auto f = settle_search_commitments(versions, response.version, *computed)) {
    return result_of<kt_search_outcome>(*f);
  }
  claim_search_results(planned, versions);
  if (auto f = check_included_commitments(planned, versions)) {
    return result_of<kt_search_outcome>(*f);
  }
  if (auto f = check_ladders(planned, response.ladders, versions, outcome.verified)) {
    return result_of<kt_search_outcome>(*f);
  }

  // The terminal entry: the leftmost ladder that shows the searched version.
  const auto terminal = std::find_if(planned.begin(), planned.end(), [&](const planned_ladder& l) {
    return l.greatest == response.version;
  });
  outcome.terminal = terminal->position;  // the rightmost ladder qualifies
  const timestamp_map proven = verified_timestamps(outcome.verified);
  const auto distinguished =
      is_distinguished(outcome.terminal, tree_size, ctx.window_ms, lookup_over(proven));
  if (!distinguished) {
    return result_of<kt_search_outcome>(fail_proof(kt_proof_error::missing_entries));
  }
  if (!*distinguished) {
    std::map<std::uint32_t, prefix_hash> known;
    for (const auto& [v, info] : versions) {
      if (info.commitment) {
        known[v] = *info.commitment;
      }
    }
    // Every version of monitoring_binary_ladder(version) was looked up (and so committed to)
    // by the rightmost ladder; without one the entry could not be monitored, so refuse.
    outcome.map_entry = map_entry_for(outcome.terminal, response.version, known);
    if (!outcome.map_entry) {
      return result_of<kt_search_outcome>(fail(kt_check_error::versions_mismatch));
    }
  }
  outcome.version = response.version;
  outcome.value = response.value;
  return result{std::move(outcome), {}, std::nullopt};
}

kt_check_result<kt_monitor_outcome> check_monitor(const kt_check_context& ctx,
                                                  const kt_retained_view& retained,
                                                  std::span<const std::uint8_t> label,
                                                  std::span<const kt_map_entry> entries,
                                                  const kt_monitor_response& response) {
  if (label.size() > max_label_size) {
    return result_of<kt_monitor_outcome>(fail(kt_check_error::malformed));
  }
  const std::uint64_t tree_size = response.proof.head.tree_size;
  std::vector<std::uint64_t> required = positions_of(entries);
  if (!within(required, tree_size)) {
    return result_of<kt_monitor_outcome>(fail_proof(kt_proof_error::malformed));
  }
  const timestamp_map claimed = claimed_timestamps(response.proof, retained);
  const auto positions =
      plan_monitoring_positions(entries, tree_size, ctx.window_ms, lookup_over(claimed));
  if (!positions) {
    return result_of<kt_monitor_outcome>(plan_failure(response.proof));
  }
  for (const auto& p : *positions) {
    required.insert(required.end(), p.begin(), p.end());
  }
  kt_monitor_outcome outcome;
  if (auto f = verify_proof(ctx, retained, response.proof, required, outcome.verified)) {
    return result_of<kt_monitor_outcome>(*f);
  }
  std::vector<planned_ladder> planned;
  if (auto f = plan_monitoring_ladders(entries, *positions, planned)) {
    return result_of<kt_monitor_outcome>(*f);
  }
  version_map versions;
  if (auto f =
          verify_versions(ctx, label, response.versions, looked_up_versions(planned), versions)) {
    return result_of<kt_monitor_outcome>(*f);
  }
  if (auto f = check_included_commitments(planned, versions)) {
    return result_of<kt_monitor_outcome>(*f);
  }
  if (auto f = check_ladders(planned, response.ladders, versions, outcome.verified)) {
    return result_of<kt_monitor_outcome>(*f);
  }
  const timestamp_map proven = verified_timestamps(outcome.verified);
  auto advanced = advance_map(entries, *positions, tree_size, ctx.window_ms, lookup_over(proven));
  if (!advanced) {
    return result_of<kt_monitor_outcome>(fail_proof(kt_proof_error::missing_entries));
  }
  outcome.entries = merge_map(std::move(*advanced));
  return result_of(std::move(outcome));
}

kt_check_result<kt_owner_outcome> check_owner(const kt_check_context& ctx,
                                              const kt_retained_view& retained,
                                              std::span<const std::uint8_t> label,
                                              const kt_owner_state& state,
                                              const kt_owner_response& response,
                                              std::size_t max_owner_ladders) {
  if (label.size() > max_label_size || !contiguous_from_zero(state.versions)) {
    return result_of<kt_owner_outcome>(fail(kt_check_error::malformed));
  }
  std::map<std::uint32_t, kt_owned_version> all = state.versions;
  if (auto f = accept_new_versions(ctx, label, response.new_versions, all)) {
    return result_of<kt_owner_outcome>(*f);
  }

  // Positions: start (the §6.1 walk from it needs its root path), the new versions, the map
  // entries, their monitoring ladders and the owner ladders.
  const std::uint64_t tree_size = response.proof.head.tree_size;
  std::vector<std::uint64_t> required = positions_of(state.entries);
  required.push_back(state.start);
  for (const kt_owner_version& nv : response.new_versions) {
    required.push_back(nv.position);
  }
  if (!within(required, tree_size)) {
    return result_of<kt_owner_outcome>(fail_proof(kt_proof_error::malformed));
  }
  const timestamp_map claimed = claimed_timestamps(response.proof, retained);
  const auto monitoring =
      plan_monitoring_positions(state.entries, tree_size, ctx.window_ms, lookup_over(claimed));
  if (!monitoring) {
    return result_of<kt_owner_outcome>(plan_failure(response.proof));
  }
  std::size_t monitoring_count = 0;
  for (const auto& p : *monitoring) {
    required.insert(required.end(), p.begin(), p.end());
    monitoring_count += p.size();
  }
  // A cut response carries n owner ladders; `more` with none would never advance.
  const std::size_t owner_count =
      response.ladders.size() - std::min(response.ladders.size(), monitoring_count);
  if (response.ladders.size() < monitoring_count || owner_count > max_owner_ladders ||
      (response.more && owner_count == 0)) {
    return result_of<kt_owner_outcome>(fail(kt_check_error::ladder_mismatch));
  }
  const auto distinguished = plan_owner_positions(state.start, tree_size, ctx.window_ms,
                                                  lookup_over(claimed), response.more, owner_count);
  if (!distinguished) {
    return result_of<kt_owner_outcome>(plan_failure(response.proof));
  }
  if (distinguished->size() != owner_count) {
    return result_of<kt_owner_outcome>(fail(kt_check_error::ladder_mismatch));
  }
  required.insert(required.end(), distinguished->begin(), distinguished->end());
  kt_owner_outcome outcome;
  if (auto f = verify_proof(ctx, retained, response.proof, required, outcome.verified)) {
    return result_of<kt_owner_outcome>(*f);
  }

  std::vector<planned_ladder> planned;
  if (auto f = plan_monitoring_ladders(state.entries, *monitoring, planned)) {
    return result_of<kt_owner_outcome>(*f);
  }
  std::uint64_t previous = state.start;
  for (const std::uint64_t d : *distinguished) {
    planned.push_back(plan_owner_ladder(all, previous, d));
    previous = d;
  }
  version_map versions;
  if (auto f =
          verify_versions(ctx, label, response.versions, looked_up_versions(planned), versions)) {
    return result_of<kt_owner_outcome>(*f);
  }
  if (auto f = check_owner_commitments(versions, all)) {
    return result_of<kt_owner_outcome>(*f);
  }
  if (auto f = check_included_commitments(planned, versions)) {
    return result_of<kt_owner_outcome>(*f);
  }
  if (auto f = check_ladders(planned, response.ladders, versions, outcome.verified)) {
    return result_of<kt_owner_outcome>(*f);
  }

  const timestamp_map proven = verified_timestamps(outcome.verified);
  auto advanced =
      advance_map(state.entries, *monitoring, tree_size, ctx.window_ms, lookup_over(proven));
  auto added = new_version_entries(response.new_versions, all, state.start, tree_size,
                                   ctx.window_ms, lookup_over(proven));
  if (!advanced || !added) {
    return result_of<kt_owner_outcome>(fail_proof(kt_proof_error::missing_entries));
  }
  advanced->insert(advanced->end(), std::make_move_iterator(added->begin()),
                   std::make_move_iterator(added->end()));
  outcome.state.start = distinguished->empty() ? state.start : distinguished->back();
  outcome.state.versions = std::move(all);
  outcome.state.entries = merge_map(std::move(*advanced));
  const std::set<std::uint32_t> included = included_versions(planned);
  for (const kt_owner_version& nv : response.new_versions) {
    outcome.new_versions.push_back(
        {nv.version, nv.position, nv.value, included.contains(nv.version)});
  }
  outcome.more = response.more;
  return result_of(std::move(outcome));
}

const char* to_string(kt_check_error error) noexcept {
  switch (error) {
    case kt_check_error::proof:
      return "proof";
    case kt_check_error::wrong_label:
      return "wrong_label";
    case kt_check_error::malformed:
      return "malformed";
    case kt_check_error::vrf_invalid:
      return "vrf_invalid";
    case kt_check_error::versions_mismatch:
      return "versions_mismatch";
    case kt_check_error::commitment_mismatch:
      return "commitment_mismatch";
    case kt_check_error::ladder_mismatch:
      return "ladder_mismatch";
    case kt_check_error::prefix_proof_invalid:
      return "prefix_proof_invalid";
    case kt_check_error::new_versions_invalid:
      return "new_versions_invalid";
    case kt_check_error::unknown_version:
      return "unknown_version";
  }
  return "unknown";
}

}  // namespace sealpost::keytrans
