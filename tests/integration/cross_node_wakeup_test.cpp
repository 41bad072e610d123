// Wake-ups between nodes are hints sent after the commit (server/delivery/wakeup_router.*):
// losing one must delay an envelope by a bounded time, never lose it. Two ways to lose
// one: the receiving node's LISTEN connection dies under load (it re-checks every socket
// when it reconnects), and a NOTIFY that never comes (each socket re-checks its queue
// after websocket.recheck_interval_ms). docs/api.md states both bounds.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <mutex>
#include <pqxx/pqxx>
#include <thread>

#include "api_client.hpp"
#include "database_probe.hpp"
#include "server_process.hpp"
#include "test_database.hpp"
#include "wait_until.hpp"
#include "ws_client.hpp"

using namespace sealpost::testing;
namespace json = boost::json;
using clock_type = std::chrono::steady_clock;

namespace {

// The documented worst case after a listener reconnects (docs/api.md), with room for a
// slow (sanitized) build.
constexpr auto kReconnectBound = std::chrono::milliseconds(2500);

http_result send_one(api_client& from, const std::string& to, const std::string& content) {
  json::array messages{
      {{"device_id", 1}, {"registration_id", 1234}, {"type", 1}, {"content", b64(content)}}};
  return from.call(http::verb::put, "/v1/messages/" + to,
                   {{"timestamp", 1700000000000}, {"messages", messages}});
}

int listeners(pqxx::connection& admin) {
  pqxx::nontransaction tx(admin);
  return static_cast<int>(
      tx.exec("SELECT 1 FROM pg_stat_activity WHERE application_name LIKE 'sealpost-listener %' "
              "AND datname = current_database()")
          .size());
}

// Puts an envelope in the device's queue the way a send's statement does, but without any
// wake-up: a commit whose NOTIFY was lost.
void enqueue_silently(const std::string& url, const std::string& account, const std::string& text) {
  pqxx::connection conn(url);
  pqxx::nontransaction tx(conn);
  tx.exec(
      "WITH d AS (UPDATE devices SET next_message_seq = next_message_seq + 1 "
      "WHERE account_id = " +
      q(account) +
      " AND device_id = 1 "
      "RETURNING next_message_seq - 1 AS seq) "
      "INSERT INTO messages (account_id, device_id, seq, guid, source_account, source_device, "
      "type, content, client_timestamp, server_timestamp, expires_at) "
      "SELECT " +
      q(account) + ", 1, seq, gen_random_uuid(), " + q(account) + ", 1, 1, " +
      tx.quote(pqxx::binarystring(text)) + ", 0, 0, now() + interval '1 hour' FROM d");
}

}  // namespace

TEST_CASE("cross-node wake-ups: listeners killed mid-load lose no envelope, none is late",
          "[messages][cross-node]") {
  test_database db;
  const std::map<std::string, std::string> env{
      {"SEALPOST_RATE_LIMITS_MESSAGES_PER_SENDER_BURST", "100000"},
      {"SEALPOST_RATE_LIMITS_REGISTRATION_PER_IP_BURST", "1000"},
      // Only the listener's reconnect may save the lost wake-ups here.
      {"SEALPOST_WEBSOCKET_RECHECK_INTERVAL_MS", "0"}};
  server_process senders_node(db.url(), env);
  server_process receivers_node(db.url(), env);
  test_identity bob_id;
  auto bob = register_account(senders_node.port(), bob_id, unique_username("bob"), 0);
  ws_client receiver(receivers_node.port(), bob);
  drain_until_queue_empty(receiver);

  constexpr int kSenders = 3;
  constexpr int kEach = 150;
  const auto senders = register_senders(senders_node.port(), kSenders);
  std::mutex mutex;
  std::map<std::string, clock_type::time_point> accepted;  // content -> when the 200 came
  std::vector<std::thread> threads;
  for (int i = 0; i < kSenders; ++i) {
    threads.emplace_back([&, i] {
      api_client c(senders_node.port(), senders[static_cast<std::size_t>(i)]);
      for (int k = 0; k < kEach; ++k) {
        const auto text = std::to_string(i) + ":" + std::to_string(k);
        if (send_one(c, bob.account_id, text).status == 200) {
          std::lock_guard lock(mutex);
          accepted.emplace(text, clock_type::now());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(4));
      }
    });
  }

  // Mid-load, every node's LISTEN connection dies.
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  pqxx::connection admin(db.url());
  {
    pqxx::nontransaction tx(admin);
    CHECK(tx.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                  "WHERE application_name LIKE 'sealpost-listener %' "
                  "AND datname = current_database()")
              .size() == 2);
  }

  std::map<std::string, clock_type::time_point> received;
  const auto give_up = clock_type::now() + std::chrono::seconds(30);
  while (received.size() < static_cast<std::size_t>(kSenders * kEach) &&
         clock_type::now() < give_up) {
    auto frame = receiver.next(std::chrono::seconds(5));
    if (!frame)
      break;
    if (!frame->has_delivery())
      continue;
    receiver.ack({frame->delivery().guid()});
    received.try_emplace(frame->delivery().content(), clock_type::now());
  }
  for (auto& t : threads)
    t.join();

  CHECK(accepted.size() == static_cast<std::size_t>(kSenders * kEach));
  CHECK(received.size() == accepted.size());
  auto latest = clock_type::duration::zero();
  for (const auto& [text, answered] : accepted) {
    auto it = received.find(text);
    REQUIRE(it != received.end());
    latest = std::max(latest, it->second - answered);
  }
  INFO("latest delivery after its 200: "
       << std::chrono::duration_cast<std::chrono::milliseconds>(latest).count() << " ms");
  CHECK(latest < kReconnectBound);
  CHECK(wait_until([&] { return listeners(admin) == 2; }, std::chrono::seconds(5)));
}

TEST_CASE("a wake-up that never comes: the socket re-checks after websocket.recheck_interval_ms",
          "[messages][cross-node]") {
  test_database db;
  server_process rechecking(db.url(), {{"SEALPOST_WEBSOCKET_RECHECK_INTERVAL_MS", "1000"}});
  server_process never(db.url(), {{"SEALPOST_WEBSOCKET_RECHECK_INTERVAL_MS", "0"}});
  test_identity a_id, b_id;
  auto alice = register_account(rechecking.port(), a_id, unique_username("alice"), 0);
  auto bob = register_account(rechecking.port(), b_id, unique_username("bob"), 0);
  ws_client on_rechecking(rechecking.port(), alice);
  ws_client on_never(never.port(), bob);
  drain_until_queue_empty(on_rechecking);
  drain_until_queue_empty(on_never);

  const auto start = clock_type::now();
  enqueue_silently(db.url(), alice.account_id, "late");
  enqueue_silently(db.url(), bob.account_id, "stranded");
  // Up to 1.25 s (the interval, jittered by a quarter), plus room for a slow build.
  auto frame = on_rechecking.next(std::chrono::milliseconds(2500));
  REQUIRE(frame.has_value());
  REQUIRE(frame->has_delivery());
  CHECK(frame->delivery().content() == "late");
  CHECK(clock_type::now() - start < std::chrono::milliseconds(2500));
  // Without the re-check, nothing would have found it: the test can tell the difference.
  CHECK_FALSE(on_never.next(std::chrono::milliseconds(500)).has_value());
}
