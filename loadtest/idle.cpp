// The idle scenario: many WebSockets held open; the server's memory per idle socket.
#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <fstream>

#include "relay_clients.hpp"
#include "scenarios.hpp"

namespace sealpost::loadtest {

namespace json = boost::json;

namespace {

constexpr int kDevicesPerAccount = 6;  // accounts.max_devices

// The resident set size of process `pid` (same machine), -1 when it cannot be read.
long rss_kib(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0)
      return std::stol(line.substr(6));
  }
  return -1;
}

// o.connections devices, kDevicesPerAccount to an account.
asio::awaitable<std::vector<login>> register_devices(tcp::endpoint ep, const options& o) {
  const int accounts = (o.connections + kDevicesPerAccount - 1) / kDevicesPerAccount;
  std::fprintf(stderr, "setup: %d devices on %d accounts\n", o.connections, accounts);
  std::vector<login> devices;
  co_await parallel_setup(
      ep, accounts, o.setup_concurrency, [&](connection& c, int i) -> asio::awaitable<void> {
        const int n = std::min(kDevicesPerAccount, o.connections - i * kDevicesPerAccount);
        auto primary = co_await register_account(c, 0, "i");
        devices.push_back(primary);
        for (int d = 1; d < n; ++d)
          devices.push_back(co_await link_device(c, primary));
      });
  co_return devices;
}

struct idle_figures {
  int connected = 0;
  double connect_seconds = 0;
  long before = -1, after = -1;  // server RSS in KiB
};

void report(const options& o, const relay_state& st, const idle_figures& f) {
  const double per_socket =
      f.before > 0 && f.after > 0 && f.connected > 0
          ? static_cast<double>(f.after - f.before) / static_cast<double>(f.connected)
          : -1.0;
  const auto errors = to_json(st.errors);
  std::printf("\nidle: %d of %d websockets connected in %.1f s, held %d s\n", f.connected,
              o.connections, f.connect_seconds, o.duration);
  if (per_socket >= 0) {
    std::printf("  server RSS %ld KiB -> %ld KiB: %.1f KiB per socket\n", f.before, f.after,
                per_socket);
  } else {
    std::printf("  server RSS not measured (give --server-pid)\n");
  }
  std::printf("  errors: %s\n\n", json::serialize(errors).c_str());
  append_result(o, {{"scenario", "idle"},
                    {"params", {{"connections", o.connections}, {"hold_s", o.duration}}},
                    {"connected", f.connected},
                    {"connect_seconds", f.connect_seconds},
                    {"server_rss_before_kib", f.before},
                    {"server_rss_after_kib", f.after},
                    {"kib_per_socket", per_socket},
                    {"errors_total", total(st.errors)},
                    {"errors", errors}});
}

}  // namespace

asio::awaitable<void> run_idle(tcp::endpoint ep, const options& o) {
  const auto devices = co_await register_devices(ep, o);
  relay_state st;
  idle_figures f;
  f.before = o.server_pids.empty() ? -1 : rss_kib(o.server_pids.front());
  const std::vector nodes{ep};  // named: GCC 12 cannot put a braced list in a coroutine frame
  co_await connect_all(nodes, on_first_node(devices), st, f.connected, std::chrono::seconds(120));
  f.connect_seconds = seconds_since(st.connect_start);
  std::fprintf(stderr, "connected %d/%zu in %.1f s; holding them idle for %d s\n", f.connected,
               devices.size(), f.connect_seconds, o.duration);
  co_await sleep_for(std::chrono::seconds(o.duration));
  f.after = o.server_pids.empty() ? -1 : rss_kib(o.server_pids.front());
  close_all(st);
  report(o, st, f);
}

}  // namespace sealpost::loadtest
