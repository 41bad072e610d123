// AuditorUpdate (draft §15.2) against tests/vectors/keytrans/auditor-update.json: for every case
// katie accepted, the bytes we make from the previous prefix tree and the added and removed
// leaves, and the log root after the entry. Rejected cases are an auditor's to refuse; our
// producer cannot make most of them (unsorted or repeated keys, keys already present), which
// is checked too.
#include "keytrans/auditor_update.hpp"

#include <catch2/catch.hpp>

#include "keytrans/log_tree.hpp"
#include "keytrans_vector_file.hpp"

namespace sealpost::keytrans {
namespace {

using test::hex_array;
using test::hex_bytes;
using test::hex_field;

std::vector<prefix_leaf> leaves_of(const boost::json::object& input, const char* name) {
  std::vector<prefix_leaf> leaves;
  for (const boost::json::value& v : input.at(name).as_array()) {
    const auto& o = v.as_object();
    leaves.push_back(
        {hex_array<prefix_search_key>(o, "vrf_output"), hex_array<prefix_hash>(o, "commitment")});
  }
  return leaves;
}

// The previous entry's tree as the server stores it: every leaf written at entry 0.
memory_prefix_store store_of(const std::vector<prefix_leaf>& entries) {
  memory_prefix_store store;
  if (!entries.empty()) {
    const auto inserted = prefix_store_insert(store, std::nullopt, entries, 0);
    store.store(inserted.rows);
  }
  return store;
}

}  // namespace

TEST_CASE("keytrans auditor: accepted updates match the vectors' bytes and log roots",
          "[keytrans]") {
  int accepted = 0;
  int roots = 0;
  for (const boost::json::value& c : test::load_keytrans_cases("auditor-update.json")) {
    const auto& input = c.at("input").as_object();
    const auto& expect = c.at("expect").as_object();
    if (expect.at("verdict") != "accepted") {
      continue;
    }
    INFO(std::string(c.at("name").as_string()));
    const auto entries = leaves_of(input, "entries");
    const auto added = leaves_of(input, "added");
    const auto removed = leaves_of(input, "removed");
    auto store = store_of(entries);
    const std::optional<std::uint64_t> previous =
        entries.empty() ? std::nullopt : std::optional<std::uint64_t>(0);
    CHECK(prefix_store_root(store, 0) == hex_array<prefix_hash>(input, "prefix_root"));

    // The proof covers added then removed keys, in the previous tree.
    std::vector<prefix_search_key> keys;
    for (const auto& l : added) {
      keys.push_back(l.vrf_output);
    }
    for (const auto& l : removed) {
      keys.push_back(l.vrf_output);
    }
    memory_prefix_store empty;
    const auto proof =
        previous ? prefix_store_prove(store, 0, keys) : prefix_store_prove(empty, 0, keys);
    REQUIRE(proof);
    const auditor_update update{test::u64(input.at("timestamp")), added, removed, *proof};
    CHECK(encode_auditor_update(update) == hex_field(expect, "encoding"));
    // Decoding gives the update back; every truncation is refused.
    const auto encoded = hex_field(expect, "encoding");
    const auto decoded = decode_auditor_update(encoded);
    REQUIRE(decoded);
    CHECK(encode_auditor_update(*decoded) == encoded);
    for (std::size_t cut = 0; cut < encoded.size(); ++cut) {
      CHECK_FALSE(decode_auditor_update(std::span(encoded).first(cut)));
    }
    if (removed.empty()) {
      const auto made = make_auditor_update(store, previous, update.timestamp, added);
      REQUIRE(made);
      CHECK(encode_auditor_update(*made) == hex_field(expect, "encoding"));
    }

    ++accepted;
    // The log root after the entry. Our prefix tree has no removal (Sealpost never removes a
    // leaf in stage 1), and rebuilding the tree without the removed keys does not give katie's
    // root after a removal: its tree keeps the shape removal leaves behind. So the roots are
    // checked for the cases that only add.
    if (!removed.empty()) {
      continue;
    }
    prefix_tree after;
    for (const auto& l : entries) {
      REQUIRE(after.insert(l));
    }
    for (const auto& l : added) {
      REQUIRE(after.insert(l));
    }
    log_full_subtree_state log{test::u64(input.at("log_size")), {}};
    for (const boost::json::value& h : input.at("log_full_subtrees").as_array()) {
      const auto raw = hex_bytes(std::string_view(h.as_string()));
      log_hash value{};
      std::copy(raw.begin(), raw.end(), value.begin());
      log.heads.push_back(value);
    }
    const auto appended = log_append_leaf(log, log_leaf_value({update.timestamp, after.root()}));
    REQUIRE(appended);
    CHECK(appended->state.size == test::u64(expect.at("tree_size")));
    CHECK(log_root_from_full_subtrees(appended->state) == hex_array<log_hash>(expect, "log_root"));
    ++roots;
  }
  CHECK(accepted == 6);
  CHECK(roots == 4);
}

TEST_CASE("keytrans auditor: the producer refuses what the vectors' auditor rejects",
          "[keytrans]") {
  const prefix_leaf a{prefix_search_key{0x01}, prefix_hash{0xa1}};
  const prefix_leaf b{prefix_search_key{0x40}, prefix_hash{0xb2}};
  auto store = store_of({a});
  // Unsorted input is sorted, not refused; a repeat or a key already present is refused.
  const auto sorted =
      make_auditor_update(store, 0, 5, {b, prefix_leaf{prefix_search_key{0x20}, {}}});
  REQUIRE(sorted);
  CHECK(sorted->added.front().vrf_output < sorted->added.back().vrf_output);
  CHECK_FALSE(make_auditor_update(store, 0, 5, {b, b}));
  CHECK_FALSE(make_auditor_update(store, 0, 5, {a}));
  // More keys than one PrefixProof holds.
  std::vector<prefix_leaf> many;
  for (int i = 0; i < 256; ++i) {
    prefix_search_key key{};
    key[0] = 0x80;
    key[1] = static_cast<std::uint8_t>(i);
    many.push_back({key, {}});
  }
  CHECK_FALSE(make_auditor_update(store, 0, 5, many));
  many.pop_back();
  CHECK(make_auditor_update(store, 0, 5, many));
}

}  // namespace sealpost::keytrans
