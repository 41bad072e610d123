// Synthetic logs for the proof-plan and KtProof tests: millisecond timestamps whose gaps fall
// both below and above the Reasonable Monitoring Window (so distinguished entries vary), and a
// §6.1 recursion run literally over every entry to check the planning functions against.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <vector>

#include "keytrans/distinguished.hpp"
#include "keytrans/ibst.hpp"

namespace sealpost::keytrans::test {

// A day, DESIGN.md's reasonable_monitoring_window_ms.
inline constexpr std::uint64_t day_ms = 86'400'000;

// `count` non-decreasing timestamps from `first`: repeats, small steps, gaps just under the
// window and gaps over it, so spans across subtrees land on both sides of the window.
inline std::vector<std::uint64_t> random_timestamps(std::size_t count, std::uint64_t first,
                                                    std::uint64_t window, std::mt19937_64& rng) {
  std::vector<std::uint64_t> timestamps;
  timestamps.reserve(count);
  std::uint64_t now = first;
  std::uniform_int_distribution<int> kind(0, 9);
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint64_t bound = window == 0 ? 1000 : window;
    switch (kind(rng)) {
      case 0:
      case 1:
        break;  // the same millisecond as the entry before
      case 2:
      case 3:
      case 4:
      case 5:
        now += std::uniform_int_distribution<std::uint64_t>(1, bound / 16 + 1)(rng);
        break;
      case 6:
      case 7:
        now += std::uniform_int_distribution<std::uint64_t>(bound / 2, bound - 1)(rng);
        break;
      default:
        now += std::uniform_int_distribution<std::uint64_t>(bound, 3 * bound)(rng);
        break;
    }
    timestamps.push_back(now);
  }
  return timestamps;
}

// A lookup over a vector, answering only for positions in `allowed` when given.
inline timestamp_lookup lookup_of(const std::vector<std::uint64_t>& timestamps,
                                  const std::set<std::uint64_t>* allowed = nullptr) {
  return [&timestamps, allowed](std::uint64_t position) -> std::optional<std::uint64_t> {
    if (position >= timestamps.size() || (allowed && !allowed->contains(position))) {
      return std::nullopt;
    }
    return timestamps[position];
  };
}

// §6.1 as written: recurse from the root with bounds 0 and the last timestamp, collecting every
// distinguished entry. A decreasing pair has a negative difference, below every window.
inline void collect_distinguished(std::uint64_t node, std::uint64_t left, std::uint64_t right,
                                  std::uint64_t window,
                                  const std::vector<std::uint64_t>& timestamps,
                                  std::set<std::uint64_t>& out) {
  if (right < left || right - left < window) {
    return;
  }
  out.insert(node);
  const std::uint64_t size = timestamps.size();
  if (const auto child = ibst_left_child(node, size)) {
    collect_distinguished(*child, left, timestamps[node], window, timestamps, out);
  }
  if (const auto child = ibst_right_child(node, size)) {
    collect_distinguished(*child, timestamps[node], right, window, timestamps, out);
  }
}

inline std::set<std::uint64_t> all_distinguished(std::uint64_t window,
                                                 const std::vector<std::uint64_t>& timestamps) {
  std::set<std::uint64_t> out;
  if (!timestamps.empty()) {
    collect_distinguished(*ibst_root(timestamps.size()), 0, timestamps.back(), window, timestamps,
                          out);
  }
  return out;
}

// Every node's parent, found by walking the whole tree down from the root (independent of
// ibst_direct_path, which walks from the root towards one node).
inline std::map<std::uint64_t, std::uint64_t> parents_of(std::uint64_t size) {
  std::map<std::uint64_t, std::uint64_t> parents;
  std::vector<std::uint64_t> pending;
  if (const auto root = ibst_root(size)) {
    pending.push_back(*root);
  }
  while (!pending.empty()) {
    const std::uint64_t node = pending.back();
    pending.pop_back();
    for (const auto child : {ibst_left_child(node, size), ibst_right_child(node, size)}) {
      if (child) {
        parents[*child] = node;
        pending.push_back(*child);
      }
    }
  }
  return parents;
}

// The ancestors of `node`, bottom up, from a parents_of map.
inline std::vector<std::uint64_t> ancestors_of(
    std::uint64_t node, const std::map<std::uint64_t, std::uint64_t>& parents) {
  std::vector<std::uint64_t> path;
  for (auto it = parents.find(node); it != parents.end(); it = parents.find(it->second)) {
    path.push_back(it->second);
  }
  return path;
}

}  // namespace sealpost::keytrans::test
