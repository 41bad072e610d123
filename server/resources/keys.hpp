// /v1/keys: uploading prekeys, pool status, and claiming prekey bundles.
#pragma once

#include "app/services.hpp"
#include "net/router.hpp"

namespace sealpost::resources {

void register_key_routes(net::router& routes, app::services& s);

}  // namespace sealpost::resources
