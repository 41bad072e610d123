// Binary ladders (§5, App. B) against binary-ladder.json, and at the 2^32-1 version limit that
// the vectors stop short of (their peer overflows above 2^31-2).
#include "keytrans/binary_ladder.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "keytrans_vector_file.hpp"

namespace sealpost::keytrans {
namespace {

using versions = std::vector<std::uint32_t>;

std::uint32_t u32(const boost::json::value& value) {
  return boost::json::value_to<std::uint32_t>(value);
}

versions u32_list(const boost::json::value& value) {
  versions list;
  for (const boost::json::value& item : value.as_array()) {
    list.push_back(u32(item));
  }
  return list;
}

bool starts_with(const versions& whole, const versions& prefix) {
  return prefix.size() <= whole.size() && std::equal(prefix.begin(), prefix.end(), whole.begin());
}

TEST_CASE("keytrans: binary ladders reproduce every binary-ladder.json case",
          "[keytrans][ladder]") {
  const boost::json::value document = test::load_keytrans_file("binary-ladder.json");
  const boost::json::array& cases = document.at("cases").as_array();
  std::size_t base = 0;
  std::size_t search = 0;
  std::size_t monitoring = 0;
  for (const boost::json::value& entry : cases) {
    const boost::json::object& input = entry.at("input").as_object();
    const versions expected = u32_list(entry.at("expect").at("versions"));
    const std::string kind(input.at("kind").as_string());
    INFO(entry.at("name").as_string().c_str());
    if (kind == "base") {
      ++base;
      const std::uint32_t greatest = u32(input.at("greatest"));
      CHECK(base_binary_ladder(greatest) == expected);
      CHECK(full_search_binary_ladder(greatest) == expected);
    } else if (kind == "search") {
      ++search;
      const std::uint32_t greatest = u32(input.at("greatest"));
      const versions left_inclusion = u32_list(input.at("left_inclusion"));
      const versions right_non_inclusion = u32_list(input.at("right_non_inclusion"));
      CHECK(search_binary_ladder(u32(input.at("target")), greatest, left_inclusion,
                                 right_non_inclusion) == expected);
      // [D2]: with nothing omitted, the draft's ladder is a prefix of the one Sealpost sends.
      if (left_inclusion.empty() && right_non_inclusion.empty()) {
        CHECK(starts_with(full_search_binary_ladder(greatest), expected));
      }
    } else {
      ++monitoring;
      REQUIRE(kind == "monitoring");
      REQUIRE(input.at("left_inclusion").as_array().empty());
      CHECK(monitoring_binary_ladder(u32(input.at("target"))) == expected);
    }
  }
  CHECK(base == 31);
  CHECK(search == 23);
  CHECK(monitoring == 22);
  CHECK(cases.size() == 76);
}

// What a base ladder must establish: every lookup at or below `greatest` is an inclusion and
// every other one a non-inclusion, and the answers pin `greatest` exactly: it is looked up, and
// so is greatest + 1 unless that is past the last possible version.
void check_ladder_pins(std::uint32_t greatest) {
  INFO("greatest " << greatest);
  const versions ladder = base_binary_ladder(greatest);
  const std::set<std::uint32_t> unique(ladder.begin(), ladder.end());
  CHECK(unique.size() == ladder.size());
  CHECK(ladder.size() <= 65);
  CHECK(unique.count(greatest) == 1);
  if (greatest != max_label_version) {
    CHECK(unique.count(greatest + 1) == 1);
  }
  const versions monitoring = monitoring_binary_ladder(greatest);
  CHECK(std::all_of(monitoring.begin(), monitoring.end(),
                    [greatest](std::uint32_t version) { return version <= greatest; }));
  CHECK(monitoring.back() == greatest);
}

TEST_CASE("keytrans: base ladders pin the greatest version up to 2^32-1", "[keytrans][ladder]") {
  for (std::uint32_t greatest = 0; greatest < 2100; ++greatest) {
    check_ladder_pins(greatest);
  }
  for (std::uint32_t below = 0; below < 2100; ++below) {
    check_ladder_pins(max_label_version - below);
    check_ladder_pins(0x80000000u - 1000u + below);
  }
}

TEST_CASE("keytrans: ladders at the last version skip everything above it", "[keytrans][ladder]") {
  versions powers;  // 0, 1, 3, ..., 2^32-1
  for (unsigned k = 0; k <= 32; ++k) {
    powers.push_back(static_cast<std::uint32_t>((std::uint64_t{1} << k) - 1));
  }
  // 2^33-1 and the binary search above 2^32-1 are all skipped.
  CHECK(base_binary_ladder(max_label_version) == powers);
  CHECK(monitoring_binary_ladder(max_label_version) == powers);
  CHECK(search_binary_ladder(max_label_version, max_label_version, {}, {}) == powers);

  // One below: 2^32-1 is the first non-inclusion, then a search down to 2^32-2.
  const versions below = base_binary_ladder(max_label_version - 1);
  CHECK(below.size() == 33 + 31);
  CHECK(below[32] == max_label_version);
  CHECK(below.back() == max_label_version - 1);
  CHECK(monitoring_binary_ladder(max_label_version - 1).back() == max_label_version - 1);
}

TEST_CASE("keytrans: search ladders stop early and omit duplicates only in the draft's form",
          "[keytrans][ladder]") {
  // [D2] A label absent at an entry: one lookup, of version 0.
  CHECK(full_search_binary_ladder(std::nullopt) == versions{0});
  CHECK(full_search_binary_ladder(6) == versions{0, 1, 3, 7, 5, 6});
  // Appendix C's example: target 2 with greatest 2.
  CHECK(search_binary_ladder(2, 2, {}, {}) == versions{0, 1, 3, 2});
  // An omitted decisive lookup still ends the ladder: 7 (included, above target 5) is left out
  // and nothing after it is asked.
  const versions seven{7};
  CHECK(search_binary_ladder(5, 100, seven, {}) == versions{0, 1, 3});
  // The same with a non-inclusion at or below the target: greatest 2, target 3 ends at 3.
  const versions three{3};
  CHECK(search_binary_ladder(3, 2, {}, three) == versions{0, 1});
}

}  // namespace
}  // namespace sealpost::keytrans
