// Appendix B's ladders, computed in uint64 so that the steps above 2^32-1 (which are skipped)
// cannot wrap around.
#include "keytrans/binary_ladder.hpp"

#include <algorithm>

namespace sealpost::keytrans {
namespace {

// Lookups above this are skipped and treated as non-inclusions (§5).
constexpr std::uint64_t version_limit = std::uint64_t{max_label_version} + 1;

bool contains(std::span<const std::uint32_t> versions, std::uint32_t version) {
  return std::find(versions.begin(), versions.end(), version) != versions.end();
}

// Appends `value` when it is a version that can exist; the skipped ones steer the search only.
void append_lookup(std::vector<std::uint32_t>& ladder, std::uint64_t value) {
  if (value < version_limit) {
    ladder.push_back(static_cast<std::uint32_t>(value));
  }
}

}  // namespace

std::vector<std::uint32_t> base_binary_ladder(std::uint32_t greatest) {
  std::vector<std::uint32_t> ladder;
  // Step 1: 2^k - 1 for k = 0, 1, ... until the first one above `greatest`. That one is at most
  // 2^33 - 1, so the uint64 never comes near overflow.
  std::uint64_t lower_bound = 0;
  std::uint64_t upper_bound = 0;
  for (unsigned k = 0;; ++k) {
    const std::uint64_t value = (std::uint64_t{1} << k) - 1;
    append_lookup(ladder, value);
    if (value > greatest) {
      upper_bound = value;
      break;
    }
    lower_bound = value;
  }
  // Step 2: binary search strictly between the greatest inclusion and the first non-inclusion.
  while (lower_bound + 1 < upper_bound) {
    const std::uint64_t value = (lower_bound + upper_bound) / 2;
    append_lookup(ladder, value);
    if (value <= greatest) {
      lower_bound = value;
    } else {
      upper_bound = value;
    }
  }
  return ladder;
}

std::vector<std::uint32_t> monitoring_binary_ladder(std::uint32_t target) {
  std::vector<std::uint32_t> ladder = base_binary_ladder(target);
  std::erase_if(ladder, [target](std::uint32_t version) { return version > target; });
  return ladder;
}

std::vector<std::uint32_t> full_search_binary_ladder(std::optional<std::uint32_t> greatest) {
  if (!greatest) {
    return {0};
  }
  return base_binary_ladder(*greatest);
}

std::vector<std::uint32_t> search_binary_ladder(
    std::uint32_t target, std::uint32_t greatest, std::span<const std::uint32_t> left_inclusion,
    std::span<const std::uint32_t> right_non_inclusion) {
  std::vector<std::uint32_t> ladder;
  for (const std::uint32_t version : base_binary_ladder(greatest)) {
    if (!contains(left_inclusion, version) && !contains(right_non_inclusion, version)) {
      ladder.push_back(version);
    }
    // Appendix B cuts the ladder before filtering, so a decisive lookup that is omitted as a
    // duplicate still ends it.
    const bool included = version <= greatest;
    const bool decides = included ? version > target : version <= target;
    if (decides) {
      break;
    }
  }
  return ladder;
}

}  // namespace sealpost::keytrans
