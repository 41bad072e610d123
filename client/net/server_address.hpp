// Where the server is and how to reach it: parsed from a URL such as
// "http://127.0.0.1:8080", "https://relay.example" or "https://relay.example/sealpost" (a
// path prefix for servers behind a proxy), plus the connection options.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace sealpost::client::net {

struct server_address {
  bool tls = false;  // https:// (and wss:// for the WebSocket)
  std::string host;  // a name or an IP address, without IPv6 brackets
  std::uint16_t port = 0;
  std::string path_prefix;  // "" or "/prefix" without a trailing slash

  // "host:port" (brackets around IPv6) for the Host header.
  [[nodiscard]] std::string host_header() const;
  // "http[s]://host:port/prefix", for messages.
  [[nodiscard]] std::string to_string() const;
};

// Parses an http:// or https:// URL (port 80 or 443 unless given). Throws
// std::invalid_argument with a readable reason for anything else.
server_address parse_server_url(std::string_view url);

struct connection_options {
  // Bounds connecting, each request and its answer, and the WebSocket handshake.
  std::chrono::milliseconds timeout = std::chrono::seconds(15);
  // https: a PEM file of the certificate authorities to trust (e.g. a self-signed server
  // certificate); empty means the system's default trust store. The server's certificate
  // is always verified, host name included, and TLS 1.2 is the oldest version accepted.
  std::string ca_file;
};

}  // namespace sealpost::client::net
