// Which client a request comes from, and which address its per-IP limits count under.
// Behind a trusted reverse proxy the TCP peer is the proxy; the client is in the
// X-Forwarded-For header that the proxies append to.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <span>

#include "net/http_types.hpp"
#include "util/ip_network.hpp"

namespace sealpost::net {

// The client's address. From a peer outside `trusted_proxies` that is the peer itself and
// X-Forwarded-For is ignored (anyone can write it). From a trusted proxy it is the
// right-most X-Forwarded-For address that no trusted proxy added: entries are walked from
// the right, skipping trusted proxies, and the first other address is the client. An entry
// that is not an address ends the walk at the last address that was trusted to write it.
boost::asio::ip::address client_address(const boost::asio::ip::address& peer,
                                        const http::fields& header,
                                        std::span<const util::ip_network> trusted_proxies);

// True when `peer` is one of the trusted proxies.
bool is_trusted_proxy(const boost::asio::ip::address& peer,
                      std::span<const util::ip_network> trusted_proxies);

// The address a per-IP limit counts under. An IPv6 client usually holds a whole /64, so
// counting single IPv6 addresses would let it multiply its allowance: count the /64.
// IPv4-mapped IPv6 addresses count as the IPv4 address they carry.
boost::asio::ip::address limit_key(const boost::asio::ip::address& client);

}  // namespace sealpost::net
