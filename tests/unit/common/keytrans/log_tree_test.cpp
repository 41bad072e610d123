// The KEYTRANS log tree against tests/vectors/keytrans/ (log-tree, log-append, log-math, and the
// log-tree cases of from-kt and tampered), and proofs that were tampered with here.
#include "keytrans/log_tree.hpp"

#include <bit>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "keytrans_vector_file.hpp"

namespace sealpost::keytrans {
namespace {

namespace json = boost::json;

const json::array& cases_of(const json::value& document) {
  const json::array& cases = document.at("cases").as_array();
  REQUIRE_FALSE(cases.empty());
  return cases;
}

bytes from_hex(std::string_view hex) {
  REQUIRE(hex.size() % 2 == 0);
  bytes out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    out.push_back(
        static_cast<std::uint8_t>(std::stoul(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

log_hash hash_from(const json::value& hex) {
  const bytes raw = from_hex(hex.as_string());
  REQUIRE(raw.size() == log_hash_size);
  log_hash out{};
  std::copy(raw.begin(), raw.end(), out.begin());
  return out;
}

std::vector<log_hash> hashes_from(const json::value& list) {
  std::vector<log_hash> out;
  for (const json::value& hex : list.as_array()) {
    out.push_back(hash_from(hex));
  }
  return out;
}

std::vector<std::uint64_t> u64s_from(const json::object& object, const char* name) {
  std::vector<std::uint64_t> out;
  if (const json::value* list = object.if_contains(name)) {
    for (const json::value& number : list->as_array()) {
      out.push_back(json::value_to<std::uint64_t>(number));
    }
  }
  return out;
}

std::uint64_t u64_or_zero(const json::object& object, const char* name) {
  const json::value* number = object.if_contains(name);
  return number == nullptr ? 0 : json::value_to<std::uint64_t>(*number);
}

log_entry entry_from(const json::value& value) {
  const json::object& entry = value.as_object();
  return {json::value_to<std::uint64_t>(entry.at("timestamp")), hash_from(entry.at("prefix_tree"))};
}

std::vector<proven_log_leaf> proven(const std::vector<std::uint64_t>& indices,
                                    const std::vector<log_hash>& values) {
  REQUIRE(indices.size() == values.size());
  std::vector<proven_log_leaf> out;
  for (std::size_t i = 0; i < indices.size(); ++i) {
    out.push_back({indices[i], values[i]});
  }
  return out;
}

std::vector<proven_log_leaf> proven_from_tree(const std::vector<std::uint64_t>& indices,
                                              const std::vector<log_hash>& leaves) {
  std::vector<log_hash> values;
  for (std::uint64_t index : indices) {
    values.push_back(leaves.at(index));
  }
  return proven(indices, values);
}

std::vector<log_hash> full_subtree_values(const std::vector<log_hash>& leaves, std::uint64_t size) {
  const std::span<const log_hash> prefix(leaves.data(), size);
  std::vector<log_hash> out;
  for (const log_subtree& head : log_full_subtrees(size)) {
    out.push_back(log_subtree_value(prefix, head));
  }
  return out;
}

bytes encoded(const std::vector<log_hash>& elements) {
  const std::optional<bytes> proof = encode_inclusion_proof(elements);
  REQUIRE(proof.has_value());
  return *proof;
}

// Distinct leaf values for trees made here: the §11.8 values of made-up entries.
std::vector<log_hash> made_up_leaves(std::uint64_t count) {
  std::vector<log_hash> leaves;
  for (std::uint64_t i = 0; i < count; ++i) {
    log_entry entry{1700000000000 + i, {}};
    entry.prefix_tree.fill(static_cast<std::uint8_t>(i));
    leaves.push_back(log_leaf_value(entry));
  }
  return leaves;
}

// True when the proof evaluates, and to `root`.
bool proves_root(std::uint64_t tree_size, const std::vector<proven_log_leaf>& leaves,
                 std::uint64_t retained_size, const std::vector<log_hash>& retained,
                 const bytes& proof, const log_hash& root) {
  const auto result = evaluate_inclusion_proof(tree_size, leaves, retained_size, retained, proof);
  return result.has_value() && result->root == root;
}

TEST_CASE("keytrans: log-tree.json leaf values, roots, full subtrees and every batch proof",
          "[keytrans][log_tree]") {
  const json::value document = test::load_keytrans_file("log-tree.json");
  std::size_t proofs_checked = 0;
  for (const json::value& item : cases_of(document)) {
    const json::object& input = item.at("input").as_object();
    const json::object& expect = item.at("expect").as_object();
    INFO(item.at("name").as_string());

    std::vector<log_hash> leaves;
    for (const json::value& entry : input.at("entries").as_array()) {
      leaves.push_back(log_leaf_value(entry_from(entry)));
    }
    REQUIRE(leaves == hashes_from(expect.at("leaf_values")));
    const log_hash root = hash_from(expect.at("root"));
    CHECK(log_tree_root(leaves) == root);
    const std::vector<log_hash> full_subtrees = hashes_from(expect.at("full_subtrees"));
    CHECK(full_subtree_values(leaves, leaves.size()) == full_subtrees);

    const json::array& requests = input.at("requests").as_array();
    const json::array& proofs = expect.at("proofs").as_array();
    REQUIRE(requests.size() == proofs.size());
    for (std::size_t i = 0; i < requests.size(); ++i) {
      const json::object& request = requests[i].as_object();
      const std::vector<std::uint64_t> indices = u64s_from(request, "proven_leaves");
      const std::uint64_t retained_size = u64_or_zero(request, "retained_size");
      const bytes expected_proof = from_hex(proofs[i].at("proof").as_string());
      INFO("request " << i << " retained " << retained_size);

      CHECK(make_inclusion_proof(leaves, indices, retained_size) == expected_proof);
      CHECK(decode_inclusion_proof(expected_proof) == hashes_from(proofs[i].at("elements")));

      const auto result =
          evaluate_inclusion_proof(leaves.size(), proven_from_tree(indices, leaves), retained_size,
                                   full_subtree_values(leaves, retained_size), expected_proof);
      REQUIRE(result.has_value());
      CHECK(result->root == root);
      CHECK(result->full_subtrees == full_subtrees);
      ++proofs_checked;
    }
  }
  CHECK(proofs_checked == 492);
}

TEST_CASE("keytrans: log-append.json grows the log from its full subtrees alone",
          "[keytrans][log_tree]") {
  const json::value document = test::load_keytrans_file("log-append.json");
  log_full_subtree_state state;
  std::size_t sizes_checked = 0;
  for (const json::value& item : cases_of(document)) {
    const json::object& input = item.at("input").as_object();
    const json::object& expect = item.at("expect").as_object();
    INFO(item.at("name").as_string());
    const std::vector<log_hash> leaves = hashes_from(input.at("leaves"));
    const json::array& appended = input.at("entries").as_array();
    REQUIRE(appended.size() == 1);
    // The cases are consecutive sizes: each appends one entry to the state the last one left.
    REQUIRE(json::value_to<std::uint64_t>(input.at("size")) == state.size + 1);
    REQUIRE(leaves.size() == state.size + 1);
    const log_hash leaf = log_leaf_value(entry_from(appended[0]));
    CHECK(leaf == leaves.back());

    const auto next = log_append_leaf(state, leaf);
    REQUIRE(next.has_value());
    state = next->state;
    // What the leaf completed: every balanced subtree ending at the new size, with its value.
    REQUIRE(next->completed.size() ==
            static_cast<std::size_t>(std::countr_zero(std::uint64_t{state.size})) + 1);
    for (std::size_t level = 0; level < next->completed.size(); ++level) {
      const log_node& node = next->completed[level];
      CHECK(node.subtree ==
            log_subtree{state.size - (std::uint64_t{1} << level), std::uint64_t{1} << level});
      CHECK(node.value == log_subtree_value(leaves, node.subtree));
    }
    CHECK(next->completed.back().value == state.heads.back());
    const log_hash root = hash_from(expect.at("root"));
    CHECK(state.heads == hashes_from(expect.at("full_subtrees")));
    CHECK(log_root_from_full_subtrees(state) == root);
    CHECK(log_tree_root(leaves) == root);
    ++sizes_checked;
  }
  CHECK(sizes_checked == 64);
}

TEST_CASE("keytrans: log-math.json full subtrees and batch copaths in flat node indices",
          "[keytrans][log_tree]") {
  const json::value document = test::load_keytrans_file("log-math.json");
  std::size_t cases_checked = 0;
  for (const json::value& item : cases_of(document)) {
    const json::object& input = item.at("input").as_object();
    INFO(item.at("name").as_string());
    const std::uint64_t size = json::value_to<std::uint64_t>(input.at("size"));
    const std::vector<std::uint64_t> expected = u64s_from(item.at("expect").as_object(), "indices");

    std::vector<log_subtree> nodes;
    if (input.at("kind").as_string() == "full-subtrees") {
      nodes = log_full_subtrees(size);
    } else {
      REQUIRE(input.at("kind").as_string() == "batch-copath");
      const auto copath =
          log_batch_copath(size, u64s_from(input, "leaves"), u64_or_zero(input, "retained_size"));
      REQUIRE(copath.has_value());
      nodes = *copath;
    }
    std::vector<std::uint64_t> indices;
    for (const log_subtree& node : nodes) {
      indices.push_back(node.flat_index());
    }
    CHECK(indices == expected);
    for (const log_subtree& node : nodes) {
      CHECK(node.index_at_level() << node.level() == node.start);
      CHECK(std::uint64_t{1} << node.level() == node.size);
    }
    ++cases_checked;
  }
  CHECK(cases_checked == 1679);
}

TEST_CASE("keytrans: from-kt.json log-tree proofs are accepted or refused as katie judged",
          "[keytrans][log_tree]") {
  const json::value document = test::load_keytrans_file("from-kt.json");
  std::size_t accepted = 0;
  std::size_t rejected = 0;
  for (const json::value& item : cases_of(document)) {
    const json::object& c = item.as_object();
    if (c.at("kind").as_string() != "log-tree") {
      continue;
    }
    INFO(c.at("name").as_string());
    const std::uint64_t retained_size = u64_or_zero(c, "retained_size");
    const std::vector<log_hash> retained =
        c.contains("retained") ? hashes_from(c.at("retained")) : std::vector<log_hash>{};
    // The elements as a list, as DESIGN.md's `inclusion` carries them.
    const std::vector<log_hash> elements = hashes_from(c.at("elements"));
    const auto result =
        evaluate_inclusion_proof(json::value_to<std::uint64_t>(c.at("size")),
                                 proven(u64s_from(c, "entries"), hashes_from(c.at("values"))),
                                 retained_size, retained, std::span<const log_hash>(elements));
    const bool valid = result.has_value() && result->root == hash_from(c.at("root"));
    if (c.at("expect").as_string() == "accept") {
      CHECK(valid);
      ++accepted;
    } else {
      REQUIRE(c.at("expect").as_string() == "reject");
      CHECK_FALSE(valid);
      ++rejected;
    }
  }
  CHECK(accepted == 98);
  CHECK(rejected == 94);
}

TEST_CASE("keytrans: tampered.json log-tree proofs never reach the root", "[keytrans][log_tree]") {
  const json::value document = test::load_keytrans_file("tampered.json");
  std::size_t refused = 0;
  for (const json::value& item : cases_of(document)) {
    const json::object& input = item.at("input").as_object();
    if (input.at("kind").as_string() != "log-tree") {
      continue;
    }
    INFO(item.at("name").as_string());
    REQUIRE(item.at("expect").at("error").as_bool());
    const std::vector<log_hash> retained =
        input.contains("retained") ? hashes_from(input.at("retained")) : std::vector<log_hash>{};
    CHECK_FALSE(proves_root(json::value_to<std::uint64_t>(input.at("size")),
                            proven(u64s_from(input, "entries"), hashes_from(input.at("values"))),
                            u64_or_zero(input, "retained_size"), retained,
                            encoded(hashes_from(input.at("elements"))),
                            hash_from(input.at("root"))));
    ++refused;
  }
  CHECK(refused == 6);
}

// Every pair (n, leaf) and (n, retained size, leaf) for small trees: the proof made here
// evaluates to the root, and each way of breaking it does not.
struct proof_case {
  std::uint64_t size;
  std::uint64_t retained_size;
  std::vector<std::uint64_t> indices;
};

std::vector<proof_case> small_proof_cases() {
  std::vector<proof_case> cases;
  for (std::uint64_t size = 1; size <= 18; ++size) {
    for (std::uint64_t retained = 0; retained <= size; retained += (size > 9 ? 3 : 1)) {
      for (std::uint64_t leaf = 0; leaf < size; ++leaf) {
        cases.push_back({size, retained, {leaf}});
      }
      if (size >= 3) {
        cases.push_back({size, retained, {0, size / 2, size - 1}});
      }
      if (retained > 0) {
        cases.push_back({size, retained, {}});  // a pure consistency proof
      }
    }
  }
  return cases;
}

TEST_CASE("keytrans: proofs made here evaluate to the root and the new full subtrees",
          "[keytrans][log_tree]") {
  const std::vector<log_hash> all = made_up_leaves(18);
  for (const proof_case& c : small_proof_cases()) {
    INFO("size " << c.size << " retained " << c.retained_size << " leaves " << c.indices.size());
    const std::vector<log_hash> leaves(all.begin(), all.begin() + c.size);
    const auto proof = make_inclusion_proof(leaves, c.indices, c.retained_size);
    REQUIRE(proof.has_value());
    const auto result =
        evaluate_inclusion_proof(c.size, proven_from_tree(c.indices, leaves), c.retained_size,
                                 full_subtree_values(leaves, c.retained_size), *proof);
    REQUIRE(result.has_value());
    CHECK(result->root == log_tree_root(leaves));
    CHECK(result->full_subtrees == full_subtree_values(leaves, c.size));
  }
}

TEST_CASE("keytrans: a tampered proof does not verify to the root", "[keytrans][log_tree]") {
  const std::vector<log_hash> all = made_up_leaves(18);
  for (const proof_case& c : small_proof_cases()) {
    INFO("size " << c.size << " retained " << c.retained_size << " leaves " << c.indices.size());
    const std::vector<log_hash> leaves(all.begin(), all.begin() + c.size);
    const log_hash root = log_tree_root(leaves);
    const std::vector<proven_log_leaf> claimed = proven_from_tree(c.indices, leaves);
    const std::vector<log_hash> retained = full_subtree_values(leaves, c.retained_size);
    const bytes proof = *make_inclusion_proof(leaves, c.indices, c.retained_size);
    REQUIRE(proves_root(c.size, claimed, c.retained_size, retained, proof, root));
    const std::vector<log_hash> elements = *decode_inclusion_proof(proof);

    // Any flipped bit, in the count or in a hash.
    for (std::size_t byte = 0; byte < proof.size(); ++byte) {
      bytes flipped = proof;
      flipped[byte] ^= 0x01;
      CHECK_FALSE(proves_root(c.size, claimed, c.retained_size, retained, flipped, root));
    }
    // One hash too few or too many: refused outright, whatever the root.
    std::vector<log_hash> extra = elements;
    extra.push_back(log_hash{});
    CHECK_FALSE(
        evaluate_inclusion_proof(c.size, claimed, c.retained_size, retained, encoded(extra)));
    if (!elements.empty()) {
      const std::vector<log_hash> fewer(elements.begin(), elements.end() - 1);
      CHECK_FALSE(
          evaluate_inclusion_proof(c.size, claimed, c.retained_size, retained, encoded(fewer)));
    }
    // The same proof read as one for a tree one leaf bigger or smaller.
    CHECK_FALSE(proves_root(c.size + 1, claimed, c.retained_size, retained, proof, root));
    const bool smaller_fits = c.indices.empty() || c.size - 1 > c.indices.back();
    if (c.size > 1 && smaller_fits && c.size - 1 >= c.retained_size) {
      CHECK_FALSE(proves_root(c.size - 1, claimed, c.retained_size, retained, proof, root));
    }
    if (c.indices.empty()) {
      continue;  // a consistency proof has no leaf to move or replace
    }
    // The same proof and value claimed for another leaf index.
    for (std::uint64_t other = 0; other < c.size && c.indices.size() == 1; ++other) {
      if (other != c.indices[0]) {
        const std::vector<proven_log_leaf> moved{{other, claimed[0].value}};
        CHECK_FALSE(proves_root(c.size, moved, c.retained_size, retained, proof, root));
      }
    }
    // Another leaf's value at the proven index.
    std::vector<proven_log_leaf> wrong_value = claimed;
    wrong_value[0].value = all[(c.indices[0] + 1) % all.size()];
    CHECK_FALSE(proves_root(c.size, wrong_value, c.retained_size, retained, proof, root));
  }
}

TEST_CASE("keytrans: a corrupted retained head is caught, with or without a proven leaf in it",
          "[keytrans][log_tree]") {
  const std::vector<log_hash> leaves = made_up_leaves(11);
  const log_hash root = log_tree_root(leaves);
  // Retained size 6: heads [0,4) and [4,6). Leaf 1 is inside the first, leaf 9 in neither.
  for (const std::uint64_t leaf : {1, 9}) {
    const std::vector<std::uint64_t> indices{leaf};
    const bytes proof = *make_inclusion_proof(leaves, indices, 6);
    const std::vector<proven_log_leaf> claimed = proven_from_tree(indices, leaves);
    for (std::size_t head = 0; head < 2; ++head) {
      std::vector<log_hash> retained = full_subtree_values(leaves, 6);
      REQUIRE(proves_root(leaves.size(), claimed, 6, retained, proof, root));
      retained[head][0] ^= 0x80;
      INFO("leaf " << leaf << " head " << head);
      CHECK_FALSE(proves_root(leaves.size(), claimed, 6, retained, proof, root));
    }
  }
  // A retained head that is itself a proven leaf (retained size 5: heads [0,4) and leaf 4).
  const std::vector<std::uint64_t> four{4};
  std::vector<log_hash> retained = full_subtree_values(leaves, 5);
  retained[1][31] ^= 0x01;
  CHECK_FALSE(evaluate_inclusion_proof(leaves.size(), proven_from_tree(four, leaves), 5, retained,
                                       *make_inclusion_proof(leaves, four, 5)));
}

TEST_CASE("keytrans: malformed requests and proofs are refused, never thrown",
          "[keytrans][log_tree]") {
  const std::vector<log_hash> leaves = made_up_leaves(7);
  const std::vector<std::uint64_t> one{3};
  const std::vector<proven_log_leaf> claimed = proven_from_tree(one, leaves);
  const bytes proof = *make_inclusion_proof(leaves, one, 0);
  REQUIRE(evaluate_inclusion_proof(7, claimed, 0, {}, proof).has_value());

  CHECK_FALSE(evaluate_inclusion_proof(0, {}, 0, {}, encoded({})));  // empty tree
  CHECK_FALSE(evaluate_inclusion_proof(7, claimed, 8, {}, proof));   // retained > size
  CHECK_FALSE(evaluate_inclusion_proof(7, claimed, 3, {}, proof));   // heads missing
  const std::vector<log_hash> extra_head{leaves[0]};
  CHECK_FALSE(evaluate_inclusion_proof(7, claimed, 0, extra_head, proof));  // head extra
  const std::vector<proven_log_leaf> twice{claimed[0], claimed[0]};
  CHECK_FALSE(evaluate_inclusion_proof(7, twice, 0, {}, proof));  // not strictly ascending
  const std::vector<proven_log_leaf> outside{{7, leaves[0]}};
  CHECK_FALSE(evaluate_inclusion_proof(7, outside, 0, {}, proof));  // past the tree
  const std::vector<proven_log_leaf> descending{{5, leaves[5]}, {3, leaves[3]}};
  CHECK_FALSE(evaluate_inclusion_proof(7, descending, 0, {}, proof));

  // Encodings that are not exactly one InclusionProof.
  CHECK_FALSE(evaluate_inclusion_proof(7, claimed, 0, {}, bytes{}));
  CHECK_FALSE(evaluate_inclusion_proof(7, claimed, 0, {}, bytes{0x00}));
  bytes trailing = proof;
  trailing.push_back(0x00);
  CHECK_FALSE(evaluate_inclusion_proof(7, claimed, 0, {}, trailing));
  bytes short_by_one = proof;
  short_by_one.pop_back();
  CHECK_FALSE(evaluate_inclusion_proof(7, claimed, 0, {}, short_by_one));
  CHECK_FALSE(decode_inclusion_proof(bytes{0xFF, 0xFF}));  // claims 65535 hashes, has none
  CHECK(decode_inclusion_proof(bytes{0x00, 0x00}) == std::vector<log_hash>{});
  CHECK_FALSE(encode_inclusion_proof(std::vector<log_hash>(65536)));
  CHECK(encode_inclusion_proof(std::vector<log_hash>(65535))->size() == 2 + 65535 * 32);

  const std::vector<std::uint64_t> unsorted{4, 2};
  CHECK_FALSE(log_batch_copath(7, unsorted, 0));
  CHECK_FALSE(log_batch_copath(7, one, 8));
  CHECK_FALSE(log_batch_copath(0, {}, 0));
  CHECK_FALSE(make_inclusion_proof(leaves, std::vector<std::uint64_t>{7}, 0));
  CHECK_THROWS_AS(log_tree_root({}), std::out_of_range);
  CHECK_THROWS_AS(log_subtree_value(leaves, {6, 2}), std::out_of_range);
}

TEST_CASE("keytrans: huge tree sizes cost work per proven leaf, not per leaf of the tree",
          "[keytrans][log_tree]") {
  constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  CHECK(log_full_subtrees(max).size() == 64);
  CHECK(log_full_subtrees(max).back() == log_subtree{max - 1, 1});

  const std::vector<std::uint64_t> ends{0, max / 2, max - 1};
  const auto copath = log_batch_copath(max, ends, 0);
  REQUIRE(copath.has_value());
  CHECK(copath->size() <= 3 * 64);

  // A proof of the right length evaluates (to some root); one element short or long is refused.
  std::vector<log_hash> elements(copath->size(), made_up_leaves(1)[0]);
  std::vector<proven_log_leaf> claimed;
  for (std::uint64_t index : ends) {
    claimed.push_back({index, log_hash{}});
  }
  const auto result = evaluate_inclusion_proof(max, claimed, 0, {}, encoded(elements));
  REQUIRE(result.has_value());
  CHECK(result->full_subtrees.size() == 64);
  elements.pop_back();
  CHECK_FALSE(evaluate_inclusion_proof(max, claimed, 0, {}, encoded(elements)));
  elements.resize(elements.size() + 2);
  CHECK_FALSE(evaluate_inclusion_proof(max, claimed, 0, {}, encoded(elements)));

  // Against 63 retained heads, the last leaf beyond them: the heads are used, not recomputed.
  const std::uint64_t retained_size = max - 3;
  const std::vector<std::uint64_t> last{max - 1};
  const auto consistency = log_batch_copath(max, last, retained_size);
  REQUIRE(consistency.has_value());
  const std::vector<log_hash> retained(log_full_subtrees(retained_size).size(), log_hash{});
  CHECK(evaluate_inclusion_proof(max, std::vector<proven_log_leaf>{{max - 1, log_hash{}}},
                                 retained_size, retained,
                                 encoded(std::vector<log_hash>(consistency->size()))));
}

TEST_CASE("keytrans: full subtree state refuses to be malformed or to overflow",
          "[keytrans][log_tree]") {
  const log_hash leaf = made_up_leaves(1)[0];
  CHECK_FALSE(log_append_leaf({3, {leaf}}, leaf));    // 3 needs two heads
  CHECK_FALSE(log_append_leaf({0, {leaf}}, leaf));    // 0 needs none
  CHECK_FALSE(log_root_from_full_subtrees({0, {}}));  // no tree, no root
  CHECK_FALSE(log_root_from_full_subtrees({2, {leaf, leaf}}));
  const std::vector<log_hash> heads(64, leaf);
  CHECK_FALSE(log_append_leaf({std::numeric_limits<std::uint64_t>::max(), heads}, leaf));
  CHECK(log_root_from_full_subtrees({std::numeric_limits<std::uint64_t>::max(), heads}));
}

}  // namespace
}  // namespace sealpost::keytrans
