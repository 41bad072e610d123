// TLS 1.2 and newer only; certificates are reloaded by restarting (see deploy/README.md).
#include "app/tls.hpp"

namespace sealpost::app {

namespace ssl = boost::asio::ssl;

std::unique_ptr<ssl::context> make_tls_context(const config::server_config& cfg) {
  const bool has_cert = !cfg.tls_certificate_file.empty();
  const bool has_key = !cfg.tls_private_key_file.empty();
  if (!has_cert && !has_key) return nullptr;
  if (has_cert != has_key) {
    throw config::config_error(std::string("config key '") +
                               (has_cert ? "tls.private_key_file" : "tls.certificate_file") +
                               "': required when the other tls.* file is set");
  }
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  try {
    ctx->use_certificate_chain_file(cfg.tls_certificate_file);
  } catch (const boost::system::system_error& e) {
    throw config::config_error("config key 'tls.certificate_file': cannot use '" + cfg.tls_certificate_file +
                               "': " + e.code().message());
  }
  try {
    ctx->use_private_key_file(cfg.tls_private_key_file, ssl::context::pem);
  } catch (const boost::system::system_error& e) {
    throw config::config_error("config key 'tls.private_key_file': cannot use '" + cfg.tls_private_key_file +
                               "': " + e.code().message());
  }
  return ctx;
}

}  // namespace sealpost::app
