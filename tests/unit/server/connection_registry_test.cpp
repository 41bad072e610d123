// The registry's routing of wake-ups (parsed from NOTIFY payloads) to a node's sockets, with a
// recording socket in place of a WebSocket session: wake-ups, removals, and which connection of a
// device survives when "connected" notifications arrive late or out of order.
#include "delivery/connection_registry.hpp"

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

using sealpost::delivery::connection_registry;
using sealpost::delivery::device_socket;

namespace {

class recording_socket : public device_socket {
 public:
  explicit recording_socket(std::int64_t generation) : generation_(generation) {}
  void wake_messages() override { ++message_wakes; }
  void wake_keys_low() override { ++keys_low_wakes; }
  void close_with(std::uint16_t code, std::string) override { closes.push_back(code); }
  std::int64_t generation() const override { return generation_; }

  int message_wakes = 0;
  int keys_low_wakes = 0;
  std::vector<std::uint16_t> closes;

 private:
  std::int64_t generation_;
};

const std::string kAccount = "0b7e8f1c-2d3a-4c5b-8e9f-0a1b2c3d4e5f";

// What the node does with a NOTIFY payload from its listener.
void dispatch(connection_registry& registry, const std::string& payload) {
  for (const auto& w : sealpost::delivery::parse_wakeups(payload).wakeups)
    registry.apply(w);
}

}  // namespace

TEST_CASE("registry: wake-ups and removals reach the device's socket only", "[registry]") {
  connection_registry registry;
  auto one = std::make_shared<recording_socket>(1);
  auto two = std::make_shared<recording_socket>(2);
  registry.add(kAccount, 1, one);
  registry.add(kAccount, 2, two);
  dispatch(registry, "m " + kAccount + " 1");
  dispatch(registry, "k " + kAccount + " 2");
  dispatch(registry, "x " + kAccount + " 2");
  CHECK(one->message_wakes == 1);
  CHECK(one->keys_low_wakes == 0);
  CHECK(two->keys_low_wakes == 1);
  CHECK(one->closes.empty());
  CHECK(two->closes == std::vector<std::uint16_t>{sealpost::delivery::kRemovedCloseCode});
}

TEST_CASE("registry: a late 'connected' from an older connection does not close a newer one",
          "[registry]") {
  connection_registry registry;
  auto older = std::make_shared<recording_socket>(7);
  auto newer = std::make_shared<recording_socket>(8);
  registry.add(kAccount, 1, older);
  registry.add(kAccount, 1, newer);  // displaces the older one on this node
  CHECK(older->closes == std::vector<std::uint16_t>{sealpost::delivery::kReplacedCloseCode});

  // The older connection's own notification arrives only now: the newer socket stays.
  dispatch(registry, "c " + kAccount + " 1 7");
  dispatch(registry, "c " + kAccount + " 1 8");
  CHECK(newer->closes.empty());

  // A connection elsewhere with a higher generation closes it.
  dispatch(registry, "c " + kAccount + " 1 9");
  CHECK(newer->closes == std::vector<std::uint16_t>{sealpost::delivery::kReplacedCloseCode});
}

TEST_CASE("registry: malformed payloads are ignored", "[registry]") {
  connection_registry registry;
  auto socket = std::make_shared<recording_socket>(5);
  registry.add(kAccount, 1, socket);
  for (const std::string& payload : std::vector<std::string>{
           "", "c", "c ", "m" + kAccount, "c " + kAccount + " 1 x9", "c " + kAccount + " 1 9x",
           "c " + kAccount + " 1 ", "z " + kAccount + " 1"}) {
    dispatch(registry, payload);
  }
  CHECK(socket->closes.empty());
  CHECK(socket->message_wakes == 0);
}
