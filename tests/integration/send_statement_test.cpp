// Every path of the one-statement send (server/storage/message_repository.cpp, kSend):
// refusals change nothing, the queue cap's cheap bound and its exact count, online-only,
// sends to one's own account, the order of the results, and concurrent multi-device sends
// to one account naming its devices in opposite orders (the statement locks device rows in
// one order, so they never deadlock, and each queue stays in commit order).
#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <mutex>
#include <pqxx/pqxx>
#include <thread>

#include "api_client.hpp"
#include "database_probe.hpp"
#include "server_process.hpp"
#include "test_database.hpp"
#include "ws_client.hpp"

using namespace sealpost::testing;
namespace json = boost::json;

namespace {

http_result send(api_client& from, const std::string& to, const std::vector<std::int32_t>& devices,
                 const std::string& content, bool online_only = false,
                 std::int32_t registration_id = 1234) {
  json::array messages;
  for (const auto d : devices) {
    messages.push_back({{"device_id", d},
                        {"registration_id", registration_id},
                        {"type", 1},
                        {"content", b64(content)}});
  }
  return from.call(
      http::verb::put, "/v1/messages/" + to,
      {{"timestamp", 1700000000000}, {"online_only", online_only}, {"messages", messages}});
}

std::vector<std::int64_t> result_devices(const http_result& r) {
  std::vector<std::int64_t> out;
  const auto body = r.json();  // a range-for over a temporary's member would dangle
  for (const auto& item : body.at("results").as_array())
    out.push_back(item.at("device_id").as_int64());
  return out;
}

std::string first_guid_for(const http_result& r, std::int64_t device) {
  const auto body = r.json();
  for (const auto& item : body.at("results").as_array()) {
    if (item.at("device_id").as_int64() == device)
      return std::string(item.at("guid").as_string());
  }
  FAIL("no result for device " << device);
  return {};
}

struct world {
  test_database db;
  server_process server;
  test_identity alice_id, alice2_id, bob_id, bob2_id;
  device_login alice, alice2, bob, bob2;

  explicit world(const std::map<std::string, std::string>& env = {})
      : server(db.url(), env),
        alice(register_account(server.port(), alice_id, unique_username("alice"), 0)),
        bob(register_account(server.port(), bob_id, unique_username("bob"), 0)) {
    api_client a(server.port(), alice);
    alice2 = link_device(server.port(), a, alice2_id, 0);
    api_client b(server.port(), bob);
    bob2 = link_device(server.port(), b, bob2_id, 0);
  }
};

}  // namespace

TEST_CASE("send statement: every refusal changes nothing, the queue cap counts exactly",
          "[messages][send]") {
  world w(std::map<std::string, std::string>{{"SEALPOST_MESSAGES_MAX_QUEUE_PER_DEVICE", "3"}});
  api_client alice(w.server.port(), w.alice);
  database_probe probe(w.db.url());
  const std::int32_t two = w.bob2.device_id;
  std::vector<std::string> first_guids;
  for (int i = 0; i < 3; ++i) {
    auto sent = send(alice, w.bob.account_id, {1, two}, "m" + std::to_string(i));
    REQUIRE(sent.status == 200);
    first_guids.push_back(first_guid_for(sent, 1));
  }

  const auto before = probe.snapshot({});
  CHECK(send(alice, w.bob.account_id, {1}, "x").status == 409);                  // missing
  CHECK(send(alice, w.bob.account_id, {1, two, 9}, "x").status == 409);          // extra
  CHECK(send(alice, w.bob.account_id, {1, two}, "x", false, 77).status == 410);  // stale
  CHECK(send(alice, "00000000-0000-4000-8000-000000000000", {1}, "x").status == 404);
  auto full = send(alice, w.bob.account_id, {1, two}, "x");
  CHECK(full.status == 507);
  CHECK(std::string(full.json().at("message").as_string()).find("device 1 ") != std::string::npos);
  CHECK(probe.snapshot({}) == before);  // not a sequence number taken, not a row written

  // An ack in the middle of device 1's queue: the cheap bound (next seq - lowest queued seq)
  // still says 3, the exact count says 2, and the exact count decides.
  api_client bob(w.server.port(), w.bob);
  REQUIRE(bob.call(http::verb::delete_, "/v1/messages/" + first_guids[1]).status == 204);
  auto device_two_full = send(alice, w.bob.account_id, {1, two}, "x");
  CHECK(device_two_full.status == 507);
  CHECK(std::string(device_two_full.json().at("message").as_string())
            .find("device " + std::to_string(two)) != std::string::npos);
  // Device 2 acks its oldest: now both have room.
  api_client bob2(w.server.port(), w.bob2);
  auto oldest = bob2.get("/v1/messages").json().at("messages").as_array().at(0);
  REQUIRE(
      bob2.call(http::verb::delete_, "/v1/messages/" + std::string(oldest.at("guid").as_string()))
          .status == 204);
  CHECK(send(alice, w.bob.account_id, {1, two}, "fits").status == 200);
  CHECK(probe.scalar("SELECT count(*) FROM messages WHERE account_id = " + q(w.bob.account_id)) ==
        6);
}

TEST_CASE("send statement: results in request order, online-only, one's own account",
          "[messages][send]") {
  world w;
  api_client alice(w.server.port(), w.alice);
  const std::int32_t two = w.bob2.device_id;

  auto reversed = send(alice, w.bob.account_id, {two, 1}, "r");
  REQUIRE(reversed.status == 200);
  CHECK(result_devices(reversed) == std::vector<std::int64_t>{two, 1});

  // Online-only reaches the connected device only; none connected is a 200 with no results.
  auto none = send(alice, w.bob.account_id, {1, two}, "nobody", true);
  REQUIRE(none.status == 200);
  CHECK(result_devices(none).empty());
  ws_client socket_two(w.server.port(), w.bob2);
  drain_until_queue_empty(socket_two);
  auto online = send(alice, w.bob.account_id, {1, two}, "live", true);
  REQUIRE(online.status == 200);
  CHECK(result_devices(online) == std::vector<std::int64_t>{two});
  auto frame = socket_two.next();
  REQUIRE(frame.has_value());
  REQUIRE(frame->has_delivery());
  CHECK(frame->delivery().content() == "live");
  // Online-only still checks the whole device set.
  CHECK(send(alice, w.bob.account_id, {two}, "x", true).status == 409);
  api_client bob(w.server.port(), w.bob);
  CHECK(bob.get("/v1/messages").json().at("messages").as_array().size() == 1);  // "r" only

  // To one's own account: every device but the sender, never the sender.
  const std::int32_t alice_two = w.alice2.device_id;
  auto to_self = send(alice, w.alice.account_id, {alice_two}, "note");
  REQUIRE(to_self.status == 200);
  CHECK(result_devices(to_self) == std::vector<std::int64_t>{alice_two});
  auto with_sender = send(alice, w.alice.account_id, {1, alice_two}, "x");
  CHECK(with_sender.status == 409);
  CHECK(with_sender.json().at("extra_devices").as_array() == json::array{1});
  auto without_other = send(alice, w.alice.account_id, {}, "x");
  CHECK(without_other.status == 409);
  CHECK(without_other.json().at("missing_devices").as_array() == json::array{alice_two});
}

TEST_CASE("send statement: concurrent sends naming devices in opposite orders never deadlock",
          "[messages][send][ordering]") {
  world w(std::map<std::string, std::string>{
      {"SEALPOST_RATE_LIMITS_MESSAGES_PER_SENDER_BURST", "100000"},
      {"SEALPOST_RATE_LIMITS_REGISTRATION_PER_IP_BURST", "1000"},
      {"SEALPOST_DATABASE_POOL_SIZE", "8"}});
  const std::int32_t two = w.bob2.device_id;
  constexpr int kSenders = 6;
  constexpr int kEach = 40;
  const auto senders = register_senders(w.server.port(), kSenders);
  std::mutex mutex;
  std::vector<int> statuses;
  std::vector<std::thread> threads;
  for (int i = 0; i < kSenders; ++i) {
    threads.emplace_back([&, i] {
      api_client c(w.server.port(), senders[static_cast<std::size_t>(i)]);
      const std::vector<std::int32_t> order =
          i % 2 ? std::vector<std::int32_t>{1, two} : std::vector<std::int32_t>{two, 1};
      for (int k = 0; k < kEach; ++k) {
        const auto status =
            send(c, w.bob.account_id, order, std::to_string(i) + ":" + std::to_string(k)).status;
        std::lock_guard lock(mutex);
        statuses.push_back(status);
      }
    });
  }
  for (auto& t : threads)
    t.join();
  CHECK(std::count(statuses.begin(), statuses.end(), 200) == kSenders * kEach);

  // Both queues hold every send, each sender's in the order sent, and the two devices'
  // queues list the sends in the same order: one commit order for both.
  pqxx::connection conn(w.db.url());
  pqxx::nontransaction tx(conn);
  auto order_of = [&](std::int32_t device) {
    std::vector<std::string> contents;
    for (const auto& row : tx.exec("SELECT convert_from(content, 'UTF8') FROM messages "
                                   "WHERE account_id = " +
                                   q(w.bob.account_id) +
                                   " AND device_id = " + std::to_string(device) + " ORDER BY seq"))
      contents.push_back(row[0].as<std::string>());
    return contents;
  };
  const auto one = order_of(1);
  CHECK(one.size() == static_cast<std::size_t>(kSenders * kEach));
  CHECK(one == order_of(two));
  std::map<std::string, int> last;
  for (const auto& c : one) {
    const auto colon = c.find(':');
    const int k = std::stoi(c.substr(colon + 1));
    auto [it, inserted] = last.try_emplace(c.substr(0, colon), k);
    if (!inserted) {
      CHECK(k > it->second);
      it->second = k;
    }
  }
}
