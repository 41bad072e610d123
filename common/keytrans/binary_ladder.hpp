// Binary ladders (draft §5, Appendix B): the versions of a label looked up in one log entry's
// prefix tree, in lookup order. Versions are uint32 and stop at 2^32-1 (editor's copy): a
// lookup above it is skipped and counts as a non-inclusion. A ladder has at most 65 lookups.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace sealpost::keytrans {

inline constexpr std::uint32_t max_label_version = 0xFFFFFFFF;

// §5: the lookups that establish `greatest` as the greatest version: 0, 1, 3, 7, ... up to
// the first one above `greatest`, then a binary search between the last two.
[[nodiscard]] std::vector<std::uint32_t> base_binary_ladder(std::uint32_t greatest);

// §8.1: the base ladder of the monitored version `target`, without the lookups above it (all
// of the rest must be inclusions).
[[nodiscard]] std::vector<std::uint32_t> monitoring_binary_ladder(std::uint32_t target);

// [D2] A search ladder as Sealpost sends it, never shortened: base_binary_ladder(greatest)
// when the label has a version at the entry, else the single lookup of version 0 (which must
// then be absent).
[[nodiscard]] std::vector<std::uint32_t> full_search_binary_ladder(
    std::optional<std::uint32_t> greatest);

// §6.2 as Appendix B writes it: the base ladder of `greatest`, cut after the first lookup that
// decides against `target` (an inclusion above it or a non-inclusion at or below it), minus the
// versions proven included at an entry to the left or absent at an entry to the right.
// Sealpost never sends this form ([D2]); it is here so the draft's search ladders can be
// checked against the vectors and against full_search_binary_ladder.
[[nodiscard]] std::vector<std::uint32_t> search_binary_ladder(
    std::uint32_t target, std::uint32_t greatest, std::span<const std::uint32_t> left_inclusion,
    std::span<const std::uint32_t> right_non_inclusion);

}  // namespace sealpost::keytrans
