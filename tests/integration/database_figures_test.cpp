// The gauges of figures about the whole database, read from the admin listener's /metrics:
// - devices low on one-time prekeys and out of them (sealpost_devices_low_on_prekeys,
//   sealpost_devices_without_prekeys, by kind), counted against keys.keys_low_watermark and
//   followed as claims drain the pools and uploads refill them;
// - the queue depth;
// - one node measures them per interval and the others report its figures
//   (storage/database_figures.hpp), so N nodes do not scan the same tables N times.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <pqxx/pqxx>
#include <regex>
#include <thread>

#include "api_client.hpp"
#include "server_process.hpp"
#include "test_database.hpp"
#include "wait_until.hpp"

using namespace sealpost::testing;
namespace json = boost::json;

namespace {

struct census {
  double ec_low = -1, pq_low = -1, ec_empty = -1, pq_empty = -1;
  bool operator==(const census&) const = default;
};

std::ostream& operator<<(std::ostream& os, const census& c) {
  return os << "{low ec " << c.ec_low << " pq " << c.pq_low << ", empty ec " << c.ec_empty << " pq "
            << c.pq_empty << "}";
}

double sample(const std::string& exposition, const std::string& series) {
  const std::regex line("(^|\n)" + std::regex_replace(series, std::regex(R"([{}"])"), R"(\$&)") +
                        " ([0-9.e+-]+)");
  std::smatch m;
  return std::regex_search(exposition, m, line) ? std::stod(m[2]) : -1;
}

census scrape(std::uint16_t admin_port) {
  const auto body = http_client(admin_port).get("/metrics").body;
  return {sample(body, R"(sealpost_devices_low_on_prekeys{kind="ec"})"),
          sample(body, R"(sealpost_devices_low_on_prekeys{kind="pq"})"),
          sample(body, R"(sealpost_devices_without_prekeys{kind="ec"})"),
          sample(body, R"(sealpost_devices_without_prekeys{kind="pq"})")};
}

// The gauges refresh on a timer (100 ms here): waits up to 5 s for the expected values.
census await_census(std::uint16_t admin_port, const census& expected) {
  census seen;
  for (int i = 0; i < 50; ++i) {
    seen = scrape(admin_port);
    if (seen == expected)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return seen;
}

double metric(std::uint16_t admin_port, const std::string& series) {
  return sample(http_client(admin_port).get("/metrics").body, series);
}

constexpr const char* kQueueTotal = "sealpost_queue_depth_envelopes";
constexpr const char* kQueueDeepest = "sealpost_queue_deepest_envelopes";
constexpr const char* kQueueMeasurements =
    R"(sealpost_database_figure_measurements_total{figure="queue_depth"})";
constexpr const char* kCensusMeasurements =
    R"(sealpost_database_figure_measurements_total{figure="prekey_census"})";
constexpr const char* kQueueMeasuredAt =
    R"(sealpost_database_figures_measured_timestamp_seconds{figure="queue_depth"})";

// Waits up to 5 s for `series` on the node to read `expected`.
bool await_metric(std::uint16_t admin_port, const std::string& series, double expected) {
  return wait_until([&] { return metric(admin_port, series) == expected; },
                    std::chrono::seconds(5));
}

void send_envelopes(api_client& from, const device_login& to, int count) {
  for (int i = 0; i < count; ++i) {
    const json::object body{{"timestamp", 1},
                            {"messages", json::array{{{"device_id", 1},
                                                      {"registration_id", 1234},
                                                      {"type", 1},
                                                      {"content", b64(std::string("sealed"))}}}}};
    REQUIRE(from.call(http::verb::put, "/v1/messages/" + to.account_id, body).status == 200);
  }
}

void claim(api_client& from, const device_login& owner, int times) {
  for (int i = 0; i < times; ++i)
    REQUIRE(from.get("/v1/keys/" + owner.account_id + "/1").status == 200);
}

}  // namespace

TEST_CASE("devices low on and out of one-time prekeys are counted per kind against the watermark",
          "[metrics]") {
  test_database db;
  server_process server(db.url(), {{"SEALPOST_METRICS_DATABASE_REFRESH_MS", "100"},
                                   {"SEALPOST_KEYS_KEYS_LOW_WATERMARK", "3"}});
  test_identity alice_id, bob_id, carol_id;
  // Registration gives each device as many PQ one-time keys as EC ones.
  const auto alice = register_account(server.port(), alice_id, unique_username("alice"), 0);
  const auto bob = register_account(server.port(), bob_id, unique_username("bob"), 2);
  const auto carol = register_account(server.port(), carol_id, unique_username("carol"), 5);
  // alice (0) is empty and low, bob (2) is low, carol (5) is neither.
  CHECK(await_census(server.admin_port(), {2, 2, 1, 1}) == census{2, 2, 1, 1});

  api_client a(server.port(), alice);
  claim(a, bob, 2);  // bob 0 and 0: empty too
  CHECK(await_census(server.admin_port(), {2, 2, 2, 2}) == census{2, 2, 2, 2});

  // carol gets 5 more EC keys only, then 3 claims: EC 10 -> 7, PQ 5 -> 2, so only her PQ
  // pool is low. The kinds are counted apart.
  api_client c(server.port(), carol);
  REQUIRE(
      c.call(http::verb::put, "/v1/keys", {{"one_time_prekeys", carol_id.one_time_prekeys(100, 5)}})
          .status == 204);
  claim(a, carol, 3);
  CHECK(await_census(server.admin_port(), {2, 3, 2, 2}) == census{2, 3, 2, 2});

  // alice refills both pools to the watermark: no longer low, no longer empty.
  REQUIRE(a.call(http::verb::put, "/v1/keys",
                 {{"one_time_prekeys", alice_id.one_time_prekeys(1, 3)},
                  {"pq_one_time_prekeys", alice_id.pq_one_time_prekeys(1, 3)}})
              .status == 204);
  CHECK(await_census(server.admin_port(), {1, 2, 1, 1}) == census{1, 2, 1, 1});
}

TEST_CASE("a node reports the figures another node measured within its interval", "[metrics]") {
  test_database db;
  server_process measuring(db.url(), {{"SEALPOST_METRICS_DATABASE_REFRESH_MS", "100"},
                                      {"SEALPOST_KEYS_KEYS_LOW_WATERMARK", "3"}});
  test_identity alice_id, bob_id;
  const auto alice = register_account(measuring.port(), alice_id, unique_username("alice"), 0);
  const auto bob = register_account(measuring.port(), bob_id, unique_username("bob"), 2);
  api_client a(measuring.port(), alice);
  send_envelopes(a, bob, 3);
  REQUIRE(await_metric(measuring.admin_port(), kQueueTotal, 3));
  REQUIRE(await_census(measuring.admin_port(), {2, 2, 1, 1}) == census{2, 2, 1, 1});
  CHECK(metric(measuring.admin_port(), kQueueMeasurements) > 0);

  // A node that refreshes once an hour finds, at its start, figures measured less than
  // 100 ms ago: it reports them without a scan of its own.
  server_process reading(db.url(), {{"SEALPOST_METRICS_DATABASE_REFRESH_MS", "3600000"},
                                    {"SEALPOST_KEYS_KEYS_LOW_WATERMARK", "3"}});
  CHECK(await_metric(reading.admin_port(), kQueueTotal, 3));
  CHECK(metric(reading.admin_port(), kQueueDeepest) == 3);
  CHECK(scrape(reading.admin_port()) == census{2, 2, 1, 1});
  CHECK(metric(reading.admin_port(), kQueueMeasurements) == 0);
  CHECK(metric(reading.admin_port(), kCensusMeasurements) == 0);
  CHECK(metric(reading.admin_port(), kQueueMeasuredAt) > 0);

  // Another watermark is another census: a node counting against 1 measures its own.
  server_process other_watermark(db.url(), {{"SEALPOST_METRICS_DATABASE_REFRESH_MS", "3600000"},
                                            {"SEALPOST_KEYS_KEYS_LOW_WATERMARK", "1"}});
  CHECK(await_census(other_watermark.admin_port(), {1, 1, 1, 1}) == census{1, 1, 1, 1});
  CHECK(metric(other_watermark.admin_port(), kCensusMeasurements) == 1);
  CHECK(metric(other_watermark.admin_port(), kQueueMeasurements) == 0);
}

TEST_CASE("while another node measures, nodes report the figures measured last", "[metrics]") {
  test_database db;
  server_process server(db.url(), {{"SEALPOST_METRICS_DATABASE_REFRESH_MS", "100"}});
  test_identity alice_id, bob_id;
  const auto alice = register_account(server.port(), alice_id, unique_username("alice"), 0);
  const auto bob = register_account(server.port(), bob_id, unique_username("bob"), 0);
  api_client a(server.port(), alice);
  send_envelopes(a, bob, 2);
  REQUIRE(await_metric(server.admin_port(), kQueueTotal, 2));

  // This transaction holds the lock a measuring node holds (storage/database_figures.cpp).
  pqxx::connection conn(db.url());
  pqxx::work measuring(conn);
  measuring.exec("SELECT pg_advisory_xact_lock(x'05EA1F16'::int, hashtext('queue_depth'))");
  send_envelopes(a, bob, 3);
  const double measurements = metric(server.admin_port(), kQueueMeasurements);
  std::this_thread::sleep_for(std::chrono::seconds(1));  // 10 intervals
  CHECK(metric(server.admin_port(), kQueueTotal) == 2);
  CHECK(metric(server.admin_port(), kQueueMeasurements) == measurements);

  measuring.abort();
  CHECK(await_metric(server.admin_port(), kQueueTotal, 5));
  CHECK(metric(server.admin_port(), kQueueDeepest) == 5);
  CHECK(metric(server.admin_port(), kQueueMeasurements) > measurements);
}
