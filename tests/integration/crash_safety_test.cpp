// Crash safety (issue 8): sends under load while the server is killed with SIGKILL and
// restarted, and while its Postgres crashes and comes back. Whatever happens, every send
// answered 200 is delivered at least once, nothing is delivered that no client sent, and an
// envelope whose ack the server confirmed never comes back.
//
// Load: three sender threads PUT envelopes with unique contents ("s<thread>-<n>#<device>")
// to both devices of one recipient over REST at a steady pace. Device 1 listens on a
// WebSocket and acks part of what it gets over the socket, part with a confirmed REST
// DELETE (204), and leaves the rest unacked; device 2 stays offline until the end. Every
// attempt, answer, delivery and confirmed ack goes into a ledger; at the end both devices
// are drained over WebSocket and the ledger is checked.
//
// The Postgres case runs the server against a private cluster of its own
// (scripts/local-postgres.sh, synchronous commit on), which it crashes, stops and starts
// while the rest of the suite keeps using the shared cluster. On Citus
// (SEALPOST_TEST_ENGINE=citus) that private cluster is a coordinator and two workers
// (scripts/local-citus.sh): the coordinator is what crashes there, and one more case
// SIGKILLs a worker under load: the accounts on the other worker must not notice.
#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "delivery_ledger.hpp"
#include "delivery_verdict.hpp"
#include "http_client.hpp"
#include "message_load.hpp"
#include "private_cluster.hpp"
#include "server_process.hpp"
#include "test_database.hpp"
#include "wait_until.hpp"

using namespace sealpost::testing;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

const std::map<std::string, std::string> kServerEnv{
    {"SEALPOST_RATE_LIMITS_MESSAGES_PER_SENDER_BURST", "1000000"},
    {"SEALPOST_RATE_LIMITS_MESSAGES_PER_SENDER_PER_MINUTE", "1000000"},
};

// The checks both cases share.
void check_nothing_lost_or_invented(const delivery_verdict& v) {
  INFO(describe(v) << v.problem_list());
  CHECK(v.ok > 0);
  CHECK(v.lost == 0);
  CHECK(v.invented == 0);
  CHECK(v.mismatched == 0);
  CHECK(v.stored_twice == 0);
  CHECK(v.resurrected == 0);
  CHECK(v.same_socket_repeats == 0);
  CHECK(v.timed_out == 0);
  CHECK(v.unclean_errors == 0);
  CHECK(v.other_status == 0);
}

// /readyz's status (0 when it did not answer in time), its body into `body`.
unsigned readyz(std::uint16_t admin_port, std::string* body = nullptr) {
  const auto r = http_client(admin_port).try_request(kRequestTimeout, http::verb::get, "/readyz");
  if (body != nullptr)
    *body = r.body;
  return r.how == http_result::kind::answered ? r.status : 0;
}

// A gauge from the admin listener's /metrics (-1 when it cannot be read).
double gauge(std::uint16_t admin_port, const std::string& name) {
  const auto r = http_client(admin_port).try_request(kRequestTimeout, http::verb::get, "/metrics");
  if (r.how != http_result::kind::answered || r.status != 200)
    return -1;
  std::istringstream lines(r.body);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(name + " ", 0) == 0)
      return std::stod(line.substr(name.size() + 1));
  }
  return -1;
}

}  // namespace

TEST_CASE("crash_safety: SIGKILL at random moments under load loses no acknowledged send",
          "[crash]") {
  constexpr int kKills = 5;
  const std::uint32_t seed = std::random_device{}();
  std::mt19937 rng(seed);
  INFO("seed " << seed);
  const auto began = clock_type::now();

  test_database db;
  server_process server(db.url(), kServerEnv);
  const auto who = register_load_accounts(server.port());
  delivery_ledger book;
  message_load traffic(server.port(), who.senders, who.to, book, seed);

  std::uniform_int_distribution<int> moment_ms(0, 1200);
  for (int kill = 0; kill < kKills; ++kill) {
    // Each run of the server serves sends and deliveries before it dies...
    const auto ok_before = book.ok_count();
    const auto delivered_before = book.delivery_count();
    REQUIRE(wait_until(
        [&] {
          return book.ok_count() >= ok_before + 30 && book.delivery_count() > delivered_before;
        },
        15s));
    // ...then is killed at a random moment under load (a random offset, not a wait for
    // anything), and started again on the same database.
    std::this_thread::sleep_for(std::chrono::milliseconds(moment_ms(rng)));
    INFO("kill " << kill + 1 << "\n" << server.log_tail());
    REQUIRE(server.kill_hard());
    server.restart();
    traffic.set_port(server.port());
  }
  const auto ok_before = book.ok_count();
  const bool served_after_last_restart =
      wait_until([&] { return book.ok_count() >= ok_before + 30; }, 15s);
  INFO(server.log_tail());
  REQUIRE(served_after_last_restart);
  traffic.stop();

  drain_all(server.port(), who.to, book);
  const auto v = judge(book, who.to);
  const auto seconds = std::chrono::duration<double>(clock_type::now() - began).count();
  std::cout << "crash_safety[sigkill]: kills=" << kKills
            << " ws_connections=" << traffic.connections() << " " << describe(v)
            << " seconds=" << seconds << " seed=" << seed << std::endl;
  check_nothing_lost_or_invented(v);
  // The server was gone each time; nothing else may fail a send.
  CHECK(v.server_errors == 0);
  CHECK(v.cut_off + v.refused > 0);
}

TEST_CASE(
    "crash_safety: Postgres restarts under load - readiness follows and nothing acknowledged is "
    "lost",
    "[crash]") {
  const std::uint32_t seed = std::random_device{}();
  INFO("seed " << seed);
  const auto began = clock_type::now();

  private_cluster pg(SEALPOST_CRASH_PG_DIR);
  server_process server(pg.url(), kServerEnv);
  const pid_t pid = server.pid();
  REQUIRE(readyz(server.admin_port()) == 200);
  const auto who = register_load_accounts(server.port());
  delivery_ledger book;
  message_load traffic(server.port(), who.senders, who.to, book, seed);

  // 1. Postgres crashes (immediate shutdown: no checkpoint, crash recovery at the start).
  // 2. Postgres stops in an orderly way (fast shutdown: sessions are terminated).
  // 3. The same while no request comes in: every pooled connection goes stale at once and no
  //    failing request clears it out, yet the first probe and sends afterwards must succeed.
  struct outage {
    const char* how;
    bool crash = false;
    bool idle = false;
    clock_type::time_point stopping, down, restarting, ready, next;
    double not_ready_after_s = 0, ready_after_s = 0;
  };
  std::vector<outage> outages{{"immediate (crash)", true, false, {}, {}, {}, {}, {}},
                              {"fast", false, false, {}, {}, {}, {}, {}},
                              {"fast, server idle", false, true, {}, {}, {}, {}, {}}};
  for (auto& o : outages) {
    INFO("outage: " << o.how);
    const auto ok_before = book.ok_count();
    REQUIRE(wait_until([&] { return book.ok_count() >= ok_before + 30; }, 15s));
    if (o.idle) {
      traffic.pause();
      // The server has let go of the receiver's socket and finished every database job.
      double sockets = -1, jobs = -1;
      const bool quiet = wait_until(
          [&] {
            sockets = gauge(server.admin_port(), "sealpost_open_websockets");
            jobs = gauge(server.admin_port(), "sealpost_db_pool_in_use");
            return sockets == 0 && jobs == 0;
          },
          5s);
      INFO("open websockets " << sockets << ", database jobs " << jobs);
      REQUIRE(quiet);
    }

    o.stopping = clock_type::now();
    if (o.crash) {
      pg.crash();
    } else {
      pg.stop();
    }
    o.down = clock_type::now();

    // Readiness goes false within a few seconds, with the API's JSON error.
    std::string body;
    const bool not_ready =
        wait_until([&] { return readyz(server.admin_port(), &body) != 200; }, 5s);
    o.not_ready_after_s = std::chrono::duration<double>(clock_type::now() - o.down).count();
    CHECK(not_ready);
    CHECK(readyz(server.admin_port(), &body) == 503);
    CHECK(body.find("\"not_ready\"") != std::string::npos);
    // Sends keep being answered, with errors, while the database is away.
    if (!o.idle)
      CHECK(wait_until([&] { return book.finished_since(o.down, false) >= 10; }, 10s));
    CHECK(server.running());

    o.restarting = clock_type::now();
    pg.start();  // returns once Postgres accepts connections
    // Ready again without a restart of the server (when idle: at the first probe).
    const bool ready = o.idle ? readyz(server.admin_port()) == 200
                              : wait_until([&] { return readyz(server.admin_port()) == 200; }, 15s);
    o.ready = clock_type::now();
    if (o.idle)
      traffic.resume();
    o.ready_after_s = std::chrono::duration<double>(o.ready - o.restarting).count();
    INFO(server.log_tail());
    REQUIRE(ready);
    REQUIRE(server.running());
    CHECK(server.pid() == pid);
    // And sends succeed again.
    REQUIRE(wait_until([&] { return book.finished_since(o.ready, true) >= 30; }, 15s));
  }
  traffic.stop();
  for (std::size_t i = 0; i < outages.size(); ++i) {
    outages[i].next = i + 1 < outages.size() ? outages[i + 1].stopping : clock_type::now();
  }
  REQUIRE(server.running());
  CHECK(server.pid() == pid);

  drain_all(server.port(), who.to, book);
  const auto v = judge(book, who.to);

  // During each outage every send was answered, at once, with a clean 5xx; once /readyz was
  // back every send succeeded.
  std::size_t failed_cleanly = 0;
  for (const auto& o : outages) {
    INFO("outage: " << o.how);
    std::size_t during = 0, after = 0, after_ok = 0;
    for (const auto& [key, a] : book.attempts()) {
      if (a.started >= o.down && a.finished <= o.restarting) {
        ++during;
        INFO("send " << key << " during the outage: " << a.answer.status << " " << a.answer.body);
        CHECK(is_clean_server_error(a.answer));
        if (is_clean_server_error(a.answer))
          ++failed_cleanly;
      }
      // From readiness to the next outage (or the end of the load).
      if (a.started >= o.ready && a.finished <= o.next) {
        ++after;
        if (a.answer.how == http_result::kind::answered && a.answer.status == 200)
          ++after_ok;
      }
    }
    CHECK((o.idle || during >= 10));
    CHECK(after > 0);
    CHECK(after_ok == after);
    std::cout << "crash_safety[" << (pg.citus() ? "coordinator " : "postgres ") << o.how
              << "]: readyz false after " << o.not_ready_after_s << " s, ready again "
              << o.ready_after_s << " s after restart; sends during outage=" << during
              << ", after recovery=" << after << " (ok " << after_ok << ")" << std::endl;
  }
  const auto seconds = std::chrono::duration<double>(clock_type::now() - began).count();
  std::cout << "crash_safety[" << (pg.citus() ? "coordinator" : "postgres")
            << "]: restarts=" << outages.size() << " failed_cleanly=" << failed_cleanly
            << " ws_connections=" << traffic.connections() << " " << describe(v)
            << " seconds=" << seconds << " seed=" << seed << std::endl;
  check_nothing_lost_or_invented(v);
  // The server process never went away.
  CHECK(v.refused == 0);
  CHECK(v.cut_off == 0);
}

namespace {

// A recipient whose account lives on Citus worker `worker` (registered until one lands there).
recipient recipient_on(std::uint16_t port, const std::string& db_url, const std::string& worker) {
  for (int attempt = 0; attempt < 30; ++attempt) {  // each lands there with odds 1/2
    auto to = register_recipient(port);
    if (citus_worker_of(db_url, to.primary.account_id) == worker)
      return to;
  }
  FAIL("no account of 30 landed on " << worker);
  return {};
}

std::vector<device_login> senders_on(std::uint16_t port, const std::string& db_url,
                                     const std::string& worker, std::size_t count) {
  std::vector<device_login> out;
  for (int attempt = 0; attempt < 60 && out.size() < count; ++attempt) {
    test_identity id;
    auto who = register_account(port, id, unique_username("crash_sender"));
    if (citus_worker_of(db_url, who.account_id) == worker)
      out.push_back(std::move(who));
  }
  REQUIRE(out.size() == count);
  return out;
}

}  // namespace

TEST_CASE(
    "crash_safety: SIGKILL of a Citus worker under load - the other worker's accounts carry on, "
    "and nothing acknowledged is lost",
    "[crash][citus]") {
  if (citus_worker_urls().empty()) {
    WARN("plain Postgres: run with SEALPOST_TEST_ENGINE=citus to kill a Citus worker");
    return;
  }
  const std::uint32_t seed = std::random_device{}();
  INFO("seed " << seed);
  const auto began = clock_type::now();

  // A cluster of its own: the Postgres case may run at the same time, crashing its own.
  private_cluster cluster(std::string(SEALPOST_CRASH_PG_DIR) + "-worker-kill");
  auto env = kServerEnv;
  env["SEALPOST_RATE_LIMITS_REGISTRATION_PER_IP_BURST"] = "1000";
  server_process server(cluster.url(), env);
  const auto port = server.port();
  // Worker 2 is killed. One recipient lives there, the other on worker 1, with the senders
  // of both: so what fails with worker 2 is exactly its recipient's shard.
  const auto survivor = cluster.worker_name(1);
  const auto spared = recipient_on(port, cluster.url(), survivor);
  const auto stricken = recipient_on(port, cluster.url(), cluster.worker_name(2));
  const auto senders = senders_on(port, cluster.url(), survivor, 2 * kSenders);
  const std::vector<device_login> spared_senders(senders.begin(), senders.begin() + kSenders);
  const std::vector<device_login> stricken_senders(senders.begin() + kSenders, senders.end());

  delivery_ledger spared_book, stricken_book;
  message_load spared_load(port, spared_senders, spared, spared_book, seed);
  message_load stricken_load(port, stricken_senders, stricken, stricken_book, seed + 1);
  REQUIRE(wait_until(
      [&] {
        return spared_book.ok_count() >= 30 && stricken_book.ok_count() >= 30 &&
               spared_book.delivery_count() > 0 && stricken_book.delivery_count() > 0;
      },
      15s));

  cluster.kill_worker(2);
  const auto killed = clock_type::now();
  // While worker 2 is down, sends to worker 1's recipient go on, and the node stays ready:
  // it still serves every account on worker 1.
  const bool spared_went_on =
      wait_until([&] { return spared_book.finished_since(killed, true) >= 100; }, 20s);
  const auto failing = [&] {
    return stricken_book.finished_since(killed, false) - stricken_book.finished_since(killed, true);
  };
  const bool stricken_failed = wait_until([&] { return failing() >= 10; }, 10s);
  CHECK(readyz(server.admin_port()) == 200);
  const auto restarting = clock_type::now();
  cluster.start_worker(2);
  const auto back = clock_type::now();
  INFO(server.log_tail());
  CHECK(spared_went_on);
  CHECK(stricken_failed);
  // Once it is back, sends to its recipient succeed again.
  REQUIRE(wait_until([&] { return stricken_book.finished_since(back, true) >= 30; }, 30s));
  spared_load.stop();
  stricken_load.stop();
  REQUIRE(server.running());

  drain_all(port, spared, spared_book);
  drain_all(port, stricken, stricken_book);
  const auto spared_verdict = judge(spared_book, spared);
  const auto stricken_verdict = judge(stricken_book, stricken);
  // Every send to worker 2's recipient made while it was down failed at once, cleanly.
  std::size_t during = 0;
  for (const auto& [key, a] : stricken_book.attempts()) {
    if (a.started >= killed && a.finished <= restarting) {
      ++during;
      INFO("send " << key << " while worker 2 was down: " << a.answer.status << " "
                   << a.answer.body);
      CHECK(is_clean_server_error(a.answer));
    }
  }
  // How long its recipient's sends kept failing once the worker accepted connections again.
  auto first_ok_after_back = clock_type::time_point::max();
  std::size_t failed_after_back = 0;
  for (const auto& [key, a] : stricken_book.attempts()) {
    if (a.started < back)
      continue;
    if (a.answer.how == http_result::kind::answered && a.answer.status == 200)
      first_ok_after_back = std::min(first_ok_after_back, a.finished);
    else
      ++failed_after_back;
  }
  const auto recovered_after_s = std::chrono::duration<double>(first_ok_after_back - back).count();
  const auto seconds = std::chrono::duration<double>(clock_type::now() - began).count();
  std::cout << "crash_safety[citus worker]: first send ok " << recovered_after_s
            << " s after the worker was back (" << failed_after_back << " failed before)\n"
            << "crash_safety[citus worker]: worker 1 " << describe(spared_verdict) << "; worker 2 "
            << describe(stricken_verdict) << " (failed while down " << during
            << ") seconds=" << seconds << " seed=" << seed << std::endl;
  {
    INFO("worker 1's recipient");
    check_nothing_lost_or_invented(spared_verdict);
    CHECK(spared_verdict.ok == spared_verdict.sends);  // not one send failed
  }
  {
    INFO("worker 2's recipient");
    check_nothing_lost_or_invented(stricken_verdict);
    CHECK(stricken_verdict.server_errors >= 10);
    CHECK(stricken_verdict.cut_off + stricken_verdict.refused == 0);
  }
}
