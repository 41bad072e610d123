// Message relay over real sockets: sends, WebSocket delivery, acks, backlog, redelivery,
// the send errors, the REST fallback, cross-node wake-ups and ordering under concurrency.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <mutex>
#include <pqxx/pqxx>
#include <set>
#include <thread>

#include "api_client.hpp"
#include "server_process.hpp"
#include "test_database.hpp"
#include "ws_client.hpp"

using namespace sealpost::testing;
namespace json = boost::json;

namespace {

struct target {
  std::int32_t device_id;
  std::int32_t registration_id = 1234;
};

http_result send(api_client& from, const std::string& to, const std::vector<target>& devices,
                 const std::string& content, bool online_only = false) {
  json::array messages;
  for (const auto& d : devices) {
    messages.push_back({{"device_id", d.device_id},
                        {"registration_id", d.registration_id},
                        {"type", 1},
                        {"content", b64(content + "#" + std::to_string(d.device_id))}});
  }
  return from.call(
      http::verb::put, "/v1/messages/" + to,
      {{"timestamp", 1700000000000}, {"online_only", online_only}, {"messages", messages}});
}

std::string error_code(const http_result& r) {
  return std::string(r.json().at("error").as_string());
}

std::vector<std::string> guids_of(const std::vector<sealpost::v1::Envelope>& envelopes) {
  std::vector<std::string> out;
  for (const auto& e : envelopes)
    out.push_back(e.guid());
  return out;
}

struct two_accounts {
  test_database db;
  server_process server;
  test_identity alice_id, bob_id, bob2_id;
  device_login alice, bob, bob2;

  explicit two_accounts(std::map<std::string, std::string> env = {})
      : server(db.url(), std::move(env)),
        alice(register_account(server.port(), alice_id, unique_username("alice"))),
        bob(register_account(server.port(), bob_id, unique_username("bob"))) {
    api_client b(server.port(), bob);
    bob2 = link_device(server.port(), b, bob2_id);
  }
};

}  // namespace

TEST_CASE("A sends to both of B's devices, both receive in order, acks delete", "[messages]") {
  two_accounts f;
  api_client alice(f.server.port(), f.alice);
  ws_client b1(f.server.port(), f.bob);
  ws_client b2(f.server.port(), f.bob2, /*credentials_in_query=*/true);
  CHECK(drain_until_queue_empty(b1).empty());
  CHECK(drain_until_queue_empty(b2).empty());

  std::vector<std::string> sent_guids;
  for (int i = 0; i < 5; ++i) {
    auto r = send(alice, f.bob.account_id, {{1}, {f.bob2.device_id}}, "hello " + std::to_string(i));
    REQUIRE(r.status == 200);
    CHECK(r.json().at("results").as_array().size() == 2);
    CHECK(r.json().at("server_timestamp").as_int64() > 0);
  }
  for (auto* ws : {&b1, &b2}) {
    const auto device = ws == &b1 ? 1 : f.bob2.device_id;
    std::vector<std::string> acks;
    for (int i = 0; i < 5; ++i) {
      auto frame = ws->next();
      REQUIRE(frame.has_value());
      REQUIRE(frame->has_delivery());
      const auto& e = frame->delivery();
      CHECK(e.content() == "hello " + std::to_string(i) + "#" + std::to_string(device));
      CHECK(e.source_account() == f.alice.account_id);
      CHECK(e.source_device() == 1);
      CHECK(e.destination_device() == static_cast<std::uint32_t>(device));
      CHECK(e.client_timestamp() == 1700000000000ULL);
      CHECK(e.guid().size() == 16);
      acks.push_back(e.guid());
    }
    ws->ack(acks);
  }
  // Acked envelopes are gone: a new connection finds an empty queue.
  api_client bob(f.server.port(), f.bob);
  for (int i = 0; i < 50 && !bob.get("/v1/messages").json().at("messages").as_array().empty();
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the ack is asynchronous
  }
  CHECK(bob.get("/v1/messages").json().at("messages").as_array().empty());
}

TEST_CASE("a device that connects later drains its backlog, then QueueEmpty, then live",
          "[messages]") {
  two_accounts f;
  api_client alice(f.server.port(), f.alice);
  for (int i = 0; i < 3; ++i)
    REQUIRE(
        send(alice, f.bob.account_id, {{1}, {f.bob2.device_id}}, "m" + std::to_string(i)).status ==
        200);
  {
    ws_client b1(f.server.port(), f.bob);
    auto backlog = drain_until_queue_empty(b1);
    REQUIRE(backlog.size() == 3);
    CHECK(backlog[0].content() == "m0#1");
    CHECK(backlog[2].content() == "m2#1");
    // Not acked: the next connection gets them again.
  }
  ws_client again(f.server.port(), f.bob);
  auto redelivered = drain_until_queue_empty(again);
  CHECK(redelivered.size() == 3);
  again.ack(guids_of(redelivered));
  REQUIRE(send(alice, f.bob.account_id, {{1}, {f.bob2.device_id}}, "live").status == 200);
  auto live = again.next();
  REQUIRE(live.has_value());
  REQUIRE(live->has_delivery());
  CHECK(live->delivery().content() == "live#1");
}

TEST_CASE("send errors: 409 mismatched, 410 stale, 404, 413, 507, 429", "[messages]") {
  two_accounts f({{"SEALPOST_MESSAGES_MAX_QUEUE_PER_DEVICE", "2"},
                  {"SEALPOST_MESSAGES_MAX_MESSAGE_BYTES", "1024"},
                  {"SEALPOST_RATE_LIMITS_MESSAGES_PER_SENDER_BURST", "12"},
                  {"SEALPOST_RATE_LIMITS_MESSAGES_PER_SENDER_PER_MINUTE", "1"}});
  api_client alice(f.server.port(), f.alice);
  auto missing = send(alice, f.bob.account_id, {{1}}, "x");
  CHECK(missing.status == 409);
  CHECK(error_code(missing) == "mismatched_devices");
  CHECK(missing.json().at("missing_devices").as_array() == json::array{f.bob2.device_id});
  auto extra = send(alice, f.bob.account_id, {{1}, {f.bob2.device_id}, {9}}, "x");
  CHECK(extra.status == 409);
  CHECK(extra.json().at("extra_devices").as_array() == json::array{9});
  auto stale = send(alice, f.bob.account_id, {{1, 77}, {f.bob2.device_id}}, "x");
  CHECK(stale.status == 410);
  CHECK(error_code(stale) == "stale_devices");
  CHECK(stale.json().at("stale_devices").as_array() == json::array{1});
  CHECK(send(alice, "00000000-0000-4000-8000-000000000000", {{1}}, "x").status == 404);
  auto big = send(alice, f.bob.account_id, {{1}, {f.bob2.device_id}}, std::string(2000, 'x'));
  CHECK(big.status == 413);
  // The limit is exact: the content here is "x...x#1", 1025 bytes, one over.
  CHECK(
      send(alice, f.bob.account_id, {{1}, {f.bob2.device_id}}, std::string(1025 - 2, 'x')).status ==
      413);
  auto twice = send(alice, f.bob.account_id, {{1}, {1}, {f.bob2.device_id}}, "x");
  CHECK(twice.status == 400);
  // To your own account: every device but the sender.
  CHECK(send(alice, f.alice.account_id, {{1}}, "x").status == 409);
  CHECK(send(alice, f.alice.account_id, {}, "x").status == 200);

  CHECK(send(alice, f.bob.account_id, {{1}, {f.bob2.device_id}}, "1").status == 200);
  CHECK(send(alice, f.bob.account_id, {{1}, {f.bob2.device_id}}, "2").status == 200);
  auto full = send(alice, f.bob.account_id, {{1}, {f.bob2.device_id}}, "3");
  CHECK(full.status == 507);
  CHECK(error_code(full) == "queue_full");
  // None of the failed sends stored anything.
  api_client bob(f.server.port(), f.bob);
  CHECK(bob.get("/v1/messages").json().at("messages").as_array().size() == 2);

  http_result limited;
  for (int i = 0; i < 20 && limited.status != 429; ++i)
    limited = send(alice, f.bob.account_id, {{1}}, "x");
  CHECK(limited.status == 429);
  CHECK(limited.headers.count("retry-after") == 1);
}

TEST_CASE("REST fallback: poll oldest first, delete by guid", "[messages]") {
  two_accounts f;
  api_client alice(f.server.port(), f.alice);
  api_client bob(f.server.port(), f.bob);
  REQUIRE(send(alice, f.bob.account_id, {{1}, {f.bob2.device_id}}, "first").status == 200);
  REQUIRE(send(alice, f.bob.account_id, {{1}, {f.bob2.device_id}}, "second").status == 200);
  auto polled = bob.get("/v1/messages").json();
  auto list = polled.at("messages").as_array();
  REQUIRE(list.size() == 2);
  CHECK_FALSE(polled.at("more").as_bool());
  CHECK(list[0].at("content").as_string() == b64(std::string("first#1")));
  const std::string guid(list[0].at("guid").as_string());
  CHECK(bob.call(http::verb::delete_, "/v1/messages/" + guid).status == 204);
  CHECK(bob.call(http::verb::delete_, "/v1/messages/" + guid).status == 404);
  CHECK(bob.call(http::verb::delete_, "/v1/messages/not-a-guid").status == 404);
  // Another device cannot ack it.
  api_client bob2(f.server.port(), f.bob2);
  const std::string second(list[1].at("guid").as_string());
  CHECK(bob2.call(http::verb::delete_, "/v1/messages/" + second).status == 404);
  CHECK(bob.get("/v1/messages").json().at("messages").as_array().size() == 1);
}

TEST_CASE("websocket: auth, displaced connections, bad frames, online-only",
          "[messages][websocket]") {
  two_accounts f;
  CHECK(upgrade_status(f.server.port(), "/v1/websocket", "") == 401);
  CHECK(upgrade_status(f.server.port(), "/v1/websocket",
                       basic_auth(f.bob.account_id, 1, "wrong-wrong-wrong-wrong")) == 401);

  ws_client first(f.server.port(), f.bob);
  drain_until_queue_empty(first);
  ws_client second(f.server.port(), f.bob);
  drain_until_queue_empty(second);
  CHECK(first.wait_for_close() == 4409);

  ws_client texty(f.server.port(), f.bob2);
  drain_until_queue_empty(texty);
  texty.send_text("hello");
  CHECK(texty.wait_for_close() == 1003);
  {
    ws_client garbage(f.server.port(), f.bob2);
    drain_until_queue_empty(garbage);
    garbage.send_binary("\xff\xff\xff\xff garbage");
    CHECK(garbage.wait_for_close() == 1003);
  }
  {
    ws_client huge(f.server.port(), f.bob2);
    drain_until_queue_empty(huge);
    huge.send_binary(std::string(70000, 'x'));
    // The server sends 1009 and drops the connection without reading the oversized
    // payload, so the client's kernel may report a reset before the close frame.
    const int code = huge.wait_for_close();
    CHECK((code == 1009 || code == -1));
  }

  // bob2 is offline now: the server drops its presence as its last socket's session ends,
  // which can be just after the client has seen the close. Online-only reaches only bob's
  // connected device 1.
  {
    pqxx::connection conn(f.db.url());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (;;) {
      pqxx::nontransaction tx(conn);
      const auto present =
          tx.exec_params1(
                "SELECT count(*) FROM device_presence WHERE account_id = $1 AND device_id = $2",
                f.bob2.account_id, f.bob2.device_id)[0]
              .as<int>();
      if (present == 0)
        break;
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  api_client alice(f.server.port(), f.alice);
  auto r = send(alice, f.bob.account_id, {{1}, {f.bob2.device_id}}, "typing", /*online_only=*/true);
  REQUIRE(r.status == 200);
  REQUIRE(r.json().at("results").as_array().size() == 1);
  CHECK(r.json().at("results").as_array()[0].at("device_id").as_int64() == 1);
  auto frame = second.next();
  REQUIRE(frame.has_value());
  CHECK(frame->delivery().content() == "typing#1");
  api_client bob2(f.server.port(), f.bob2);
  CHECK(bob2.get("/v1/messages").json().at("messages").as_array().empty());

  // Removing a device closes its open socket (4403).
  ws_client doomed(f.server.port(), f.bob2);
  drain_until_queue_empty(doomed);
  api_client bob(f.server.port(), f.bob);
  REQUIRE(bob.call(http::verb::delete_, "/v1/devices/" + std::to_string(f.bob2.device_id)).status ==
          204);
  CHECK(doomed.wait_for_close() == 4403);
}

TEST_CASE("a send on one node wakes the socket on another, also after its LISTEN connection dies",
          "[messages][cross-node]") {
  test_database db;
  server_process node1(db.url());
  server_process node2(db.url());
  test_identity a_id, b_id;
  auto alice = register_account(node1.port(), a_id, unique_username("alice"), 0);
  auto bob = register_account(node1.port(), b_id, unique_username("bob"), 20);
  api_client sender(node1.port(), alice);
  ws_client receiver(node2.port(), bob);
  drain_until_queue_empty(receiver);

  auto round_trip = [&](const std::string& text) {
    const auto start = std::chrono::steady_clock::now();
    REQUIRE(send(sender, bob.account_id, {{1}}, text).status == 200);
    auto frame = receiver.next(std::chrono::seconds(1));
    REQUIRE(frame.has_value());
    REQUIRE(frame->has_delivery());
    CHECK(frame->delivery().content() == text + "#1");
    receiver.ack({frame->delivery().guid()});
    return std::chrono::steady_clock::now() - start;
  };
  CHECK(round_trip("before") < std::chrono::seconds(1));

  // Kill every node's LISTEN connection; messages sent meanwhile must still arrive.
  pqxx::connection admin(db.url());
  {
    pqxx::nontransaction tx(admin);
    // Only this test's database: other tests' servers may share the cluster.
    auto killed = tx.exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE application_name LIKE 'sealpost-listener %' AND datname = current_database()");
    CHECK(killed.size() == 2);
  }
  REQUIRE(send(sender, bob.account_id, {{1}}, "during").status == 200);
  auto during = receiver.next(std::chrono::seconds(5));
  REQUIRE(during.has_value());
  CHECK(during->delivery().content() == "during#1");
  receiver.ack({during->delivery().guid()});
  // Once reconnected, live wake-ups work again.
  for (int i = 0; i < 100; ++i) {
    pqxx::nontransaction tx(admin);
    if (tx.exec("SELECT 1 FROM pg_stat_activity WHERE application_name LIKE 'sealpost-listener %' "
                "AND datname = current_database()")
            .size() == 2) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(round_trip("after") < std::chrono::seconds(1));

  // The same device connecting on node 1 closes its socket on node 2.
  ws_client newer(node1.port(), bob);
  drain_until_queue_empty(newer);
  CHECK(receiver.wait_for_close() == 4409);
}

TEST_CASE("many concurrent senders: the device sees every envelope exactly once, in seq order",
          "[messages][ordering]") {
  test_database db;
  std::map<std::string, std::string> env{
      {"SEALPOST_RATE_LIMITS_MESSAGES_PER_SENDER_BURST", "100000"},
      {"SEALPOST_RATE_LIMITS_REGISTRATION_PER_IP_BURST", "1000"},
      {"SEALPOST_DATABASE_POOL_SIZE", "8"}};
  server_process node1(db.url(), env);
  server_process node2(db.url(), env);
  test_identity bob_id;
  auto bob = register_account(node1.port(), bob_id, unique_username("bob"), 0);
  ws_client receiver(node2.port(), bob);
  drain_until_queue_empty(receiver);

  constexpr int kSenders = 8;
  constexpr int kEach = 40;
  const auto senders = register_senders(node1.port(), kSenders);
  std::mutex mutex;
  std::set<std::string> accepted;  // contents answered 200
  std::vector<std::thread> threads;
  for (int i = 0; i < kSenders; ++i) {
    threads.emplace_back([&, i] {
      api_client c(i % 2 ? node1.port() : node2.port(), senders[static_cast<std::size_t>(i)]);
      for (int k = 0; k < kEach; ++k) {
        const auto text = std::to_string(i) + ":" + std::to_string(k);
        if (send(c, bob.account_id, {{1}}, text).status == 200) {
          std::lock_guard lock(mutex);
          accepted.insert(text + "#1");
        }
      }
    });
  }
  std::set<std::string> seen_guids, seen_contents;
  std::map<std::string, int> last_per_sender;
  bool in_order = true;
  while (seen_contents.size() < static_cast<std::size_t>(kSenders * kEach)) {
    auto frame = receiver.next(std::chrono::seconds(5));
    if (!frame)
      break;
    if (!frame->has_delivery())
      continue;
    const auto& e = frame->delivery();
    receiver.ack({e.guid()});
    if (!seen_guids.insert(e.guid()).second)
      continue;  // at-least-once: de-dup by guid
    seen_contents.insert(e.content());
    // Each sender's own sends are sequential, so they must arrive in the order sent.
    const auto& content = e.content();
    const auto colon = content.find(':');
    const int k = std::stoi(content.substr(colon + 1));
    auto [it, inserted] = last_per_sender.try_emplace(e.source_account(), k);
    if (!inserted) {
      if (k <= it->second)
        in_order = false;
      it->second = k;
    }
  }
  for (auto& t : threads)
    t.join();
  CHECK(accepted.size() == static_cast<std::size_t>(kSenders * kEach));
  CHECK(seen_contents == accepted);
  CHECK(in_order);
}

namespace {

double metric_value(const std::string& exposition, const std::string& series) {
  const auto at = exposition.find("\n" + series + " ");
  if (at == std::string::npos)
    return -1;
  return std::stod(exposition.substr(at + series.size() + 2));
}

}  // namespace

TEST_CASE(
    "a WebSocket client that stops reading is cut off after websocket.write_timeout_ms, others are "
    "served",
    "[messages][websocket][limits]") {
  two_accounts f(
      std::map<std::string, std::string>{{"SEALPOST_WEBSOCKET_WRITE_TIMEOUT_MS", "1000"}});
  namespace asio = boost::asio;
  namespace websocket = boost::beast::websocket;

  // Bob's device 1 connects with a tiny receive buffer and never reads; it keeps sending
  // (empty acks), so the server's idle timeout never fires: only the write deadline can end it.
  asio::io_context ioc;
  websocket::stream<asio::ip::tcp::socket> stalled(ioc);
  stalled.next_layer().open(asio::ip::tcp::v4());
  stalled.next_layer().set_option(asio::socket_base::receive_buffer_size(4096));
  stalled.next_layer().connect({asio::ip::make_address("127.0.0.1"), f.server.port()});
  stalled.set_option(websocket::stream_base::decorator(
      [auth = basic_auth(f.bob.account_id, 1, f.bob.password)](websocket::request_type& req) {
        req.set(boost::beast::http::field::authorization, auth);
      }));
  stalled.handshake("127.0.0.1", "/v1/websocket");
  stalled.binary(true);

  ws_client reader(f.server.port(), f.bob2);
  drain_until_queue_empty(reader);

  // 40 envelopes of 200 KiB per device: far more than the socket buffers between the
  // server and the stalled client can hold. The reading device gets every envelope while
  // the other one is stuck; it reads each as it comes, since a reader that paused longer
  // than the write deadline (as a sanitized build's slower sends would make it) would be
  // cut off too, rightly.
  api_client alice(f.server.port(), f.alice);
  const std::string big(200 * 1024, 'x');
  constexpr int kSends = 40;
  for (int i = 0; i < kSends; ++i) {
    REQUIRE(
        send(alice, f.bob.account_id, {{1}, {f.bob2.device_id}}, big + std::to_string(i)).status ==
        200);
    auto frame = reader.next();
    INFO("envelope " << i << ", socket error: " << reader.last_error().message());
    REQUIRE(frame.has_value());
    REQUIRE(frame->has_delivery());
    CHECK(frame->delivery().content() ==
          big + std::to_string(i) + "#" + std::to_string(f.bob2.device_id));
    reader.ack({frame->delivery().guid()});
  }

  // The stalled client's writes start failing once the server has closed its socket.
  sealpost::v1::ClientFrame empty_ack;
  empty_ack.mutable_ack();
  const std::string ack_bytes = empty_ack.SerializeAsString();
  const auto started = std::chrono::steady_clock::now();
  boost::system::error_code ec;
  while (!ec && std::chrono::steady_clock::now() - started < std::chrono::seconds(15)) {
    stalled.write(asio::buffer(ack_bytes), ec);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  INFO("stalled client cut off after " << std::chrono::duration_cast<std::chrono::milliseconds>(
                                              std::chrono::steady_clock::now() - started)
                                              .count()
                                       << " ms");
  CHECK(ec);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));

  // Only the reading device's socket is left, and nothing the stalled one missed is lost.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  double open = -1;
  while (std::chrono::steady_clock::now() < deadline) {
    open = metric_value(http_client(f.server.admin_port()).get("/metrics").body,
                        "sealpost_open_websockets");
    if (open == 1)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(open == 1);
  ws_client again(f.server.port(), f.bob);
  auto backlog = drain_until_queue_empty(again);
  REQUIRE(backlog.size() == kSends);
  for (int i = 0; i < kSends; ++i)
    CHECK(backlog[static_cast<std::size_t>(i)].content() == big + std::to_string(i) + "#1");
}
