// The body of PUT /v1/messages/multi_recipient: libsignal's multi-recipient sealed-sender
// message ("SSv2 SentMessage", what sealedSenderMultiRecipientEncrypt returns), parsed and
// checked by DESIGN.md's rules ("Multi-recipient send"), and the content each device gets.
// Pure: no database, no I/O; the route checks accounts, keys and devices afterwards.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace sealpost::sealed_sender {

// The two versions libsignal writes: 0x23 (0.103 on, each recipient has a kind byte) and
// 0x22 (older, a bare ACI UUID). What devices receive is always 0x22 (device_content).
inline constexpr std::uint8_t multi_recipient_version_v22 = 0x22;
inline constexpr std::uint8_t multi_recipient_version_v23 = 0x23;
// Per account: C (32 bytes) || AT (16 bytes).
inline constexpr std::size_t multi_recipient_key_material_size = 48;
// The shared part starts with E.pub (32 bytes); a ciphertext may be empty.
inline constexpr std::size_t multi_recipient_min_shared_size = 32;
// What message_too_large counts besides `shared`: the received version byte, C and AT.
inline constexpr std::size_t multi_recipient_content_overhead = 49;

struct recipient_device {
  std::uint8_t device_id = 0;         // 1..127
  std::uint16_t registration_id = 0;  // 0..0x3FFF (bits 13..0 of its word)
};

// An included account: all of its entries merged.
struct multi_recipient_account {
  std::string account_id;                 // canonical lowercase UUID text (8-4-4-4-12)
  std::vector<recipient_device> devices;  // in listed order over all its entries, no id twice
  std::array<std::uint8_t, multi_recipient_key_material_size> key_material{};  // first entry's
};

struct multi_recipient_message {
  std::uint8_t version = 0;  // as sent: 0x22 or 0x23
  // Included accounts in order of first appearance; never empty. Excluded recipients are
  // checked (see parse_multi_recipient) and then dropped: they get nothing.
  std::vector<multi_recipient_account> accounts;
  // E.pub || ciphertext, at least 32 bytes; points into the parsed body, which must outlive it.
  std::span<const std::uint8_t> shared;
};

// What kind of refusal; the route maps invalid to 400 invalid_request, too_many_recipients
// to 413 too_many_items and message_too_large to 413 message_too_large.
enum class multi_recipient_errc {
  invalid,              // the body breaks a rule of the layout, or is truncated
  too_many_recipients,  // `count` is over max_recipients
  message_too_large,    // 49 + len(shared) is over max_message_bytes
};

// A short stable name for `code` ("invalid", ...), for logs.
std::string_view to_string(multi_recipient_errc code) noexcept;

struct multi_recipient_error {
  multi_recipient_errc code = multi_recipient_errc::invalid;
  // What was wrong, in words fit for the client ("entry 3: device 5 listed twice"; entries
  // count from 1). It names only what the body itself holds.
  std::string message;
};

// Parses `body` (see DESIGN.md for the layout). Refuses with
// - too_many_recipients as soon as `count` is read and is over max_recipients, however
//   short the rest of the body is;
// - invalid for any truncation, an unknown version, a recipient kind other than 0x00 (ACI)
//   in 0x23 (excluded recipients included), a varint over 10 bytes or 64 bits, a device id
//   0 after a device record or over 127, a device listed twice for one account (also over
//   entries), an account both excluded and included or excluded twice, no included
//   recipient, or a shared part under 32 bytes;
// - message_too_large when the body is otherwise valid and 49 + len(shared) is over
//   max_message_bytes.
// An account in several entries gets all their devices and its first entry's key material.
// Work and memory are linear in body.size(), whatever `count` claims. Never throws but
// std::bad_alloc.
result<multi_recipient_message, multi_recipient_error> parse_multi_recipient(
    std::span<const std::uint8_t> body, std::size_t max_recipients, std::size_t max_message_bytes);

// 0x22 || C || AT || shared: the envelope content every device of `account` gets (0x22
// whatever the sent version: the received format has not changed).
std::string device_content(const multi_recipient_account& account,
                           std::span<const std::uint8_t> shared);

}  // namespace sealpost::sealed_sender
