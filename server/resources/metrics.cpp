// Serves the process's metric registry to Prometheus scrapes.
#include "resources/metrics.hpp"

#include "net/request_context.hpp"

namespace sealpost::resources {

void register_metrics_routes(net::router& routes, metrics::registry& registry) {
  routes.add({net::http::verb::get, "/metrics",
              [&registry](net::request_context& ctx) -> boost::asio::awaitable<net::response> {
                net::response res{net::http::status::ok, ctx.req.version()};
                res.set(net::http::field::content_type, "text/plain; version=0.0.4");
                res.keep_alive(ctx.req.keep_alive());
                res.body() = registry.serialize();
                res.prepare_payload();
                co_return res;
              },
              net::access::anyone});
}

}  // namespace sealpost::resources
