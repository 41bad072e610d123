// /v1/backup: one opaque (client-encrypted) blob per account.
#pragma once

#include "app/services.hpp"
#include "net/router.hpp"

namespace sealpost::resources {

void register_backup_routes(net::router& routes, app::services& s);

}  // namespace sealpost::resources
