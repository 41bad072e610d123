// Device resource handlers.
#include "resources/devices.hpp"

#include <array>

#include "delivery/wakeup.hpp"
#include "model/ids.hpp"
#include "resources/common.hpp"
#include "resources/device_enrollment.hpp"
#include "resources/key_codec.hpp"
#include "resources/kt_publication.hpp"
#include "resources/rate_limits.hpp"
#include "resources/storage_errors.hpp"
#include "storage/notifications.hpp"
#include "storage/transaction.hpp"

namespace sealpost::resources {
namespace {

namespace asio = boost::asio;
using net::api_errc;
using net::http::status;

asio::awaitable<net::response> create_link_token(app::services& s, net::request_context& ctx) {
  const auto& me = ctx.device();
  if (!me.is_primary()) {
    fail(api_errc::forbidden, "primary_device_required",
         "only the primary device may link devices");
  }
  enforce(s.limits.link_token_per_account, me.account_id);
  auto token = model::new_link_token(me.account_id);
  const auto expires_at = co_await storage::in_transaction(s.db, [&](pqxx::work& tx) {
    return storage::create_link_token(tx, me.account_id, token.hash, s.cfg.link_token_ttl_ms);
  });
  co_return net::json_response(ctx, status::created,
                               {{"token", token.token}, {"expires_at", expires_at}});
}

// Every token this server mints names its account before the secret: one that names none
// is refused like a wrong one.
storage::link_token presented_link_token(const std::string& token) {
  auto account = model::link_token_account(token);
  if (!account)
    fail_with(storage::link_error::invalid_link_token);
  return {std::move(*account), model::token_hash(token)};
}

asio::awaitable<net::response> link_device(app::services& s, net::request_context& ctx) {
  enforce(s.limits.registration_per_ip, ctx.remote_address.to_string());
  auto body = net::parse_json_object(ctx.req.body());
  net::json_reader r(body);
  const auto token = r.string("link_token");
  auto device = read_new_device(r, s.cfg);
  r.reject_unknown_fields();
  const auto presented = presented_link_token(token);
  const storage::key_limits limits{s.cfg.max_one_time_prekeys};
  kt_change change;
  auto linked = co_await storage::in_transaction(s.db, [&](pqxx::work& tx) {
    auto result =
        storage::link_device(tx, presented, device, s.cfg.max_devices_per_account, limits);
    if (!result)
      fail_with(result.error());
    change = queue_kt_change(s, tx, result->account_id);
    return *result;
  });
  const auto kt_position = co_await await_kt_publication(s, std::move(change));
  co_return net::json_response(ctx, status::created,
                               {{"account_id", linked.account_id},
                                {"device_id", linked.device_id},
                                {"kt_position", kt_position_json(kt_position)}});
}

asio::awaitable<net::response> remove_device(app::services& s, net::request_context& ctx) {
  const auto& me = ctx.device();
  const auto device_id = device_param(ctx, "device_id");
  if (!me.is_primary() && me.device_id != device_id) {
    fail(api_errc::forbidden, "forbidden",
         "only the primary device or the device itself may remove it");
  }
  if (device_id == 1) {
    fail(api_errc::forbidden, "primary_device",
         "the primary device cannot be removed; delete the account");
  }
  kt_change change;
  const bool removed = co_await storage::in_transaction(s.db, [&](pqxx::work& tx) {
    // Fires only if this commits.
    storage::notify(tx, std::array{delivery::encode_wakeup(
                            {delivery::wakeup_kind::removed, me.account_id, device_id})});
    const bool existed = storage::remove_device(tx, me.account_id, device_id);
    if (existed)
      change = queue_kt_change(s, tx, me.account_id);
    return existed;
  });
  if (!removed)
    fail_with(absent::device);
  s.auth.forget(me.account_id, device_id);
  const auto kt_position = co_await await_kt_publication(s, std::move(change));
  co_return with_kt_position(net::empty_response(ctx, status::no_content), kt_position);
}

}  // namespace

void register_device_routes(net::router& routes, app::services& s) {
  using net::http::verb;
  routes.add({verb::post, "/v1/devices/link-tokens",
              [&s](auto& ctx) { return create_link_token(s, ctx); }});
  routes.add({.method = verb::post,
              .pattern = "/v1/devices",
              .handle = [&s](auto& ctx) { return link_device(s, ctx); },
              .who = net::access::anyone});
  routes.add({verb::delete_, "/v1/devices/{device_id}",
              [&s](auto& ctx) { return remove_device(s, ctx); }});
}

}  // namespace sealpost::resources
