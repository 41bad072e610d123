// TLS for https:// and wss://: a client context that verifies the server's certificate
// chain and host name, with TLS 1.2 as the oldest version.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <string>

#include "net/server_address.hpp"

namespace sealpost::client::net {

using tls_stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

// The context for connections to a server: the system's trust store, or only the
// certificates in `options.ca_file`. Throws transport_error when that file cannot be used.
boost::asio::ssl::context make_tls_context(const connection_options& options);

// Sets SNI (for host names, not IP addresses) and host name verification on a new stream.
// Throws transport_error on failure.
void prepare_tls_stream(tls_stream& stream, const std::string& host);

// A readable reason for a failed TLS handshake or exchange (e.g. the certificate could not
// be verified), naming `address`.
std::string describe_tls_failure(const boost::system::error_code& ec,
                                 const server_address& address);

}  // namespace sealpost::client::net
