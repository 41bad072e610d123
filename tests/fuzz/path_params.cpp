// Fuzz target: the parsers of URL path segments (server/model/ids.*): account ids and
// message guids (canonical UUID text) and device ids, which resources/common.cpp and
// messages.cpp apply to every {account_id}, {device_id} and {guid}; and the client's
// UUID helpers (client/net/api_types.*), which read the ids the server answers with.
//
// Properties: is_canonical_uuid accepts exactly 8-4-4-4-12 lowercase hex, and the client
// agrees with the server (is_canonical_uuid and guid_from_text), with guid_to_text giving
// the same text back; parse_device_id accepts exactly the decimal spelling of 1..2^31-1
// without sign or leading zeros, and gives that number.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

#include "fuzz_check.hpp"
#include "model/ids.hpp"
#include "net/api_types.hpp"

namespace {

bool expected_uuid(std::string_view text) {
  if (text.size() != 36) {
    return false;
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    const char c = text[i];
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    if (dash ? c != '-' : !hex) {
      return false;
    }
  }
  return true;
}

bool expected_device_id(std::string_view text) {
  if (text.empty() || text.size() > 10 || text[0] < '1' || text[0] > '9') {
    return false;
  }
  std::uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') {
      return false;
    }
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return value <= static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = sealpost::fuzz::text_of({data, size});
  namespace client = sealpost::client::net;

  const bool uuid = sealpost::model::is_canonical_uuid(text);
  FUZZ_CHECK(uuid == expected_uuid(text));
  FUZZ_CHECK(client::is_canonical_uuid(text) == uuid);
  const auto guid = client::guid_from_text(text);
  FUZZ_CHECK(guid.has_value() == uuid);
  if (guid) {
    FUZZ_CHECK(client::guid_to_text(*guid) == text);
  }

  const auto device_id = sealpost::model::parse_device_id(text);
  FUZZ_CHECK(device_id.has_value() == expected_device_id(text));
  if (device_id) {
    FUZZ_CHECK(*device_id >= 1 && std::to_string(*device_id) == text);
  }
  return 0;
}
