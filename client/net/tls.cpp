// Client TLS context and stream set-up over Asio's OpenSSL wrapper.
#include "net/tls.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>

#include "net/errors.hpp"

namespace sealpost::client::net {

namespace ssl = boost::asio::ssl;

ssl::context make_tls_context(const connection_options& options) {
  ssl::context context(ssl::context::tls_client);
  context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                      ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
  context.set_verify_mode(ssl::verify_peer);
  boost::system::error_code ec;
  if (options.ca_file.empty()) {
    context.set_default_verify_paths(ec);
  } else {
    context.load_verify_file(options.ca_file, ec);
  }
  if (ec) {
    throw transport_error(options.ca_file.empty()
                              ? "cannot load the system's trusted certificates: " + ec.message()
                              : "cannot load the certificates in " + options.ca_file + ": " +
                                    ec.message());
  }
  return context;
}

void prepare_tls_stream(tls_stream& stream, const std::string& host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  const bool is_ip = !ec;
  if (!is_ip && SSL_set_tlsext_host_name(stream.native_handle(), host.c_str()) != 1) {
    throw transport_error("cannot set the TLS server name " + host);
  }
  stream.set_verify_callback(ssl::host_name_verification(host));
}

std::string describe_tls_failure(const boost::system::error_code& ec,
                                 const server_address& address) {
  std::string reason = ec.message();
  if (ec.category() == boost::asio::error::get_ssl_category()) {
    const int library_reason = ERR_GET_REASON(static_cast<unsigned long>(ec.value()));
    if (library_reason == SSL_R_CERTIFICATE_VERIFY_FAILED) {
      reason =
          "the server's certificate could not be verified (untrusted issuer, wrong host name "
          "or expired); for a self-signed certificate pass its file as the CA file";
    } else if (library_reason == SSL_R_WRONG_VERSION_NUMBER) {
      reason = "the server does not speak TLS there (try http://)";
    }
  }
  return "TLS with " + address.to_string() + " failed: " + reason;
}

}  // namespace sealpost::client::net
