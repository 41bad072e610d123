// REST calls: JSON bodies built and answers checked field by field, so that a server that
// answers with something unexpected gives a clear transport_error, never a crash.
#include "net/api_client.hpp"

#include <boost/json.hpp>
#include <limits>

#include "encoding/base64.hpp"
#include "net/errors.hpp"

namespace sealpost::client::net {
namespace {

namespace json = boost::json;
namespace http = boost::beast::http;

constexpr const char* json_type = "application/json";

[[noreturn]] void bad_answer(const std::string& what) {
  throw transport_error("unexpected answer from the server: " + what);
}

json::object parse_object(const std::string& body) {
  boost::system::error_code ec;
  json::value value = json::parse(body, ec);
  if (ec || !value.is_object()) {
    bad_answer("not a JSON object");
  }
  return std::move(value.as_object());
}

const json::value& field(const json::object& object, std::string_view name) {
  const json::value* value = object.if_contains(name);
  if (value == nullptr) {
    bad_answer("field '" + std::string(name) + "' is missing");
  }
  return *value;
}

std::int64_t integer(const json::value& value, std::string_view name, std::int64_t min,
                     std::int64_t max) {
  if (!value.is_int64() && !value.is_uint64()) {
    bad_answer("field '" + std::string(name) + "' is not an integer");
  }
  if (value.is_uint64() && value.as_uint64() > static_cast<std::uint64_t>(max)) {
    bad_answer("field '" + std::string(name) + "' is out of range");
  }
  const std::int64_t v =
      value.is_int64() ? value.as_int64() : static_cast<std::int64_t>(value.as_uint64());
  if (v < min || v > max) {
    bad_answer("field '" + std::string(name) + "' is out of range");
  }
  return v;
}

std::int64_t integer(const json::object& object, std::string_view name, std::int64_t min,
                     std::int64_t max) {
  return integer(field(object, name), name, min, max);
}

std::uint32_t u32(const json::object& object, std::string_view name) {
  return static_cast<std::uint32_t>(
      integer(object, name, 0, std::numeric_limits<std::uint32_t>::max()));
}

std::string string(const json::object& object, std::string_view name) {
  const json::value& value = field(object, name);
  if (!value.is_string()) {
    bad_answer("field '" + std::string(name) + "' is not a string");
  }
  return std::string(value.as_string());
}

byte_vector bytes(const json::object& object, std::string_view name) {
  std::optional<byte_vector> decoded = encoding::base64_decode(string(object, name));
  if (!decoded) {
    bad_answer("field '" + std::string(name) + "' is not base64");
  }
  return std::move(*decoded);
}

const json::object& object_field(const json::object& object, std::string_view name) {
  const json::value& value = field(object, name);
  if (!value.is_object()) {
    bad_answer("field '" + std::string(name) + "' is not an object");
  }
  return value.as_object();
}

const json::array& array_field(const json::object& object, std::string_view name) {
  const json::value& value = field(object, name);
  if (!value.is_array()) {
    bad_answer("field '" + std::string(name) + "' is not an array");
  }
  return value.as_array();
}

const json::object& as_object(const json::value& value, std::string_view what) {
  if (!value.is_object()) {
    bad_answer(std::string(what) + " is not an object");
  }
  return value.as_object();
}

std::string account_id_field(const json::object& object, std::string_view name) {
  std::string id = string(object, name);
  if (!is_canonical_uuid(id)) {
    bad_answer("field '" + std::string(name) + "' is not an account id");
  }
  return id;
}

json::object to_json(const signed_key& key) {
  return {{"key_id", key.key_id},
          {"public_key", encoding::base64_encode(key.public_key)},
          {"signature", encoding::base64_encode(key.signature)}};
}

json::array to_json(const std::vector<one_time_key>& keys) {
  json::array out;
  for (const one_time_key& key : keys) {
    out.push_back(json::object{{"key_id", key.key_id},
                               {"public_key", encoding::base64_encode(key.public_key)}});
  }
  return out;
}

json::object new_device_json(const new_device_request& device) {
  json::object body{{"password", device.password},
                    {"registration_id", device.registration_id},
                    {"identity_key", encoding::base64_encode(device.identity_key)},
                    {"signed_prekey", to_json(device.signed_prekey)}};
  if (!device.one_time_prekeys.empty()) {
    body["one_time_prekeys"] = to_json(device.one_time_prekeys);
  }
  if (device.unidentified_access_key) {
    body["unidentified_access_key"] = encoding::base64_encode(*device.unidentified_access_key);
  }
  return body;
}

registered_device read_registered(const std::string& body) {
  const json::object answer = parse_object(body);
  return {account_id_field(answer, "account_id"),
          static_cast<std::uint32_t>(integer(answer, "device_id", 1, INT32_MAX))};
}

signed_key read_signed_key(const json::object& object) {
  return {u32(object, "key_id"), bytes(object, "public_key"), bytes(object, "signature")};
}

envelope read_envelope(const json::object& object) {
  envelope e;
  const std::optional<guid> id = guid_from_text(string(object, "guid"));
  if (!id) {
    bad_answer("an envelope guid is not a UUID");
  }
  e.guid = *id;
  e.type = u32(object, "type");
  // A sealed-sender envelope names no source: the server does not know it.
  const bool sealed =
      e.type == unidentified_sender_type && field(object, "source_account").is_null();
  if (!sealed) {
    e.source_account = account_id_field(object, "source_account");
    e.source_device = u32(object, "source_device");
  } else if (!field(object, "source_device").is_null()) {
    bad_answer("a sealed envelope with a source device but no source account");
  }
  e.destination_device = u32(object, "destination_device");
  e.content = bytes(object, "content");
  e.client_timestamp = static_cast<std::uint64_t>(
      integer(object, "client_timestamp", 0, std::numeric_limits<std::int64_t>::max()));
  e.server_timestamp = static_cast<std::uint64_t>(
      integer(object, "server_timestamp", 0, std::numeric_limits<std::int64_t>::max()));
  return e;
}

void expect(const http_response& res, unsigned status) {
  if (res.status != status) {
    if (res.status >= 400) {
      throw_api_error(res.status, res.body, res.retry_after);
    }
    bad_answer("HTTP status " + std::to_string(res.status));
  }
}

// Path segments we build from our own data are ids and usernames; anything else is refused
// here rather than sent as a different path.
std::string path_segment(const std::string& text) {
  for (const char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) {
      throw std::invalid_argument("'" + text + "' cannot be part of a request path");
    }
  }
  if (text.empty() || text == "." || text == "..") {
    throw std::invalid_argument("an empty or dot path segment");
  }
  return text;
}

http_credential access_key_credential(std::span<const std::uint8_t> access_key) {
  return {"Unidentified-Access-Key", encoding::base64_encode(access_key)};
}

json::object messages_body(std::uint64_t timestamp_ms, std::span<const outgoing_envelope> messages,
                           bool online_only) {
  json::array list;
  for (const outgoing_envelope& m : messages) {
    list.push_back(json::object{{"device_id", m.device_id},
                                {"registration_id", m.registration_id},
                                {"type", m.type},
                                {"content", encoding::base64_encode(m.content)}});
  }
  json::object body{{"timestamp", timestamp_ms}, {"messages", std::move(list)}};
  if (online_only) {
    body["online_only"] = true;
  }
  return body;
}

}  // namespace

std::string basic_authorization(const device_login& login) {
  const std::string user_pass =
      login.account_id + "." + std::to_string(login.device_id) + ":" + login.password;
  return "Basic " +
         encoding::base64_encode(
             {reinterpret_cast<const std::uint8_t*>(user_pass.data()), user_pass.size()});
}

api_client::api_client(server_address address, const connection_options& options)
    : http_(std::move(address), options) {}

http_response api_client::call(http::verb method, const std::string& target,
                               const std::string& body, const std::string& content_type,
                               bool authenticated) {
  http_credential credential;
  if (authenticated) {
    if (!login_) {
      throw std::logic_error("api_client: this call needs a device login");
    }
    credential = {"Authorization", basic_authorization(*login_)};
  }
  return http_.request(method, target, body, content_type, credential);
}

registered_device api_client::register_account(const std::string& username,
                                               const new_device_request& device,
                                               const std::optional<std::string>& invite) {
  json::object body = new_device_json(device);
  body["username"] = username;
  if (invite) {
    body["invite"] = *invite;
  }
  const http_response res =
      call(http::verb::post, "/v1/accounts", json::serialize(body), json_type, false);
  expect(res, 201);
  return read_registered(res.body);
}

registered_device api_client::link_device(const std::string& token,
                                          const new_device_request& device) {
  json::object body = new_device_json(device);
  body["link_token"] = token;
  const http_response res =
      call(http::verb::post, "/v1/devices", json::serialize(body), json_type, false);
  expect(res, 201);
  return read_registered(res.body);
}

link_token api_client::create_link_token() {
  const http_response res = call(http::verb::post, "/v1/devices/link-tokens", {}, {}, true);
  expect(res, 201);
  const json::object answer = parse_object(res.body);
  return {string(answer, "token"),
          integer(answer, "expires_at", 0, std::numeric_limits<std::int64_t>::max())};
}

std::optional<std::string> api_client::lookup_username(const std::string& username) {
  const http_response res =
      call(http::verb::get, "/v1/accounts/by-username/" + path_segment(username), {}, {}, true);
  if (res.status == 404) {
    return std::nullopt;
  }
  expect(res, 200);
  return account_id_field(parse_object(res.body), "account_id");
}

std::vector<device_entry> api_client::list_devices(const std::string& account_id) {
  const http_response res =
      call(http::verb::get, "/v1/accounts/" + path_segment(account_id) + "/devices", {}, {}, true);
  expect(res, 200);
  std::vector<device_entry> devices;
  const json::object answer = parse_object(res.body);
  for (const json::value& item : array_field(answer, "devices")) {
    const json::object& d = as_object(item, "a device");
    devices.push_back({static_cast<std::uint32_t>(integer(d, "device_id", 1, INT32_MAX)),
                       static_cast<std::uint32_t>(integer(d, "registration_id", 1, 16380)),
                       bytes(d, "identity_key")});
  }
  return devices;
}

void api_client::delete_account() {
  expect(call(http::verb::delete_, "/v1/accounts/me", {}, {}, true), 204);
}

void api_client::remove_device(std::uint32_t device_id) {
  expect(call(http::verb::delete_, "/v1/devices/" + std::to_string(device_id), {}, {}, true), 204);
}

void api_client::upload_keys(const key_upload& keys) {
  json::object body;
  if (keys.signed_prekey) {
    body["signed_prekey"] = to_json(*keys.signed_prekey);
  }
  if (!keys.one_time_prekeys.empty()) {
    body["one_time_prekeys"] = to_json(keys.one_time_prekeys);
  }
  expect(call(http::verb::put, "/v1/keys", json::serialize(body), json_type, true), 204);
}

key_status api_client::get_key_status() {
  const http_response res = call(http::verb::get, "/v1/keys/status", {}, {}, true);
  expect(res, 200);
  const json::object answer = parse_object(res.body);
  key_status status;
  status.one_time_prekeys =
      static_cast<std::uint32_t>(integer(answer, "one_time_prekeys", 0, UINT32_MAX));
  status.pq_one_time_prekeys =
      static_cast<std::uint32_t>(integer(answer, "pq_one_time_prekeys", 0, UINT32_MAX));
  const json::value* signed_id = answer.if_contains("signed_prekey_id");
  if (signed_id != nullptr && !signed_id->is_null()) {
    status.signed_prekey_id =
        static_cast<std::uint32_t>(integer(*signed_id, "signed_prekey_id", 0, UINT32_MAX));
  }
  return status;
}

std::vector<device_bundle> api_client::claim_bundles(const std::string& account_id,
                                                     std::optional<std::uint32_t> device_id) {
  const std::string target = "/v1/keys/" + path_segment(account_id) + "/" +
                             (device_id ? std::to_string(*device_id) : std::string("*"));
  const http_response res = call(http::verb::get, target, {}, {}, true);
  expect(res, 200);
  std::vector<device_bundle> bundles;
  const json::object answer = parse_object(res.body);
  for (const json::value& item : array_field(answer, "devices")) {
    const json::object& d = as_object(item, "a bundle");
    device_bundle bundle;
    bundle.device_id = static_cast<std::uint32_t>(integer(d, "device_id", 1, INT32_MAX));
    bundle.registration_id = static_cast<std::uint32_t>(integer(d, "registration_id", 1, 16380));
    bundle.identity_key = bytes(d, "identity_key");
    bundle.signed_prekey = read_signed_key(object_field(d, "signed_prekey"));
    const json::value* one_time = d.if_contains("one_time_prekey");
    if (one_time != nullptr && !one_time->is_null()) {
      const json::object& k = as_object(*one_time, "one_time_prekey");
      bundle.one_time_prekey = one_time_key{u32(k, "key_id"), bytes(k, "public_key")};
    }
    bundles.push_back(std::move(bundle));
  }
  return bundles;
}

send_result api_client::send_messages(const std::string& account_id, std::uint64_t timestamp_ms,
                                      std::span<const outgoing_envelope> messages,
                                      bool online_only) {
  if (!login_) {
    throw std::logic_error("api_client: this call needs a device login");
  }
  return send(account_id, json::serialize(messages_body(timestamp_ms, messages, online_only)),
              {"Authorization", basic_authorization(*login_)});
}

send_result api_client::send_sealed_messages(const std::string& account_id,
                                             std::uint64_t timestamp_ms,
                                             std::span<const outgoing_envelope> messages,
                                             std::span<const std::uint8_t> access_key) {
  return send(account_id, json::serialize(messages_body(timestamp_ms, messages, false)),
              access_key_credential(access_key));
}

send_result api_client::send(const std::string& account_id, const std::string& body,
                             const http_credential& credential) {
  const http_response res = http_.request(
      http::verb::put, "/v1/messages/" + path_segment(account_id), body, json_type, credential);
  expect(res, 200);
  const json::object answer = parse_object(res.body);
  send_result result;
  result.server_timestamp =
      integer(answer, "server_timestamp", 0, std::numeric_limits<std::int64_t>::max());
  for (const json::value& item : array_field(answer, "results")) {
    const json::object& r = as_object(item, "a send result");
    const std::optional<guid> id = guid_from_text(string(r, "guid"));
    if (!id) {
      bad_answer("a send result guid is not a UUID");
    }
    result.guids.emplace_back(static_cast<std::uint32_t>(integer(r, "device_id", 1, INT32_MAX)),
                              *id);
  }
  return result;
}

std::optional<byte_vector> api_client::get_trust_root() {
  const http_response res = call(http::verb::get, "/v1/certificate/trust-root", {}, {}, false);
  if (res.status == 404) {
    return std::nullopt;
  }
  expect(res, 200);
  byte_vector root = bytes(parse_object(res.body), "trust_root");
  if (root.size() != 33 || root[0] != 0x05) {
    bad_answer("the trust root is not a 33-byte 0x05 key");
  }
  return root;
}

delivery_certificate api_client::get_delivery_certificate() {
  const http_response res = call(http::verb::get, "/v1/certificate/delivery", {}, {}, true);
  expect(res, 200);
  const json::object answer = parse_object(res.body);
  return {bytes(answer, "certificate"),
          static_cast<std::uint64_t>(
              integer(answer, "expires_at", 0, std::numeric_limits<std::int64_t>::max()))};
}

namespace {

std::uint64_t u64(const json::object& object, std::string_view name) {
  return static_cast<std::uint64_t>(
      integer(object, name, 0, std::numeric_limits<std::int64_t>::max()));
}

template <std::size_t N>
std::array<std::uint8_t, N> fixed_bytes(const json::object& object, std::string_view name) {
  const byte_vector raw = bytes(object, name);
  if (raw.size() != N) {
    bad_answer("field '" + std::string(name) + "' is not " + std::to_string(N) + " bytes");
  }
  std::array<std::uint8_t, N> out{};
  std::copy(raw.begin(), raw.end(), out.begin());
  return out;
}

const json::array& array(const json::object& object, std::string_view name) {
  const json::value& value = field(object, name);
  if (!value.is_array()) {
    bad_answer("field '" + std::string(name) + "' is not an array");
  }
  return value.as_array();
}

// DESIGN.md's KtProof: the head, the entries and the inclusion elements.
keytrans::kt_proof kt_proof_of(const json::object& proof) {
  keytrans::kt_proof out;
  const json::object& head = as_object(field(proof, "head"), "the head");
  out.head.tree_size = u64(head, "tree_size");
  out.head.signature = bytes(head, "signature");
  for (const json::value& item : array(proof, "entries")) {
    const json::object& e = as_object(item, "a log entry");
    out.entries.push_back({u64(e, "position"), u64(e, "timestamp"),
                           fixed_bytes<keytrans::log_hash_size>(e, "prefix_root")});
  }
  for (const json::value& item : array(proof, "inclusion")) {
    if (!item.is_string()) {
      bad_answer("an inclusion element is not a string");
    }
    const std::optional<byte_vector> raw = encoding::base64_decode(std::string(item.as_string()));
    if (!raw || raw->size() != keytrans::log_hash_size) {
      bad_answer("an inclusion element is not 32 bytes of base64");
    }
    keytrans::log_hash element{};
    std::copy(raw->begin(), raw->end(), element.begin());
    out.inclusion.push_back(element);
  }
  return out;
}

std::vector<keytrans::kt_version_proof> kt_versions_of(const json::object& answer) {
  std::vector<keytrans::kt_version_proof> out;
  for (const json::value& item : array(answer, "versions")) {
    const json::object& v = as_object(item, "a version");
    keytrans::kt_version_proof version;
    version.version = u32(v, "version");
    version.vrf_proof = bytes(v, "vrf_proof");
    if (!field(v, "commitment").is_null()) {
      version.commitment = fixed_bytes<keytrans::prefix_hash_size>(v, "commitment");
    }
    out.push_back(std::move(version));
  }
  return out;
}

std::vector<keytrans::kt_ladder> kt_ladders_of(const json::object& answer) {
  std::vector<keytrans::kt_ladder> out;
  for (const json::value& item : array(answer, "ladders")) {
    const json::object& l = as_object(item, "a ladder");
    keytrans::kt_ladder ladder;
    ladder.position = u64(l, "position");
    if (!field(l, "greatest").is_null()) {
      ladder.greatest = u32(l, "greatest");
    }
    ladder.proof = bytes(l, "proof");
    out.push_back(std::move(ladder));
  }
  return out;
}

}  // namespace

namespace {

kt_search_answer kt_search_answer_of(const http_response& res) {
  const json::object answer = parse_object(res.body);
  keytrans::kt_search_response response;
  response.label = bytes(answer, "label");
  response.version = u32(answer, "version");
  response.opening = bytes(answer, "opening");
  response.value = bytes(answer, "value");
  response.versions = kt_versions_of(answer);
  response.ladders = kt_ladders_of(answer);
  response.proof = kt_proof_of(as_object(field(answer, "proof"), "the proof"));
  return kt_search_answer{std::move(response), res.body};
}

std::string last_query(std::optional<std::uint64_t> last) {
  return last ? "?last=" + std::to_string(*last) : std::string();
}

json::array map_entries_json(std::span<const keytrans::kt_map_entry> entries) {
  json::array out;
  for (const keytrans::kt_map_entry& e : entries) {
    out.push_back(json::object{{"position", e.position}, {"version", e.version}});
  }
  return out;
}

}  // namespace

std::optional<kt_search_answer> api_client::kt_search_account(const std::string& account_id,
                                                              std::optional<std::uint64_t> last) {
  if (!is_canonical_uuid(account_id)) {
    throw transport_error("not an account id: " + account_id);
  }
  const http_response res =
      call(http::verb::get, "/v1/kt/accounts/" + account_id + last_query(last), {}, {}, true);
  if (res.status == 404) {
    return std::nullopt;
  }
  expect(res, 200);
  return kt_search_answer_of(res);
}

std::optional<kt_search_answer> api_client::kt_search_username(const std::string& username,
                                                               std::optional<std::uint64_t> last) {
  const http_response res =
      call(http::verb::get, "/v1/kt/usernames/" + path_segment(username) + last_query(last), {}, {},
           true);
  if (res.status == 404) {
    return std::nullopt;
  }
  expect(res, 200);
  return kt_search_answer_of(res);
}

kt_monitor_answer api_client::kt_monitor(const kt_subject& subject,
                                         std::span<const keytrans::kt_map_entry> entries,
                                         std::optional<std::uint64_t> last) {
  json::object request;
  if (last) {
    request["last"] = *last;
  }
  request[subject.type == kt_subject::kind::account ? "account_id" : "username"] = subject.name;
  request["entries"] = map_entries_json(entries);
  const http_response res =
      call(http::verb::post, "/v1/kt/monitor", json::serialize(request), json_type, true);
  expect(res, 200);
  const json::object answer = parse_object(res.body);
  keytrans::kt_monitor_response response;
  response.versions = kt_versions_of(answer);
  response.ladders = kt_ladders_of(answer);
  response.proof = kt_proof_of(as_object(field(answer, "proof"), "the proof"));
  return {std::move(response), res.body};
}

kt_owner_answer api_client::kt_owner(kt_subject::kind label, const keytrans::kt_owner_state& state,
                                     std::optional<std::uint64_t> last) {
  json::object request{{"label", label == kt_subject::kind::account ? "account" : "username"},
                       {"start", state.start}};
  if (last) {
    request["last"] = *last;
  }
  if (state.versions.empty()) {
    request["greatest_version"] = nullptr;
  } else {
    request["greatest_version"] = state.versions.rbegin()->first;
  }
  request["entries"] = map_entries_json(state.entries);
  const http_response res =
      call(http::verb::post, "/v1/kt/owner", json::serialize(request), json_type, true);
  expect(res, 200);
  const json::object answer = parse_object(res.body);
  keytrans::kt_owner_response response;
  for (const json::value& item : array(answer, "new_versions")) {
    const json::object& v = as_object(item, "a new version");
    response.new_versions.push_back({u32(v, "version"), u64(v, "position"), bytes(v, "opening"),
                                     bytes(v, "value"), bytes(v, "vrf_proof")});
  }
  response.versions = kt_versions_of(answer);
  response.ladders = kt_ladders_of(answer);
  const json::value& more = field(answer, "more");
  if (!more.is_bool()) {
    bad_answer("field 'more' is not a boolean");
  }
  response.more = more.as_bool();
  response.proof = kt_proof_of(as_object(field(answer, "proof"), "the proof"));
  return {std::move(response), res.body};
}

std::optional<kt_config> api_client::get_kt_config() {
  const http_response res = call(http::verb::get, "/v1/kt/config", {}, {}, false);
  if (res.status == 404) {
    return std::nullopt;
  }
  expect(res, 200);
  const json::object answer = parse_object(res.body);
  if (u64(answer, "ciphersuite") != 1 || u64(answer, "mode") != 1) {
    bad_answer("a key-transparency suite or mode this client does not speak");
  }
  return kt_config{bytes(answer, "configuration"),  bytes(answer, "signature_public_key"),
                   bytes(answer, "vrf_public_key"), u64(answer, "max_ahead_ms"),
                   u64(answer, "max_behind_ms"),    u64(answer, "reasonable_monitoring_window_ms"),
                   u64(answer, "batch_interval_ms")};
}

kt_head_answer api_client::get_kt_head(std::optional<std::uint64_t> last) {
  const std::string target =
      "/v1/kt/head" + (last ? "?last=" + std::to_string(*last) : std::string());
  const http_response res = call(http::verb::get, target, {}, {}, false);
  expect(res, 200);
  const json::object answer = parse_object(res.body);
  return {kt_proof_of(as_object(field(answer, "proof"), "the proof")), res.body};
}

unidentified_access api_client::get_unidentified_access() {
  const http_response res =
      call(http::verb::get, "/v1/accounts/me/unidentified-access", {}, {}, true);
  expect(res, 200);
  const json::object answer = parse_object(res.body);
  const auto flag = [&](std::string_view name) {
    const json::value& value = field(answer, name);
    if (!value.is_bool()) {
      bad_answer("field '" + std::string(name) + "' is not a boolean");
    }
    return value.as_bool();
  };
  return {flag("unidentified_access_key_set"), flag("unrestricted_unidentified_access")};
}

void api_client::put_unidentified_access(std::optional<std::span<const std::uint8_t>> access_key,
                                         bool unrestricted) {
  json::object body{{"unrestricted_unidentified_access", unrestricted}};
  body["unidentified_access_key"] =
      access_key ? json::value(encoding::base64_encode(*access_key)) : json::value(nullptr);
  expect(call(http::verb::put, "/v1/accounts/me/unidentified-access", json::serialize(body),
              json_type, true),
         204);
}

poll_result api_client::poll_messages() {
  const http_response res = call(http::verb::get, "/v1/messages", {}, {}, true);
  expect(res, 200);
  const json::object answer = parse_object(res.body);
  poll_result result;
  for (const json::value& item : array_field(answer, "messages")) {
    result.envelopes.push_back(read_envelope(as_object(item, "an envelope")));
  }
  const json::value& more = field(answer, "more");
  if (!more.is_bool()) {
    bad_answer("field 'more' is not a boolean");
  }
  result.more = more.as_bool();
  return result;
}

void api_client::ack_message(const guid& id) {
  expect(call(http::verb::delete_, "/v1/messages/" + guid_to_text(id), {}, {}, true), 204);
}

void api_client::put_backup(std::span<const std::uint8_t> blob) {
  const std::string body(reinterpret_cast<const char*>(blob.data()), blob.size());
  expect(call(http::verb::put, "/v1/backup", body, "application/octet-stream", true), 204);
}

std::optional<byte_vector> api_client::get_backup() {
  const http_response res = call(http::verb::get, "/v1/backup", {}, {}, true);
  if (res.status == 404) {
    return std::nullopt;
  }
  expect(res, 200);
  return byte_vector(res.body.begin(), res.body.end());
}

void api_client::delete_backup() {
  expect(call(http::verb::delete_, "/v1/backup", {}, {}, true), 204);
}

}  // namespace sealpost::client::net
