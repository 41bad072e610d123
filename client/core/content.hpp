// The plaintext of a message between clients (the Content message of client_state.proto),
// padded before encryption so that ciphertext sizes say little about message lengths.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "crypto/secret_bytes.hpp"

namespace sealpost::client {

struct data_message {
  std::string text;
  std::uint64_t timestamp_ms = 0;
  std::string sender_username;  // a claim the receiver checks
  // The sender account's profile key (32 bytes), or empty when its device does not know it.
  std::vector<std::uint8_t> profile_key;
};

// A copy of a message this account sent, for the account's other devices.
struct sent_transcript {
  std::string destination_account;
  std::string destination_username;
  data_message message;
};

using content = std::variant<data_message, sent_transcript>;

// Padding block: the encoded content, 0x80, then zeros up to a multiple of this.
inline constexpr std::size_t content_padding_block = 64;

// The padded encoding. Throws crypto_error only on internal failure.
crypto::secret_bytes<> encode_content(const content& message);

// The content of a decrypted plaintext, or nullopt when the padding or the encoding is
// not valid.
[[nodiscard]] std::optional<content> decode_content(std::span<const std::uint8_t> plaintext);

}  // namespace sealpost::client
