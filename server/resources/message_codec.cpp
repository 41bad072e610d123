#include "resources/message_codec.hpp"

#include <climits>
#include <set>

#include "net/json_reader.hpp"
#include "net/request_error.hpp"

namespace sealpost::resources {
namespace {

[[noreturn]] void message_too_large(const config::server_config& cfg) {
  throw net::request_error(
      net::api_errc::payload_too_large, "message_too_large",
      "content exceeds messages.max_message_bytes (" + std::to_string(cfg.max_message_bytes) + ")");
}

storage::outgoing_envelope read_message(const boost::json::value& message, const std::string& where,
                                        const config::server_config& cfg) {
  net::json_reader m(net::as_object(message, where), where + ".");
  storage::outgoing_envelope e;
  e.device_id = static_cast<std::int32_t>(m.integer("device_id", 1, INT32_MAX));
  e.registration_id = static_cast<std::int32_t>(m.integer("registration_id", 0, INT32_MAX));
  e.type = m.u32("type");
  if (!m.has("content"))
    net::throw_bad_field(where + ".content", "is required");
  // Base64 length bounds the decoded size to within 2 bytes: refuse text that is surely
  // too long before decoding, decode with that slack, then compare exactly.
  const auto& content = message.as_object().at("content");
  if (content.is_string() && content.as_string().size() > (cfg.max_message_bytes + 2) / 3 * 4 + 4)
    message_too_large(cfg);
  e.content = m.base64("content", cfg.max_message_bytes + 3);
  if (e.content.size() > cfg.max_message_bytes)
    message_too_large(cfg);
  m.reject_unknown_fields();
  return e;
}

}  // namespace

storage::send_request read_send_body(std::string_view body, const config::server_config& cfg) {
  auto parsed = net::parse_json_object(body);
  net::json_reader r(parsed);
  storage::send_request req{};
  req.client_timestamp = static_cast<std::uint64_t>(r.integer("timestamp", 0, INT64_MAX));
  req.online_only = r.optional_bool("online_only").value_or(false);
  const auto& messages = r.array("messages", cfg.max_devices_per_account);
  std::set<std::int32_t> named;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const std::string where = "messages[" + std::to_string(i) + "]";
    auto e = read_message(messages[i], where, cfg);
    if (!named.insert(e.device_id).second)
      net::throw_bad_field(where + ".device_id", "names a device twice");
    req.envelopes.push_back(std::move(e));
  }
  r.reject_unknown_fields();
  return req;
}

}  // namespace sealpost::resources
