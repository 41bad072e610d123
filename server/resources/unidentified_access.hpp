// /v1/accounts/me/unidentified-access: who may send to this account without credentials
// (sealed sender). The key itself is never returned.
#pragma once

#include "app/services.hpp"
#include "net/json_reader.hpp"
#include "net/router.hpp"
#include "storage/account_repository.hpp"

namespace sealpost::resources {

// "unidentified_access_key" (base64 of exactly 16 bytes, absent or null: none) and
// "unrestricted_unidentified_access" (absent: false unless `flag_required`), as
// registration and PUT read them.
storage::unidentified_access read_unidentified_access(net::json_reader& r, bool flag_required);

void register_unidentified_access_routes(net::router& routes, app::services& s);

}  // namespace sealpost::resources
