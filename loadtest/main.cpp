// sealpost-loadtest: a load generator for a running sealpost-server, on the server's own
// stack (Asio coroutines, Beast HTTP/WebSocket, protobuf frames). One thread, one
// io_context: every client is a coroutine, so shared counters need no locks.
//
// Scenarios (see docs/benchmarks.md):
//   relay  R receiver accounts with 2 devices each, all connected over WebSocket; S senders
//          send to them (each send fans out to 2 envelopes) at --rate sends/s in total, or
//          as fast as they can (--rate 0: closed loop, one request in flight per sender).
//          Receivers ack every delivery. The send time is in the content, so the receiver
//          measures end-to-end latency.
//   claim  C clients claim prekey bundles of A accounts holding N one-time keys each (EC and
//          PQ) until the keys run out or time is up; checks no key is handed out twice.
//   backlog  R receivers x 2 devices are offline while S senders queue M sends; then all
//          devices connect and drain their queues (ack each delivery) until QueueEmpty.
//   idle   K WebSockets (6 devices per account) held open; the server's RSS before and
//          after (--server-pid, same machine) gives the memory per idle socket.
// Each run appends one JSON line to --results, prints a progress line per second and a
// summary table at the end.
#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "sealpost/v1/websocket.pb.h"
#include "test_identity.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
namespace po = boost::program_options;
using tcp = asio::ip::tcp;
using sclock = std::chrono::steady_clock;
using sealpost::testing::b64;
using sealpost::testing::test_identity;
constexpr auto use = asio::use_awaitable;

struct options {
  std::string scenario;
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  int duration = 15;
  int receivers = 20;
  int senders = 10;
  double rate = 0;
  int clients = 10;
  int accounts = 100;
  int keys = 100;
  int setup_concurrency = 4;
  long messages = 5000;
  int connections = 1000;
  int server_pid = 0;
  std::string results = "loadtest-results.jsonl";
  std::string label;
};

double seconds_since(sclock::time_point t) {
  return std::chrono::duration<double>(sclock::now() - t).count();
}

// Latencies in microseconds; percentiles at the end.
class latencies {
 public:
  void add(sclock::duration d) {
    us_.push_back(std::chrono::duration_cast<std::chrono::microseconds>(d).count());
  }
  std::size_t count() const { return us_.size(); }
  double ms(double q) {
    if (us_.empty())
      return 0;
    std::sort(us_.begin(), us_.end());
    const auto i = static_cast<std::size_t>(q * static_cast<double>(us_.size() - 1));
    return static_cast<double>(us_[i]) / 1000.0;
  }
  json::object summary() {
    return {{"p50", ms(0.50)}, {"p90", ms(0.90)}, {"p99", ms(0.99)}, {"max", ms(1.0)}};
  }

 private:
  std::vector<std::int64_t> us_;
};

struct login {
  std::string account_id;
  std::int32_t device_id = 0;
  std::string password;
  std::string auth() const {
    return sealpost::testing::basic_auth(account_id, device_id, password);
  }
};

struct response {
  unsigned status = 0;
  std::string body;
};

// One kept-alive HTTP/1.1 connection; reconnects after the server closes it or an error.
class http_conn {
 public:
  http_conn(asio::any_io_executor ex, tcp::endpoint ep) : stream_(ex), ep_(ep) {}

  asio::awaitable<response> request(http::verb method, const std::string& target,
                                    const std::string& body = "", const std::string& auth = "") {
    try {
      if (!connected_) {
        stream_.expires_after(std::chrono::seconds(10));
        co_await stream_.async_connect(ep_, use);
        stream_.socket().set_option(tcp::no_delay(true));
        connected_ = true;
      }
      http::request<http::string_body> req{method, target, 11};
      req.set(http::field::host, "127.0.0.1");
      req.set(http::field::content_type, "application/json");
      if (!auth.empty())
        req.set(http::field::authorization, auth);
      req.keep_alive(true);
      req.body() = body;
      req.prepare_payload();
      stream_.expires_after(std::chrono::seconds(30));
      co_await http::async_write(stream_, req, use);
      http::response<http::string_body> res;
      co_await http::async_read(stream_, buffer_, res, use);
      if (!res.keep_alive())
        close();
      co_return response{res.result_int(), std::move(res.body())};
    } catch (const boost::system::system_error&) {
      close();
      throw;
    }
  }

 private:
  void close() {
    beast::error_code ignored;
    stream_.socket().close(ignored);
    buffer_.clear();
    connected_ = false;
  }

  beast::tcp_stream stream_;
  tcp::endpoint ep_;
  beast::flat_buffer buffer_;
  bool connected_ = false;
};

std::string unique_username(const char* kind) {
  static const auto run = std::random_device{}() % 1000000;
  static int counter = 0;
  return std::string("lt") + std::to_string(run) + "_" + kind + std::to_string(counter++);
}

asio::awaitable<login> register_account(http_conn& c, std::size_t one_time_keys, const char* kind) {
  const test_identity id;
  const auto password = sealpost::testing::random_password();
  auto res = co_await c.request(
      http::verb::post, "/v1/accounts",
      json::serialize(id.registration(unique_username(kind), password, one_time_keys)));
  if (res.status != 201) {
    throw std::runtime_error("registration failed: " + std::to_string(res.status) + " " + res.body +
                             (res.status == 429 ? " (raise the server's rate limits)" : ""));
  }
  auto body = json::parse(res.body).as_object();
  co_return login{std::string(body.at("account_id").as_string()),
                  static_cast<std::int32_t>(body.at("device_id").as_int64()), password};
}

asio::awaitable<login> link_device(http_conn& c, const login& primary) {
  auto token = co_await c.request(http::verb::post, "/v1/devices/link-tokens", "", primary.auth());
  if (token.status != 201)
    throw std::runtime_error("link token failed: " + token.body);
  const test_identity id;
  const auto password = sealpost::testing::random_password();
  auto body = id.registration("unused", password, 0);
  body.erase("username");  // linking takes no username
  body["link_token"] = json::parse(token.body).at("token");
  auto res = co_await c.request(http::verb::post, "/v1/devices", json::serialize(body));
  if (res.status != 201)
    throw std::runtime_error("link failed: " + res.body);
  co_return login{primary.account_id,
                  static_cast<std::int32_t>(json::parse(res.body).at("device_id").as_int64()),
                  password};
}

// Runs make(i) for i in [0, n) on `concurrency` connections.
template <typename F>
asio::awaitable<void> parallel_setup(tcp::endpoint ep, int n, int concurrency, F make) {
  auto ex = co_await asio::this_coro::executor;
  int next = 0, running = concurrency;
  std::exception_ptr failure;
  for (int w = 0; w < concurrency; ++w) {
    asio::co_spawn(
        ex,
        [&]() -> asio::awaitable<void> {
          http_conn c(ex, ep);
          while (next < n)
            co_await make(c, next++);
        },
        [&](std::exception_ptr e) {
          --running;
          if (e && !failure) {
            failure = e;
            next = n;
          }
        });
  }
  asio::steady_timer t(ex);
  while (running > 0) {
    t.expires_after(std::chrono::milliseconds(20));
    co_await t.async_wait(use);
  }
  if (failure)
    std::rethrow_exception(failure);
}

asio::awaitable<void> sleep_for(sclock::duration d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(use);
}

std::string now_utc() {
  const auto t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

void append_result(const options& o, json::object result) {
  result.emplace("time", now_utc());
  if (!o.label.empty())
    result.emplace("label", o.label);
  std::ofstream(o.results, std::ios::app) << json::serialize(result) << "\n";
  std::cout << json::serialize(result) << "\n";
}

void print_row(const char* name, latencies& l) {
  std::printf("  %-22s %9zu %9.2f %9.2f %9.2f %9.2f\n", name, l.count(), l.ms(0.5), l.ms(0.9),
              l.ms(0.99), l.ms(1.0));
}

// ---- relay ----

struct relay_state {
  std::vector<login> receivers;  // primaries; device 2 exists for each
  std::vector<std::shared_ptr<websocket::stream<beast::tcp_stream>>> sockets;
  sclock::time_point start;
  long sends = 0, delivered = 0, acked = 0, duplicates_or_unknown = 0;
  sclock::time_point last_ack;
  std::map<std::string, long> errors;
  latencies send_latency, e2e_latency;
  int senders_running = 0;
  sclock::time_point senders_done;
  bool stopping = false;
  long issued = 0, limit = 0;  // backlog: stop after `limit` sends
  int queue_empty = 0;         // sockets that have seen QueueEmpty
  sclock::time_point connect_start;
  latencies to_queue_empty;  // connect start -> QueueEmpty, per socket
};

asio::awaitable<void> receive(tcp::endpoint ep, login who, relay_state& st, int& connected) {
  auto ex = co_await asio::this_coro::executor;
  auto ws = std::make_shared<websocket::stream<beast::tcp_stream>>(ex);
  st.sockets.push_back(ws);
  co_await beast::get_lowest_layer(*ws).async_connect(ep, use);
  beast::get_lowest_layer(*ws).socket().set_option(tcp::no_delay(true));
  beast::get_lowest_layer(*ws).expires_never();
  ws->set_option(
      websocket::stream_base::decorator([auth = who.auth()](websocket::request_type& req) {
        req.set(http::field::authorization, auth);
      }));
  co_await ws->async_handshake("127.0.0.1", "/v1/websocket", use);
  ws->binary(true);
  ++connected;
  beast::flat_buffer buffer;
  bool drained = false;
  try {
    for (;;) {
      buffer.clear();
      co_await ws->async_read(buffer, use);
      const auto now = sclock::now();
      sealpost::v1::ServerFrame frame;
      if (!frame.ParseFromArray(buffer.data().data(), static_cast<int>(buffer.size()))) {
        ++st.errors["bad_frame"];
        continue;
      }
      if (frame.has_queue_empty() && !drained) {
        drained = true;
        ++st.queue_empty;
        st.to_queue_empty.add(now - st.connect_start);
      }
      if (!frame.has_delivery())
        continue;
      ++st.delivered;
      const auto& content = frame.delivery().content();
      try {
        st.e2e_latency.add(now - sclock::time_point(sclock::duration(std::stoll(content))));
      } catch (const std::exception&) {
        ++st.duplicates_or_unknown;
      }
      sealpost::v1::ClientFrame ack;
      ack.mutable_ack()->add_guids(frame.delivery().guid());
      co_await ws->async_write(asio::buffer(ack.SerializeAsString()), use);
      ++st.acked;
      st.last_ack = sclock::now();
    }
  } catch (const boost::system::system_error& e) {
    if (!st.stopping)
      ++st.errors["ws_" + e.code().message()];
  }
}

asio::awaitable<void> send_loop(tcp::endpoint ep, int index, login me, const options& o,
                                relay_state& st) {
  http_conn c(co_await asio::this_coro::executor, ep);
  const auto end = st.start + std::chrono::seconds(o.duration);
  // Each sender's share of the target rate, staggered so the senders do not send in step.
  const auto interval = o.rate > 0 ? std::chrono::duration_cast<sclock::duration>(
                                         std::chrono::duration<double>(o.senders / o.rate))
                                   : sclock::duration::zero();
  auto scheduled = st.start + interval * index / o.senders;
  const auto receivers = static_cast<long>(st.receivers.size());
  for (long k = 0;; ++k) {
    if (o.rate > 0) {
      if (scheduled > sclock::now())
        co_await sleep_for(scheduled - sclock::now());
    } else {
      scheduled = sclock::now();
    }
    if (scheduled >= end || (st.limit > 0 && st.issued >= st.limit))
      break;
    ++st.issued;
    // Latency counts from the scheduled time, so a sender that falls behind its schedule
    // shows it (no coordinated omission).
    const auto& to = st.receivers[static_cast<std::size_t>((index + k * o.senders) % receivers)];
    const auto stamp = b64(std::to_string(scheduled.time_since_epoch().count()));
    json::array messages;
    for (int device = 1; device <= 2; ++device) {
      messages.push_back(
          {{"device_id", device}, {"registration_id", 1234}, {"type", 1}, {"content", stamp}});
    }
    json::object body{{"timestamp", 1700000000000}, {"online_only", false}, {"messages", messages}};
    try {
      auto res = co_await c.request(http::verb::put, "/v1/messages/" + to.account_id,
                                    json::serialize(body), me.auth());
      if (res.status == 200) {
        ++st.sends;
        st.send_latency.add(sclock::now() - scheduled);
      } else {
        ++st.errors["http_" + std::to_string(res.status)];
      }
    } catch (const boost::system::system_error& e) {
      ++st.errors["io_" + e.code().message()];
    }
    scheduled += interval;
  }
  if (--st.senders_running == 0)
    st.senders_done = sclock::now();
}

// Registers the receivers (2 devices each) and the senders; returns all receiver devices and
// the senders.
asio::awaitable<std::pair<std::vector<login>, std::vector<login>>> setup_relay(tcp::endpoint ep,
                                                                               const options& o,
                                                                               relay_state& st) {
  std::vector<login> senders(static_cast<std::size_t>(o.senders));
  std::vector<login> second(static_cast<std::size_t>(o.receivers));
  st.receivers.resize(static_cast<std::size_t>(o.receivers));
  std::fprintf(stderr, "setup: %d receiver accounts (2 devices each), %d senders\n", o.receivers,
               o.senders);
  co_await parallel_setup(ep, o.receivers, o.setup_concurrency,
                          [&](http_conn& c, int i) -> asio::awaitable<void> {
                            auto& r = st.receivers[static_cast<std::size_t>(i)];
                            r = co_await register_account(c, 0, "r");
                            second[static_cast<std::size_t>(i)] = co_await link_device(c, r);
                          });
  co_await parallel_setup(
      ep, o.senders, o.setup_concurrency, [&](http_conn& c, int i) -> asio::awaitable<void> {
        senders[static_cast<std::size_t>(i)] = co_await register_account(c, 0, "s");
      });
  std::vector<login> devices = st.receivers;
  devices.insert(devices.end(), second.begin(), second.end());
  co_return std::pair{std::move(devices), std::move(senders)};
}

// Connects every device over WebSocket (receive() reads and acks until stopped) and waits
// up to `wait` for the connections.
asio::awaitable<void> connect_all(tcp::endpoint ep, const std::vector<login>& devices,
                                  relay_state& st, int& connected, sclock::duration wait) {
  auto ex = co_await asio::this_coro::executor;
  auto on_done = [&st](std::exception_ptr e) {
    if (!e)
      return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      if (!st.stopping)
        ++st.errors[std::string("ws_connect_") + x.what()];
    }
  };
  st.connect_start = sclock::now();
  for (const auto& d : devices)
    asio::co_spawn(ex, receive(ep, d, st, connected), on_done);
  const auto until = sclock::now() + wait;
  while (connected < static_cast<int>(devices.size()) && sclock::now() < until)
    co_await sleep_for(std::chrono::milliseconds(10));
}

void close_all(relay_state& st) {
  st.stopping = true;
  for (auto& ws : st.sockets) {
    beast::error_code ignored;
    beast::get_lowest_layer(*ws).socket().close(ignored);
  }
}

asio::awaitable<void> run_relay(tcp::endpoint ep, const options& o) {
  auto ex = co_await asio::this_coro::executor;
  relay_state st;
  auto [devices, senders] = co_await setup_relay(ep, o, st);
  int connected = 0;
  co_await connect_all(ep, devices, st, connected, std::chrono::seconds(5));
  std::fprintf(stderr, "connected %d/%d websockets; sending for %d s\n", connected, 2 * o.receivers,
               o.duration);

  st.start = sclock::now();
  st.last_ack = st.start;
  st.senders_running = o.senders;
  for (int i = 0; i < o.senders; ++i) {
    asio::co_spawn(ex, send_loop(ep, i, senders[static_cast<std::size_t>(i)], o, st),
                   asio::detached);
  }
  long last_sends = 0, last_acked = 0;
  while (st.senders_running > 0) {
    co_await sleep_for(std::chrono::seconds(1));
    long errors = 0;
    for (const auto& [k, n] : st.errors)
      errors += n;
    std::fprintf(stderr, "  t=%5.1fs sends=%ld (%ld/s) acked=%ld (%ld/s) errors=%ld\n",
                 seconds_since(st.start), st.sends, st.sends - last_sends, st.acked,
                 st.acked - last_acked, errors);
    last_sends = st.sends;
    last_acked = st.acked;
  }
  const double send_seconds = std::chrono::duration<double>(st.senders_done - st.start).count();
  // Drain: wait up to 10 s for the envelopes still in flight.
  for (int i = 0; i < 1000 && st.acked < 2 * st.sends; ++i) {
    co_await sleep_for(std::chrono::milliseconds(10));
  }
  close_all(st);
  const double ack_seconds = std::chrono::duration<double>(st.last_ack - st.start).count();

  json::object errors;
  for (const auto& [k, n] : st.errors)
    errors[k] = n;
  json::object result{
      {"scenario", "relay"},
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
      {"acked_per_s", ack_seconds > 0 ? static_cast<double>(st.acked) / ack_seconds : 0.0},
      {"undecodable_contents", st.duplicates_or_unknown},
      {"send_latency_ms", st.send_latency.summary()},
      {"e2e_latency_ms", st.e2e_latency.summary()},
      {"errors", errors}};
  std::printf("\nrelay: %d receivers x 2 devices, %d senders, rate %s, %.1f s\n", o.receivers,
              o.senders, o.rate > 0 ? std::to_string(o.rate).c_str() : "max", send_seconds);
  std::printf("  sends %ld (%.1f/s), envelopes acked %ld of %ld (%.1f/s)\n", st.sends,
              static_cast<double>(st.sends) / send_seconds, st.acked, 2 * st.sends,
              ack_seconds > 0 ? static_cast<double>(st.acked) / ack_seconds : 0.0);
  std::printf("  %-22s %9s %9s %9s %9s %9s\n", "latency (ms)", "count", "p50", "p90", "p99", "max");
  print_row("send (PUT)", st.send_latency);
  print_row("end-to-end delivery", st.e2e_latency);
  std::printf("  errors: %s\n\n", json::serialize(errors).c_str());
  append_result(o, std::move(result));
}

// ---- backlog drain ----

asio::awaitable<void> run_backlog(tcp::endpoint ep, const options& o) {
  auto ex = co_await asio::this_coro::executor;
  relay_state st;
  auto [devices, senders] = co_await setup_relay(ep, o, st);
  // Fill the queues while every receiver is offline.
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
  const double fill_seconds = std::chrono::duration<double>(st.senders_done - st.start).count();
  std::fprintf(stderr, "queued %ld sends in %.1f s; connecting %zu devices\n", st.sends,
               fill_seconds, devices.size());

  int connected = 0;
  st.last_ack = sclock::now();
  co_await connect_all(ep, devices, st, connected, std::chrono::seconds(5));
  const auto end = st.connect_start + std::chrono::seconds(o.duration);
  long last_acked = 0;
  while (sclock::now() < end &&
         (st.acked < 2 * st.sends || st.queue_empty < static_cast<int>(devices.size()))) {
    co_await sleep_for(std::chrono::milliseconds(250));
    if (st.acked - last_acked > 0 || st.acked >= 2 * st.sends) {
      std::fprintf(stderr, "  t=%5.1fs acked=%ld of %ld, queue-empty sockets %d/%zu\n",
                   seconds_since(st.connect_start), st.acked, 2 * st.sends, st.queue_empty,
                   devices.size());
    }
    last_acked = st.acked;
  }
  close_all(st);
  const double drain_seconds =
      std::chrono::duration<double>(st.last_ack - st.connect_start).count();
  const double rate = drain_seconds > 0 ? static_cast<double>(st.acked) / drain_seconds : 0.0;
  json::object errors;
  for (const auto& [k, n] : st.errors)
    errors[k] = n;
  std::printf("\nbacklog: %d receivers x 2 devices, %ld sends queued by %d senders in %.1f s\n",
              o.receivers, st.sends, o.senders, fill_seconds);
  std::printf("  drained %ld of %ld envelopes in %.2f s (%.1f/s), QueueEmpty on %d/%zu sockets\n",
              st.acked, 2 * st.sends, drain_seconds, rate, st.queue_empty, devices.size());
  std::printf("  %-22s %9s %9s %9s %9s %9s\n", "latency (ms)", "count", "p50", "p90", "p99", "max");
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

// ---- idle connections ----

long rss_kib(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0)
      return std::stol(line.substr(6));
  }
  return -1;
}

asio::awaitable<void> run_idle(tcp::endpoint ep, const options& o) {
  constexpr int kDevicesPerAccount = 6;  // accounts.max_devices
  const int accounts = (o.connections + kDevicesPerAccount - 1) / kDevicesPerAccount;
  std::fprintf(stderr, "setup: %d devices on %d accounts\n", o.connections, accounts);
  std::vector<login> devices;
  co_await parallel_setup(
      ep, accounts, o.setup_concurrency, [&](http_conn& c, int i) -> asio::awaitable<void> {
        const int n = std::min(kDevicesPerAccount, o.connections - i * kDevicesPerAccount);
        auto primary = co_await register_account(c, 0, "i");
        devices.push_back(primary);
        for (int d = 1; d < n; ++d)
          devices.push_back(co_await link_device(c, primary));
      });
  relay_state st;
  const long before = o.server_pid > 0 ? rss_kib(o.server_pid) : -1;
  int connected = 0;
  co_await connect_all(ep, devices, st, connected, std::chrono::seconds(120));
  const double connect_seconds = seconds_since(st.connect_start);
  std::fprintf(stderr, "connected %d/%zu in %.1f s; holding them idle for %d s\n", connected,
               devices.size(), connect_seconds, o.duration);
  co_await sleep_for(std::chrono::seconds(o.duration));
  const long after = o.server_pid > 0 ? rss_kib(o.server_pid) : -1;
  close_all(st);
  const double per_socket =
      before > 0 && after > 0 && connected > 0
          ? static_cast<double>(after - before) / static_cast<double>(connected)
          : -1.0;
  json::object errors;
  long error_count = 0;
  for (const auto& [k, n] : st.errors) {
    errors[k] = n;
    error_count += n;
  }
  std::printf("\nidle: %d of %d websockets connected in %.1f s, held %d s\n", connected,
              o.connections, connect_seconds, o.duration);
  if (per_socket >= 0) {
    std::printf("  server RSS %ld KiB -> %ld KiB: %.1f KiB per socket\n", before, after,
                per_socket);
  } else {
    std::printf("  server RSS not measured (give --server-pid)\n");
  }
  std::printf("  errors: %s\n\n", json::serialize(errors).c_str());
  append_result(o, {{"scenario", "idle"},
                    {"params", {{"connections", o.connections}, {"hold_s", o.duration}}},
                    {"connected", connected},
                    {"connect_seconds", connect_seconds},
                    {"server_rss_before_kib", before},
                    {"server_rss_after_kib", after},
                    {"kib_per_socket", per_socket},
                    {"errors_total", error_count},
                    {"errors", errors}});
}

// ---- claim storm ----

struct claim_state {
  std::vector<login> targets;
  std::vector<bool> exhausted;
  std::size_t remaining = 0, cursor = 0;
  sclock::time_point start;
  long claims = 0, empty = 0, duplicate_keys = 0;
  std::set<std::pair<std::string, std::int64_t>> ec_seen, pq_seen;
  std::map<std::string, long> errors;
  latencies latency;
  int running = 0;
  sclock::time_point done;
};

asio::awaitable<void> claim_loop(tcp::endpoint ep, login me, const options& o, claim_state& st) {
  http_conn c(co_await asio::this_coro::executor, ep);
  const auto end = st.start + std::chrono::seconds(o.duration);
  while (st.remaining > 0 && sclock::now() < end) {
    while (st.exhausted[st.cursor % st.targets.size()])
      ++st.cursor;
    const auto index = st.cursor++ % st.targets.size();
    const auto& target = st.targets[index];
    const auto t0 = sclock::now();
    try {
      auto res = co_await c.request(http::verb::get, "/v1/keys/" + target.account_id + "/1", "",
                                    me.auth());
      if (res.status != 200) {
        ++st.errors["http_" + std::to_string(res.status)];
        continue;
      }
      st.latency.add(sclock::now() - t0);
      const auto device = json::parse(res.body).at("devices").at(0).as_object();
      const auto& ec = device.at("one_time_prekey");
      if (ec.is_null()) {
        ++st.empty;
        if (!st.exhausted[index]) {
          st.exhausted[index] = true;
          --st.remaining;
        }
        continue;
      }
      ++st.claims;
      if (!st.ec_seen.emplace(target.account_id, ec.at("key_id").as_int64()).second) {
        ++st.duplicate_keys;
      }
      const auto& pq = device.at("pq_prekey");
      if (!pq.is_null() && !pq.at("last_resort").as_bool() &&
          !st.pq_seen.emplace(target.account_id, pq.at("key_id").as_int64()).second) {
        ++st.duplicate_keys;
      }
    } catch (const boost::system::system_error& e) {
      ++st.errors["io_" + e.code().message()];
    }
  }
  if (--st.running == 0)
    st.done = sclock::now();
}

asio::awaitable<void> run_claim(tcp::endpoint ep, const options& o) {
  auto ex = co_await asio::this_coro::executor;
  claim_state st;
  st.targets.resize(static_cast<std::size_t>(o.accounts));
  std::vector<login> clients(static_cast<std::size_t>(o.clients));
  std::fprintf(stderr, "setup: %d accounts with %d one-time keys each (EC and PQ), %d clients\n",
               o.accounts, o.keys, o.clients);
  co_await parallel_setup(ep, o.accounts, o.setup_concurrency,
                          [&](http_conn& c, int i) -> asio::awaitable<void> {
                            st.targets[static_cast<std::size_t>(i)] =
                                co_await register_account(c, static_cast<std::size_t>(o.keys), "t");
                          });
  co_await parallel_setup(
      ep, o.clients, o.setup_concurrency, [&](http_conn& c, int i) -> asio::awaitable<void> {
        clients[static_cast<std::size_t>(i)] = co_await register_account(c, 0, "c");
      });
  st.exhausted.assign(st.targets.size(), false);
  st.remaining = st.targets.size();
  st.start = sclock::now();
  st.running = o.clients;
  for (const auto& me : clients)
    asio::co_spawn(ex, claim_loop(ep, me, o, st), asio::detached);
  long last = 0;
  while (st.running > 0) {
    co_await sleep_for(std::chrono::seconds(1));
    long errors = 0;
    for (const auto& [k, n] : st.errors)
      errors += n;
    std::fprintf(stderr, "  t=%5.1fs claims=%ld (+%ld) empty=%ld duplicates=%ld errors=%ld\n",
                 seconds_since(st.start), st.claims, st.claims - last, st.empty, st.duplicate_keys,
                 errors);
    last = st.claims;
  }
  const double seconds = std::chrono::duration<double>(st.done - st.start).count();
  json::object errors;
  for (const auto& [k, n] : st.errors)
    errors[k] = n;
  json::object result{{"scenario", "claim"},
                      {"params",
                       {{"clients", o.clients},
                        {"accounts", o.accounts},
                        {"keys_per_account", o.keys},
                        {"duration_s", o.duration}}},
                      {"seconds", seconds},
                      {"claims", st.claims},
                      {"claims_per_s", static_cast<double>(st.claims) / seconds},
                      {"empty_answers", st.empty},
                      {"duplicate_keys", st.duplicate_keys},
                      {"all_keys_claimed", st.remaining == 0},
                      {"latency_ms", st.latency.summary()},
                      {"errors", errors}};
  std::printf("\nclaim: %d clients, %d accounts x %d keys, %.1f s\n", o.clients, o.accounts, o.keys,
              seconds);
  std::printf("  claims %ld (%.1f/s), empty answers %ld, duplicate keys %ld%s\n", st.claims,
              static_cast<double>(st.claims) / seconds, st.empty, st.duplicate_keys,
              st.remaining == 0 ? ", every key claimed" : "");
  std::printf("  %-22s %9s %9s %9s %9s %9s\n", "latency (ms)", "count", "p50", "p90", "p99", "max");
  print_row("bundle claim (GET)", st.latency);
  std::printf("  errors: %s\n\n", json::serialize(errors).c_str());
  append_result(o, std::move(result));
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  po::options_description desc(
      "sealpost-loadtest SCENARIO [options]\n"
      "  SCENARIO: relay | claim | backlog | idle. The server's rate limits must be raised (see "
      "docs/benchmarks.md).\n"
      "Options");
  desc.add_options()("help,h", "this help")("scenario", po::value(&o.scenario),
                                            "relay | claim | backlog | idle")(
      "host", po::value(&o.host)->default_value(o.host), "server address (IPv4/IPv6 literal)")(
      "port,p", po::value(&o.port)->default_value(o.port), "server port")(
      "duration,d", po::value(&o.duration)->default_value(o.duration), "seconds of load")(
      "receivers,r", po::value(&o.receivers)->default_value(o.receivers),
      "relay: receiver accounts (2 devices each)")(
      "senders,s", po::value(&o.senders)->default_value(o.senders), "relay: sending clients")(
      "rate", po::value(&o.rate)->default_value(o.rate),
      "relay: total sends/s (0: as fast as possible, one request in flight per sender)")(
      "clients,c", po::value(&o.clients)->default_value(o.clients), "claim: claiming clients")(
      "accounts,a", po::value(&o.accounts)->default_value(o.accounts), "claim: target accounts")(
      "keys,n", po::value(&o.keys)->default_value(o.keys),
      "claim: one-time keys per account (each pool; at most keys.max_prekeys_per_upload)")(
      "messages,m", po::value(&o.messages)->default_value(o.messages),
      "backlog: sends queued before the receivers connect (2 envelopes each)")(
      "connections", po::value(&o.connections)->default_value(o.connections),
      "idle: WebSockets to open (6 devices per account)")(
      "server-pid", po::value(&o.server_pid)->default_value(o.server_pid),
      "idle: server process whose RSS to measure (same machine)")(
      "setup-concurrency", po::value(&o.setup_concurrency)->default_value(o.setup_concurrency),
      "parallel registrations during setup")("results",
                                             po::value(&o.results)->default_value(o.results),
                                             "file the JSON result line is appended to")(
      "label", po::value(&o.label), "free text stored in the result line");
  po::positional_options_description pos;
  pos.add("scenario", 1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(desc).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n" << desc;
    return 2;
  }
  if (vm.count("help") ||
      !std::set<std::string>{"relay", "claim", "backlog", "idle"}.contains(o.scenario)) {
    std::cerr << desc;
    return vm.count("help") ? 0 : 2;
  }
  if (o.duration <= 0 || o.senders <= 0 || o.receivers <= 0 || o.clients <= 0 || o.accounts <= 0 ||
      o.keys <= 0 || o.messages <= 0 || o.connections <= 0 || o.setup_concurrency <= 0 ||
      o.rate < 0) {
    std::cerr << "counts and durations must be positive\n";
    return 2;
  }
  asio::io_context ioc(1);
  const tcp::endpoint ep(asio::ip::make_address(o.host), o.port);
  int rc = 0;
  auto scenario = o.scenario == "relay"     ? run_relay(ep, o)
                  : o.scenario == "claim"   ? run_claim(ep, o)
                  : o.scenario == "backlog" ? run_backlog(ep, o)
                                            : run_idle(ep, o);
  asio::co_spawn(ioc, std::move(scenario), [&](std::exception_ptr e) {
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
