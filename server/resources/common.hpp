// Small pieces every resource uses: errors by name, path parameters.
#pragma once

#include <string>

#include "app/services.hpp"
#include "net/request_context.hpp"
#include "net/request_error.hpp"

namespace sealpost::resources {

[[noreturn]] inline void fail(net::api_errc code, std::string error, std::string message) {
  throw net::request_error(code, std::move(error), std::move(message));
}

// The account id in path parameter `name`; 404 when it cannot name an account.
std::string account_param(const net::request_context& ctx, std::string_view name);

// The device id in path parameter `name`; 404 when it cannot name a device.
std::int32_t device_param(const net::request_context& ctx, std::string_view name);

}  // namespace sealpost::resources
