// Fuzz target: the body of PUT /v1/messages/{account_id}, the largest client-controlled
// body the server reads, through read_send_body() (server/resources/message_codec.*), the
// function the handler calls. messages.max_message_bytes is 48 and accounts.max_devices 3
// here, so that both limits are reachable with small inputs.
//
// Properties: a body is accepted or refused with 400 invalid_json / invalid_request or 413
// too_many_items / message_too_large, nothing else; 413 message_too_large only when some
// message's content really is over the limit (text too long for it, or canonical base64
// of more bytes); an accepted body has at most 3 messages for distinct devices, each
// content the base64 decoding of its JSON text and at most 48 bytes.
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

#include "config/config.hpp"
#include "crypto/base64.hpp"
#include "fuzz_check.hpp"
#include "net/request_error.hpp"
#include "resources/message_codec.hpp"

namespace {

namespace json = boost::json;
using namespace sealpost;
using net::api_errc;

const config::server_config& fuzz_config() {
  static const config::server_config cfg = [] {
    config::server_config c{};
    c.max_devices_per_account = 3;
    c.max_message_bytes = 48;
    return c;
  }();
  return cfg;
}

// Whether some message of the body has content over the limit, by DESIGN.md's rule.
bool has_oversized_content(std::string_view raw, std::size_t max_bytes) {
  const json::value parsed = json::parse(raw);
  const json::value* messages = parsed.as_object().if_contains("messages");
  if (messages == nullptr || !messages->is_array()) {
    return false;
  }
  for (const json::value& m : messages->as_array()) {
    const json::value* content = m.is_object() ? m.as_object().if_contains("content") : nullptr;
    if (content == nullptr || !content->is_string()) {
      continue;
    }
    const std::string_view text = content->as_string();
    if (text.size() > (max_bytes + 2) / 3 * 4 + 4) {
      return true;
    }
    const auto decoded = crypto::base64_decode(text);
    if (decoded && decoded->size() > max_bytes) {
      return true;
    }
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view raw = fuzz::text_of({data, size});
  const auto& cfg = fuzz_config();
  storage::send_request req;
  try {
    req = resources::read_send_body(raw, cfg);
  } catch (const net::request_error& e) {
    const auto& err = e.error();
    if (err.code == api_errc::payload_too_large && err.error == "message_too_large") {
      FUZZ_CHECK(has_oversized_content(raw, cfg.max_message_bytes));
    } else {
      FUZZ_CHECK((err.code == api_errc::invalid_json && err.error == "invalid_json") ||
                 (err.code == api_errc::bad_request && err.error == "invalid_request") ||
                 (err.code == api_errc::payload_too_large && err.error == "too_many_items"));
    }
    return 0;
  }

  const json::object body = json::parse(raw).as_object();
  const json::array& messages = body.at("messages").as_array();
  FUZZ_CHECK(req.envelopes.size() == messages.size());
  FUZZ_CHECK(req.envelopes.size() <= cfg.max_devices_per_account);
  FUZZ_CHECK(static_cast<std::int64_t>(req.client_timestamp) == body.at("timestamp").as_int64());
  std::set<std::int32_t> devices;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const auto& e = req.envelopes[i];
    const json::object& m = messages[i].as_object();
    FUZZ_CHECK(e.device_id >= 1 && devices.insert(e.device_id).second);
    FUZZ_CHECK(e.device_id == m.at("device_id").as_int64());
    FUZZ_CHECK(e.registration_id >= 0 && e.registration_id == m.at("registration_id").as_int64());
    FUZZ_CHECK(e.type == m.at("type").as_int64());
    FUZZ_CHECK(e.content.size() <= cfg.max_message_bytes);
    FUZZ_CHECK(crypto::base64_encode(fuzz::bytes_of(e.content)) == m.at("content").as_string());
  }
  return 0;
}
