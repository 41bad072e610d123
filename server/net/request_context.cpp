// Response builders shared by every resource.
#include "net/request_context.hpp"

#include <boost/json/serialize.hpp>

namespace sealpost::net {

response json_response(const request_context& ctx, http::status status,
                       const boost::json::value& body) {
  response res{status, ctx.req.version()};
  res.set(http::field::content_type, "application/json");
  res.keep_alive(ctx.req.keep_alive());
  res.body() = boost::json::serialize(body);
  res.prepare_payload();
  return res;
}

response empty_response(const request_context& ctx, http::status status) {
  response res{status, ctx.req.version()};
  res.keep_alive(ctx.req.keep_alive());
  res.prepare_payload();
  return res;
}

}  // namespace sealpost::net
