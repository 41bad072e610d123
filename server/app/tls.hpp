// The public listener's TLS context, built from config at start-up.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>

#include "config/config.hpp"

namespace sealpost::app {

// nullptr when TLS is not configured. Throws config::config_error naming the key when the
// files are missing, unreadable or do not match.
std::unique_ptr<boost::asio::ssl::context> make_tls_context(const config::server_config& cfg);

}  // namespace sealpost::app
