// The multi-recipient body parser: a bounds-checked cursor over the bytes, and per included
// account one bit per device id, so that a device listed twice is found in constant time.
#include "sealed_sender/multi_recipient.hpp"

#include <algorithm>
#include <bitset>
#include <map>
#include <optional>
#include <set>
#include <utility>

namespace sealpost::sealed_sender {
namespace {

using uuid_bytes = std::array<std::uint8_t, 16>;

constexpr std::uint8_t aci_kind = 0x00;
// In place of the first device id: the recipient is excluded (no devices, no key material).
constexpr std::uint8_t excluded_marker = 0x00;
constexpr std::uint8_t max_device_id = 127;
constexpr std::uint16_t more_devices_bit = 0x8000;
// Bit 14 is unused: libsignal masks it away, and so do we.
constexpr std::uint16_t registration_id_mask = 0x3FFF;
// A protobuf varint holds 64 bits in at most 10 bytes, the last of which may only be 0 or 1.
constexpr int max_varint_bytes = 10;

class reader {
 public:
  explicit reader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

  std::optional<std::uint8_t> u8() {
    if (remaining() < 1) {
      return std::nullopt;
    }
    return bytes_[pos_++];
  }

  std::optional<std::uint16_t> u16_big_endian() {
    if (remaining() < 2) {
      return std::nullopt;
    }
    const auto value = static_cast<std::uint16_t>((bytes_[pos_] << 8) | bytes_[pos_ + 1]);
    pos_ += 2;
    return value;
  }

  // The next n bytes, or nullopt (and nothing consumed) when fewer are left.
  std::optional<std::span<const std::uint8_t>> take(std::size_t n) {
    if (remaining() < n) {
      return std::nullopt;
    }
    const auto out = bytes_.subspan(pos_, n);
    pos_ += n;
    return out;
  }

  std::span<const std::uint8_t> rest() const { return bytes_.subspan(pos_); }

 private:
  std::size_t remaining() const { return bytes_.size() - pos_; }

  std::span<const std::uint8_t> bytes_;
  std::size_t pos_ = 0;
};

failure<multi_recipient_error> refuse(multi_recipient_errc code, std::string message) {
  return failure{multi_recipient_error{code, std::move(message)}};
}

failure<multi_recipient_error> invalid(std::string message) {
  return refuse(multi_recipient_errc::invalid, std::move(message));
}

std::string entry_prefix(std::uint64_t index) {
  return "entry " + std::to_string(index + 1) + ": ";
}

std::string hex_byte(std::uint8_t b) {
  static constexpr char digits[] = "0123456789abcdef";
  return {'0', 'x', digits[b >> 4], digits[b & 0x0F]};
}

std::string uuid_text(const uuid_bytes& uuid) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < uuid.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) {
      out.push_back('-');
    }
    out.push_back(digits[uuid[i] >> 4]);
    out.push_back(digits[uuid[i] & 0x0F]);
  }
  return out;
}

// Protobuf's varint: 7 bits a byte, least significant first. Encodings longer than needed
// are accepted (protobuf and libsignal accept them) as long as they fit in 10 bytes.
result<std::uint64_t, multi_recipient_error> read_varint(reader& in) {
  std::uint64_t value = 0;
  for (int i = 0; i < max_varint_bytes; ++i) {
    const auto byte = in.u8();
    if (!byte) {
      return invalid("truncated count");
    }
    if (i == max_varint_bytes - 1) {
      if ((*byte & 0x80) != 0) {
        return invalid("count: varint longer than 10 bytes");
      }
      if (*byte > 1) {
        return invalid("count: varint over 64 bits");
      }
    }
    value |= static_cast<std::uint64_t>(*byte & 0x7F) << (7 * i);
    if ((*byte & 0x80) == 0) {
      return value;
    }
  }
  return value;  // not reached: the 10th byte returns or refuses above
}

// An included account while it is being built: the output and the device ids it has.
struct account_builder {
  multi_recipient_account account;
  std::bitset<max_device_id + 1> device_ids;
};

}  // namespace

std::string_view to_string(multi_recipient_errc code) noexcept {
  switch (code) {
    case multi_recipient_errc::invalid:
      return "invalid";
    case multi_recipient_errc::too_many_recipients:
      return "too_many_recipients";
    case multi_recipient_errc::message_too_large:
      return "message_too_large";
  }
  return "unknown";
}

result<multi_recipient_message, multi_recipient_error> parse_multi_recipient(
    std::span<const std::uint8_t> body, std::size_t max_recipients, std::size_t max_message_bytes) {
  reader in(body);
  const auto version = in.u8();
  if (!version) {
    return invalid("empty body");
  }
  const bool has_kind_byte = *version == multi_recipient_version_v23;
  if (!has_kind_byte && *version != multi_recipient_version_v22) {
    return invalid("unknown version " + hex_byte(*version));
  }

  auto count = read_varint(in);
  if (!count) {
    return failure{count.error()};
  }
  // Before any entry is read: a count over the limit is refused however short the body.
  if (*count > max_recipients) {
    return refuse(multi_recipient_errc::too_many_recipients,
                  "count " + std::to_string(*count) + " over the limit of " +
                      std::to_string(max_recipients) + " recipients");
  }

  // Nothing is reserved from `count`: each entry takes at least 17 bytes of the body, so
  // what grows below is bounded by the body, not by what `count` claims.
  std::vector<account_builder> accounts;
  std::map<uuid_bytes, std::size_t> included;  // UUID -> index in `accounts`
  std::set<uuid_bytes> excluded;
  for (std::uint64_t entry = 0; entry < *count; ++entry) {
    const auto where = [entry] { return entry_prefix(entry); };
    if (has_kind_byte) {
      const auto kind = in.u8();
      if (!kind) {
        return invalid(where() + "truncated recipient");
      }
      if (*kind != aci_kind) {
        return invalid(where() + "recipient kind " + hex_byte(*kind) + " is not an ACI (0x00)");
      }
    }
    const auto uuid_span = in.take(uuid_bytes{}.size());
    if (!uuid_span) {
      return invalid(where() + "truncated recipient");
    }
    uuid_bytes uuid{};
    std::copy(uuid_span->begin(), uuid_span->end(), uuid.begin());

    auto device_id = in.u8();
    if (!device_id) {
      return invalid(where() + "truncated device record");
    }
    if (*device_id == excluded_marker) {
      if (included.contains(uuid)) {
        return invalid(where() + "account " + uuid_text(uuid) + " both excluded and included");
      }
      if (!excluded.insert(uuid).second) {
        return invalid(where() + "account " + uuid_text(uuid) + " excluded twice");
      }
      continue;
    }
    if (excluded.contains(uuid)) {
      return invalid(where() + "account " + uuid_text(uuid) + " both excluded and included");
    }
    const auto [found, first_entry] = included.try_emplace(uuid, accounts.size());
    if (first_entry) {
      accounts.push_back({});
      accounts.back().account.account_id = uuid_text(uuid);
    }
    account_builder& builder = accounts[found->second];

    for (bool first_record = true;; first_record = false) {
      if (!first_record) {
        device_id = in.u8();
        if (!device_id) {
          return invalid(where() + "truncated device record");
        }
        if (*device_id == 0) {
          return invalid(where() + "device id 0 after a device record");
        }
      }
      if (*device_id > max_device_id) {
        return invalid(where() + "device id " + std::to_string(*device_id) + " over 127");
      }
      const auto word = in.u16_big_endian();
      if (!word) {
        return invalid(where() + "truncated device record");
      }
      if (builder.device_ids.test(*device_id)) {
        return invalid(where() + "device " + std::to_string(*device_id) + " listed twice");
      }
      builder.device_ids.set(*device_id);
      builder.account.devices.push_back(
          {*device_id, static_cast<std::uint16_t>(*word & registration_id_mask)});
      if ((*word & more_devices_bit) == 0) {
        break;
      }
    }

    const auto key_material = in.take(multi_recipient_key_material_size);
    if (!key_material) {
      return invalid(where() + "truncated key material");
    }
    // libsignal keeps the first entry's key material too; later ones are read and dropped.
    if (first_entry) {
      std::copy(key_material->begin(), key_material->end(), builder.account.key_material.begin());
    }
  }

  if (accounts.empty()) {
    return invalid("no included recipient");
  }
  const auto shared = in.rest();
  if (shared.size() < multi_recipient_min_shared_size) {
    return invalid("shared part of " + std::to_string(shared.size()) + " bytes, under " +
                   std::to_string(multi_recipient_min_shared_size));
  }
  // What each device receives is 49 + len(shared) bytes; written so that it cannot wrap.
  if (max_message_bytes < multi_recipient_content_overhead ||
      shared.size() > max_message_bytes - multi_recipient_content_overhead) {
    return refuse(multi_recipient_errc::message_too_large,
                  "content of " + std::to_string(multi_recipient_content_overhead) + " + " +
                      std::to_string(shared.size()) + " bytes over the limit of " +
                      std::to_string(max_message_bytes));
  }

  multi_recipient_message out;
  out.version = *version;
  out.shared = shared;
  out.accounts.reserve(accounts.size());
  for (account_builder& builder : accounts) {
    out.accounts.push_back(std::move(builder.account));
  }
  return out;
}

std::string device_content(const multi_recipient_account& account,
                           std::span<const std::uint8_t> shared) {
  std::string out;
  out.reserve(1 + account.key_material.size() + shared.size());
  out.push_back(static_cast<char>(multi_recipient_version_v22));
  out.append(account.key_material.begin(), account.key_material.end());
  out.append(shared.begin(), shared.end());
  return out;
}

}  // namespace sealpost::sealed_sender
