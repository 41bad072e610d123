// The relay scenario: senders to connected receivers, sends/s and end-to-end latency, on one
// server node or spread over several.
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "progress_csv.hpp"
#include "relay_clients.hpp"
#include "scenarios.hpp"

namespace sealpost::loadtest {

namespace json = boost::json;

namespace {

// CPU seconds (user + system) the processes have used so far; 0 without any.
double cpu_seconds(const std::vector<int>& pids) {
  static const double ticks_per_second = static_cast<double>(sysconf(_SC_CLK_TCK));
  double total = 0;
  for (const int pid : pids) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // Fields after the command name, which is in parentheses and may hold spaces.
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));
    std::string skip;
    for (int i = 3; i < 14; ++i)
      fields >> skip;
    double utime = 0, stime = 0;
    fields >> utime >> stime;
    total += (utime + stime) / ticks_per_second;
  }
  return total;
}

// The relay's --progress-csv columns. A row covers the interval since the previous one
// (about a second): its sends, their rate over the interval's real length and the p99 of
// the sends (PUT answered) and deliveries (end to end) completed in it, then its acks and
// errors, then the totals. The totals come last because they are never empty: gnuplot 5.4
// drops a row whose empty field is the last of more than 10, rather than leaving a gap.
const std::vector<std::string> kProgressColumns{
    "elapsed_s",   "sends",  "sends_per_s", "send_p99_ms", "e2e_p99_ms",  "acked",
    "acked_per_s", "errors", "sends_total", "acked_total", "errors_total"};

// How far a run had come at one progress row: the next row counts from here.
struct progress_mark {
  double elapsed = 0;
  long sends = 0, acked = 0, errors = 0;
  std::size_t send_samples = 0, e2e_samples = 0;
};

progress_mark mark(const relay_state& st, double elapsed) {
  return {elapsed,
          st.sends,
          st.acked,
          total(st.errors),
          st.send_latency.count(),
          st.e2e_latency.count()};
}

std::vector<csv_field> progress_row(const relay_state& st, const progress_mark& last,
                                    const progress_mark& now) {
  const double interval = now.elapsed - last.elapsed;
  return {now.elapsed,
          static_cast<double>(now.sends - last.sends),
          per_second(now.sends - last.sends, interval),
          st.send_latency.ms_since(last.send_samples, 0.99),
          st.e2e_latency.ms_since(last.e2e_samples, 0.99),
          static_cast<double>(now.acked - last.acked),
          per_second(now.acked - last.acked, interval),
          static_cast<double>(now.errors - last.errors),
          static_cast<double>(now.sends),
          static_cast<double>(now.acked),
          static_cast<double>(now.errors)};
}

// Prints a progress line a second until the senders are done, and writes it as a row to the
// CSV file at `csv_path` (--progress-csv; none when empty).
asio::awaitable<void> watch_senders(relay_state& st, const std::string& csv_path) {
  progress_csv csv(csv_path, kProgressColumns);
  progress_mark last;
  while (st.senders_running > 0) {
    co_await sleep_for(std::chrono::seconds(1));
    const auto now = mark(st, seconds_since(st.start));
    std::fprintf(stderr, "  t=%5.1fs sends=%ld (%ld/s) acked=%ld (%ld/s) errors=%ld\n", now.elapsed,
                 now.sends, now.sends - last.sends, now.acked, now.acked - last.acked, now.errors);
    csv.row(progress_row(st, last, now));
    last = now;
  }
}

// The summary's lines and the result's fields for a run over several nodes: the
// end-to-end latency split by whether the send went through the receiving device's node.
void report_nodes(const options& o, relay_state& st, json::object& result) {
  if (o.nodes < 2)
    return;
  result["params"].as_object()["nodes"] = o.nodes;
  result["envelopes_same_node"] = st.e2e_same_node.count();
  result["envelopes_cross_node"] = st.e2e_cross_node.count();
  result["e2e_latency_ms_same_node"] = st.e2e_same_node.summary();
  result["e2e_latency_ms_cross_node"] = st.e2e_cross_node.summary();
  print_row("  same node", st.e2e_same_node);
  print_row("  cross node", st.e2e_cross_node);
}

void report(const options& o, relay_state& st, double send_seconds, double ack_seconds,
            double server_cpu_seconds) {
  const auto errors = to_json(st.errors);
  const double acked_per_s = ack_seconds > 0 ? static_cast<double>(st.acked) / ack_seconds : 0.0;
  json::object result{{"scenario", "relay"},
                      {"params",
                       {{"receivers", o.receivers},
                        {"devices_per_receiver", 2},
                        {"senders", o.senders},
                        {"target_rate", o.rate},
                        {"duration_s", o.duration}}},
                      {"send_seconds", send_seconds},
                      {"sends", st.sends},
                      {"sends_per_s", static_cast<double>(st.sends) / send_seconds},
                      {"envelopes_expected", 2 * st.sends},
                      {"envelopes_delivered", st.delivered},
                      {"envelopes_acked", st.acked},
                      {"acked_per_s", acked_per_s},
                      {"undecodable_contents", st.duplicates_or_unknown},
                      {"send_latency_ms", st.send_latency.summary()},
                      {"e2e_latency_ms", st.e2e_latency.summary()},
                      {"errors", errors}};
  if (!o.server_pids.empty() && st.sends > 0) {
    result["server_cpu_ms_per_send"] = server_cpu_seconds * 1000 / static_cast<double>(st.sends);
  }
  std::printf("\nrelay: %d receivers x 2 devices, %d senders, rate %s, %.1f s%s\n", o.receivers,
              o.senders, o.rate > 0 ? std::to_string(o.rate).c_str() : "max", send_seconds,
              o.nodes > 1 ? (", " + std::to_string(o.nodes) + " nodes").c_str() : "");
  std::printf("  sends %ld (%.1f/s), envelopes acked %ld of %ld (%.1f/s)\n", st.sends,
              static_cast<double>(st.sends) / send_seconds, st.acked, 2 * st.sends, acked_per_s);
  print_latency_header();
  print_row("send (PUT)", st.send_latency);
  print_row("end-to-end delivery", st.e2e_latency);
  report_nodes(o, st, result);
  if (result.contains("server_cpu_ms_per_send")) {
    std::printf("  server CPU while sending: %.3f ms per send (%zu process(es))\n",
                result["server_cpu_ms_per_send"].as_double(), o.server_pids.size());
  }
  std::printf("  errors: %s\n\n", json::serialize(errors).c_str());
  append_result(o, std::move(result));
}

}  // namespace

asio::awaitable<void> run_relay(std::vector<tcp::endpoint> nodes, const options& o) {
  auto ex = co_await asio::this_coro::executor;
  relay_state st;
  st.nodes = nodes.size();
  // Registration can go to any node: they share the database.
  auto [devices, senders] = co_await setup_relay(nodes.front(), o, st);
  int connected = 0;
  co_await connect_all(nodes, devices, st, connected, std::chrono::seconds(5));
  std::fprintf(stderr, "connected %d/%d websockets; sending for %d s\n", connected, 2 * o.receivers,
               o.duration);

  const double cpu_at_start = cpu_seconds(o.server_pids);
  st.start = sclock::now();
  st.last_ack = st.start;
  st.senders_running = o.senders;
  for (int i = 0; i < o.senders; ++i) {
    const auto& me = senders[static_cast<std::size_t>(i)];
    asio::co_spawn(ex, send_loop(nodes.at(me.node), i, me, o, st), asio::detached);
  }
  co_await watch_senders(st, o.progress_csv);
  const double server_cpu = cpu_seconds(o.server_pids) - cpu_at_start;
  const double send_seconds = std::chrono::duration<double>(st.senders_done - st.start).count();
  // Drain: wait up to 10 s for the envelopes still in flight.
  for (int i = 0; i < 1000 && st.acked < 2 * st.sends; ++i) {
    co_await sleep_for(std::chrono::milliseconds(10));
  }
  close_all(st);
  const double ack_seconds = std::chrono::duration<double>(st.last_ack - st.start).count();
  report(o, st, send_seconds, ack_seconds, server_cpu);
}

}  // namespace sealpost::loadtest
