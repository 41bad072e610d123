// Config loading: one key table drives defaults, file parsing, env overrides and --help.
#include "config/config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <sstream>
#include <variant>

namespace sealpost::config {
namespace {

struct uint_key {
  std::uint64_t server_config::*member;
  std::uint64_t default_value;
  std::uint64_t min;
  std::uint64_t max;
};
struct string_key {
  std::string server_config::*member;
  std::string default_value;
  std::vector<std::string> allowed;  // empty: any string
};
struct bool_key {
  bool server_config::*member;
  bool default_value;
};
struct address_key {
  listen_address server_config::*member;
  std::string default_value;
};

struct key_spec {
  std::string_view name;
  std::variant<uint_key, string_key, bool_key, address_key> kind;
  std::string_view doc;
};

constexpr std::uint64_t kMiB = 1024 * 1024;
constexpr std::uint64_t kMaxU32 = 0xffffffffULL;

const std::vector<key_spec>& key_table() {
  using c = server_config;
  static const std::vector<key_spec> table = {
      {"listen", address_key{&c::listen, "127.0.0.1:8080"},
       "public HTTP/WebSocket listener, host:port (port 0 picks a free port)"},
      {"admin_listen", address_key{&c::admin_listen, "127.0.0.1:9090"},
       "admin listener for /metrics, /healthz, /readyz, host:port"},
      {"threads", uint_key{&c::threads, 0, 0, 256}, "network threads; 0 = one per CPU core"},
      {"metrics.database_refresh_ms",
       uint_key{&c::metrics_database_refresh_ms, 15000, 100, 3600000},
       "how often a node counts, for /metrics, the queued envelopes, the devices low on "
       "prekeys and its own readiness; each count reads whole tables, so keep it well above "
       "the time they take"},
      {"log.level", string_key{&c::log_level, "info", {"trace", "debug", "info", "warn", "error"}},
       "minimum log level"},
      {"database.url", string_key{&c::database_url, "", {}},
       "libpq connection URL; empty = the run script's embedded local Postgres"},
      {"database.pool_size", uint_key{&c::database_pool_size, 8, 1, 256},
       "Postgres connections (and database worker threads) per process"},
      {"database.connect_timeout_ms", uint_key{&c::database_connect_timeout_ms, 30000, 0, 600000},
       "how long start-up waits for the database to accept connections"},
      {"database.statement_timeout_ms",
       uint_key{&c::database_statement_timeout_ms, 10000, 0, 600000},
       "longest a single SQL statement may run (or wait for a lock) before Postgres cancels it "
       "and the request gets 503 database_unavailable with Retry-After; 0 = no limit"},
      {"http.max_header_bytes", uint_key{&c::http_max_header_bytes, 16384, 1024, kMiB},
       "largest request header block; larger gets 431"},
      {"http.max_body_bytes", uint_key{&c::http_max_body_bytes, kMiB, 1024, 64 * kMiB},
       "largest request body for routes without their own limit; larger gets 413"},
      {"http.idle_timeout_ms", uint_key{&c::http_idle_timeout_ms, 30000, 100, 3600000},
       "how long a connection may take to send a complete request header (also keep-alive idle)"},
      {"http.read_timeout_ms", uint_key{&c::http_read_timeout_ms, 15000, 100, 3600000},
       "how long a request body may take to arrive"},
      {"http.write_timeout_ms", uint_key{&c::http_write_timeout_ms, 15000, 100, 3600000},
       "how long a response may take to be written"},
      {"http.max_connections", uint_key{&c::http_max_connections, 10000, 1, kMaxU32},
       "open connections per process; further connections are closed at once"},
      {"http.max_connections_per_ip", uint_key{&c::http_max_connections_per_ip, 100, 0, kMaxU32},
       "open connections per client address (per /64 for IPv6); further connections from it are "
       "closed at once; 0 = no limit. Behind a proxy listed in http.trusted_proxies, a proxy's "
       "connection counts for the client it carries"},
      {"http.max_body_bytes_in_flight",
       uint_key{&c::http_max_body_bytes_in_flight, 128 * kMiB, kMiB, 64 * 1024 * kMiB},
       "request bodies being read at once, all connections together; past it a request gets "
       "503 with Retry-After before its body is read. At least the largest single body "
       "(backup.max_bytes, http.max_body_bytes and a maximal send)"},
      {"http.trusted_proxies", string_key{&c::http_trusted_proxies, "", {}},
       "reverse proxies whose X-Forwarded-For is believed, as addresses or networks separated "
       "by commas (\"127.0.0.1, 10.0.0.0/8\"); a request from one of them counts, for every "
       "per-IP limit, as the right-most address in X-Forwarded-For that no trusted proxy "
       "added. Empty: the header is ignored"},
      {"shutdown_grace_ms", uint_key{&c::shutdown_grace_ms, 10000, 0, 600000},
       "on SIGTERM/SIGINT, how long in-flight requests may take before the process exits"},

      {"tls.certificate_file", string_key{&c::tls_certificate_file, "", {}},
       "PEM certificate chain for the public listener; set with tls.private_key_file to serve "
       "HTTPS/WSS (TLS 1.2+) instead of plain HTTP"},
      {"tls.private_key_file", string_key{&c::tls_private_key_file, "", {}},
       "PEM private key matching tls.certificate_file"},

      {"sealed_sender.enabled", bool_key{&c::sealed_sender_enabled, true},
       "serve sealed sender: the certificate routes and sends with Unidentified-Access-Key. "
       "false: those routes answer 404 and such sends 401"},
      {"sealed_sender.trust_root_public_file",
       string_key{&c::sealed_sender_trust_root_file, "", {}},
       "file with the trust root's public key (trust-root.pub of `admin sealed-sender "
       "new-trust-root`); set all three files or none. None: the first node makes the keys "
       "and keeps them in the database for every node (auto mode)"},
      {"sealed_sender.server_certificate_file",
       string_key{&c::sealed_sender_server_certificate_file, "", {}},
       "file with the server certificate (server-certificate.b64 of `admin sealed-sender "
       "new-server-certificate`)"},
      {"sealed_sender.server_private_key_file",
       string_key{&c::sealed_sender_server_key_file, "", {}},
       "file with the private key the server certificate certifies (server-certificate.key, "
       "PKCS#8 PEM)"},
      {"sealed_sender.certificate_ttl_ms",
       uint_key{&c::sealed_sender_certificate_ttl_ms, 86400000, 60000, 30ULL * 86400000},
       "how long a delivery certificate is valid from when it is issued"},

      {"kt.enabled", bool_key{&c::kt_enabled, true},
       "run key transparency: publish every account's devices and every username in the "
       "signed log, and serve /v1/kt/*. false: those routes answer 404 and nothing is queued"},
      {"kt.signing_key_file", string_key{&c::kt_signing_key_file, "", {}},
       "P-256 key that signs tree heads (kt-signing.key of `admin kt new-keys`, PKCS#8 PEM); "
       "set both files or none. None: the first node makes both keys and keeps them in the "
       "database for every node (auto mode)"},
      {"kt.vrf_key_file", string_key{&c::kt_vrf_key_file, "", {}},
       "P-256 VRF key that maps labels to search keys (kt-vrf.key of `admin kt new-keys`)"},
      {"kt.batch_interval_ms", uint_key{&c::kt_batch_interval_ms, 2000, 10, 3600000},
       "how often each node tries to publish the pending changes as one log entry"},
      {"kt.max_batch", uint_key{&c::kt_max_batch, 5000, 1, 100000},
       "pending labels one log entry publishes at most; the rest wait for the next"},
      {"kt.heartbeat_interval_ms", uint_key{&c::kt_heartbeat_interval_ms, 600000, 1000, 86400000},
       "with nothing to publish, a heartbeat entry is appended once the newest entry is this "
       "old, so clients always see a fresh head"},
      {"kt.confirm_wait_ms", uint_key{&c::kt_confirm_wait_ms, 5000, 0, 60000},
       "how long registration, linking, removal and deletion wait for the entry that "
       "publishes the change before answering (0: answer at once, kt_position null)"},
      {"kt.max_monitor_entries", uint_key{&c::kt_max_monitor_entries, 16, 1, 255},
       "contact-map entries one POST /v1/kt/monitor may name; more gets 400"},
      {"kt.max_owner_ladders", uint_key{&c::kt_max_owner_ladders, 32, 1, 1024},
       "owner ladders one POST /v1/kt/owner answers with; the client asks again while more"},
      {"kt.audit_feed", string_key{&c::kt_audit_feed, "admin", {"admin", "public", "off"}},
       "where GET /v1/kt/audit is served: the admin listener, the public one too, or nowhere"},
      {"kt.max_ahead_ms", uint_key{&c::kt_max_ahead_ms, 600000, 1000, 86400000},
       "how far in the future a client accepts the newest entry's timestamp; fixed when the "
       "log is created"},
      {"kt.max_behind_ms", uint_key{&c::kt_max_behind_ms, 3600000, 60000, 30ULL * 86400000},
       "how old a client accepts the newest entry; fixed when the log is created (keep it well "
       "above kt.heartbeat_interval_ms)"},
      {"kt.reasonable_monitoring_window_ms",
       uint_key{&c::kt_reasonable_monitoring_window_ms, 86400000, 60000, 365ULL * 86400000},
       "about how often owners check their labels (the spacing of distinguished entries); "
       "fixed when the log is created"},

      {"registration.mode", string_key{&c::registration_mode, "open", {"open", "invite"}},
       "open: anyone may register; invite: registration needs a token from "
       "`sealpost-server admin invite create`"},
      {"accounts.max_devices", uint_key{&c::max_devices_per_account, 6, 1, 127},
       "devices per account, the primary included"},
      {"accounts.link_token_ttl_ms", uint_key{&c::link_token_ttl_ms, 600000, 1000, 86400000},
       "how long a device-link token stays valid"},
      {"auth.cache_ttl_ms", uint_key{&c::auth_cache_ttl_ms, 5000, 0, 600000},
       "how long a node caches a device's credential record (0 = no cache); a removed "
       "device's credentials may be accepted by other nodes for up to this long"},
      {"keys.max_one_time_prekeys", uint_key{&c::max_one_time_prekeys, 1000, 1, 100000},
       "one-time prekeys stored per device and pool (EC and PQ separately); more gets 413"},
      {"keys.max_prekeys_per_upload", uint_key{&c::max_prekeys_per_upload, 100, 1, 10000},
       "one-time prekeys per pool in one request; more gets 413"},
      {"keys.keys_low_watermark", uint_key{&c::keys_low_watermark, 10, 0, 100000},
       "a device is told its keys are low when a one-time pool holds fewer than this"},
      {"backup.max_bytes", uint_key{&c::max_backup_bytes, 16 * kMiB, 1, 1024 * kMiB},
       "largest backup blob per account; larger gets 413"},

      {"messages.max_message_bytes", uint_key{&c::max_message_bytes, 256 * 1024, 1, 64 * kMiB},
       "largest envelope content (decoded bytes); larger gets 413"},
      {"messages.max_queue_per_device", uint_key{&c::max_queue_per_device, 100000, 1, kMaxU32},
       "envelopes queued per device; a send that would exceed it gets 507"},
      {"messages.message_ttl_ms",
       uint_key{&c::message_ttl_ms, 30ULL * 24 * 3600 * 1000, 1000, 3650ULL * 24 * 3600 * 1000},
       "how long an unacknowledged envelope is kept before it expires"},
      {"messages.max_multi_recipients", uint_key{&c::max_multi_recipients, 1000, 1, 100000},
       "accounts one multi-recipient sealed send may name; more gets 413"},
      {"messages.delivery_window", uint_key{&c::delivery_window, 256, 1, 65536},
       "unacknowledged envelopes in flight per WebSocket"},
      {"messages.wakeup_batch_ms", uint_key{&c::wakeup_batch_ms, 5, 0, 1000},
       "how long a node gathers wake-ups for devices connected to other nodes before it "
       "sends them in one NOTIFY (0: as soon as the previous one is out)"},
      {"websocket.recheck_interval_ms", uint_key{&c::ws_recheck_interval_ms, 60000, 0, 86400000},
       "a connected device whose socket has not been woken for this long looks at its queue "
       "anyway: the longest an envelope waits when a wake-up between nodes was lost "
       "(0: never)"},
      {"websocket.idle_timeout_ms", uint_key{&c::ws_idle_timeout_ms, 60000, 1000, 3600000},
       "a WebSocket is pinged when idle and closed when no answer comes within this time"},
      {"websocket.max_frame_bytes", uint_key{&c::ws_max_frame_bytes, 65536, 1024, 16 * kMiB},
       "largest client frame; larger closes the socket with 1009"},
      {"websocket.write_timeout_ms", uint_key{&c::ws_write_timeout_ms, 30000, 100, 3600000},
       "how long one server frame may take to be written; a client that stops reading is "
       "disconnected after this long"},
      {"rate_limits.messages_per_sender_burst",
       uint_key{&c::rate_messages_per_sender_burst, 600, 1, kMaxU32},
       "sends one device may make at once"},
      {"rate_limits.messages_per_sender_per_minute",
       uint_key{&c::rate_messages_per_sender_per_minute, 600, 1, kMaxU32},
       "refill rate of messages_per_sender"},

      {"rate_limits.registration_per_ip_burst",
       uint_key{&c::rate_registration_per_ip_burst, 10, 1, kMaxU32},
       "registrations and device links one IP may make at once"},
      {"rate_limits.registration_per_ip_per_minute",
       uint_key{&c::rate_registration_per_ip_per_minute, 10, 1, kMaxU32},
       "refill rate of registration_per_ip"},
      {"rate_limits.auth_failure_per_ip_burst",
       uint_key{&c::rate_auth_failure_per_ip_burst, 20, 1, kMaxU32},
       "failed authentications one IP may make before it gets 429"},
      {"rate_limits.auth_failure_per_ip_per_minute",
       uint_key{&c::rate_auth_failure_per_ip_per_minute, 20, 1, kMaxU32},
       "refill rate of auth_failure_per_ip"},
      {"rate_limits.bundle_per_requester_burst",
       uint_key{&c::rate_bundle_per_requester_burst, 300, 1, kMaxU32},
       "prekey bundle fetches one device may make at once (one-time keys are finite)"},
      {"rate_limits.bundle_per_requester_per_minute",
       uint_key{&c::rate_bundle_per_requester_per_minute, 300, 1, kMaxU32},
       "refill rate of bundle_per_requester"},
      {"rate_limits.bundle_per_pair_burst",
       uint_key{&c::rate_bundle_per_pair_burst, 30, 1, kMaxU32},
       "bundle fetches one device may make for one target account at once"},
      {"rate_limits.bundle_per_pair_per_minute",
       uint_key{&c::rate_bundle_per_pair_per_minute, 30, 1, kMaxU32},
       "refill rate of bundle_per_pair"},
      {"rate_limits.username_lookup_per_device_burst",
       uint_key{&c::rate_username_lookup_per_device_burst, 100, 1, kMaxU32},
       "username lookups one device may make at once (slows enumerating who uses the server)"},
      {"rate_limits.username_lookup_per_device_per_minute",
       uint_key{&c::rate_username_lookup_per_device_per_minute, 100, 1, kMaxU32},
       "refill rate of username_lookup_per_device"},
      {"rate_limits.link_token_per_account_burst",
       uint_key{&c::rate_link_token_per_account_burst, 5, 1, kMaxU32},
       "device-link tokens one account may create at once"},
      {"rate_limits.link_token_per_account_per_minute",
       uint_key{&c::rate_link_token_per_account_per_minute, 5, 1, kMaxU32},
       "refill rate of link_token_per_account"},
      {"rate_limits.unidentified_messages_per_ip_burst",
       uint_key{&c::rate_unidentified_messages_per_ip_burst, 600, 1, kMaxU32},
       "sealed sends (with Unidentified-Access-Key, no credentials) one IP may make at once"},
      {"rate_limits.unidentified_messages_per_ip_per_minute",
       uint_key{&c::rate_unidentified_messages_per_ip_per_minute, 600, 1, kMaxU32},
       "refill rate of unidentified_messages_per_ip"},
      {"rate_limits.kt_queries_per_account_burst",
       uint_key{&c::rate_kt_queries_per_account_burst, 300, 1, kMaxU32},
       "key-transparency searches, monitor and owner requests one account may make at once"},
      {"rate_limits.kt_queries_per_account_per_minute",
       uint_key{&c::rate_kt_queries_per_account_per_minute, 60, 1, kMaxU32},
       "refill rate of kt_queries_per_account"},
      {"rate_limits.kt_public_per_ip_burst",
       uint_key{&c::rate_kt_public_per_ip_burst, 120, 1, kMaxU32},
       "GET /v1/kt/config and /v1/kt/head requests one IP may make at once"},
      {"rate_limits.kt_public_per_ip_per_minute",
       uint_key{&c::rate_kt_public_per_ip_per_minute, 60, 1, kMaxU32},
       "refill rate of kt_public_per_ip"},
  };
  return table;
}

const key_spec* find_key(std::string_view name) {
  const auto& table = key_table();
  auto it =
      std::find_if(table.begin(), table.end(), [&](const key_spec& k) { return k.name == name; });
  return it == table.end() ? nullptr : &*it;
}

std::uint64_t parse_uint_text(std::string_view key, std::string_view text) {
  std::uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size() || text.empty()) {
    throw config_error("config key '" + std::string(key) +
                       "': expected a non-negative integer, got '" + std::string(text) + "'");
  }
  return value;
}

// The value of one key, from a TOML node or an environment string.
struct raw_value {
  std::optional<std::string> text;      // strings, and every env value
  std::optional<std::int64_t> integer;  // TOML integers
  std::optional<bool> boolean;          // TOML booleans
  std::string_view origin;              // "file" or "environment"
};

void assign(server_config& cfg, const key_spec& spec, const raw_value& raw) {
  const std::string key(spec.name);
  std::visit(
      [&](const auto& kind) {
        using kind_t = std::decay_t<decltype(kind)>;
        if constexpr (std::is_same_v<kind_t, uint_key>) {
          std::uint64_t value = 0;
          if (raw.integer) {
            if (*raw.integer < 0) {
              throw config_error("config key '" + key + "': must not be negative");
            }
            value = static_cast<std::uint64_t>(*raw.integer);
          } else if (raw.text && raw.origin == "environment") {
            value = parse_uint_text(key, *raw.text);
          } else {
            throw config_error("config key '" + key + "': expected an integer");
          }
          if (value < kind.min || value > kind.max) {
            throw config_error("config key '" + key + "': " + std::to_string(value) +
                               " is out of range [" + std::to_string(kind.min) + ", " +
                               std::to_string(kind.max) + "]");
          }
          cfg.*kind.member = value;
        } else if constexpr (std::is_same_v<kind_t, bool_key>) {
          if (raw.boolean) {
            cfg.*kind.member = *raw.boolean;
          } else if (raw.text && raw.origin == "environment" &&
                     (*raw.text == "true" || *raw.text == "false")) {
            cfg.*kind.member = *raw.text == "true";
          } else {
            throw config_error("config key '" + key + "': expected true or false");
          }
        } else {
          if (!raw.text) {
            throw config_error("config key '" + key + "': expected a string");
          }
          if constexpr (std::is_same_v<kind_t, string_key>) {
            if (!kind.allowed.empty() && std::find(kind.allowed.begin(), kind.allowed.end(),
                                                   *raw.text) == kind.allowed.end()) {
              std::string options;
              for (const auto& a : kind.allowed)
                options += (options.empty() ? "" : ", ") + a;
              throw config_error("config key '" + key + "': '" + *raw.text +
                                 "' is not one of: " + options);
            }
            cfg.*kind.member = *raw.text;
          } else {
            cfg.*kind.member = parse_listen_address(key, *raw.text);
          }
        }
      },
      spec.kind);
}

// Flattens nested tables into dotted keys: [database] url = ... -> "database.url".
void flatten(const toml::table& table, const std::string& prefix,
             std::map<std::string, const toml::node*>& out) {
  for (const auto& [k, node] : table) {
    std::string name = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (const auto* sub = node.as_table()) {
      flatten(*sub, name, out);
    } else {
      out.emplace(std::move(name), &node);
    }
  }
}

void apply_file(server_config& cfg, const std::filesystem::path& file) {
  toml::table root;
  try {
    root = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << "config file " << file.string() << ":" << e.source().begin.line << ": "
        << e.description();
    throw config_error(msg.str());
  }
  std::map<std::string, const toml::node*> values;
  flatten(root, "", values);
  for (const auto& [name, node] : values) {
    const key_spec* spec = find_key(name);
    if (spec == nullptr) {
      throw config_error("config file " + file.string() + ": unknown key '" + name + "'");
    }
    raw_value raw{.text = {}, .integer = {}, .boolean = {}, .origin = "file"};
    if (auto s = node->value<std::string>(); s && node->is_string())
      raw.text = *s;
    if (node->is_integer())
      raw.integer = node->as_integer()->get();
    if (node->is_boolean())
      raw.boolean = node->as_boolean()->get();
    assign(cfg, *spec, raw);
  }
}

void apply_environment(server_config& cfg, const std::vector<std::string>& environment) {
  std::map<std::string, std::string> env;
  for (const auto& entry : environment) {
    auto eq = entry.find('=');
    if (eq != std::string::npos)
      env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
  }
  for (const auto& spec : key_table()) {
    auto it = env.find(environment_name(spec.name));
    if (it == env.end())
      continue;
    assign(cfg, spec,
           raw_value{.text = it->second, .integer = {}, .boolean = {}, .origin = "environment"});
  }
}

void check_body_budget(const server_config& cfg) {
  const std::pair<std::string_view, std::uint64_t> largest[] = {
      {"backup.max_bytes", cfg.max_backup_bytes},
      {"http.max_body_bytes", cfg.http_max_body_bytes},
      {"a maximal send (accounts.max_devices x messages.max_message_bytes)",
       cfg.max_send_body_bytes()},
      {"a maximal multi-recipient send (messages.max_multi_recipients accounts)",
       cfg.max_multi_recipient_body_bytes()},
  };
  for (const auto& [what, bytes] : largest) {
    if (cfg.http_max_body_bytes_in_flight < bytes) {
      throw config_error("config key 'http.max_body_bytes_in_flight': " +
                         std::to_string(cfg.http_max_body_bytes_in_flight) + " is smaller than " +
                         std::string(what) + " (" + std::to_string(bytes) +
                         "), so such a request could never be read");
    }
  }
}

void check_sealed_sender_files(const server_config& cfg) {
  const int set = int(!cfg.sealed_sender_trust_root_file.empty()) +
                  int(!cfg.sealed_sender_server_certificate_file.empty()) +
                  int(!cfg.sealed_sender_server_key_file.empty());
  if (set != 0 && set != 3) {
    throw config_error(
        "config keys 'sealed_sender.trust_root_public_file', "
        "'sealed_sender.server_certificate_file' and 'sealed_sender.server_private_key_file': "
        "set all three or none");
  }
}

void check_kt_keys(const server_config& cfg) {
  if (cfg.kt_signing_key_file.empty() != cfg.kt_vrf_key_file.empty()) {
    throw config_error("config keys 'kt.signing_key_file' and 'kt.vrf_key_file': set both or none");
  }
  if (cfg.kt_max_behind_ms <= cfg.kt_heartbeat_interval_ms) {
    throw config_error(
        "config key 'kt.max_behind_ms': must be greater than 'kt.heartbeat_interval_ms', or "
        "clients reject the head of an idle log as stale");
  }
}

// Checks that need several keys at once, and parses the keys whose text has structure.
void check_keys_together(server_config& cfg) {
  check_body_budget(cfg);
  check_sealed_sender_files(cfg);
  check_kt_keys(cfg);
  try {
    cfg.trusted_proxies = util::parse_network_list(cfg.http_trusted_proxies);
  } catch (const std::invalid_argument& e) {
    throw config_error("config key 'http.trusted_proxies': " + std::string(e.what()));
  }
}

}  // namespace

std::string listen_address::to_string() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

listen_address parse_listen_address(std::string_view key, std::string_view text) {
  auto fail = [&](std::string_view why) {
    return config_error("config key '" + std::string(key) + "': '" + std::string(text) + "' " +
                        std::string(why) + " (expected host:port)");
  };
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0)
    throw fail("has no host");
  std::string_view host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.back() != ']' || host.size() < 3)
      throw fail("has a malformed IPv6 host");
    host = host.substr(1, host.size() - 2);
  }
  std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc{} || ptr != port_text.data() + port_text.size() || port > 65535 ||
      port_text.empty()) {
    throw fail("has an invalid port");
  }
  return listen_address{std::string(host), static_cast<std::uint16_t>(port)};
}

std::string environment_name(std::string_view key) {
  std::string name = "SEALPOST_";
  for (char ch : key) {
    name += ch == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  return name;
}

server_config default_config() {
  server_config cfg;
  for (const auto& spec : key_table()) {
    std::visit(
        [&](const auto& kind) {
          using kind_t = std::decay_t<decltype(kind)>;
          if constexpr (std::is_same_v<kind_t, address_key>) {
            cfg.*kind.member = parse_listen_address(spec.name, kind.default_value);
          } else {
            cfg.*kind.member = kind.default_value;
          }
        },
        spec.kind);
  }
  return cfg;
}

server_config load(const std::optional<std::filesystem::path>& file,
                   const std::vector<std::string>& environment) {
  server_config cfg = default_config();
  if (file)
    apply_file(cfg, *file);
  apply_environment(cfg, environment);
  check_keys_together(cfg);
  return cfg;
}

std::vector<std::string_view> key_names() {
  std::vector<std::string_view> names;
  for (const auto& spec : key_table())
    names.push_back(spec.name);
  return names;
}

std::string describe_keys() {
  std::ostringstream out;
  for (const auto& spec : key_table()) {
    out << "  " << spec.name << " (" << environment_name(spec.name) << ", default ";
    std::visit(
        [&](const auto& kind) {
          using kind_t = std::decay_t<decltype(kind)>;
          if constexpr (std::is_same_v<kind_t, uint_key>) {
            out << kind.default_value;
          } else if constexpr (std::is_same_v<kind_t, bool_key>) {
            out << (kind.default_value ? "true" : "false");
          } else {
            out << '"' << kind.default_value << '"';
          }
        },
        spec.kind);
    out << ")\n      " << spec.doc << "\n";
  }
  return out.str();
}

}  // namespace sealpost::config
