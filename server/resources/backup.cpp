// Backup resource handlers: the bytes are stored and returned as they are.
#include "resources/backup.hpp"

#include "resources/common.hpp"
#include "resources/storage_errors.hpp"
#include "storage/account_repository.hpp"
#include "storage/transaction.hpp"

namespace sealpost::resources {
namespace {

namespace asio = boost::asio;
using net::http::status;

asio::awaitable<net::response> put_backup(app::services& s, net::request_context& ctx) {
  const auto& me = ctx.device();
  co_await storage::in_transaction(
      s.db, [&](pqxx::work& tx) { storage::put_backup(tx, me.account_id, ctx.req.body()); });
  co_return net::empty_response(ctx, status::no_content);
}

asio::awaitable<net::response> get_backup(app::services& s, net::request_context& ctx) {
  const auto& me = ctx.device();
  auto blob = co_await storage::in_transaction(
      s.db, [&](pqxx::work& tx) { return storage::get_backup(tx, me.account_id); });
  if (!blob)
    fail_with(absent::backup);
  net::response res{status::ok, ctx.req.version()};
  res.set(net::http::field::content_type, "application/octet-stream");
  res.keep_alive(ctx.req.keep_alive());
  res.body() = std::move(*blob);
  res.prepare_payload();
  co_return res;
}

asio::awaitable<net::response> delete_backup(app::services& s, net::request_context& ctx) {
  const auto& me = ctx.device();
  co_await storage::in_transaction(
      s.db, [&](pqxx::work& tx) { storage::delete_backup(tx, me.account_id); });
  co_return net::empty_response(ctx, status::no_content);
}

}  // namespace

void register_backup_routes(net::router& routes, app::services& s) {
  using net::http::verb;
  routes.add({.method = verb::put,
              .pattern = "/v1/backup",
              .handle = [&s](auto& ctx) { return put_backup(s, ctx); },
              .body_limit = static_cast<std::size_t>(s.cfg.max_backup_bytes)});
  routes.add({verb::get, "/v1/backup", [&s](auto& ctx) { return get_backup(s, ctx); }});
  routes.add({verb::delete_, "/v1/backup", [&s](auto& ctx) { return delete_backup(s, ctx); }});
}

}  // namespace sealpost::resources
