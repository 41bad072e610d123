// The backlog scenario: queues fill while every receiver is offline, then drain at once.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json.hpp>
#include <cstdio>

#include "relay_clients.hpp"
#include "scenarios.hpp"

namespace sealpost::loadtest {

namespace json = boost::json;

namespace {

// Queues o.messages sends from the senders, closed-loop; returns the seconds it took.
asio::awaitable<double> fill_queues(tcp::endpoint ep, const options& o,
                                    const std::vector<placed>& senders, relay_state& st) {
  auto ex = co_await asio::this_coro::executor;
  std::fprintf(stderr, "queueing %ld sends (%ld envelopes) while the receivers are offline\n",
               o.messages, 2 * o.messages);
  st.limit = o.messages;
  st.start = sclock::now();
  st.senders_running = o.senders;
  options fill = o;
  fill.rate = 0;
  fill.duration = 3600;
  for (int i = 0; i < o.senders; ++i) {
    asio::co_spawn(ex, send_loop(ep, i, senders[static_cast<std::size_t>(i)], fill, st),
                   asio::detached);
  }
  while (st.senders_running > 0)
    co_await sleep_for(std::chrono::milliseconds(100));
  co_return std::chrono::duration<double>(st.senders_done - st.start).count();
}

// Waits until every envelope is acked and every socket saw QueueEmpty, or o.duration is up.
asio::awaitable<void> watch_drain(const options& o, std::size_t devices, relay_state& st) {
  const auto end = st.connect_start + std::chrono::seconds(o.duration);
  long last_acked = 0;
  while (sclock::now() < end &&
         (st.acked < 2 * st.sends || st.queue_empty < static_cast<int>(devices))) {
    co_await sleep_for(std::chrono::milliseconds(250));
    if (st.acked - last_acked > 0 || st.acked >= 2 * st.sends) {
      std::fprintf(stderr, "  t=%5.1fs acked=%ld of %ld, queue-empty sockets %d/%zu\n",
                   seconds_since(st.connect_start), st.acked, 2 * st.sends, st.queue_empty,
                   devices);
    }
    last_acked = st.acked;
  }
}

void report(const options& o, relay_state& st, std::size_t devices, double fill_seconds) {
  const double drain_seconds =
      std::chrono::duration<double>(st.last_ack - st.connect_start).count();
  const double rate = drain_seconds > 0 ? static_cast<double>(st.acked) / drain_seconds : 0.0;
  const auto errors = to_json(st.errors);
  std::printf("\nbacklog: %d receivers x 2 devices, %ld sends queued by %d senders in %.1f s\n",
              o.receivers, st.sends, o.senders, fill_seconds);
  std::printf("  drained %ld of %ld envelopes in %.2f s (%.1f/s), QueueEmpty on %d/%zu sockets\n",
              st.acked, 2 * st.sends, drain_seconds, rate, st.queue_empty, devices);
  print_latency_header();
  print_row("connect -> QueueEmpty", st.to_queue_empty);
  std::printf("  errors: %s\n\n", json::serialize(errors).c_str());
  append_result(o, {{"scenario", "backlog"},
                    {"params",
                     {{"receivers", o.receivers},
                      {"devices_per_receiver", 2},
                      {"senders", o.senders},
                      {"messages", o.messages}}},
                    {"sends_queued", st.sends},
                    {"fill_seconds", fill_seconds},
                    {"envelopes_expected", 2 * st.sends},
                    {"envelopes_acked", st.acked},
                    {"drain_seconds", drain_seconds},
                    {"drained_per_s", rate},
                    {"queue_empty_sockets", st.queue_empty},
                    {"to_queue_empty_ms", st.to_queue_empty.summary()},
                    {"errors", errors}});
}

}  // namespace

asio::awaitable<void> run_backlog(tcp::endpoint ep, const options& o) {
  relay_state st;
  auto [devices, senders] = co_await setup_relay(ep, o, st);
  const double fill_seconds = co_await fill_queues(ep, o, senders, st);
  std::fprintf(stderr, "queued %ld sends in %.1f s; connecting %zu devices\n", st.sends,
               fill_seconds, devices.size());
  int connected = 0;
  st.last_ack = sclock::now();
  const std::vector nodes{ep};  // named: GCC 12 cannot put a braced list in a coroutine frame
  co_await connect_all(nodes, devices, st, connected, std::chrono::seconds(5));
  co_await watch_drain(o, devices.size(), st);
  close_all(st);
  report(o, st, devices.size(), fill_seconds);
}

}  // namespace sealpost::loadtest
