// Protobuf encoding and validating decoding of prekey and ratchet messages.
#include "protocol/wire.hpp"

#include <limits>

#include "crypto/aead.hpp"
#include "crypto/identity_key.hpp"
#include "crypto/key_encoding.hpp"
#include "protocol/detail/proto_bytes.hpp"
#include "sealpost/v1/client.pb.h"

namespace sealpost::client::protocol {
namespace {

using detail::assign_bytes;
using detail::bytes_of;

std::optional<ratchet_header> decode_header(const std::string& bytes) {
  v1::RatchetHeader header;
  if (!detail::parse_bytes(header, bytes_of(bytes))) {
    return std::nullopt;
  }
  const std::optional<crypto::x25519_public_key> key =
      crypto::decode_x25519_public_key(bytes_of(header.dh_public_key()));
  if (!key || header.message_number() == std::numeric_limits<std::uint32_t>::max()) {
    return std::nullopt;
  }
  return ratchet_header{*key, header.previous_chain_length(), header.message_number()};
}

bool valid_registration_id(std::uint32_t id) noexcept {
  return id >= min_registration_id && id <= max_registration_id;
}

}  // namespace

std::optional<message_type> to_message_type(std::uint32_t envelope_type) noexcept {
  switch (envelope_type) {
    case static_cast<std::uint32_t>(message_type::prekey):
      return message_type::prekey;
    case static_cast<std::uint32_t>(message_type::ratchet):
      return message_type::ratchet;
    default:
      return std::nullopt;
  }
}

std::vector<std::uint8_t> encode_ratchet_header(const ratchet_header& header) {
  v1::RatchetHeader proto;
  assign_bytes(proto.mutable_dh_public_key(), crypto::encode_x25519_public_key(header.ratchet_key));
  proto.set_previous_chain_length(header.previous_chain_length);
  proto.set_message_number(header.message_number);
  return detail::serialize_bytes(proto);
}

std::vector<std::uint8_t> encode_ratchet_message(std::span<const std::uint8_t> header_bytes,
                                                 std::span<const std::uint8_t> ciphertext) {
  v1::RatchetMessage proto;
  assign_bytes(proto.mutable_header(), header_bytes);
  assign_bytes(proto.mutable_ciphertext(), ciphertext);
  return detail::serialize_bytes(proto);
}

std::vector<std::uint8_t> encode_prekey_message(const prekey_message& message) {
  v1::PrekeyMessage proto;
  assign_bytes(proto.mutable_identity_key(), message.x3dh.identity_key);
  assign_bytes(proto.mutable_base_key(), crypto::encode_x25519_public_key(message.x3dh.base_key));
  proto.set_signed_prekey_id(message.x3dh.signed_prekey_id);
  if (message.x3dh.one_time_prekey_id) {
    proto.set_one_time_prekey_id(*message.x3dh.one_time_prekey_id);
  }
  proto.set_registration_id(message.registration_id);
  assign_bytes(proto.mutable_message(), message.message);
  return detail::serialize_bytes(proto);
}

result<ratchet_message> decode_ratchet_message(std::span<const std::uint8_t> bytes) {
  v1::RatchetMessage proto;
  if (!detail::parse_bytes(proto, bytes) || proto.ciphertext().size() < crypto::aead_tag_size) {
    return protocol_error::malformed_message;
  }
  const std::optional<ratchet_header> header = decode_header(proto.header());
  if (!header) {
    return protocol_error::malformed_message;
  }
  const std::span<const std::uint8_t> header_bytes = bytes_of(proto.header());
  const std::span<const std::uint8_t> ciphertext = bytes_of(proto.ciphertext());
  return ratchet_message{
      *header, {header_bytes.begin(), header_bytes.end()}, {ciphertext.begin(), ciphertext.end()}};
}

result<prekey_message> decode_prekey_message(std::span<const std::uint8_t> bytes) {
  v1::PrekeyMessage proto;
  if (!detail::parse_bytes(proto, bytes) || !valid_registration_id(proto.registration_id())) {
    return protocol_error::malformed_message;
  }
  const std::optional<crypto::typed_public_key> identity_key =
      crypto::decode_identity_key(bytes_of(proto.identity_key()));
  const std::optional<crypto::x25519_public_key> base_key =
      crypto::decode_x25519_public_key(bytes_of(proto.base_key()));
  if (!identity_key || !base_key) {
    return protocol_error::malformed_message;
  }
  prekey_message message;
  message.x3dh = {
      *identity_key, *base_key, proto.signed_prekey_id(),
      proto.has_one_time_prekey_id() ? std::optional(proto.one_time_prekey_id()) : std::nullopt};
  message.registration_id = proto.registration_id();
  const std::span<const std::uint8_t> inner = bytes_of(proto.message());
  message.message.assign(inner.begin(), inner.end());
  return message;
}

}  // namespace sealpost::client::protocol
