// Response builders shared by every resource.
#include "net/request_context.hpp"

#include <boost/json/serialize.hpp>
#include <stdexcept>

namespace sealpost::net {

const authenticated_device& request_context::device() const {
  // A handler that asks for its caller on a route registered as access::anyone is a
  // programming error, caught once at dispatch as a 500, never a silent anonymous request.
  if (!caller)
    throw std::logic_error("request_context::device() on a route without access::device");
  return *caller;
}

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
