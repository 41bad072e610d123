#include "net/websocket_frames.hpp"

#include <climits>

#include "sealpost/v1/websocket.pb.h"

namespace sealpost::net {
namespace {

constexpr std::size_t guid_size = 16;

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::vector<std::string>> read_client_frame(std::span<const std::uint8_t> bytes) {
  sealpost::v1::ClientFrame frame;
  if (bytes.size() > static_cast<std::size_t>(INT_MAX) ||
      !frame.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) || !frame.has_ack())
    return std::nullopt;
  std::vector<std::string> guids;
  guids.reserve(static_cast<std::size_t>(frame.ack().guids_size()));
  for (const std::string& raw : frame.ack().guids()) {
    if (raw.size() == guid_size)
      guids.push_back(guid_text(raw));
  }
  return guids;
}

std::string guid_text(std::string_view bytes) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2 + 4);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      out += '-';
    const auto b = static_cast<unsigned char>(bytes[i]);
    out += hex[b >> 4];
    out += hex[b & 0x0f];
  }
  return out;
}

std::string guid_bytes(std::string_view text) {
  std::string out;
  out.reserve(guid_size);
  int high = -1;
  for (const char c : text) {
    const int v = hex_value(c);
    if (v < 0)
      continue;  // the dashes
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<char>((high << 4) | v));
      high = -1;
    }
  }
  return out;
}

}  // namespace sealpost::net
