// Path parameter parsing shared by resources.
#include "resources/common.hpp"

#include "model/ids.hpp"
#include "resources/storage_errors.hpp"

namespace sealpost::resources {

std::string account_param(const net::request_context& ctx, std::string_view name) {
  auto text = ctx.param(name);
  if (!model::is_canonical_uuid(text))
    fail_with(absent::account);
  return std::string(text);
}

std::int32_t device_param(const net::request_context& ctx, std::string_view name) {
  auto id = model::parse_device_id(ctx.param(name));
  if (!id)
    fail_with(absent::device);
  return *id;
}

}  // namespace sealpost::resources
