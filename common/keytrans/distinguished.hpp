// Distinguished log entries (draft §6.1): the entries every label owner checks, about one per
// Reasonable Monitoring Window. An entry is distinguished when the §6.1 recursion reaches it
// with a left and right timestamp at least `window` apart (0 and the last entry's timestamp at
// the root; a parent's timestamp replaces the right bound for its left child and the left bound
// for its right child). The functions ask only for the timestamps the recursion needs, through
// `timestamp_lookup`, so a client can answer from the entries it was sent; a timestamp the
// lookup lacks is reported, never guessed.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

namespace sealpost::keytrans {

// The timestamp of log entry `position`, or nullopt when the caller does not have it.
using timestamp_lookup = std::function<std::optional<std::uint64_t>(std::uint64_t position)>;

// §6.1 step 2: whether an entry judged with these left and right timestamps is distinguished
// (right - left >= window; "less than" terminates, so a window of 0 keeps every entry). A right
// timestamp below the left one (a log that broke monotonicity) counts as a difference below
// every window, without wrapping. Shared by every §6.1 walk so they cannot disagree.
[[nodiscard]] bool spans_monitoring_window(std::uint64_t left, std::uint64_t right,
                                           std::uint64_t window) noexcept;

enum class distinguished_status : std::uint8_t {
  found,              // `position` holds the entry
  none,               // no entry qualifies
  missing_timestamp,  // the lookup lacked a timestamp the answer depends on
};

struct distinguished_search {
  distinguished_status status = distinguished_status::none;
  std::uint64_t position = 0;  // meaningful only when status == found
};

// Whether entry `position` of the log of `size` entries is distinguished. Needs the timestamps
// of the last entry and of the ancestors of `position` (its root path). nullopt when `position`
// is not in the log or a timestamp is missing.
[[nodiscard]] std::optional<bool> is_distinguished(std::uint64_t position, std::uint64_t size,
                                                   std::uint64_t window,
                                                   const timestamp_lookup& timestamp_of);

// The rightmost distinguished entry. It is always on the frontier, so only frontier timestamps
// are needed: the last entry's and those of the distinguished frontier entries before it.
[[nodiscard]] distinguished_search rightmost_distinguished(std::uint64_t size, std::uint64_t window,
                                                           const timestamp_lookup& timestamp_of);

// The rightmost distinguished entry left of the last one (size - 1): the rightmost one when that
// is not the last entry; else the rightmost distinguished entry of the last entry's left
// subtree, or failing that the frontier entry before the last one.
[[nodiscard]] distinguished_search previous_rightmost_distinguished(
    std::uint64_t size, std::uint64_t window, const timestamp_lookup& timestamp_of);

}  // namespace sealpost::keytrans
