// Liveness and readiness probes for load balancers and orchestrators.
#include "resources/health.hpp"

#include <boost/json/object.hpp>

#include "net/api_error.hpp"
#include "net/request_context.hpp"
#include "storage/migrations.hpp"
#include "util/log.hpp"

namespace sealpost::resources {
namespace {

namespace asio = boost::asio;
using net::http::status;

asio::awaitable<net::response> healthz(net::request_context& ctx) {
  co_return net::json_response(ctx, status::ok, boost::json::object{{"status", "ok"}});
}

asio::awaitable<net::response> readyz(storage::db_pool& db, net::request_context& ctx) {
  const auto wanted = storage::latest_schema_version();
  std::string problem;
  try {
    const auto applied = co_await db.run(
        [](pqxx::connection& conn) { return storage::applied_schema_version(conn); });
    if (applied == wanted) {
      co_return net::json_response(ctx, status::ok,
                                   boost::json::object{{"status", "ready"}, {"schema_version", applied}});
    }
    problem = "schema version " + std::to_string(applied) + " is not the expected " +
              std::to_string(wanted);
  } catch (const std::exception& e) {
    log::warn("readiness_check_failed", {{"what", e.what()}});
    problem = "database unreachable";
  }
  co_return net::error_response({net::api_errc::not_ready, "not_ready", problem},
                                ctx.req.version(), ctx.req.keep_alive());
}

}  // namespace

void register_health_routes(net::router& routes, storage::db_pool& db) {
  routes.add({net::http::verb::get, "/healthz", healthz});
  routes.add({net::http::verb::get, "/readyz",
              [&db](net::request_context& ctx) { return readyz(db, ctx); }});
}

}  // namespace sealpost::resources
