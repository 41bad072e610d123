// The wake-up messages nodes send each other through Postgres NOTIFY (channel "sealpost"),
// encoded and parsed here and nowhere else.
//
// A payload is lines separated by '\n'. An optional first line "from <node id>" names the
// node that sent it; a node skips the wake-ups it sent itself, because it has already
// applied them in-process. Every other line is one wake-up:
//   m <account> <device>               new envelopes are queued for the device
//   k <account> <device>               the device's one-time prekeys ran low
//   x <account> <device>               the device was removed: close its socket
//   c <account> <device> <generation>  the device opened a socket of that generation
// Lines that do not parse are skipped, so a newer node's additions do not break older nodes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sealpost::delivery {

// Postgres refuses NOTIFY payloads of 8000 bytes or more.
inline constexpr std::size_t kMaxPayloadBytes = 7999;

enum class wakeup_kind : char {
  messages = 'm',
  keys_low = 'k',
  removed = 'x',
  connected = 'c',
};

struct wakeup {
  wakeup_kind kind = wakeup_kind::messages;
  std::string account_id;
  std::int32_t device_id = 0;
  std::int64_t generation = 0;  // connected only

  friend bool operator==(const wakeup&, const wakeup&) = default;
};

struct wakeup_payload {
  std::optional<std::string> origin_node;
  std::vector<wakeup> wakeups;
};

// One wake-up as a payload of its own, without origin (every node applies it, this one
// included).
std::string encode_wakeup(const wakeup& w);

// The wake-ups as few payloads as fit, each starting with "from <origin_node>".
std::vector<std::string> encode_wakeups(std::string_view origin_node, std::span<const wakeup> all);

wakeup_payload parse_wakeups(std::string_view payload);

}  // namespace sealpost::delivery
