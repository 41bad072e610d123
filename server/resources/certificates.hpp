// /v1/certificate: the sealed-sender trust root clients pin, and the short-lived delivery
// certificates devices put inside every sealed message (DESIGN.md, "Certificates").
#pragma once

#include "app/services.hpp"
#include "net/router.hpp"

namespace sealpost::resources {

// Registers nothing when sealed sender is off, so both routes answer 404.
void register_certificate_routes(net::router& routes, app::services& s);

}  // namespace sealpost::resources
