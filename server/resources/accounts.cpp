// Account resource handlers.
#include "resources/accounts.hpp"

#include "crypto/base64.hpp"
#include "delivery/wakeup.hpp"
#include "model/ids.hpp"
#include "resources/common.hpp"
#include "resources/device_enrollment.hpp"
#include "resources/key_codec.hpp"
#include "resources/kt_publication.hpp"
#include "resources/rate_limits.hpp"
#include "resources/storage_errors.hpp"
#include "resources/unidentified_access.hpp"
#include "storage/account_repository.hpp"
#include "storage/kt_repository.hpp"
#include "storage/notifications.hpp"
#include "storage/transaction.hpp"

namespace sealpost::resources {
namespace {

namespace asio = boost::asio;
using net::api_errc;
using net::http::status;

bool valid_username(std::string_view name) {
  if (name.size() < 3 || name.size() > 32)
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
  });
}

asio::awaitable<net::response> register_account(app::services& s, net::request_context& ctx) {
  enforce(s.limits.registration_per_ip, ctx.remote_address.to_string());
  auto body = net::parse_json_object(ctx.req.body());
  net::json_reader r(body);
  const auto username = r.string("username");
  if (!valid_username(username)) {
    net::throw_bad_field("username", "must be 3-32 characters of a-z 0-9 _ . -");
  }
  auto device = read_new_device(r, s.cfg);
  const auto access = read_unidentified_access(r, false);
  const auto invite = r.optional_string("invite");
  r.reject_unknown_fields();

  std::optional<std::string> invite_hash;
  if (s.cfg.registration_mode == "invite") {
    if (!invite)
      fail(api_errc::forbidden, "invite_required", "this server registers by invite only");
    invite_hash = model::token_hash(*invite);
  }
  const storage::key_limits limits{s.cfg.max_one_time_prekeys};
  kt_change change;
  auto created = co_await storage::in_transaction(s.db, [&](pqxx::work& tx) {
    auto result = storage::create_account(tx, username, device, access, invite_hash, limits);
    if (!result)
      fail_with(result.error());
    change = queue_kt_change(s, tx, result->account_id, username);
    return *result;
  });
  const auto kt_position = co_await await_kt_publication(s, std::move(change));
  co_return net::json_response(ctx, status::created,
                               {{"account_id", created.account_id},
                                {"device_id", created.device_id},
                                {"kt_position", kt_position_json(kt_position)}});
}

asio::awaitable<net::response> find_by_username(app::services& s, net::request_context& ctx) {
  const auto& me = ctx.device();
  enforce(s.limits.username_lookup_per_device, me.account_id + "." + std::to_string(me.device_id));
  const std::string name(ctx.param("name"));
  auto id = co_await storage::in_transaction(
      s.db, [&](pqxx::work& tx) { return storage::find_account_by_username(tx, name); });
  if (!id)
    fail_with(absent::username);
  co_return net::json_response(ctx, status::ok, {{"account_id", *id}});
}

asio::awaitable<net::response> list_devices(app::services& s, net::request_context& ctx) {
  const auto account_id = account_param(ctx, "account_id");
  auto devices = co_await storage::in_transaction(
      s.db, [&](pqxx::work& tx) { return storage::list_devices(tx, account_id); });
  if (!devices)
    fail_with(absent::account);
  boost::json::array out;
  for (const auto& d : *devices) {
    out.push_back(
        {{"device_id", d.device_id},
         {"registration_id", d.registration_id},
         {"identity_key",
          crypto::base64_encode({reinterpret_cast<const std::uint8_t*>(d.identity_key.data()),
                                 d.identity_key.size()})}});
  }
  co_return net::json_response(ctx, status::ok, {{"devices", std::move(out)}});
}

asio::awaitable<net::response> delete_account(app::services& s, net::request_context& ctx) {
  const auto& me = ctx.device();
  if (!me.is_primary()) {
    fail(api_errc::forbidden, "primary_device_required",
         "only the primary device may delete the account");
  }
  kt_change change;
  co_await storage::in_transaction(s.db, [&](pqxx::work& tx) {
    change = queue_kt_change(s, tx, me.account_id, storage::find_username_of(tx, me.account_id));
    // Close every open socket of the account, if this commits.
    std::vector<std::string> removed;
    for (const auto& d :
         storage::list_devices(tx, me.account_id).value_or(std::vector<storage::device_entry>{})) {
      removed.push_back(
          delivery::encode_wakeup({delivery::wakeup_kind::removed, me.account_id, d.device_id}));
    }
    storage::notify(tx, removed);
    storage::delete_account(tx, me.account_id);
  });
  s.auth.forget_account(me.account_id);
  const auto kt_position = co_await await_kt_publication(s, std::move(change));
  co_return with_kt_position(net::empty_response(ctx, status::no_content), kt_position);
}

}  // namespace

void register_account_routes(net::router& routes, app::services& s) {
  using net::http::verb;
  routes.add({.method = verb::post,
              .pattern = "/v1/accounts",
              .handle = [&s](auto& ctx) { return register_account(s, ctx); },
              .who = net::access::anyone});
  routes.add({verb::get, "/v1/accounts/by-username/{name}",
              [&s](auto& ctx) { return find_by_username(s, ctx); }});
  routes.add({verb::get, "/v1/accounts/{account_id}/devices",
              [&s](auto& ctx) { return list_devices(s, ctx); }});
  routes.add(
      {verb::delete_, "/v1/accounts/me", [&s](auto& ctx) { return delete_account(s, ctx); }});
}

}  // namespace sealpost::resources
