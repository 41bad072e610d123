// Key-transparency resource handlers: parse, read one snapshot of the log, answer.
#include "resources/kt.hpp"

#include <charconv>
#include <limits>

#include "crypto/base64.hpp"
#include "model/ids.hpp"
#include "net/json_reader.hpp"
#include "net/query_string.hpp"
#include "resources/common.hpp"
#include "resources/rate_limits.hpp"
#include "resources/storage_errors.hpp"
#include "storage/kt_repository.hpp"
#include "storage/transaction.hpp"
#include "transparency/labels.hpp"
#include "transparency/log_view.hpp"

namespace sealpost::resources {
namespace {

namespace asio = boost::asio;
using net::api_errc;
using net::http::status;

std::optional<std::uint64_t> parse_u64(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty())
    return std::nullopt;
  return value;
}

// The query string's parameters, each allowed name at most once; anything else is 400.
std::map<std::string, std::uint64_t, std::less<>> read_query(
    std::string_view target, std::initializer_list<std::string_view> allowed) {
  std::map<std::string, std::uint64_t, std::less<>> params;
  for (const auto& [name, text] : net::query_pairs(target)) {
    const auto value = parse_u64(text);
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end() || !value ||
        params.contains(name))
      fail(api_errc::bad_request, "invalid_request",
           "query: each parameter at most once, as a decimal integer");
    params.emplace(std::string(name), *value);
  }
  return params;
}

std::optional<std::uint64_t> read_last(std::string_view target) {
  const auto params = read_query(target, {"last"});
  if (const auto it = params.find("last"); it != params.end())
    return it->second;
  return std::nullopt;
}

std::optional<std::uint64_t> optional_u64(net::json_reader& r, std::string_view key) {
  if (!r.has(key))
    return std::nullopt;
  return static_cast<std::uint64_t>(r.integer(key, 1, INT64_MAX));
}

// Runs `answer` on one snapshot of the log in one transaction; the log's refusals become
// their API errors.
template <class Fn>
asio::awaitable<boost::json::object> on_log(app::services& s, std::optional<std::uint64_t> last,
                                            Fn answer) {
  try {
    co_return co_await storage::in_transaction(s.db, [&](pqxx::work& tx) {
      transparency::log_view view(tx, *s.kt, s.cfg, last);
      return answer(view, tx);
    });
  } catch (const transparency::kt_query_error& e) {
    fail_with(e);
  }
}

asio::awaitable<net::response> kt_config(app::services& s, net::request_context& ctx) {
  enforce(s.limits.kt_public_per_ip, ctx.remote_address.to_string());
  const auto& keys = *s.kt;
  co_return net::json_response(
      ctx, status::ok,
      {{"configuration", crypto::base64_encode(keys.configuration)},
       {"ciphersuite", keytrans::cipher_suite_kt_128_sha256_p256},
       {"mode", static_cast<int>(keytrans::deployment_mode::contact_monitoring)},
       {"signature_public_key", crypto::base64_encode(keys.signing_public_key)},
       {"vrf_public_key", crypto::base64_encode(keys.vrf_public_key)},
       {"max_ahead_ms", s.cfg.kt_max_ahead_ms},
       {"max_behind_ms", s.cfg.kt_max_behind_ms},
       {"reasonable_monitoring_window_ms", s.cfg.kt_reasonable_monitoring_window_ms},
       {"batch_interval_ms", s.cfg.kt_batch_interval_ms}});
}

asio::awaitable<net::response> kt_head(app::services& s, net::request_context& ctx) {
  enforce(s.limits.kt_public_per_ip, ctx.remote_address.to_string());
  const auto last = read_last(ctx.req.target());
  auto body = co_await on_log(
      s, last, [](transparency::log_view& view, pqxx::work&) { return view.head(); });
  co_return net::json_response(ctx, status::ok, body);
}

void enforce_query_limit(app::services& s, net::request_context& ctx) {
  enforce(s.limits.kt_queries_per_account, ctx.device().account_id);
}

asio::awaitable<net::response> search_label(app::services& s, net::request_context& ctx,
                                            std::string label) {
  const auto last = read_last(ctx.req.target());
  auto body = co_await on_log(
      s, last, [&](transparency::log_view& view, pqxx::work&) { return view.search(label); });
  co_return net::json_response(ctx, status::ok, body);
}

asio::awaitable<net::response> search_account(app::services& s, net::request_context& ctx) {
  enforce_query_limit(s, ctx);
  const auto account_id = account_param(ctx, "account_id");
  co_return co_await search_label(s, ctx, transparency::account_label(account_id));
}

bool valid_username(std::string_view name) {
  return name.size() >= 3 && name.size() <= 32 && std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
                  c == '-';
         });
}

asio::awaitable<net::response> search_username(app::services& s, net::request_context& ctx) {
  enforce_query_limit(s, ctx);
  const std::string name(ctx.param("name"));
  if (!valid_username(name))
    fail(api_errc::not_found, "not_found", "no such username");
  co_return co_await search_label(s, ctx, transparency::username_label(name));
}

std::vector<transparency::map_entry> read_map_entries(net::json_reader& r, std::size_t max) {
  std::vector<transparency::map_entry> entries;
  const auto& items = r.array("entries", std::numeric_limits<std::size_t>::max());
  if (items.size() > max)
    net::throw_bad_field("entries", "at most kt.max_monitor_entries (" + std::to_string(max) +
                                        ") per request; split them");
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string where = "entries[" + std::to_string(i) + "].";
    net::json_reader item(net::as_object(items[i], where), where);
    transparency::map_entry e;
    e.position = static_cast<std::uint64_t>(item.integer("position", 0, INT64_MAX));
    e.version = item.u32("version");
    item.reject_unknown_fields();
    if (!entries.empty() && e.position <= entries.back().position)
      net::throw_bad_field("entries", "positions must ascend, each once");
    entries.push_back(e);
  }
  return entries;
}

asio::awaitable<net::response> monitor(app::services& s, net::request_context& ctx) {
  enforce_query_limit(s, ctx);
  auto body = net::parse_json_object(ctx.req.body());
  net::json_reader r(body);
  const auto last = optional_u64(r, "last");
  const auto account_id = r.optional_string("account_id");
  const auto username = r.optional_string("username");
  const auto entries = read_map_entries(r, s.cfg.kt_max_monitor_entries);
  r.reject_unknown_fields();
  if (account_id.has_value() == username.has_value())
    fail(api_errc::bad_request, "invalid_request", "name either account_id or username");
  std::string label;
  if (account_id) {
    if (!model::is_canonical_uuid(*account_id))
      net::throw_bad_field("account_id", "must be a canonical UUID");
    label = transparency::account_label(*account_id);
  } else {
    if (!valid_username(*username))
      net::throw_bad_field("username", "must be 3-32 characters of a-z 0-9 _ . -");
    label = transparency::username_label(*username);
  }
  auto out = co_await on_log(s, last, [&](transparency::log_view& view, pqxx::work&) {
    return view.monitor(label, entries);
  });
  co_return net::json_response(ctx, status::ok, out);
}

asio::awaitable<net::response> owner(app::services& s, net::request_context& ctx) {
  enforce_query_limit(s, ctx);
  const auto& me = ctx.device();
  auto body = net::parse_json_object(ctx.req.body());
  net::json_reader r(body);
  const auto last = optional_u64(r, "last");
  const auto which = r.string("label");
  transparency::owner_query query;
  query.start = static_cast<std::uint64_t>(r.integer("start", 0, INT64_MAX));
  if (r.has("greatest_version"))
    query.greatest_version = r.u32("greatest_version");
  else
    (void)r.optional_string("greatest_version");  // absent or null: marks it read
  query.entries = read_map_entries(r, s.cfg.kt_max_monitor_entries);
  r.reject_unknown_fields();
  if (which != "account" && which != "username")
    net::throw_bad_field("label", "must be \"account\" or \"username\"");
  auto out = co_await on_log(s, last, [&](transparency::log_view& view, pqxx::work& tx) {
    if (which == "account") {
      query.label = transparency::account_label(me.account_id);
    } else {
      const auto name = storage::find_username_of(tx, me.account_id);
      if (!name)
        throw transparency::kt_query_error(transparency::kt_query_error::kind::not_found,
                                           "this account has no username");
      query.label = transparency::username_label(*name);
    }
    return view.owner(query, s.cfg.kt_max_owner_ladders);
  });
  co_return net::json_response(ctx, status::ok, out);
}

// Entries one auditor-feed request may ask for.
constexpr std::uint64_t kMaxAuditLimit = 1000;
constexpr std::uint64_t kDefaultAuditLimit = 100;

asio::awaitable<net::response> audit(app::services& s, net::request_context& ctx,
                                     bool public_feed) {
  if (public_feed)
    enforce(s.limits.kt_public_per_ip, ctx.remote_address.to_string());
  const auto params = read_query(ctx.req.target(), {"start", "limit"});
  const auto start = params.find("start");
  const auto limit = params.find("limit");
  if (start == params.end())
    fail(api_errc::bad_request, "invalid_request", "query: start is required");
  const std::uint64_t count = limit == params.end() ? kDefaultAuditLimit : limit->second;
  if (count == 0 || count > kMaxAuditLimit)
    fail(api_errc::bad_request, "invalid_request", "query: limit must be from 1 to 1000");
  auto body = co_await on_log(s, std::nullopt, [&](transparency::log_view& view, pqxx::work&) {
    return view.audit(start->second, count);
  });
  co_return net::json_response(ctx, status::ok, body);
}

}  // namespace

void register_kt_audit_route(net::router& routes, app::services& s, bool public_feed) {
  if (s.kt == nullptr)
    return;
  routes.add({net::http::verb::get, "/v1/kt/audit",
              [&s, public_feed](auto& ctx) { return audit(s, ctx, public_feed); },
              net::access::anyone});
}

void register_kt_routes(net::router& routes, app::services& s) {
  if (s.kt == nullptr)
    return;
  using net::http::verb;
  routes.add({verb::get, "/v1/kt/config", [&s](auto& ctx) { return kt_config(s, ctx); },
              net::access::anyone});
  routes.add(
      {verb::get, "/v1/kt/head", [&s](auto& ctx) { return kt_head(s, ctx); }, net::access::anyone});
  routes.add({verb::get, "/v1/kt/accounts/{account_id}",
              [&s](auto& ctx) { return search_account(s, ctx); }});
  routes.add(
      {verb::get, "/v1/kt/usernames/{name}", [&s](auto& ctx) { return search_username(s, ctx); }});
  routes.add({verb::post, "/v1/kt/monitor", [&s](auto& ctx) { return monitor(s, ctx); }});
  routes.add({verb::post, "/v1/kt/owner", [&s](auto& ctx) { return owner(s, ctx); }});
  if (s.cfg.kt_audit_feed == "public")
    register_kt_audit_route(routes, s, true);
}

}  // namespace sealpost::resources
