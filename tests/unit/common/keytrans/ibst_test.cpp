// The implicit binary search tree (§4.1) against ibst.json, and §4.2's update-view list against
// update-view.json, which pins draft -05: the 15 rows it marks right_edge_unchecked are where
// the editor's-copy clause that DESIGN.md follows provides the rest of the frontier instead.
#include "keytrans/ibst.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "keytrans_vector_file.hpp"

namespace sealpost::keytrans {
namespace {

using test::u64;

constexpr std::uint64_t max_u64 = std::numeric_limits<std::uint64_t>::max();

std::optional<std::uint64_t> optional_u64(const boost::json::value& value) {
  if (value.is_null()) {
    return std::nullopt;
  }
  return u64(value);
}

std::vector<std::uint64_t> u64_list(const boost::json::value& value) {
  std::vector<std::uint64_t> list;
  for (const boost::json::value& item : value.as_array()) {
    list.push_back(u64(item));
  }
  return list;
}

TEST_CASE("keytrans: ibst reproduces every ibst.json case", "[keytrans][ibst]") {
  const boost::json::value document = test::load_keytrans_file("ibst.json");
  const boost::json::array& cases = document.at("cases").as_array();
  std::size_t nodes_checked = 0;
  for (const boost::json::value& entry : cases) {
    const boost::json::object& vector = entry.as_object();
    const std::uint64_t size = u64(vector.at("input").at("size"));
    const boost::json::object& expect = vector.at("expect").as_object();
    INFO(vector.at("name").as_string().c_str());

    CHECK(ibst_root(size) == u64(expect.at("root")));
    CHECK(ibst_frontier(size) == u64_list(expect.at("frontier")));
    for (const boost::json::value& node_entry : expect.at("nodes").as_array()) {
      const std::uint64_t node = u64(node_entry.at("index"));
      INFO("node " << node);
      CHECK(ibst_left_child(node, size) == optional_u64(node_entry.at("left")));
      CHECK(ibst_right_child(node, size) == optional_u64(node_entry.at("right")));
      ++nodes_checked;
    }
  }
  CHECK(cases.size() == 38);
  CHECK(nodes_checked == 690);
}

TEST_CASE("keytrans: ibst refuses what is not in the tree", "[keytrans][ibst]") {
  // Size 0: no tree at all.
  CHECK_FALSE(ibst_root(0).has_value());
  CHECK(ibst_frontier(0).empty());
  CHECK_FALSE(ibst_left_child(0, 0).has_value());
  CHECK_FALSE(ibst_right_child(0, 0).has_value());
  CHECK_FALSE(ibst_direct_path(0, 0).has_value());

  // Size 1: a root with no children.
  CHECK(ibst_root(1) == 0u);
  CHECK(ibst_frontier(1) == std::vector<std::uint64_t>{0});
  CHECK_FALSE(ibst_left_child(0, 1).has_value());
  CHECK_FALSE(ibst_right_child(0, 1).has_value());
  CHECK(ibst_direct_path(0, 1) == std::vector<std::uint64_t>{});
  CHECK_FALSE(ibst_direct_path(1, 1).has_value());

  // Nodes at or past the size, although intermediate in a larger tree.
  CHECK_FALSE(ibst_left_child(7, 7).has_value());
  CHECK_FALSE(ibst_right_child(7, 7).has_value());
  CHECK_FALSE(ibst_left_child(max_u64, max_u64).has_value());
  CHECK_FALSE(ibst_right_child(max_u64, max_u64).has_value());
  CHECK_FALSE(ibst_direct_path(max_u64, max_u64).has_value());

  // The last entry has no right child even when it is intermediate (size 2: entry 1).
  CHECK(ibst_left_child(1, 2) == 0u);
  CHECK_FALSE(ibst_right_child(1, 2).has_value());
}

TEST_CASE("keytrans: ibst at size 2^64-1 stays in range", "[keytrans][ibst]") {
  const std::uint64_t size = max_u64;
  const std::uint64_t last = size - 1;
  CHECK(ibst_root(size) == (std::uint64_t{1} << 63) - 1);
  CHECK(ibst_level(max_u64) == 64);
  // The deepest-level node, the root, has both children.
  CHECK(ibst_left_child((std::uint64_t{1} << 63) - 1, size) == (std::uint64_t{1} << 62) - 1);
  CHECK(ibst_right_child((std::uint64_t{1} << 63) - 1, size) == 3 * (std::uint64_t{1} << 62) - 1);
  // The last entry is a leaf; its path is one node per level from 63 down to 1.
  CHECK_FALSE(ibst_left_child(last, size).has_value());
  CHECK_FALSE(ibst_right_child(last, size).has_value());
  const auto path = ibst_direct_path(last, size);
  REQUIRE(path.has_value());
  CHECK(path->size() == 63);
  CHECK(path->back() == ibst_root(size));
  CHECK(ibst_frontier(size).size() == 64);
  CHECK(ibst_frontier(size).back() == last);
}

// Checks every node of the trees of size 1..max_size against the definition of §4.1: children
// on the correct side and inside the tree, every non-root node the child of exactly one node,
// and direct paths that agree with the children.
TEST_CASE("keytrans: ibst children form one binary search tree per size", "[keytrans][ibst]") {
  for (std::uint64_t size = 1; size <= 300; ++size) {
    INFO("size " << size);
    std::vector<int> parents(size, 0);
    for (std::uint64_t node = 0; node < size; ++node) {
      if (const auto left = ibst_left_child(node, size)) {
        CHECK(*left < node);
        ++parents[*left];
        CHECK(ibst_direct_path(*left, size)->front() == node);
      }
      if (const auto right = ibst_right_child(node, size)) {
        CHECK(*right > node);
        CHECK(*right < size);
        ++parents[*right];
        CHECK(ibst_direct_path(*right, size)->front() == node);
      }
    }
    const std::uint64_t root = *ibst_root(size);
    for (std::uint64_t node = 0; node < size; ++node) {
      CHECK(parents[node] == (node == root ? 0 : 1));
    }
  }
}

// The frontier entries right of `retained_last`: what the editor's copy adds where -05 gives
// nothing.
std::vector<std::uint64_t> frontier_right_of(std::uint64_t retained_last, std::uint64_t size) {
  std::vector<std::uint64_t> right;
  for (const std::uint64_t entry : ibst_frontier(size)) {
    if (entry > retained_last) {
      right.push_back(entry);
    }
  }
  return right;
}

TEST_CASE("keytrans: update_view_entries matches update-view.json (editor's copy where it differs)",
          "[keytrans][ibst]") {
  const boost::json::value document = test::load_keytrans_file("update-view.json");
  const boost::json::array& cases = document.at("cases").as_array();
  std::size_t editors_copy_rows = 0;
  for (const boost::json::value& entry : cases) {
    const boost::json::object& vector = entry.as_object();
    const boost::json::object& input = vector.at("input").as_object();
    const boost::json::object& expect = vector.at("expect").as_object();
    INFO(vector.at("name").as_string().c_str());
    const std::uint64_t size = u64(input.at("size"));
    std::optional<std::uint64_t> advertised;
    if (input.contains("advertised")) {
      advertised = u64(input.at("advertised"));
    }
    const auto ours = update_view_entries(size, advertised);
    REQUIRE(ours.has_value());
    const std::vector<std::uint64_t> expected = u64_list(expect.at("entries"));

    if (!advertised) {
      CHECK(*ours == expected);
      CHECK(ibst_frontier(size) == u64_list(expect.at("frontier")));
    } else if (!expect.at("right_edge_unchecked").as_bool()) {
      CHECK(*ours == expected);
    } else {
      // -05 gives nothing here; the editor's copy gives the frontier right of advertised - 1.
      ++editors_copy_rows;
      CHECK(expected.empty());
      CHECK(*ours == frontier_right_of(*advertised - 1, size));
      CHECK_FALSE(ours->empty());
    }
  }
  CHECK(cases.size() == 190);
  CHECK(editors_copy_rows == 15);
}

TEST_CASE("keytrans: update_view_entries follows the draft's examples and refuses bad sizes",
          "[keytrans][ibst]") {
  // Appendix C's worked example: from 4 entries to 13.
  CHECK(update_view_entries(13, 4) == std::vector<std::uint64_t>{7, 11, 12});
  // §4.1's example of 50 entries: its frontier.
  CHECK(update_view_entries(50, std::nullopt) == std::vector<std::uint64_t>{31, 47, 49});
  // The editor's-copy clause: entry 1 stays on the frontier from 2 entries to 3.
  CHECK(update_view_entries(3, 2) == std::vector<std::uint64_t>{2});
  // Up to date: nothing.
  CHECK(update_view_entries(1, 1) == std::vector<std::uint64_t>{});
  CHECK(update_view_entries(max_u64, max_u64) == std::vector<std::uint64_t>{});

  CHECK_FALSE(update_view_entries(0, std::nullopt).has_value());
  CHECK_FALSE(update_view_entries(0, 0).has_value());
  CHECK_FALSE(update_view_entries(5, 0).has_value());
  CHECK_FALSE(update_view_entries(5, 6).has_value());
  CHECK_FALSE(update_view_entries(5, max_u64).has_value());

  // From 1 entry to 2^64-1: the left spine above entry 0, then the frontier; all ascending.
  const auto entries = update_view_entries(max_u64, 1);
  REQUIRE(entries.has_value());
  CHECK(entries->front() == 1u);
  CHECK(entries->back() == max_u64 - 1);
  CHECK(entries->size() == 63 + 63);
  CHECK(std::is_sorted(entries->begin(), entries->end()));
}

// Against the set definition: the ancestors of advertised - 1 at or past `advertised`, and every
// frontier entry right of advertised - 1, ascending and without repeats.
TEST_CASE("keytrans: update_view_entries is the ancestors right of the view plus the frontier",
          "[keytrans][ibst]") {
  for (std::uint64_t size = 1; size <= 130; ++size) {
    for (std::uint64_t advertised = 1; advertised <= size; ++advertised) {
      INFO("size " << size << " advertised " << advertised);
      std::set<std::uint64_t> expected;
      const auto direct_path = ibst_direct_path(advertised - 1, size);
      REQUIRE(direct_path.has_value());
      for (const std::uint64_t ancestor : *direct_path) {
        if (ancestor >= advertised) {
          expected.insert(ancestor);
        }
      }
      for (const std::uint64_t entry : frontier_right_of(advertised - 1, size)) {
        expected.insert(entry);
      }
      CHECK(update_view_entries(size, advertised) ==
            std::vector<std::uint64_t>(expected.begin(), expected.end()));
    }
  }
}

}  // namespace
}  // namespace sealpost::keytrans
