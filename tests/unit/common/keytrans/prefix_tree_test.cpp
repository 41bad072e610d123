// The prefix tree against every case of tests/vectors/keytrans/prefix-tree.json (root, proof
// bytes, results, elements), the prefix-tree cases of tampered.json, and our own tampering.
#include "keytrans/prefix_tree.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "keytrans_vector_file.hpp"

namespace sealpost::keytrans {
namespace {

using test::hex_array;
using test::hex_bytes;
using test::hex_field;

prefix_search_key key_from_hex(const boost::json::value& hex) {
  const bytes data = hex_bytes(std::string_view(hex.as_string()));
  prefix_search_key key{};
  REQUIRE(data.size() == key.size());
  std::copy(data.begin(), data.end(), key.begin());
  return key;
}

prefix_hash hash_from_hex(std::string_view hex) {
  const bytes data = hex_bytes(hex);
  prefix_hash value{};
  REQUIRE(data.size() == value.size());
  std::copy(data.begin(), data.end(), value.begin());
  return value;
}

prefix_tree tree_of(const boost::json::array& entries) {
  prefix_tree tree;
  for (const boost::json::value& entry : entries) {
    const boost::json::object& e = entry.as_object();
    REQUIRE(tree.insert(
        {hex_array<prefix_search_key>(e, "vrf_output"), hex_array<prefix_hash>(e, "commitment")}));
  }
  return tree;
}

std::vector<prefix_search_key> searches_of(const boost::json::array& searches) {
  std::vector<prefix_search_key> keys;
  for (const boost::json::value& search : searches) {
    keys.push_back(key_from_hex(search));
  }
  return keys;
}

prefix_search_result result_of(const boost::json::object& r) {
  prefix_search_result result;
  result.type = static_cast<prefix_result_type>(boost::json::value_to<int>(r.at("result_type")));
  result.depth = boost::json::value_to<std::uint8_t>(r.at("depth"));
  if (r.contains("leaf")) {
    const boost::json::object& leaf = r.at("leaf").as_object();
    result.leaf = prefix_leaf{hex_array<prefix_search_key>(leaf, "vrf_output"),
                              hex_array<prefix_hash>(leaf, "commitment")};
  }
  return result;
}

// The vectors list a commitment for each inclusion and "" for the others: what a searcher
// that knows the right answers claims.
std::vector<prefix_claim> claims_of(const boost::json::array& commitments) {
  std::vector<prefix_claim> claims;
  for (const boost::json::value& c : commitments) {
    const std::string_view hex(c.as_string());
    claims.push_back(hex.empty() ? prefix_claim{} : prefix_claim{hash_from_hex(hex)});
  }
  return claims;
}

struct vector_case {
  std::string name;
  prefix_tree tree;
  std::vector<prefix_search_key> searches;
  prefix_hash root;
  bytes proof_bytes;
  prefix_proof proof;
  std::vector<prefix_claim> claims;
};

std::vector<vector_case> load_cases() {
  std::vector<vector_case> cases;
  for (const boost::json::value& entry : test::load_keytrans_cases("prefix-tree.json")) {
    const boost::json::object& v = entry.as_object();
    const boost::json::object& input = v.at("input").as_object();
    const boost::json::object& expect = v.at("expect").as_object();
    vector_case c{std::string(v.at("name").as_string()),
                  tree_of(input.at("entries").as_array()),
                  searches_of(input.at("searches").as_array()),
                  hex_array<prefix_hash>(expect, "root"),
                  hex_field(expect, "proof"),
                  {},
                  claims_of(expect.at("commitments").as_array())};
    for (const boost::json::value& r : expect.at("results").as_array()) {
      c.proof.results.push_back(result_of(r.as_object()));
    }
    for (const boost::json::value& e : expect.at("elements").as_array()) {
      c.proof.elements.push_back(hash_from_hex(std::string_view(e.as_string())));
    }
    cases.push_back(std::move(c));
  }
  return cases;
}

bool verifies(const vector_case& c, const prefix_hash& root, const bytes& proof_bytes,
              const std::vector<prefix_claim>& claims) {
  return verify_prefix_proof(root, c.searches, proof_bytes, claims).has_value();
}

TEST_CASE("keytrans: prefix tree reproduces every vector's root and proof", "[keytrans]") {
  const std::vector<vector_case> cases = load_cases();
  CHECK(cases.size() == 11);
  for (const vector_case& c : cases) {
    INFO(c.name);
    CHECK(c.tree.root() == c.root);
    const std::optional<prefix_proof> proof = c.tree.prove(c.searches);
    REQUIRE(proof);
    CHECK(proof->results == c.proof.results);
    CHECK(proof->elements == c.proof.elements);
    CHECK(encode_prefix_proof(*proof) == c.proof_bytes);
    CHECK(decode_prefix_proof(c.proof_bytes) == c.proof);

    const std::optional<prefix_proof> verified =
        verify_prefix_proof(c.root, c.searches, c.proof_bytes, c.claims);
    REQUIRE(verified);
    CHECK(*verified == c.proof);
    CHECK(evaluate_prefix_proof(c.searches, c.proof, c.claims) == c.root);
  }
}

TEST_CASE("keytrans: prefix tree shape does not depend on insertion order", "[keytrans]") {
  for (const boost::json::value& entry : test::load_keytrans_cases("prefix-tree.json")) {
    const boost::json::object& v = entry.as_object();
    boost::json::array entries = v.at("input").as_object().at("entries").as_array();
    std::reverse(entries.begin(), entries.end());
    prefix_tree reversed = tree_of(entries);
    CHECK(reversed.root() == hex_array<prefix_hash>(v.at("expect").as_object(), "root"));
    // A key already in the tree is refused and changes nothing.
    const prefix_hash before = reversed.root();
    prefix_leaf again = reversed.leaves().front();
    again.commitment[0] ^= 0x01;
    CHECK_FALSE(reversed.insert(again));
    CHECK(reversed.root() == before);
  }
}

TEST_CASE("keytrans: prefix proof refuses every flipped byte, root and claim", "[keytrans]") {
  for (const vector_case& c : load_cases()) {
    INFO(c.name);
    for (std::size_t i = 0; i < c.proof_bytes.size(); ++i) {
      for (const std::uint8_t mask : {std::uint8_t{0x01}, std::uint8_t{0x80}}) {
        bytes tampered = c.proof_bytes;
        tampered[i] ^= mask;
        INFO("byte " << i << " mask " << int{mask});
        CHECK_FALSE(verifies(c, c.root, tampered, c.claims));
      }
    }
    prefix_hash wrong_root = c.root;
    wrong_root[31] ^= 0x01;
    CHECK_FALSE(verifies(c, wrong_root, c.proof_bytes, c.claims));
    // Truncated, or with a trailing byte: not one PrefixProof.
    CHECK_FALSE(
        verifies(c, c.root, bytes(c.proof_bytes.begin(), c.proof_bytes.end() - 1), c.claims));
    bytes longer = c.proof_bytes;
    longer.push_back(0x00);
    CHECK_FALSE(verifies(c, c.root, longer, c.claims));

    for (std::size_t s = 0; s < c.claims.size(); ++s) {
      INFO("search " << s);
      std::vector<prefix_claim> claims = c.claims;
      if (claims[s]) {
        (*claims[s])[0] ^= 0x01;  // the wrong commitment
        CHECK_FALSE(verifies(c, c.root, c.proof_bytes, claims));
        claims[s].reset();  // claiming absent what is included
      } else {
        claims[s] = prefix_hash{};  // claiming included what is absent
      }
      CHECK_FALSE(verifies(c, c.root, c.proof_bytes, claims));
    }
    // One claim too few, one search too few: the counts must match.
    CHECK_FALSE(
        verify_prefix_proof(c.root, c.searches, c.proof_bytes,
                            std::span<const prefix_claim>(c.claims).first(c.claims.size() - 1)));
    CHECK_FALSE(verify_prefix_proof(
        c.root, std::span<const prefix_search_key>(c.searches).first(c.searches.size() - 1),
        c.proof_bytes, c.claims));
  }
}

TEST_CASE("keytrans: prefix proof refuses results that contradict each other", "[keytrans]") {
  const std::vector<vector_case> cases = load_cases();
  const auto mixed = std::find_if(cases.begin(), cases.end(), [](const vector_case& c) {
    return c.name == "figure-mixed-result-types";
  });
  REQUIRE(mixed != cases.end());
  // Search 2 ends at a leaf for another key (the one search 0 finds): name it as its own key.
  prefix_proof self_leaf = mixed->proof;
  REQUIRE(self_leaf.results[2].type == prefix_result_type::non_inclusion_leaf);
  self_leaf.results[2].leaf->vrf_output = mixed->searches[2];
  CHECK_FALSE(evaluate_prefix_proof(mixed->searches, self_leaf, mixed->claims));
  // A non-inclusion leaf off the searched key's path is refused even when hashes would agree.
  prefix_proof off_path = mixed->proof;
  REQUIRE(off_path.results[4].type == prefix_result_type::non_inclusion_leaf);
  off_path.results[4].leaf->vrf_output[0] ^= 0x80;
  CHECK_FALSE(evaluate_prefix_proof(mixed->searches, off_path, mixed->claims));
  // A result type outside 1..3 does not decode.
  bytes bad_type = mixed->proof_bytes;
  bad_type[1] = 0x04;
  CHECK_FALSE(decode_prefix_proof(bad_type));
  bad_type[1] = 0x00;
  CHECK_FALSE(decode_prefix_proof(bad_type));
  // Empty input, an empty search list.
  CHECK_FALSE(decode_prefix_proof(bytes{}));
  CHECK_FALSE(evaluate_prefix_proof({}, prefix_proof{}, {}));
}

TEST_CASE("keytrans: prefix proof rejects tampered.json's prefix-tree cases", "[keytrans]") {
  int rejected = 0;
  for (const boost::json::value& entry : test::load_keytrans_cases("tampered.json")) {
    const boost::json::object& input = entry.at("input").as_object();
    if (input.at("kind").as_string() != "prefix-tree") {
      continue;
    }
    INFO(std::string(entry.at("name").as_string()));
    REQUIRE(entry.at("expect").at("error").as_bool());
    std::vector<prefix_search_key> searches;
    std::vector<prefix_claim> claims;
    for (const boost::json::value& s : input.at("searches").as_array()) {
      const boost::json::object& search = s.as_object();
      searches.push_back(hex_array<prefix_search_key>(search, "vrf_output"));
      claims.push_back(search.contains("commitment")
                           ? prefix_claim{hex_array<prefix_hash>(search, "commitment")}
                           : prefix_claim{});
    }
    CHECK_FALSE(verify_prefix_proof(hex_array<prefix_hash>(input, "root"), searches,
                                    hex_field(input, "proof"), claims));
    ++rejected;
  }
  CHECK(rejected == 4);
}

TEST_CASE("keytrans: prefix tree proves what it holds, round trip", "[keytrans]") {
  prefix_tree tree;
  CHECK(tree.root() == prefix_hash{});
  // The empty tree: every search ends at the missing root.
  const std::vector<prefix_search_key> one{prefix_search_key{0x42}};
  const std::optional<prefix_proof> empty_proof = tree.prove(one);
  REQUIRE(empty_proof);
  CHECK(empty_proof->results[0].type == prefix_result_type::non_inclusion_parent);
  CHECK(empty_proof->results[0].depth == 0);
  const std::vector<prefix_claim> absent(1);
  CHECK(verify_prefix_proof(tree.root(), one, encode_prefix_proof(*empty_proof), absent));

  // Keys that share long prefixes and a repeated search.
  std::vector<prefix_search_key> keys;
  std::vector<prefix_claim> claims;
  for (std::uint8_t i = 0; i < 20; ++i) {
    prefix_search_key key{};
    key[i % 8] = static_cast<std::uint8_t>(1U << (i % 8));
    key[31] = i;
    prefix_hash commitment{};
    commitment.fill(i);
    if (tree.insert({key, commitment})) {
      keys.push_back(key);
      claims.emplace_back(commitment);
    }
  }
  keys.push_back(keys.front());
  claims.push_back(claims.front());
  keys.push_back(prefix_search_key{0xFF});
  claims.emplace_back();
  const std::optional<prefix_proof> proof = tree.prove(keys);
  REQUIRE(proof);
  CHECK(verify_prefix_proof(tree.root(), keys, encode_prefix_proof(*proof), claims));
  // More searches than results<0..2^8-1> holds: refused, not truncated.
  CHECK_FALSE(tree.prove(std::vector<prefix_search_key>(256)));
}

}  // namespace
}  // namespace sealpost::keytrans
