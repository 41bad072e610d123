// Label and value encodings (DESIGN.md, "Labels and values"). Vector lengths count elements
// (editor's copy §2.1), so a device list's prefix is its number of devices.
#include "keytrans/labels.hpp"

#include <limits>

namespace sealpost::keytrans {
namespace {

constexpr std::string_view heartbeat_name = "heartbeat";
constexpr std::size_t max_label_size = 255;  // VrfInput.label<0..2^8-1>

bytes tagged(std::uint8_t tag, std::span<const std::uint8_t> rest) {
  bytes label;
  label.reserve(1 + rest.size());
  label.push_back(tag);
  label.insert(label.end(), rest.begin(), rest.end());
  return label;
}

std::span<const std::uint8_t> as_bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

}  // namespace

bytes account_label(const account_uuid& account) {
  return tagged(account_label_tag, account);
}

std::optional<bytes> username_label(std::string_view username) {
  if (username.size() + 1 > max_label_size) {
    return std::nullopt;
  }
  return tagged(username_label_tag, as_bytes(username));
}

bytes heartbeat_label() {
  return tagged(heartbeat_label_tag, as_bytes(heartbeat_name));
}

std::optional<bytes> encode_device_list(std::span<const kt_device> devices) {
  constexpr std::size_t max_count = std::numeric_limits<std::uint8_t>::max();
  if (devices.size() > max_count) {
    return std::nullopt;
  }
  tls_writer writer;
  writer.u8(static_cast<std::uint8_t>(devices.size()));
  for (const kt_device& device : devices) {
    if (device.identity_key.size() > max_count) {
      return std::nullopt;
    }
    writer.u32(device.device_id).u32(device.registration_id);
    writer.vector(length_prefix::u8, device.identity_key);
  }
  return writer.take();
}

std::optional<std::vector<kt_device>> decode_device_list(std::span<const std::uint8_t> encoded) {
  tls_reader reader(encoded);
  const auto count = reader.u8();
  if (!count) {
    return std::nullopt;
  }
  std::vector<kt_device> devices;
  devices.reserve(*count);
  for (unsigned i = 0; i < *count; ++i) {
    const auto device_id = reader.u32();
    const auto registration_id = reader.u32();
    const auto key = reader.vector(length_prefix::u8);
    if (!device_id || !registration_id || !key) {
      return std::nullopt;
    }
    if (!devices.empty() && *device_id <= devices.back().device_id) {
      return std::nullopt;
    }
    devices.push_back({*device_id, *registration_id, bytes(key->begin(), key->end())});
  }
  if (!reader.done()) {
    return std::nullopt;
  }
  return devices;
}

bytes heartbeat_value(std::uint64_t now_ms) {
  tls_writer writer;
  writer.u64(now_ms);
  return writer.take();
}

}  // namespace sealpost::keytrans
