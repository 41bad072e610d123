// Sealpost's labels and values in the log (DESIGN.md, "Labels and values"): one label per
// account holding its whole device set, one per username holding its account, and the
// heartbeat [D6]. Shared by the server that publishes them and the client that checks them.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "keytrans/tls_codec.hpp"

namespace sealpost::keytrans {

inline constexpr std::uint8_t account_label_tag = 0x01;
inline constexpr std::uint8_t username_label_tag = 0x02;
inline constexpr std::uint8_t heartbeat_label_tag = 0x00;
inline constexpr std::size_t account_uuid_size = 16;

using account_uuid = std::array<std::uint8_t, account_uuid_size>;

// 0x01 || the account's 16 UUID bytes.
bytes account_label(const account_uuid& account);
// 0x02 || the username (ASCII, at most 254 bytes so the label fits VrfInput's label<0..255>).
// nullopt for a longer name.
std::optional<bytes> username_label(std::string_view username);
// 0x00 || "heartbeat".
bytes heartbeat_label();

// KtDevice: one device as the log commits to it. identity_key is the stored typed key, type
// byte included.
struct kt_device {
  std::uint32_t device_id = 0;
  std::uint32_t registration_id = 0;
  bytes identity_key;
  friend bool operator==(const kt_device&, const kt_device&) = default;
};

// KtDeviceList with the devices in the order given (callers pass ascending device ids; an
// empty list is a deleted account). nullopt for more than 255 devices or a key longer than
// 255 bytes.
std::optional<bytes> encode_device_list(std::span<const kt_device> devices);
// nullopt unless `encoded` is exactly one KtDeviceList whose device ids strictly ascend.
std::optional<std::vector<kt_device>> decode_device_list(std::span<const std::uint8_t> encoded);

// The heartbeat's value: uint64 milliseconds.
bytes heartbeat_value(std::uint64_t now_ms);

}  // namespace sealpost::keytrans
