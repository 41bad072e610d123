// Two server processes, 32 concurrent clients, 5 devices with 500 one-time keys each: every
// key is handed out exactly once, then the last-resort key is served, and counts agree.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "api_client.hpp"
#include "server_process.hpp"
#include "test_database.hpp"

using namespace sealpost::testing;
namespace json = boost::json;

namespace {

constexpr int kDevices = 5;
constexpr int kKeysPerDevice = 500;
constexpr int kPqKeysPerDevice = 50;
constexpr int kClients = 32;

const std::map<std::string, std::string> kGenerousLimits{
    {"SEALPOST_RATE_LIMITS_REGISTRATION_PER_IP_BURST", "1000"},
    {"SEALPOST_RATE_LIMITS_BUNDLE_PER_REQUESTER_BURST", "100000"},
    {"SEALPOST_RATE_LIMITS_BUNDLE_PER_PAIR_BURST", "100000"},
    {"SEALPOST_DATABASE_POOL_SIZE", "8"}};

// Fills a device's pools to kKeysPerDevice EC and kPqKeysPerDevice PQ one-time keys.
void fill_pools(api_client& device, const test_identity& id) {
  for (int first = 0; first < kKeysPerDevice; first += 100) {
    auto r = device.call(
        http::verb::put, "/v1/keys",
        {{"one_time_prekeys", id.one_time_prekeys(static_cast<std::uint32_t>(first + 1), 100)}});
    REQUIRE(r.status == 204);
  }
  auto r = device.call(http::verb::put, "/v1/keys",
                       {{"pq_one_time_prekeys", id.pq_one_time_prekeys(1, kPqKeysPerDevice)}});
  REQUIRE(r.status == 204);
}

}  // namespace

TEST_CASE("concurrent bundle claims across two nodes hand out every key exactly once",
          "[keys][concurrency]") {
  test_database db;
  server_process node1(db.url(), kGenerousLimits);
  server_process node2(db.url(), kGenerousLimits);

  // One account with 5 devices; every device has its own identity and full pools.
  std::vector<test_identity> ids(kDevices);
  auto primary = register_account(node1.port(), ids[0], unique_username("target"), 0);
  std::deque<api_client> devices;  // api_client is not movable
  devices.emplace_back(node1.port(), primary);
  for (int d = 2; d <= kDevices; ++d) {
    auto token =
        devices[0].call(http::verb::post, "/v1/devices/link-tokens").json().at("token").as_string();
    const auto password = random_password();
    json::object body = ids[static_cast<std::size_t>(d - 1)].registration("x", password, 0);
    body.erase("username");
    body["link_token"] = token;
    auto linked =
        http_client(node2.port()).request(http::verb::post, "/v1/devices", json::serialize(body));
    REQUIRE(linked.status == 201);
    devices.emplace_back(
        node2.port(),
        device_login{primary.account_id,
                     static_cast<std::int32_t>(linked.json().at("device_id").as_int64()),
                     password});
  }
  for (int d = 0; d < kDevices; ++d)
    fill_pools(devices[static_cast<std::size_t>(d)], ids[static_cast<std::size_t>(d)]);

  // 32 requesters, alternating between the nodes.
  std::vector<device_login> requesters;
  for (int c = 0; c < kClients; ++c) {
    test_identity rid;
    requesters.push_back(
        register_account(c % 2 ? node1.port() : node2.port(), rid, unique_username("claimer"), 0));
  }

  std::mutex mutex;
  std::map<std::pair<std::int64_t, std::int64_t>, int> handed_out;     // (device, key) -> times
  std::map<std::pair<std::int64_t, std::int64_t>, int> pq_handed_out;  // PQ one-time keys
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      api_client client(c % 2 ? node1.port() : node2.port(),
                        requesters[static_cast<std::size_t>(c)]);
      std::set<std::int64_t> exhausted;
      for (int i = 0; exhausted.size() < kDevices; ++i) {
        const std::string target =
            (i % 7 == 0)
                ? "*"
                : std::to_string(
                      devices[static_cast<std::size_t>((c + i) % kDevices)].login().device_id);
        auto r = client.get("/v1/keys/" + primary.account_id + "/" + target);
        if (r.status != 200) {
          ++failures;
          return;
        }
        const auto body = r.json();
        std::lock_guard lock(mutex);
        for (const auto& dev : body.at("devices").as_array()) {
          const auto device_id = dev.at("device_id").as_int64();
          const auto& otk = dev.at("one_time_prekey");
          if (otk.is_null()) {
            exhausted.insert(device_id);
          } else {
            ++handed_out[{device_id, otk.at("key_id").as_int64()}];
          }
          const auto& pq = dev.at("pq_prekey");
          if (!pq.at("last_resort").as_bool())
            ++pq_handed_out[{device_id, pq.at("key_id").as_int64()}];
        }
      }
    });
  }
  for (auto& t : threads)
    t.join();
  REQUIRE(failures == 0);

  CHECK(handed_out.size() == static_cast<std::size_t>(kDevices * kKeysPerDevice));
  CHECK(pq_handed_out.size() == static_cast<std::size_t>(kDevices * kPqKeysPerDevice));
  int duplicates = 0;
  for (const auto& [key, times] : handed_out)
    duplicates += times - 1;
  for (const auto& [key, times] : pq_handed_out)
    duplicates += times - 1;
  CHECK(duplicates == 0);

  // Pools are empty, the counts endpoint agrees, and the last-resort key is what remains.
  api_client late(node1.port(), requesters[0]);
  auto after = late.get("/v1/keys/" + primary.account_id + "/*");
  REQUIRE(after.status == 200);
  const auto after_body = after.json();
  for (const auto& dev : after_body.at("devices").as_array()) {
    CHECK(dev.at("one_time_prekey").is_null());
    CHECK(dev.at("pq_prekey").at("last_resort").as_bool());
  }
  for (auto& d : devices) {
    auto status = d.get("/v1/keys/status").json();
    CHECK(status.at("one_time_prekeys").as_int64() == 0);
    CHECK(status.at("pq_one_time_prekeys").as_int64() == 0);
  }
}
