// The key-transparency search: clients search the device sets of random accounts of a large
// log (GET /v1/kt/accounts/{id}), as a contact does before its first message, and record the
// latency and how big the answers and their proofs are.

// GCC 12 reports a false -Wmismatched-new-delete inside Asio's coroutine frame allocator (it
// pairs Asio's aligned_alloc with the frame's sized delete) for run_kt_search's frame, as
// for server/resources/websocket.cpp's lambda coroutine.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "accounts.hpp"
#include "encoding/base64.hpp"
#include "scenarios.hpp"

namespace sealpost::loadtest {

namespace json = boost::json;

namespace {

// One figure per answered search (bytes or counts), summarized once at the end.
class sizes {
 public:
  void add(std::int64_t v) { values_.push_back(v); }
  // {"min", "p50", "max", "mean"}; zeros when there is none.
  json::object summary() const {
    if (values_.empty())
      return {{"min", 0}, {"p50", 0}, {"max", 0}, {"mean", 0.0}};
    auto v = values_;
    std::sort(v.begin(), v.end());
    const double sum = std::accumulate(v.begin(), v.end(), 0.0);
    return {{"min", v.front()},
            {"p50", v[(v.size() - 1) / 2]},
            {"max", v.back()},
            {"mean", sum / static_cast<double>(v.size())}};
  }

 private:
  std::vector<std::int64_t> values_;
};

// The parts of an answer whose size the issue asks for, by name in the result line.
struct answer_sizes {
  sizes body_bytes, ladder_proof_bytes, ladders, entries, inclusion, versions;
};

struct search_state {
  std::vector<std::string> targets;
  std::mt19937_64 rng{std::random_device{}()};
  sclock::time_point start;
  long searches = 0;
  error_counts errors;
  latencies latency;
  answer_sizes answer;
  int running = 0;
  sclock::time_point done;
};

// Every account id in `path`, one per line (blank lines skipped): the search targets.
std::vector<std::string> read_targets(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error("kt-search: cannot read --targets file " + path);
  std::vector<std::string> targets;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty())
      targets.push_back(line);
  }
  if (targets.empty())
    throw std::runtime_error("kt-search: --targets file " + path + " names no account");
  return targets;
}

// Decoded length of a base64 field; a field that does not decode is the server's bug, and
// would make every size after it meaningless.
std::int64_t decoded_size(const json::value& b64) {
  const auto raw = encoding::base64_decode(b64.as_string());
  if (!raw)
    throw std::runtime_error("kt-search: a ladder's proof is not base64");
  return static_cast<std::int64_t>(raw->size());
}

// Records the sizes of one 200 answer.
void count_answer(answer_sizes& a, const std::string& body) {
  const auto doc = json::parse(body).as_object();
  const auto& ladders = doc.at("ladders").as_array();
  std::int64_t proof_bytes = 0;
  for (const auto& ladder : ladders)
    proof_bytes += decoded_size(ladder.at("proof"));
  const auto& proof = doc.at("proof").as_object();
  // Every field read before any is counted: a malformed answer adds to none of the figures.
  const auto entries = proof.at("entries").as_array().size();
  const auto inclusion = proof.at("inclusion").as_array().size();
  const auto versions = doc.at("versions").as_array().size();
  a.body_bytes.add(static_cast<std::int64_t>(body.size()));
  a.ladder_proof_bytes.add(proof_bytes);
  a.ladders.add(static_cast<std::int64_t>(ladders.size()));
  a.entries.add(static_cast<std::int64_t>(entries));
  a.inclusion.add(static_cast<std::int64_t>(inclusion));
  a.versions.add(static_cast<std::int64_t>(versions));
}

// One client: searches a random target, one request in flight, until time is up. Only the
// request is timed; decoding the answer's sizes comes after.
asio::awaitable<void> search_loop(tcp::endpoint ep, login me, const options& o, search_state& st) {
  connection c(co_await asio::this_coro::executor, ep);
  const auto end = st.start + std::chrono::seconds(o.duration);
  std::uniform_int_distribution<std::size_t> pick(0, st.targets.size() - 1);
  while (sclock::now() < end) {
    const auto& target = st.targets[pick(st.rng)];
    const auto t0 = sclock::now();
    try {
      auto res = co_await c.request(http::verb::get, "/v1/kt/accounts/" + target, "", me.auth());
      if (res.status != 200) {
        ++st.errors["http_" + std::to_string(res.status)];
        continue;
      }
      st.latency.add(sclock::now() - t0);
      ++st.searches;
      try {
        count_answer(st.answer, res.body);
      } catch (const std::exception&) {
        // Counted, not thrown: a detached client that throws would never report it is done.
        ++st.errors["bad_answer"];
      }
    } catch (const boost::system::system_error& e) {
      ++st.errors["io_" + e.code().message()];
    }
  }
  if (--st.running == 0)
    st.done = sclock::now();
}

// Waits until the log has published `me`'s own account: its search answers 200 instead of
// 404. Labels are published in queue order, so by then every label queued before the
// registration is published too, and no batch of the backlog runs while the clients search.
asio::awaitable<void> wait_published(tcp::endpoint ep, const login& me) {
  connection c(co_await asio::this_coro::executor, ep);
  const auto give_up = sclock::now() + std::chrono::minutes(30);
  for (;;) {
    auto res =
        co_await c.request(http::verb::get, "/v1/kt/accounts/" + me.account_id, "", me.auth());
    if (res.status == 200)
      co_return;
    if (res.status != 404 && res.status != 503)
      throw std::runtime_error("kt-search: own search answered " + std::to_string(res.status) +
                               " " + res.body);
    if (sclock::now() > give_up)
      throw std::runtime_error("kt-search: the log did not publish the clients in 30 minutes");
    co_await sleep_for(std::chrono::milliseconds(200));
  }
}

// The searching clients: registered here (so their passwords are known), then published.
asio::awaitable<std::vector<login>> setup_search(tcp::endpoint ep, const options& o,
                                                 search_state& st) {
  st.targets = read_targets(o.targets);
  std::vector<login> clients(static_cast<std::size_t>(o.clients));
  std::fprintf(stderr,
               "setup: %zu target accounts, %d clients; waiting for the log to publish "
               "the clients\n",
               st.targets.size(), o.clients);
  co_await parallel_setup(
      ep, o.clients, o.setup_concurrency, [&](connection& c, int i) -> asio::awaitable<void> {
        clients[static_cast<std::size_t>(i)] = co_await register_account(c, 0, "k");
      });
  const auto waited = sclock::now();
  for (const auto& me : clients)
    co_await wait_published(ep, me);
  std::fprintf(stderr, "setup: clients published after %.1f s\n", seconds_since(waited));
  co_return clients;
}

// Prints a progress line a second until the clients are done.
asio::awaitable<void> watch_searches(search_state& st) {
  long last = 0;
  while (st.running > 0) {
    co_await sleep_for(std::chrono::seconds(1));
    std::fprintf(stderr, "  t=%5.1fs searches=%ld (+%ld) errors=%ld\n", seconds_since(st.start),
                 st.searches, st.searches - last, total(st.errors));
    last = st.searches;
  }
}

void print_sizes(const char* name, const sizes& s) {
  const auto j = s.summary();
  std::printf("  %-26s %9lld %9lld %9lld %11.1f\n", name,
              static_cast<long long>(j.at("min").to_number<std::int64_t>()),
              static_cast<long long>(j.at("p50").to_number<std::int64_t>()),
              static_cast<long long>(j.at("max").to_number<std::int64_t>()),
              j.at("mean").to_number<double>());
}

void report(const options& o, search_state& st) {
  const double seconds = std::chrono::duration<double>(st.done - st.start).count();
  const auto errors = to_json(st.errors);
  // p95 as well as the shared summary's quantiles: the issue asks for it.
  auto latency = st.latency.summary();
  latency["p95"] = st.latency.ms(0.95);
  const auto& a = st.answer;
  json::object result{
      {"scenario", "kt-search"},
      {"params",
       {{"clients", o.clients}, {"targets", st.targets.size()}, {"duration_s", o.duration}}},
      {"seconds", seconds},
      {"searches", st.searches},
      {"searches_per_s", static_cast<double>(st.searches) / seconds},
      {"latency_ms", latency},
      {"body_bytes", a.body_bytes.summary()},
      {"ladder_proof_bytes", a.ladder_proof_bytes.summary()},
      {"ladders", a.ladders.summary()},
      {"entries", a.entries.summary()},
      {"inclusion", a.inclusion.summary()},
      {"versions", a.versions.summary()},
      {"errors", errors}};
  std::printf("\nkt-search: %d clients, %zu target accounts, %.1f s\n", o.clients,
              st.targets.size(), seconds);
  std::printf("  searches %ld (%.1f/s)\n", st.searches, static_cast<double>(st.searches) / seconds);
  std::printf("  %-26s %9s %9s %9s %9s %9s\n", "latency (ms)", "count", "p50", "p95", "p99", "max");
  std::printf("  %-26s %9zu %9.2f %9.2f %9.2f %9.2f\n", "account search (GET)", st.latency.count(),
              st.latency.ms(0.5), st.latency.ms(0.95), st.latency.ms(0.99), st.latency.ms(1.0));
  std::printf("  %-26s %9s %9s %9s %11s\n", "per answer", "min", "p50", "max", "mean");
  print_sizes("body bytes", a.body_bytes);
  print_sizes("ladder proof bytes (sum)", a.ladder_proof_bytes);
  print_sizes("ladders", a.ladders);
  print_sizes("entries", a.entries);
  print_sizes("inclusion elements", a.inclusion);
  print_sizes("versions", a.versions);
  std::printf("  errors: %s\n\n", json::serialize(errors).c_str());
  append_result(o, std::move(result));
}

}  // namespace

asio::awaitable<void> run_kt_search(tcp::endpoint ep, const options& o) {
  auto ex = co_await asio::this_coro::executor;
  search_state st;
  const auto clients = co_await setup_search(ep, o, st);
  st.start = sclock::now();
  st.running = o.clients;
  for (const auto& me : clients)
    asio::co_spawn(ex, search_loop(ep, me, o, st), asio::detached);
  co_await watch_searches(st);
  report(o, st);
}

}  // namespace sealpost::loadtest
