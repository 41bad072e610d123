// The two transports a client connection can use: plain TCP, or TLS over TCP when the
// public listener has a certificate configured.
#pragma once

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <variant>

namespace sealpost::net {

using plain_stream = boost::beast::tcp_stream;
using tls_stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

// A connection handed from the HTTP session to the WebSocket session.
using any_stream = std::variant<plain_stream, tls_stream>;

}  // namespace sealpost::net
