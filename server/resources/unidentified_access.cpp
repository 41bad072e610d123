// Unidentified-access resource handlers.
#include "resources/unidentified_access.hpp"

#include "resources/common.hpp"
#include "resources/storage_errors.hpp"
#include "storage/transaction.hpp"

namespace sealpost::resources {
namespace {

namespace asio = boost::asio;
using net::http::status;

constexpr std::size_t kAccessKeySize = 16;

asio::awaitable<net::response> show_access(app::services& s, net::request_context& ctx) {
  const auto& me = ctx.device();
  const auto access = co_await storage::in_transaction(
      s.db, [&](pqxx::work& tx) { return storage::find_unidentified_access(tx, me.account_id); });
  if (!access)
    fail_with(absent::calling_device);
  co_return net::json_response(ctx, status::ok,
                               {{"unidentified_access_key_set", access->key.has_value()},
                                {"unrestricted_unidentified_access", access->unrestricted}});
}

asio::awaitable<net::response> replace_access(app::services& s, net::request_context& ctx) {
  const auto& me = ctx.device();
  if (!me.is_primary())
    fail(net::api_errc::forbidden, "primary_device_required",
         "only the primary device may change who can send to the account unidentified");
  const auto body = net::parse_json_object(ctx.req.body());
  net::json_reader r(body);
  const auto access = read_unidentified_access(r, true);
  r.reject_unknown_fields();
  co_await storage::in_transaction(
      s.db, [&](pqxx::work& tx) { storage::set_unidentified_access(tx, me.account_id, access); });
  co_return net::empty_response(ctx, status::no_content);
}

}  // namespace

storage::unidentified_access read_unidentified_access(net::json_reader& r, bool flag_required) {
  storage::unidentified_access access;
  if (r.has("unidentified_access_key")) {
    access.key = r.base64("unidentified_access_key", kAccessKeySize);
    if (access.key->size() != kAccessKeySize)
      net::throw_bad_field("unidentified_access_key", "must be exactly 16 bytes");
  } else {
    r.optional_string("unidentified_access_key");  // absent or null: counted as read
  }
  const auto flag = r.optional_bool("unrestricted_unidentified_access");
  if (!flag && flag_required)
    net::throw_bad_field("unrestricted_unidentified_access", "is required");
  access.unrestricted = flag.value_or(false);
  return access;
}

void register_unidentified_access_routes(net::router& routes, app::services& s) {
  using net::http::verb;
  routes.add({verb::get, "/v1/accounts/me/unidentified-access",
              [&s](auto& ctx) { return show_access(s, ctx); }});
  routes.add({verb::put, "/v1/accounts/me/unidentified-access",
              [&s](auto& ctx) { return replace_access(s, ctx); }});
}

}  // namespace sealpost::resources
