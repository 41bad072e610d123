// The clients of the relay scenarios (relay, backlog, idle): senders that PUT envelopes,
// receivers that read and ack them over WebSocket, and the counters they share.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <memory>
#include <utility>
#include <vector>

#include "accounts.hpp"
#include "options.hpp"
#include "statistics.hpp"

namespace sealpost::loadtest {

// Shared by every client coroutine of a run (one thread: no locks).
struct relay_state {
  std::vector<login> receivers;  // primaries; device 2 exists for each
  std::vector<std::shared_ptr<boost::beast::websocket::stream<boost::beast::tcp_stream>>> sockets;
  sclock::time_point start;
  long sends = 0, delivered = 0, acked = 0, duplicates_or_unknown = 0;
  sclock::time_point last_ack;
  error_counts errors;
  latencies send_latency, e2e_latency;
  int senders_running = 0;
  sclock::time_point senders_done;
  bool stopping = false;
  long issued = 0, limit = 0;  // backlog: stop after `limit` sends
  int queue_empty = 0;         // sockets that have seen QueueEmpty
  sclock::time_point connect_start;
  latencies to_queue_empty;  // connect start -> QueueEmpty, per socket
};

// Sender `index` sends to the receivers round-robin (2 envelopes a send, the scheduled
// time as content) until o.duration is up or st.limit sends were issued; at o.rate in all
// over o.senders senders, or closed-loop when o.rate is 0.
asio::awaitable<void> send_loop(tcp::endpoint ep, int index, login me, const options& o,
                                relay_state& st);

// Registers the receivers (2 devices each) and the senders; returns all receiver devices and
// the senders.
asio::awaitable<std::pair<std::vector<login>, std::vector<login>>> setup_relay(tcp::endpoint ep,
                                                                               const options& o,
                                                                               relay_state& st);

// Connects every device over WebSocket (each reads and acks until stopped) and waits up to
// `wait` for the connections.
asio::awaitable<void> connect_all(tcp::endpoint ep, const std::vector<login>& devices,
                                  relay_state& st, int& connected, sclock::duration wait);

// Stops the receivers: closes every socket.
void close_all(relay_state& st);

}  // namespace sealpost::loadtest
