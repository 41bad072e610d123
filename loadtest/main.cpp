// sealpost-loadtest: a load generator for a running sealpost-server, on the server's own
// stack (Asio coroutines, Beast HTTP/WebSocket, protobuf frames). One thread, one
// io_context: every client is a coroutine, so shared counters need no locks.
//
// Scenarios (see docs/benchmarks.md):
//   relay  R receiver accounts with 2 devices each, all connected over WebSocket; S senders
//          send to them (each send fans out to 2 envelopes) at --rate sends/s in total, or
//          as fast as they can (--rate 0: closed loop, one request in flight per sender).
//          Receivers ack every delivery. The send time is in the content, so the receiver
//          measures end-to-end latency. With --nodes N the senders and receivers spread
//          over N server nodes (one --port each, same database) and the latency is also
//          reported for same-node and cross-node deliveries.
//   claim  C clients claim prekey bundles of A accounts holding N one-time keys each (EC and
//          PQ) until the keys run out or time is up; checks no key is handed out twice.
//   backlog  R receivers x 2 devices are offline while S senders queue M sends; then all
//          devices connect and drain their queues (ack each delivery) until QueueEmpty.
//   idle   K WebSockets (6 devices per account) held open; the server's RSS before and
//          after (--server-pid, same machine) gives the memory per idle socket.
//   kt-search  C clients search the key-transparency log for random accounts of --targets
//          (GET /v1/kt/accounts/{id}, one request in flight each); latency and the sizes of
//          the answers and their proofs (loadtest/kt-bench.sh seeds the accounts).
// Each run appends one JSON line to --results, prints a progress line per second and a
// summary table at the end.
//
// This file is the wiring: options.cpp parses the command line, one file per scenario
// (relay.cpp, claim.cpp, backlog.cpp, idle.cpp, kt_search.cpp) runs it.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <exception>
#include <iostream>
#include <vector>

#include "options.hpp"
#include "scenarios.hpp"

namespace {

using namespace sealpost::loadtest;
namespace asio = boost::asio;

// Runs the scenario against the server nodes; only the relay uses more than the first.
asio::awaitable<void> scenario(std::vector<asio::ip::tcp::endpoint> nodes, const options& o) {
  if (o.scenario == "relay")
    return run_relay(std::move(nodes), o);
  if (o.scenario == "claim")
    return run_claim(nodes.front(), o);
  if (o.scenario == "backlog")
    return run_backlog(nodes.front(), o);
  if (o.scenario == "kt-search")
    return run_kt_search(nodes.front(), o);
  return run_idle(nodes.front(), o);
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  if (const auto exit_code = parse_options(argc, argv, o))
    return *exit_code;
  asio::io_context ioc(1);
  std::vector<asio::ip::tcp::endpoint> nodes;
  for (int i = 0; i < o.nodes; ++i)
    nodes.emplace_back(asio::ip::make_address(o.host), o.ports[static_cast<std::size_t>(i)]);
  int rc = 0;
  asio::co_spawn(ioc, scenario(std::move(nodes), o), [&](std::exception_ptr e) {
    if (!e)
      return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      std::cerr << "sealpost-loadtest: " << x.what() << "\n";
      rc = 1;
    }
    ioc.stop();
  });
  ioc.run();
  return rc;
}
