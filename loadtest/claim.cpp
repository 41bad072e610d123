// The claim storm: clients claim prekey bundles until the one-time keys run out, checking
// that no key is handed out twice.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "accounts.hpp"
#include "progress_csv.hpp"
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

// The claim's --progress-csv columns. A row covers the interval since the previous one
// (about a second): the claims that got a key, their rate over the interval's real length,
// the p99 of the bundle claims (GET answered, key or not) completed in it, its errors, then
// the totals (last, as in the relay's: never empty).
const std::vector<std::string> kProgressColumns{"elapsed_s",    "claims",           "claims_per_s",
                                                "claim_p99_ms", "errors",           "claims_total",
                                                "empty_total",  "duplicates_total", "errors_total"};

// How far a run had come at one progress row: the next row counts from here.
struct progress_mark {
  double elapsed = 0;
  long claims = 0, errors = 0;
  std::size_t samples = 0;
};

progress_mark mark(const claim_state& st, double elapsed) {
  return {elapsed, st.claims, total(st.errors), st.latency.count()};
}

std::vector<csv_field> progress_row(const claim_state& st, const progress_mark& last,
                                    const progress_mark& now) {
  return {now.elapsed,
          static_cast<double>(now.claims - last.claims),
          per_second(now.claims - last.claims, now.elapsed - last.elapsed),
          st.latency.ms_since(last.samples, 0.99),
          static_cast<double>(now.errors - last.errors),
          static_cast<double>(now.claims),
          static_cast<double>(st.empty),
          static_cast<double>(st.duplicate_keys),
          static_cast<double>(now.errors)};
}

// Prints a progress line a second until the clients are done, and writes it as a row to the
// CSV file at `csv_path` (--progress-csv; none when empty).
asio::awaitable<void> watch_claims(claim_state& st, const std::string& csv_path) {
  progress_csv csv(csv_path, kProgressColumns);
  progress_mark last;
  while (st.running > 0) {
    co_await sleep_for(std::chrono::seconds(1));
    const auto now = mark(st, seconds_since(st.start));
    std::fprintf(stderr, "  t=%5.1fs claims=%ld (+%ld) empty=%ld duplicates=%ld errors=%ld\n",
                 now.elapsed, now.claims, now.claims - last.claims, st.empty, st.duplicate_keys,
                 now.errors);
    csv.row(progress_row(st, last, now));
    last = now;
  }
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
  co_await watch_claims(st, o.progress_csv);
  report(o, st);
}

}  // namespace sealpost::loadtest
