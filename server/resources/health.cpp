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

asio::awaitable<net::response> readyz(storage::db_pool& db, std::int32_t node_version,
                                      net::request_context& ctx) {
  std::string problem;
  try {
    const auto state =
        co_await db.run([](pqxx::connection& conn) { return storage::read_schema_state(conn); });
    if (storage::can_serve(state, node_version)) {
      co_return net::json_response(ctx, status::ok,
                                   boost::json::object{{"status", "ready"},
                                                       {"schema_version", state.version},
                                                       {"node_schema_version", node_version}});
    }
    problem = state.version < node_version
                  ? "schema version " + std::to_string(state.version) +
                        " is older than this node's " + std::to_string(node_version)
                  : "schema version " + std::to_string(state.version) +
                        " serves only nodes built for version " +
                        std::to_string(state.oldest_compatible) + " or newer; this node is " +
                        std::to_string(node_version);
  } catch (const std::exception& e) {
    log::warn("readiness_check_failed", {{"what", e.what()}});
    problem = "database unreachable";
  }
  co_return net::error_response({net::api_errc::not_ready, "not_ready", problem}, ctx.req.version(),
                                ctx.req.keep_alive());
}

}  // namespace

void register_health_routes(net::router& routes, storage::db_pool& db,
                            std::int32_t node_schema_version) {
  routes.add({net::http::verb::get, "/healthz", healthz, net::access::anyone});
  routes.add({net::http::verb::get, "/readyz",
              [&db, node_schema_version](net::request_context& ctx) {
                return readyz(db, node_schema_version, ctx);
              },
              net::access::anyone});
}

}  // namespace sealpost::resources
