// The load scenarios (see docs/benchmarks.md); each prints its progress to stderr, a
// summary table to stdout, and appends one JSON result line (statistics.hpp).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <vector>

#include "options.hpp"

namespace sealpost::loadtest {

// relay: senders -> WebSocket receivers for o.duration, at o.rate or as fast as possible,
// spread over the server nodes (o.nodes of them, one endpoint each).
boost::asio::awaitable<void> run_relay(std::vector<boost::asio::ip::tcp::endpoint> nodes,
                                       const options& o);
// claim: clients claim prekey bundles until the one-time keys run out or time is up.
boost::asio::awaitable<void> run_claim(boost::asio::ip::tcp::endpoint ep, const options& o);
// backlog: queues fill while the receivers are offline, then drain on connect.
boost::asio::awaitable<void> run_backlog(boost::asio::ip::tcp::endpoint ep, const options& o);
// idle: WebSockets held open; the server's RSS per socket.
boost::asio::awaitable<void> run_idle(boost::asio::ip::tcp::endpoint ep, const options& o);
// kt-search: clients search random accounts of the key-transparency log (o.targets).
boost::asio::awaitable<void> run_kt_search(boost::asio::ip::tcp::endpoint ep, const options& o);

}  // namespace sealpost::loadtest
