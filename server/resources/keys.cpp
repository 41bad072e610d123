// Key resource handlers.
#include "resources/keys.hpp"

#include "resources/common.hpp"
#include "resources/key_codec.hpp"
#include "resources/rate_limits.hpp"
#include "resources/storage_errors.hpp"
#include "storage/account_repository.hpp"
#include "storage/key_repository.hpp"
#include "storage/transaction.hpp"

namespace sealpost::resources {
namespace {

namespace asio = boost::asio;
using net::http::status;

asio::awaitable<net::response> upload_keys(app::services& s, net::request_context& ctx) {
  const auto& me = ctx.device();
  auto body = net::parse_json_object(ctx.req.body());
  // Signatures are checked against the identity key stored for this device.
  auto identity_key = co_await storage::in_transaction(s.db, [&](pqxx::work& tx) {
    return storage::find_identity_key(tx, me.account_id, me.device_id);
  });
  if (!identity_key)
    fail_with(absent::calling_device);
  net::json_reader r(body);
  auto keys = read_key_upload(r, *identity_key, s.cfg);
  r.reject_unknown_fields();
  const storage::key_limits limits{s.cfg.max_one_time_prekeys};
  co_await storage::in_transaction(s.db, [&](pqxx::work& tx) {
    auto stored = storage::store_keys(tx, me.account_id, me.device_id, keys, limits);
    if (!stored)
      fail_with(stored.error());
  });
  co_return net::empty_response(ctx, status::no_content);
}

asio::awaitable<net::response> key_status(app::services& s, net::request_context& ctx) {
  const auto& me = ctx.device();
  auto counts = co_await storage::in_transaction(
      s.db, [&](pqxx::work& tx) { return storage::count_keys(tx, me.account_id, me.device_id); });
  boost::json::object out{{"one_time_prekeys", counts.one_time_prekeys},
                          {"pq_one_time_prekeys", counts.pq_one_time_prekeys}};
  out["signed_prekey_id"] = counts.signed_prekey_id ? boost::json::value(*counts.signed_prekey_id)
                                                    : boost::json::value(nullptr);
  out["pq_last_resort_prekey_id"] = counts.pq_last_resort_prekey_id
                                        ? boost::json::value(*counts.pq_last_resort_prekey_id)
                                        : boost::json::value(nullptr);
  co_return net::json_response(ctx, status::ok, out);
}

asio::awaitable<net::response> claim_bundles(app::services& s, net::request_context& ctx) {
  const auto& me = ctx.device();
  const auto account_id = account_param(ctx, "account_id");
  std::optional<std::int32_t> device_id;
  if (ctx.param("device_id") != "*")
    device_id = device_param(ctx, "device_id");
  const std::string requester = me.account_id + "." + std::to_string(me.device_id);
  enforce_all({{&s.limits.bundle_per_requester, requester},
               {&s.limits.bundle_per_pair, requester + ">" + account_id}});
  auto claim = co_await storage::autocommit(s.db, [&](pqxx::nontransaction& tx) {
    return storage::claim_bundles(tx, account_id, device_id, s.cfg.keys_low_watermark);
  });
  if (!claim)
    fail_with(claim.error());
  // Devices whose pools this claim drained below the watermark hear it on their socket.
  for (const auto low : claim->devices_low_on_keys)
    s.wakeups.publish({delivery::wakeup_kind::keys_low, account_id, low});
  const auto& bundles = claim->bundles;
  for (const auto& b : bundles) {
    if (b.one_time_prekey) {
      s.metrics.key_claimed(false);
    } else {
      s.metrics.key_pool_empty(false);
    }
    if (b.pq_prekey && !b.pq_last_resort)
      s.metrics.key_claimed(true);
    if (b.pq_last_resort || !b.pq_prekey)
      s.metrics.key_pool_empty(true);
    if (b.pq_last_resort)
      s.metrics.last_resort_served();
  }
  boost::json::array devices;
  for (const auto& b : bundles)
    devices.push_back(bundle_json(b));
  co_return net::json_response(ctx, status::ok,
                               {{"account_id", account_id}, {"devices", std::move(devices)}});
}

}  // namespace

void register_key_routes(net::router& routes, app::services& s) {
  using net::http::verb;
  routes.add({verb::put, "/v1/keys", [&s](auto& ctx) { return upload_keys(s, ctx); }});
  routes.add({verb::get, "/v1/keys/status", [&s](auto& ctx) { return key_status(s, ctx); }});
  routes.add({verb::get, "/v1/keys/{account_id}/{device_id}",
              [&s](auto& ctx) { return claim_bundles(s, ctx); }});
}

}  // namespace sealpost::resources
