// The clients of the relay scenarios (relay, backlog, idle): senders that PUT envelopes,
// receivers that read and ack them over WebSocket, and the counters they share.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

#include "accounts.hpp"
#include "options.hpp"
#include "statistics.hpp"

namespace sealpost::loadtest {

// A client and the server node it talks to: an index into the run's node endpoints.
struct placed {
  login who;
  std::size_t node = 0;
};

// Every client on node 0: for the scenarios that use one node.
std::vector<placed> on_first_node(const std::vector<login>& clients);

// Shared by every client coroutine of a run (one thread: no locks).
struct relay_state {
  std::size_t nodes = 1;         // server nodes the run spreads over
  std::vector<login> receivers;  // primaries; device 2 exists for each
  std::vector<std::shared_ptr<boost::beast::websocket::stream<boost::beast::tcp_stream>>> sockets;
  sclock::time_point start;
  long sends = 0, delivered = 0, acked = 0, duplicates_or_unknown = 0;
  sclock::time_point last_ack;
  error_counts errors;
  latencies send_latency, e2e_latency;
  // With nodes > 1, e2e_latency again split by whether the envelope was sent through the
  // node the receiving device is connected to.
  latencies e2e_same_node, e2e_cross_node;
  int senders_running = 0;
  sclock::time_point senders_done;
  bool stopping = false;
  long issued = 0, limit = 0;  // backlog: stop after `limit` sends
  int queue_empty = 0;         // sockets that have seen QueueEmpty
  sclock::time_point connect_start;
  latencies to_queue_empty;  // connect start -> QueueEmpty, per socket
};

// Sender `index` sends through `ep` (node me.node) to the receivers round-robin (2
// envelopes a send, the scheduled time and me.node as content) until o.duration is up or
// st.limit sends were issued; at o.rate in all over o.senders senders, or closed-loop when
// o.rate is 0.
asio::awaitable<void> send_loop(tcp::endpoint ep, int index, placed me, const options& o,
                                relay_state& st);

// Registers the receivers (2 devices each) and the senders through `ep`, and places them on
// o.nodes nodes (see place_device, place_sender); returns all receiver devices (every
// receiver's first device, then every second device) and the senders.
asio::awaitable<std::pair<std::vector<placed>, std::vector<placed>>> setup_relay(tcp::endpoint ep,
                                                                                 const options& o,
                                                                                 relay_state& st);

// The node of device `device` (0 or 1) of receiver `receiver`, and of sender `sender`, out
// of `nodes`. A receiver's two devices sit on consecutive nodes, so with 2 nodes every send
// has one envelope for a device on the node that took it and one for a device on the other:
// exactly half of the wake-ups cross nodes, whichever node a sender uses.
std::size_t place_device(std::size_t receiver, std::size_t device, std::size_t nodes);
std::size_t place_sender(std::size_t sender, std::size_t nodes);

// Connects every device over WebSocket to its node's endpoint in `nodes` (each reads and
// acks until stopped) and waits up to `wait` for the connections.
asio::awaitable<void> connect_all(const std::vector<tcp::endpoint>& nodes,
                                  const std::vector<placed>& devices, relay_state& st,
                                  int& connected, sclock::duration wait);

// Stops the receivers: closes every socket.
void close_all(relay_state& st);

}  // namespace sealpost::loadtest
