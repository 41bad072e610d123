// Response assembly for the /v1/kt/* routes. The entry and ladder positions come from
// common/keytrans/proof_plan.hpp, the same functions the client checks a response with.
#include "transparency/log_view.hpp"

#include <algorithm>
#include <set>

#include "crypto/base64.hpp"
#include "keytrans/auditor_update.hpp"
#include "keytrans/binary_ladder.hpp"
#include "keytrans/ibst.hpp"
#include "keytrans/log_tree.hpp"
#include "keytrans/prefix_store.hpp"
#include "keytrans/proof_plan.hpp"
#include "keytrans/vrf.hpp"
#include "transparency/prefix_reader.hpp"
#include "transparency/raw_bytes.hpp"

namespace sealpost::transparency {
namespace {

// Levels a proof's reader reads ahead per query: random search keys put n leaves about
// log2(n) + 2 levels deep, so 24 levels make a proof one query up to about a million labels
// (two beyond), where one query per level made it 20 or more.
constexpr std::uint16_t kProofLookahead = 24;

using error_kind = kt_query_error::kind;

std::string b64(const std::string& raw) {
  return crypto::base64_encode(span_of(raw));
}

std::string b64(std::span<const std::uint8_t> raw) {
  return crypto::base64_encode(raw);
}

[[noreturn]] void fail(error_kind kind, const std::string& message) {
  throw kt_query_error(kind, message);
}

boost::json::value optional_json(const std::optional<std::uint32_t>& v) {
  if (!v)
    return nullptr;
  return *v;
}

}  // namespace

log_view::log_view(pqxx::work& tx, const log_keys& keys, const config::server_config& cfg,
                   std::optional<std::uint64_t> last)
    : tx_(tx), keys_(keys), cfg_(cfg), last_(last) {
  auto newest = storage::newest_kt_entry(tx_);
  if (!newest)
    fail(error_kind::unavailable, "the key-transparency log has no entry yet");
  newest_ = *newest;
  tree_size_ = newest_.position + 1;
  if (last_ && (*last_ == 0 || *last_ > tree_size_))
    fail(error_kind::invalid_request, "last must be from 1 to the tree size");
  entries_.emplace(newest_.position, newest_);
  // Every response needs the frontier (search ladders, §4.2 lists, §6.1 at the root).
  for (auto& row : storage::kt_entries_at(tx_, keytrans::ibst_frontier(tree_size_)))
    entries_.emplace(row.position, std::move(row));
}

std::optional<std::uint64_t> log_view::timestamp_of(std::uint64_t position) {
  if (position >= tree_size_)
    return std::nullopt;
  auto it = entries_.find(position);
  if (it == entries_.end()) {
    auto rows = storage::kt_entries_at(tx_, {position});
    if (rows.empty())
      return std::nullopt;
    it = entries_.emplace(position, std::move(rows.front())).first;
  }
  return it->second.timestamp_ms;
}

keytrans::timestamp_lookup log_view::lookup() {
  return [this](std::uint64_t position) { return timestamp_of(position); };
}

const std::vector<storage::kt_version_row>& log_view::versions_of(const std::string& label) {
  auto it = versions_.find(label);
  if (it == versions_.end()) {
    auto all = storage::kt_versions_of(tx_, label);
    std::erase_if(all, [&](const auto& v) { return v.position >= tree_size_; });
    it = versions_.emplace(label, std::move(all)).first;
  }
  return it->second;
}

std::optional<std::uint32_t> log_view::greatest_at(const std::string& label,
                                                   std::uint64_t position) {
  std::optional<std::uint32_t> greatest;
  for (const auto& v : versions_of(label)) {
    if (v.position <= position)
      greatest = v.version;
  }
  return greatest;
}

// The search key of a label-version pair: stored for a published version, else evaluated now
// (a ladder also looks up versions that do not exist, and the client checks their VRF proofs).
std::string log_view::search_key_of(const std::string& label, std::uint32_t version,
                                    std::string* vrf_proof) {
  for (const auto& v : versions_of(label)) {
    if (v.version == version) {
      if (vrf_proof)
        *vrf_proof = v.vrf_proof;
      return v.search_key;
    }
  }
  auto [it, inserted] = evaluated_.try_emplace({label, version});
  if (inserted) {
    const auto evaluation =
        keys_.vrf_key.evaluate(keytrans::encode_vrf_input(span_of(label), version));
    it->second = {{evaluation.output.begin(), evaluation.output.end()},
                  {evaluation.proof.begin(), evaluation.proof.end()}};
  }
  if (vrf_proof)
    *vrf_proof = it->second.vrf_proof;
  return it->second.search_key;
}

boost::json::object log_view::ladder_json(const std::string& label, const ladder& l) {
  std::vector<keytrans::prefix_search_key> keys;
  for (const auto version : l.lookups) {
    const auto raw = search_key_of(label, version, nullptr);
    keytrans::prefix_search_key key{};
    std::copy(raw.begin(), raw.end(), key.begin());
    keys.push_back(key);
  }
  database_prefix_reader reader(tx_, keys, kProofLookahead);
  const auto proof = keytrans::prefix_store_prove(reader, l.position, keys);
  if (!proof)
    throw std::runtime_error("kt: cannot prove a ladder");
  return {{"position", l.position},
          {"greatest", optional_json(l.greatest)},
          {"proof", b64(keytrans::encode_prefix_proof(*proof))}};
}

// Every version the ladders look up, ascending. A version in the prefix tree of the snapshot
// carries its commitment, except `without_commitment` (a search's own version, which the
// client commits to from its opening and value); one that does not exist carries none.
boost::json::array log_view::versions_json(const std::string& label,
                                           const std::vector<ladder>& ladders,
                                           std::optional<std::uint32_t> without_commitment) {
  std::set<std::uint32_t> looked_up;
  for (const auto& l : ladders)
    looked_up.insert(l.lookups.begin(), l.lookups.end());
  boost::json::array out;
  for (const auto version : looked_up) {
    std::string vrf_proof;
    search_key_of(label, version, &vrf_proof);
    boost::json::value commitment = nullptr;
    const auto& published = versions_of(label);
    const auto it = std::find_if(published.begin(), published.end(),
                                 [&](const auto& v) { return v.version == version; });
    if (it != published.end() && version != without_commitment)
      commitment = b64(it->commitment);
    out.push_back(
        {{"version", version}, {"vrf_proof", b64(vrf_proof)}, {"commitment", commitment}});
  }
  return out;
}

// KtProof for the entries the planned positions need (proof_plan.hpp) and the client's `last`.
boost::json::object log_view::proof(std::vector<std::uint64_t> positions) {
  const auto listed = keytrans::kt_proof_entries(tree_size_, last_, positions);
  if (!listed)
    throw std::runtime_error("kt: a planned position is outside the log");
  std::vector<std::uint64_t> missing;
  for (const auto p : *listed) {
    if (!entries_.contains(p))
      missing.push_back(p);
  }
  for (auto& row : storage::kt_entries_at(tx_, missing))
    entries_.emplace(row.position, std::move(row));
  boost::json::array entries;
  for (const auto p : *listed) {
    const auto& e = entries_.at(p);
    entries.push_back({{"position", e.position},
                       {"timestamp", e.timestamp_ms},
                       {"prefix_root", b64(e.prefix_root)}});
  }
  const auto copath = keytrans::log_batch_copath(tree_size_, *listed, last_.value_or(0));
  if (!copath)
    throw std::runtime_error("kt: cannot plan an inclusion proof");
  std::vector<storage::kt_log_node_row> wanted;
  for (const auto& subtree : *copath)
    wanted.push_back({subtree.level(), subtree.index_at_level(), {}});
  const auto found = storage::read_kt_log_nodes(tx_, wanted);
  boost::json::array inclusion;
  for (const auto& w : wanted) {
    const auto it = std::find_if(found.begin(), found.end(), [&](const auto& f) {
      return f.level == w.level && f.index == w.index;
    });
    if (it == found.end())
      throw std::runtime_error("kt tables: a log subtree a proof needs is missing");
    inclusion.push_back(boost::json::value(b64(it->hash)));
  }
  return {{"head", {{"tree_size", tree_size_}, {"signature", b64(newest_.signature)}}},
          {"entries", std::move(entries)},
          {"inclusion", std::move(inclusion)}};
}

boost::json::object log_view::head() {
  return {{"proof", proof({})}};
}

boost::json::object log_view::search(const std::string& label) {
  const auto& published = versions_of(label);
  if (published.empty())
    fail(error_kind::not_found, "this label was never published");
  const auto positions = keytrans::search_ladder_positions(
      tree_size_, cfg_.kt_reasonable_monitoring_window_ms, lookup());
  if (!positions)
    throw std::runtime_error("kt: cannot plan the search ladders");
  std::vector<ladder> ladders;
  for (const auto p : *positions) {
    const auto greatest = greatest_at(label, p);
    ladders.push_back({p, greatest, keytrans::full_search_binary_ladder(greatest)});
  }
  const auto& newest = published.back();
  boost::json::array ladders_out;
  for (const auto& l : ladders)
    ladders_out.push_back(ladder_json(label, l));
  return {{"label", b64(label)},
          {"version", newest.version},
          {"opening", b64(newest.opening)},
          {"value", b64(newest.value)},
          {"versions", versions_json(label, ladders, newest.version)},
          {"ladders", std::move(ladders_out)},
          {"proof", proof(*positions)}};
}

// §8.2 ladders for each map entry, in request order [D7]. Each entry must name a published
// version at the entry that created it or one of that entry's ancestors.
std::vector<log_view::ladder> log_view::monitoring_ladders(const std::string& label,
                                                           const std::vector<map_entry>& entries) {
  std::vector<ladder> ladders;
  for (const auto& e : entries) {
    const auto& published = versions_of(label);
    const auto it = std::find_if(published.begin(), published.end(),
                                 [&](const auto& v) { return v.version == e.version; });
    if (it == published.end() || e.position >= tree_size_)
      fail(error_kind::invalid_request, "entries: a version this log did not publish");
    bool on_path = e.position == it->position;
    if (!on_path) {
      const auto path = keytrans::ibst_direct_path(it->position, tree_size_);
      on_path = path && std::find(path->begin(), path->end(), e.position) != path->end();
    }
    if (!on_path)
      fail(error_kind::invalid_request,
           "entries: each position must be the entry that created the version or an ancestor");
    const auto positions = keytrans::monitoring_ladder_positions(
        e.position, tree_size_, cfg_.kt_reasonable_monitoring_window_ms, lookup());
    if (!positions)
      throw std::runtime_error("kt: cannot plan the monitoring ladders");
    for (const auto p : *positions)
      ladders.push_back({p, e.version, keytrans::monitoring_binary_ladder(e.version)});
  }
  return ladders;
}

boost::json::object log_view::monitor(const std::string& label,
                                      const std::vector<map_entry>& entries) {
  const auto ladders = monitoring_ladders(label, entries);
  std::vector<std::uint64_t> positions;
  boost::json::array ladders_out;
  for (const auto& l : ladders) {
    positions.push_back(l.position);
    ladders_out.push_back(ladder_json(label, l));
  }
  for (const auto& e : entries)
    positions.push_back(e.position);
  return {{"versions", versions_json(label, ladders, std::nullopt)},
          {"ladders", std::move(ladders_out)},
          {"proof", proof(positions)}};
}

boost::json::object log_view::owner(const owner_query& query, std::size_t max_owner_ladders) {
  if (query.start >= tree_size_)
    fail(error_kind::invalid_request, "start must be below the tree size");
  auto ladders = monitoring_ladders(query.label, query.entries);
  // The client walks §6.1 from `start`, so it needs start's root path too.
  std::vector<std::uint64_t> positions{query.start};
  for (const auto& e : query.entries)
    positions.push_back(e.position);

  boost::json::array new_versions;
  for (const auto& v : versions_of(query.label)) {
    if (query.greatest_version && v.version <= *query.greatest_version)
      continue;
    positions.push_back(v.position);
    new_versions.push_back({{"version", v.version},
                            {"position", v.position},
                            {"opening", b64(v.opening)},
                            {"value", b64(v.value)},
                            {"vrf_proof", b64(v.vrf_proof)}});
  }

  const auto distinguished = keytrans::distinguished_entries_after(
      query.start, tree_size_, cfg_.kt_reasonable_monitoring_window_ms, lookup());
  if (!distinguished)
    throw std::runtime_error("kt: cannot find the distinguished entries");
  const bool more = distinguished->size() > max_owner_ladders;
  std::uint64_t previous = query.start;
  for (std::size_t i = 0; i < std::min(distinguished->size(), max_owner_ladders); ++i) {
    const auto d = (*distinguished)[i];
    const auto greatest = greatest_at(query.label, d);
    ladder l{d, greatest, keytrans::full_search_binary_ladder(greatest)};
    // [D3]: then every version created in (previous, d] that the base ladder skipped.
    for (const auto& v : versions_of(query.label)) {
      if (v.position > previous && v.position <= d &&
          std::find(l.lookups.begin(), l.lookups.end(), v.version) == l.lookups.end())
        l.lookups.push_back(v.version);
    }
    ladders.push_back(std::move(l));
    positions.push_back(d);
    previous = d;
  }
  boost::json::array ladders_out;
  for (const auto& l : ladders)
    ladders_out.push_back(ladder_json(query.label, l));
  return {{"new_versions", std::move(new_versions)},
          {"versions", versions_json(query.label, ladders, std::nullopt)},
          {"ladders", std::move(ladders_out)},
          {"more", more},
          {"proof", proof(positions)}};
}

// Each entry's update: its timestamp, the leaves its versions added (sorted by search key) and
// their proof in the previous entry's tree. An entry that added more than 255 leaves has none:
// one PrefixProof holds at most 255 results (draft §12.2), so its `update` is null.
boost::json::object log_view::audit(std::uint64_t start, std::uint64_t limit) {
  boost::json::array out;
  if (start < tree_size_) {
    const std::uint64_t last = std::min(tree_size_, start + limit) - 1;
    const auto entries = storage::kt_entries_between(tx_, start, last);
    const auto versions = storage::kt_versions_between(tx_, start, last);
    database_prefix_reader reader(tx_);
    auto next = versions.begin();
    for (const auto& e : entries) {
      std::vector<keytrans::prefix_leaf> added;
      for (; next != versions.end() && next->position == e.position; ++next) {
        keytrans::prefix_leaf leaf;
        std::copy(next->search_key.begin(), next->search_key.end(), leaf.vrf_output.begin());
        std::copy(next->commitment.begin(), next->commitment.end(), leaf.commitment.begin());
        added.push_back(leaf);
      }
      const auto previous =
          e.position == 0 ? std::nullopt : std::optional<std::uint64_t>(e.position - 1);
      const auto update =
          keytrans::make_auditor_update(reader, previous, e.timestamp_ms, std::move(added));
      boost::json::value encoded = nullptr;
      if (update)
        encoded = b64(keytrans::encode_auditor_update(*update));
      out.push_back({{"position", e.position}, {"update", encoded}});
    }
  }
  return {
      {"tree_size", tree_size_}, {"entries", std::move(out)}, {"more", start + limit < tree_size_}};
}

}  // namespace sealpost::transparency
