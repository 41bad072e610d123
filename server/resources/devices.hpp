// /v1/devices: link tokens, linking a new device, removing a device.
#pragma once

#include "app/services.hpp"
#include "net/router.hpp"

namespace sealpost::resources {

void register_device_routes(net::router& routes, app::services& s);

}  // namespace sealpost::resources
