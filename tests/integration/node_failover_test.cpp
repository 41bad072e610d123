// Two server nodes on one database under send load; one is SIGKILLed. Its devices reconnect
// to the other node, and every send that was answered 200 (by either node, before or after
// the kill) reaches its device: the database, not a node, holds what was accepted.
#include <atomic>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <mutex>
#include <set>
#include <thread>

#include "api_client.hpp"
#include "net/websocket_frames.hpp"
#include "server_process.hpp"
#include "test_database.hpp"
#include "ws_client.hpp"

using namespace sealpost::testing;
namespace json = boost::json;

namespace {

// The guids that were promised (answered 200) and those that arrived, shared by all threads.
struct ledger {
  std::mutex mutex;
  std::set<std::string> accepted;
  std::set<std::string> delivered;

  void accept(const std::string& guid) {
    std::lock_guard lock(mutex);
    accepted.insert(guid);
  }
  void deliver(const std::string& guid) {
    std::lock_guard lock(mutex);
    delivered.insert(guid);
  }
  std::size_t missing() {
    std::lock_guard lock(mutex);
    std::size_t n = 0;
    for (const auto& g : accepted)
      n += delivered.count(g) == 0 ? 1 : 0;
    return n;
  }
};

// A device that stays connected: on a broken connection it reconnects, to the other node
// when its node no longer answers.
void receive(const device_login& device, std::uint16_t first_port, std::uint16_t other_port,
             std::atomic<bool>& stop, ledger& book, std::atomic<int>& moved) {
  std::uint16_t port = first_port;
  while (!stop) {
    try {
      ws_client ws(port, device);
      while (!stop) {
        auto frame = ws.next(std::chrono::milliseconds(1000));
        if (!frame)
          break;  // closed, or idle for a second: connect again
        if (!frame->has_delivery())
          continue;
        book.deliver(sealpost::net::guid_text(frame->delivery().guid()));
        ws.ack({frame->delivery().guid()});
      }
    } catch (const std::exception&) {
      if (port == first_port)
        ++moved;
      port = port == first_port ? other_port : first_port;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

// Sends to each receiver in turn through `port` (the other node's when it fails) until stop.
void send_load(const device_login& sender, std::uint16_t first_port, std::uint16_t other_port,
               const std::vector<device_login>& receivers, std::atomic<bool>& stop, ledger& book) {
  std::uint16_t port = first_port;
  auto client = std::make_unique<api_client>(port, sender);
  for (std::size_t i = 0; !stop; ++i) {
    const auto& to = receivers[i % receivers.size()];
    json::object message{{"device_id", 1},
                         {"registration_id", 1234},
                         {"type", 1},
                         {"content", b64("envelope " + std::to_string(i))}};
    try {
      const auto res =
          client->call(http::verb::put, "/v1/messages/" + to.account_id,
                       json::object{{"timestamp", i}, {"messages", json::array{message}}});
      if (res.status == 200) {
        const auto answer = res.json();
        for (const auto& r : answer.at("results").as_array())
          book.accept(std::string(r.at("guid").as_string()));
      }
    } catch (const std::exception&) {
      // No answer: the node is gone. The send may or may not have committed (a client
      // would retry); only answered sends are promises.
      port = port == first_port ? other_port : first_port;
      client = std::make_unique<api_client>(port, sender);
    }
  }
}

}  // namespace

TEST_CASE("a node killed under load: its devices move and every accepted send arrives",
          "[failover]") {
  test_database db;
  const std::map<std::string, std::string> env = {
      {"SEALPOST_RATE_LIMITS_MESSAGES_PER_SENDER_BURST", "1000000"},
      {"SEALPOST_RATE_LIMITS_MESSAGES_PER_SENDER_PER_MINUTE", "1000000"},
      {"SEALPOST_RATE_LIMITS_REGISTRATION_PER_IP_BURST", "1000"}};
  server_process doomed(db.url(), env);
  server_process survivor(db.url(), env);
  const auto a = doomed.port();
  const auto b = survivor.port();

  constexpr int kReceivers = 6;
  std::vector<device_login> receivers;
  for (int i = 0; i < kReceivers; ++i) {
    test_identity id;
    receivers.push_back(register_account(b, id, unique_username("fo_r")));
  }
  test_identity s1, s2;
  const auto sender_a = register_account(b, s1, unique_username("fo_s"));
  const auto sender_b = register_account(b, s2, unique_username("fo_s"));

  ledger book;
  std::atomic<bool> stop_receiving{false}, stop_sending{false};
  std::atomic<int> moved{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kReceivers; ++i) {
    // Half the devices on the node that will die, half on the other.
    const bool on_doomed = i % 2 == 0;
    threads.emplace_back(receive, receivers[i], on_doomed ? a : b, on_doomed ? b : a,
                         std::ref(stop_receiving), std::ref(book), std::ref(moved));
  }
  std::vector<std::thread> senders;
  senders.emplace_back(send_load, sender_a, a, b, std::cref(receivers), std::ref(stop_sending),
                       std::ref(book));
  senders.emplace_back(send_load, sender_b, b, a, std::cref(receivers), std::ref(stop_sending),
                       std::ref(book));

  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const auto before_kill = [&] {
    std::lock_guard lock(book.mutex);
    return book.accepted.size();
  }();
  REQUIRE(doomed.kill_hard());
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  stop_sending = true;
  for (auto& t : senders)
    t.join();

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (book.missing() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  stop_receiving = true;
  for (auto& t : threads)
    t.join();

  INFO("accepted " << book.accepted.size() << " (" << before_kill << " before the kill), "
                   << "delivered " << book.delivered.size() << "\n"
                   << survivor.log_tail());
  CHECK(before_kill > 0);
  CHECK(book.accepted.size() > before_kill);  // the survivor took sends after the kill
  CHECK(book.missing() == 0);
  CHECK(moved.load() >= kReceivers / 2);  // every device of the killed node moved over
}
