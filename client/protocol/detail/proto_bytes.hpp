// Internal to the protocol layer: moving bytes between protobuf's std::string fields and spans.
#pragma once

#include <google/protobuf/message_lite.h>
#include <openssl/crypto.h>

#include <climits>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace sealpost::client::protocol::detail {

inline std::span<const std::uint8_t> bytes_of(const std::string& field) noexcept {
  return {reinterpret_cast<const std::uint8_t*>(field.data()), field.size()};
}

inline void assign_bytes(std::string* field, std::span<const std::uint8_t> bytes) {
  field->assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

// Overwrites a field that held secret material before protobuf frees it.
inline void wipe_field(std::string* field) noexcept {
  if (!field->empty()) {
    OPENSSL_cleanse(field->data(), field->size());
  }
}

// False when `bytes` is not a valid encoding of `message` (or too large for protobuf's int
// sizes); never throws on bad input.
inline bool parse_bytes(google::protobuf::MessageLite& message,
                        std::span<const std::uint8_t> bytes) {
  if (bytes.size() > static_cast<std::size_t>(INT_MAX)) {
    return false;
  }
  return message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}

inline std::vector<std::uint8_t> serialize_bytes(const google::protobuf::MessageLite& message) {
  std::vector<std::uint8_t> out(message.ByteSizeLong());
  message.SerializeWithCachedSizesToArray(out.data());
  return out;
}

}  // namespace sealpost::client::protocol::detail
