// The claim storm: clients claim prekey bundles until the one-time keys run out, checking
// that no key is handed out twice.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <set>

#include "accounts.hpp"
#include "scenarios.hpp"

namespace sealpost::loadtest {

namespace json = boost::json;

namespace {

struct claim_state {
  std::vector<login> targets;
  std::vector<bool> exhausted;
  std::size_t remaining = 0, cursor = 0;
  sclock::time_point start;
  long claims = 0, empty = 0, duplicate_keys = 0;
  std::set<std::pair<std::string, std::int64_t>> ec_seen, pq_seen;
  error_counts errors;
  latencies latency;
  int running = 0;
  sclock::time_point done;
};

// Counts one answered claim of `target` (index `index`): a key, an empty pool, a duplicate.
void count_claim(claim_state& st, std::size_t index, const std::string& body) {
  const auto& target = st.targets[index];
  const auto device = json::parse(body).at("devices").at(0).as_object();
  const auto& ec = device.at("one_time_prekey");
  if (ec.is_null()) {
    ++st.empty;
    if (!st.exhausted[index]) {
      st.exhausted[index] = true;
      --st.remaining;
    }
    return;
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
}

// One client: claims round-robin over the targets whose pools are not known to be empty.
asio::awaitable<void> claim_loop(tcp::endpoint ep, login me, const options& o, claim_state& st) {
  connection c(co_await asio::this_coro::executor, ep);
  const auto end = st.start + std::chrono::seconds(o.duration);
  while (st.remaining > 0 && sclock::now() < end) {
    while (st.exhausted[st.cursor % st.targets.size()])
      ++st.cursor;
    const auto index = st.cursor++ % st.targets.size();
    const auto t0 = sclock::now();
    try {
      auto res = co_await c.request(
          http::verb::get, "/v1/keys/" + st.targets[index].account_id + "/1", "", me.auth());
      if (res.status != 200) {
        ++st.errors["http_" + std::to_string(res.status)];
        continue;
      }
      st.latency.add(sclock::now() - t0);
      count_claim(st, index, res.body);
    } catch (const boost::system::system_error& e) {
      ++st.errors["io_" + e.code().message()];
    }
  }
  if (--st.running == 0)
    st.done = sclock::now();
}

// The targets with o.keys one-time keys each, and the claiming clients.
asio::awaitable<std::vector<login>> setup_claim(tcp::endpoint ep, const options& o,
                                                claim_state& st) {
  st.targets.resize(static_cast<std::size_t>(o.accounts));
  std::vector<login> clients(static_cast<std::size_t>(o.clients));
  std::fprintf(stderr, "setup: %d accounts with %d one-time keys each (EC and PQ), %d clients\n",
               o.accounts, o.keys, o.clients);
  co_await parallel_setup(ep, o.accounts, o.setup_concurrency,
                          [&](connection& c, int i) -> asio::awaitable<void> {
                            st.targets[static_cast<std::size_t>(i)] =
                                co_await register_account(c, static_cast<std::size_t>(o.keys), "t");
                          });
  co_await parallel_setup(
      ep, o.clients, o.setup_concurrency, [&](connection& c, int i) -> asio::awaitable<void> {
        clients[static_cast<std::size_t>(i)] = co_await register_account(c, 0, "c");
      });
  co_return clients;
}

void report(const options& o, claim_state& st) {
  const double seconds = std::chrono::duration<double>(st.done - st.start).count();
  const auto errors = to_json(st.errors);
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
  print_latency_header();
  print_row("bundle claim (GET)", st.latency);
  std::printf("  errors: %s\n\n", json::serialize(errors).c_str());
  append_result(o, std::move(result));
}

}  // namespace

asio::awaitable<void> run_claim(tcp::endpoint ep, const options& o) {
  auto ex = co_await asio::this_coro::executor;
  claim_state st;
  const auto clients = co_await setup_claim(ep, o, st);
  st.exhausted.assign(st.targets.size(), false);
  st.remaining = st.targets.size();
  st.start = sclock::now();
  st.running = o.clients;
  for (const auto& me : clients)
    asio::co_spawn(ex, claim_loop(ep, me, o, st), asio::detached);
  long last = 0;
  while (st.running > 0) {
    co_await sleep_for(std::chrono::seconds(1));
    std::fprintf(stderr, "  t=%5.1fs claims=%ld (+%ld) empty=%ld duplicates=%ld errors=%ld\n",
                 seconds_since(st.start), st.claims, st.claims - last, st.empty, st.duplicate_keys,
                 total(st.errors));
    last = st.claims;
  }
  report(o, st);
}

}  // namespace sealpost::loadtest
