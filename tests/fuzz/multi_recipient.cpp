// Fuzz target: the body of PUT /v1/messages/multi_recipient, libsignal's multi-recipient
// sealed-sender message, through parse_multi_recipient (server/sealed_sender/multi_recipient.*),
// and device_content, which makes what each device receives. At most 8 recipients and
// messages.max_message_bytes 512 here, so that both limits are reachable with small inputs.
//
// Properties: the parser agrees exactly (accepted or not, which error, which accounts,
// devices, key material and shared part) with DESIGN.md's rules written out independently
// below; an accepted message has at least one account, distinct canonical account ids,
// device ids 1..127 with none twice per account, registration ids under 2^14, a shared part
// of at least 32 bytes that is the input's tail, and 49 + len(shared) <= 512;
// message_too_large only for a body that a larger limit accepts; re-encoding an accepted
// message in the 0x23 and in the 0x22 form (one entry per account) parses back to the same
// message; device_content is 0x22 || C || AT || shared.
#include "sealed_sender/multi_recipient.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "fuzz_check.hpp"
#include "model/ids.hpp"

namespace {

using namespace sealpost::sealed_sender;
using bytes = std::vector<std::uint8_t>;

constexpr std::size_t max_recipients = 8;
constexpr std::size_t max_message_bytes = 512;

struct expected_account {
  std::string account_id;
  std::vector<std::pair<int, int>> devices;  // (device id, registration id)
  bytes key_material;
};

struct expected_message {
  std::optional<multi_recipient_errc> error;
  std::vector<expected_account> accounts;
  std::size_t shared_offset = 0;
};

std::string uuid_text_of(const std::uint8_t* p) {
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", p[0], p[1],
                p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13], p[14],
                p[15]);
  return out;
}

// DESIGN.md's layout and rules, written out independently of multi_recipient.cpp.
expected_message expected(std::span<const std::uint8_t> d, std::size_t max_bytes) {
  const auto refuse = [](multi_recipient_errc code) {
    expected_message m;
    m.error = code;
    return m;
  };
  const auto invalid = multi_recipient_errc::invalid;
  const std::size_t n = d.size();
  if (n == 0 || (d[0] != 0x22 && d[0] != 0x23)) {
    return refuse(invalid);
  }
  const bool kind_byte = d[0] == 0x23;
  std::size_t p = 1;
  std::uint64_t count = 0;
  for (int i = 0;; ++i) {
    if (i == 10 || p == n) {
      return refuse(invalid);
    }
    const std::uint8_t b = d[p++];
    if (i == 9 && b > 1) {  // bit 64 and up, or an 11th byte
      return refuse(invalid);
    }
    count |= std::uint64_t{b & 0x7Fu} << (7 * i);
    if (b < 0x80) {
      break;
    }
  }
  if (count > max_recipients) {
    return refuse(multi_recipient_errc::too_many_recipients);
  }
  expected_message m;
  std::map<std::string, std::size_t> included;
  std::set<std::string> excluded;
  std::map<std::string, std::set<int>> devices_of;
  for (std::uint64_t e = 0; e < count; ++e) {
    const std::size_t recipient_size = kind_byte ? 17 : 16;
    if (n - p < recipient_size + 1 || (kind_byte && d[p] != 0x00)) {
      return refuse(invalid);
    }
    const std::string id = uuid_text_of(&d[p + recipient_size - 16]);
    p += recipient_size;
    if (d[p] == 0x00) {
      ++p;
      if (included.count(id) != 0 || !excluded.insert(id).second) {
        return refuse(invalid);
      }
      continue;
    }
    if (excluded.count(id) != 0) {
      return refuse(invalid);
    }
    std::vector<std::pair<int, int>> devices;
    for (bool more = true; more;) {
      if (n - p < 3) {
        return refuse(invalid);
      }
      const int device_id = d[p];
      const int word = (d[p + 1] << 8) | d[p + 2];
      p += 3;
      if (device_id < 1 || device_id > 127 || !devices_of[id].insert(device_id).second) {
        return refuse(invalid);
      }
      devices.emplace_back(device_id, word & 0x3FFF);
      more = (word & 0x8000) != 0;
    }
    if (n - p < 48) {
      return refuse(invalid);
    }
    const bytes key(d.begin() + static_cast<std::ptrdiff_t>(p),
                    d.begin() + static_cast<std::ptrdiff_t>(p + 48));
    p += 48;
    if (const auto it = included.find(id); it != included.end()) {
      auto& merged = m.accounts[it->second].devices;
      merged.insert(merged.end(), devices.begin(), devices.end());
    } else {
      included.emplace(id, m.accounts.size());
      m.accounts.push_back({id, devices, key});
    }
  }
  if (m.accounts.empty() || n - p < 32) {
    return refuse(invalid);
  }
  if (49 + (n - p) > max_bytes) {
    return refuse(multi_recipient_errc::message_too_large);
  }
  m.shared_offset = p;
  return m;
}

bytes uuid_bytes_of(const std::string& text) {
  bytes out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '-') {
      out.push_back(static_cast<std::uint8_t>(std::stoi(text.substr(i, 2), nullptr, 16)));
      ++i;
    }
  }
  return out;
}

// `message` written back in `version`'s form: one entry per account, all its devices.
bytes encode(const multi_recipient_message& message, std::uint8_t version) {
  bytes out{version, static_cast<std::uint8_t>(message.accounts.size())};  // < 128: one byte
  for (const auto& account : message.accounts) {
    if (version == 0x23) {
      out.push_back(0x00);
    }
    const bytes uuid = uuid_bytes_of(account.account_id);
    out.insert(out.end(), uuid.begin(), uuid.end());
    for (std::size_t i = 0; i < account.devices.size(); ++i) {
      const bool more = i + 1 < account.devices.size();
      const auto word =
          static_cast<std::uint16_t>(account.devices[i].registration_id | (more ? 0x8000 : 0));
      out.push_back(account.devices[i].device_id);
      out.push_back(static_cast<std::uint8_t>(word >> 8));
      out.push_back(static_cast<std::uint8_t>(word));
    }
    out.insert(out.end(), account.key_material.begin(), account.key_material.end());
  }
  out.insert(out.end(), message.shared.begin(), message.shared.end());
  return out;
}

bool same_accounts(const multi_recipient_message& a, const multi_recipient_message& b) {
  if (a.accounts.size() != b.accounts.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.accounts.size(); ++i) {
    const auto& x = a.accounts[i];
    const auto& y = b.accounts[i];
    if (x.account_id != y.account_id || x.key_material != y.key_material ||
        x.devices.size() != y.devices.size()) {
      return false;
    }
    for (std::size_t j = 0; j < x.devices.size(); ++j) {
      if (x.devices[j].device_id != y.devices[j].device_id ||
          x.devices[j].registration_id != y.devices[j].registration_id) {
        return false;
      }
    }
  }
  return std::equal(a.shared.begin(), a.shared.end(), b.shared.begin(), b.shared.end());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> body(data, size);
  auto parsed = parse_multi_recipient(body, max_recipients, max_message_bytes);
  const expected_message want = expected(body, max_message_bytes);

  if (!parsed) {
    const multi_recipient_error error = parsed.error();
    FUZZ_CHECK(want.error && *want.error == error.code);
    FUZZ_CHECK(!error.message.empty());
    if (error.code == multi_recipient_errc::message_too_large) {
      FUZZ_CHECK(
          parse_multi_recipient(body, max_recipients, std::numeric_limits<std::size_t>::max()));
    }
    return 0;
  }
  FUZZ_CHECK(!want.error);
  const multi_recipient_message& message = *parsed;

  FUZZ_CHECK(message.version == data[0]);
  FUZZ_CHECK(!message.accounts.empty() && message.accounts.size() <= max_recipients);
  FUZZ_CHECK(message.shared.size() >= 32 && 49 + message.shared.size() <= max_message_bytes);
  FUZZ_CHECK(message.shared.data() + message.shared.size() == data + size);
  FUZZ_CHECK(message.shared.data() == data + want.shared_offset);
  std::set<std::string> account_ids;
  FUZZ_CHECK(message.accounts.size() == want.accounts.size());
  for (std::size_t i = 0; i < message.accounts.size(); ++i) {
    const auto& account = message.accounts[i];
    const auto& expected_account = want.accounts[i];
    FUZZ_CHECK(sealpost::model::is_canonical_uuid(account.account_id));
    FUZZ_CHECK(account_ids.insert(account.account_id).second);
    FUZZ_CHECK(account.account_id == expected_account.account_id);
    FUZZ_CHECK(std::equal(account.key_material.begin(), account.key_material.end(),
                          expected_account.key_material.begin(),
                          expected_account.key_material.end()));
    FUZZ_CHECK(!account.devices.empty() &&
               account.devices.size() == expected_account.devices.size());
    std::set<int> device_ids;
    for (std::size_t j = 0; j < account.devices.size(); ++j) {
      const auto& device = account.devices[j];
      FUZZ_CHECK(device.device_id >= 1 && device.device_id <= 127);
      FUZZ_CHECK(device_ids.insert(device.device_id).second);
      FUZZ_CHECK(device.registration_id <= 0x3FFF);
      FUZZ_CHECK(device.device_id == expected_account.devices[j].first &&
                 device.registration_id == expected_account.devices[j].second);
    }

    const std::string content_text = device_content(account, message.shared);
    const auto content = sealpost::fuzz::bytes_of(content_text);
    FUZZ_CHECK(content.size() == 49 + message.shared.size());
    FUZZ_CHECK(content[0] == 0x22);
    FUZZ_CHECK(
        std::equal(account.key_material.begin(), account.key_material.end(), content.begin() + 1));
    FUZZ_CHECK(std::equal(message.shared.begin(), message.shared.end(), content.begin() + 49,
                          content.end()));
  }

  for (const std::uint8_t version : {std::uint8_t{0x23}, std::uint8_t{0x22}}) {
    const bytes again = encode(message, version);
    auto reparsed =
        parse_multi_recipient(again, max_recipients, std::numeric_limits<std::size_t>::max());
    FUZZ_CHECK(reparsed && reparsed->version == version);
    FUZZ_CHECK(same_accounts(message, *reparsed));
  }
  return 0;
}
