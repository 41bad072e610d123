#include "delivery/wakeup.hpp"

#include <charconv>

namespace sealpost::delivery {
namespace {

constexpr std::string_view kFrom = "from ";

template <class Int>
std::optional<Int> parse_int(std::string_view digits) {
  Int value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size())
    return std::nullopt;
  return value;
}

// Splits off the text up to the next space (or the end).
std::string_view next_word(std::string_view& rest) {
  const auto space = rest.find(' ');
  const auto word = rest.substr(0, space);
  rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
  return word;
}

bool is_kind(char c) {
  switch (static_cast<wakeup_kind>(c)) {
    case wakeup_kind::messages:
    case wakeup_kind::keys_low:
    case wakeup_kind::removed:
    case wakeup_kind::connected:
      return true;
  }
  return false;
}

std::optional<wakeup> parse_line(std::string_view line) {
  if (line.size() < 3 || line[1] != ' ' || !is_kind(line[0]))
    return std::nullopt;
  wakeup w;
  w.kind = static_cast<wakeup_kind>(line[0]);
  std::string_view rest = line.substr(2);
  const auto account = next_word(rest);
  const auto device = parse_int<std::int32_t>(next_word(rest));
  if (account.empty() || !device)
    return std::nullopt;
  w.account_id = std::string(account);
  w.device_id = *device;
  if (w.kind == wakeup_kind::connected) {
    const auto generation = parse_int<std::int64_t>(next_word(rest));
    if (!generation)
      return std::nullopt;
    w.generation = *generation;
  }
  if (!rest.empty())
    return std::nullopt;
  return w;
}

}  // namespace

std::string encode_wakeup(const wakeup& w) {
  std::string line(1, static_cast<char>(w.kind));
  line += ' ';
  line += w.account_id;
  line += ' ';
  line += std::to_string(w.device_id);
  if (w.kind == wakeup_kind::connected) {
    line += ' ';
    line += std::to_string(w.generation);
  }
  return line;
}

std::vector<std::string> encode_wakeups(std::string_view origin_node, std::span<const wakeup> all) {
  std::vector<std::string> payloads;
  const std::string header = std::string(kFrom) + std::string(origin_node);
  for (const auto& w : all) {
    const auto line = encode_wakeup(w);
    if (payloads.empty() || payloads.back().size() + 1 + line.size() > kMaxPayloadBytes)
      payloads.push_back(header);
    payloads.back() += '\n';
    payloads.back() += line;
  }
  return payloads;
}

wakeup_payload parse_wakeups(std::string_view payload) {
  wakeup_payload out;
  bool first = true;
  while (!payload.empty()) {
    const auto newline = payload.find('\n');
    const auto line = payload.substr(0, newline);
    payload = newline == std::string_view::npos ? std::string_view{} : payload.substr(newline + 1);
    if (first && line.starts_with(kFrom)) {
      out.origin_node = std::string(line.substr(kFrom.size()));
    } else if (auto w = parse_line(line)) {
      out.wakeups.push_back(std::move(*w));
    }
    first = false;
  }
  return out;
}

}  // namespace sealpost::delivery
