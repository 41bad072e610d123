// Multi-recipient sealed sends: query, body, keys, then every account's send in one
// transaction, refused as a whole with every account concerned listed.
#include "resources/multi_recipient_messages.hpp"

#include <openssl/crypto.h>

#include <charconv>

#include "net/json_reader.hpp"
#include "net/query_string.hpp"
#include "resources/common.hpp"
#include "resources/storage_errors.hpp"
#include "sealed_sender/access_keys.hpp"
#include "sealed_sender/multi_recipient.hpp"
#include "storage/account_repository.hpp"
#include "storage/message_repository.hpp"
#include "storage/transaction.hpp"

namespace sealpost::resources {
namespace {

namespace asio = boost::asio;
namespace ss = sealed_sender;
using net::api_errc;
using net::http::status;

constexpr std::uint32_t kUnidentifiedSenderType = 6;

struct send_query {
  std::uint64_t timestamp = 0;
  bool online_only = false;
};

// "?timestamp=<ms>[&online_only=true|false]" and nothing else.
send_query read_query(std::string_view target) {
  std::optional<std::uint64_t> timestamp;
  std::optional<bool> online_only;
  for (const auto& [name, value] : net::query_pairs(target)) {
    if (name == "timestamp" && !timestamp) {
      std::uint64_t t = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), t);
      if (ec != std::errc{} || end != value.data() + value.size() || value.empty() ||
          t > static_cast<std::uint64_t>(INT64_MAX))
        net::throw_bad_field("timestamp", "must be an integer from 0 to 9223372036854775807");
      timestamp = t;
    } else if (name == "online_only" && !online_only && (value == "true" || value == "false")) {
      online_only = value == "true";
    } else {
      fail(api_errc::bad_request, "invalid_request",
           "query: only timestamp (required) and online_only=true|false, each once");
    }
  }
  if (!timestamp)
    net::throw_bad_field("timestamp", "is required");
  return {*timestamp, online_only.value_or(false)};
}

ss::multi_recipient_message read_body(const std::string& body, const config::server_config& cfg) {
  auto parsed =
      ss::parse_multi_recipient({reinterpret_cast<const std::uint8_t*>(body.data()), body.size()},
                                cfg.max_multi_recipients, cfg.max_message_bytes);
  if (!parsed) {
    const auto& e = parsed.error();
    switch (e.code) {
      case ss::multi_recipient_errc::too_many_recipients:
        fail(api_errc::payload_too_large, "too_many_items", e.message);
      case ss::multi_recipient_errc::message_too_large:
        fail(api_errc::payload_too_large, "message_too_large", e.message);
      case ss::multi_recipient_errc::invalid:
        break;
    }
    fail(api_errc::bad_request, "invalid_request", e.message);
  }
  return std::move(parsed.value());
}

[[noreturn]] void refuse_access_key() {
  fail(api_errc::unauthorized, "unauthorized",
       "the Unidentified-Access-Key does not allow sending to these accounts");
}

// The header must be the XOR of the keys of every included account that is not
// unrestricted (16 zero bytes when there is none); every account must exist, and a
// restricted one must have a key. One answer for every refusal.
void check_access_key(const ss::access_key& presented, const std::vector<std::string>& accounts,
                      const std::map<std::string, storage::unidentified_access>& access) {
  ss::access_key expected{};
  for (const auto& id : accounts) {
    const auto it = access.find(id);
    if (it == access.end())
      refuse_access_key();
    if (it->second.unrestricted)
      continue;
    if (!it->second.key || it->second.key->size() != expected.size())
      refuse_access_key();
    for (std::size_t i = 0; i < expected.size(); ++i)
      expected[i] ^= static_cast<std::uint8_t>((*it->second.key)[i]);
  }
  if (CRYPTO_memcmp(expected.data(), presented.data(), expected.size()) != 0)
    refuse_access_key();
}

// One account's part of the send: the same content for each listed device.
storage::send_request account_send(const ss::multi_recipient_account& account,
                                   std::span<const std::uint8_t> shared, const send_query& query) {
  storage::send_request req;
  req.recipient_account = account.account_id;
  req.client_timestamp = query.timestamp;
  req.online_only = query.online_only;
  const auto content = ss::device_content(account, shared);
  for (const auto& d : account.devices)
    req.envelopes.push_back({d.device_id, d.registration_id, kUnidentifiedSenderType, content});
  return req;
}

struct stored_envelope_ref {
  std::string account_id;
  std::int32_t device_id;
  std::string guid;
};

asio::awaitable<net::response> send_multi_recipient(app::services& s, net::request_context& ctx) {
  const auto query = read_query(ctx.req.target());
  const auto message = read_body(ctx.req.body(), s.cfg);
  const auto header = ctx.req[net::kUnidentifiedAccessHeader];
  const auto presented =
      ss::parse_access_key_header(std::string_view(header.data(), header.size()));
  if (!presented)
    refuse_access_key();
  std::vector<std::string> accounts;
  for (const auto& a : message.accounts)
    accounts.push_back(a.account_id);

  const storage::queue_limits limits{s.cfg.max_queue_per_device, s.cfg.message_ttl_ms};
  std::int64_t server_timestamp = 0;
  auto stored = co_await storage::in_transaction(s.db, [&](pqxx::work& tx) {
    check_access_key(*presented, accounts, storage::find_unidentified_access(tx, accounts));
    multi_send_refusals refusals;
    refusals.mixed_identity_keys = storage::accounts_with_mixed_identity_keys(tx, accounts);
    std::vector<stored_envelope_ref> out;
    server_timestamp = storage::now_ms();
    // Every account is tried, so that a refusal lists all the accounts concerned; any
    // refusal rolls the whole transaction back.
    for (const auto& account : message.accounts) {
      const auto result = storage::enqueue(tx, account_send(account, message.shared, query), limits,
                                           server_timestamp);
      if (!result) {
        refusals.failures.emplace_back(account.account_id, result.error());
        continue;
      }
      for (const auto& [device, guid] : result.value().guids)
        out.push_back({account.account_id, device, guid});
    }
    if (!refusals.empty())
      fail_with(refusals);
    return out;
  });
  s.metrics.envelopes_enqueued(stored.size());
  boost::json::array results;
  for (const auto& e : stored) {
    s.wakeups.publish({delivery::wakeup_kind::messages, e.account_id, e.device_id});
    results.push_back({{"account_id", e.account_id}, {"device_id", e.device_id}, {"guid", e.guid}});
  }
  co_return net::json_response(
      ctx, status::ok, {{"server_timestamp", server_timestamp}, {"results", std::move(results)}});
}

}  // namespace

void register_multi_recipient_routes(net::router& routes, app::services& s) {
  if (s.sealed_sender == nullptr)
    return;
  using net::http::verb;
  routes.add({.method = verb::put,
              .pattern = "/v1/messages/multi_recipient",
              .handle = [&s](auto& ctx) { return send_multi_recipient(s, ctx); },
              .who = net::access::unidentified,
              .body_limit = static_cast<std::size_t>(s.cfg.max_multi_recipient_body_bytes())});
}

}  // namespace sealpost::resources
