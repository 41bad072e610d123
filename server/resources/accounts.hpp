// /v1/accounts: registration, username lookup, device list, account deletion.
#pragma once

#include "app/services.hpp"
#include "net/router.hpp"

namespace sealpost::resources {

void register_account_routes(net::router& routes, app::services& s);

}  // namespace sealpost::resources
