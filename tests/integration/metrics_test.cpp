// Operators' view: traffic through a server moves the matching counters by the right
// amounts, as seen through a real Prometheus scrape; promtool accepts the exposition.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include "api_client.hpp"
#include "server_process.hpp"
#include "test_database.hpp"
#include "ws_client.hpp"

extern char** environ;

using namespace sealpost::testing;
namespace json = boost::json;

namespace {

std::uint16_t free_port() {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

// A child process killed on destruction.
class child {
 public:
  explicit child(std::vector<std::string> args) {
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    if (posix_spawnp(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0)
      pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~child() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  bool started() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
};

int run_with_stdin(const std::string& command, const std::string& input) {
  FILE* p = popen(command.c_str(), "w");
  if (p == nullptr)
    return -1;
  fwrite(input.data(), 1, input.size(), p);
  return WEXITSTATUS(pclose(p));
}

// The value Prometheus holds for `query` (a single series), or -1 when it has none yet.
double prometheus_value(std::uint16_t port, const std::string& query) {
  std::string encoded;
  for (unsigned char c : query) {
    if (std::isalnum(c)) {
      encoded.push_back(static_cast<char>(c));
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      encoded += buf;
    }
  }
  try {
    auto res = http_client(port).get("/api/v1/query?query=" + encoded);
    if (res.status != 200)
      return -1;
    auto result = res.json().at("data").at("result").as_array();
    if (result.size() != 1)
      return -1;
    return std::stod(std::string(result[0].at("value").as_array()[1].as_string()));
  } catch (const std::exception&) {
    return -1;  // Prometheus not up yet
  }
}

// Waits (bounded) until Prometheus reports `expected` for `query`; returns the last value.
double await_value(std::uint16_t port, const std::string& query, double expected) {
  double value = -1;
  for (int i = 0; i < 150 && value != expected; ++i) {
    value = prometheus_value(port, query);
    if (value != expected)
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return value;
}

}  // namespace

TEST_CASE("traffic moves the counters by the right amounts, through a real Prometheus scrape",
          "[metrics]") {
  test_database db;
  server_process server(db.url(), {{"SEALPOST_RATE_LIMITS_BUNDLE_PER_PAIR_BURST", "3"},
                                   {"SEALPOST_RATE_LIMITS_BUNDLE_PER_PAIR_PER_MINUTE", "1"}});
  test_identity a_id, b_id;
  auto alice = register_account(server.port(), a_id, unique_username("alice"), 0);
  auto bob = register_account(server.port(), b_id, unique_username("bob"), 2);
  api_client a(server.port(), alice);

  // 3 bundle claims: 2 one-time keys, then an empty pool (EC) and one PQ last-resort serve.
  for (int i = 0; i < 3; ++i)
    REQUIRE(a.get("/v1/keys/" + bob.account_id + "/1").status == 200);
  CHECK(a.get("/v1/keys/" + bob.account_id + "/1").status == 429);
  // One failed authentication.
  CHECK(api_client(server.port(), {alice.account_id, 1, "wrong-password-wrong"})
            .get("/v1/keys/status")
            .status == 401);
  // 4 envelopes, delivered and acked over a WebSocket.
  ws_client ws(server.port(), bob);
  for (int i = 0; i < 4; ++i) {
    json::object body{{"timestamp", 1},
                      {"messages", json::array{{{"device_id", 1},
                                                {"registration_id", 1234},
                                                {"type", 1},
                                                {"content", b64(std::string("ciphertext"))}}}}};
    REQUIRE(a.call(http::verb::put, "/v1/messages/" + bob.account_id, body).status == 200);
  }
  int delivered = 0;
  while (delivered < 4) {
    auto frame = ws.next();
    REQUIRE(frame.has_value());
    if (!frame->has_delivery())
      continue;
    ws.ack({frame->delivery().guid()});
    ++delivered;
  }

  // promtool accepts the exposition as it is.
  auto exposition = http_client(server.admin_port()).get("/metrics");
  REQUIRE(exposition.status == 200);
  CHECK(run_with_stdin("promtool check metrics >/dev/null 2>&1", exposition.body) == 0);

  // A real Prometheus scrapes the admin listener once a second.
  char dir_template[] = "/tmp/sealpost-prom-XXXXXX";
  REQUIRE(mkdtemp(dir_template) != nullptr);
  const std::string dir = dir_template;
  std::ofstream(dir + "/prometheus.yml") << "global:\n  scrape_interval: 1s\nscrape_configs:\n"
                                            "  - job_name: sealpost\n    static_configs:\n"
                                            "      - targets: ['127.0.0.1:"
                                         << server.admin_port() << "']\n";
  const auto prom_port = free_port();
  child prometheus({"prometheus", "--config.file=" + dir + "/prometheus.yml",
                    "--storage.tsdb.path=" + dir + "/data",
                    "--web.listen-address=127.0.0.1:" + std::to_string(prom_port)});
  REQUIRE(prometheus.started());

  CHECK(await_value(prom_port, "sealpost_envelopes_total{event=\"enqueued\"}", 4) == 4);
  CHECK(await_value(prom_port, "sealpost_envelopes_total{event=\"delivered\"}", 4) == 4);
  CHECK(await_value(prom_port, "sealpost_envelopes_total{event=\"acked\"}", 4) == 4);
  CHECK(await_value(prom_port, "sealpost_prekey_claims_total{kind=\"ec\"}", 2) == 2);
  CHECK(await_value(prom_port, "sealpost_prekey_pool_empty_total{kind=\"ec\"}", 1) == 1);
  CHECK(await_value(prom_port, "sealpost_prekey_last_resort_served_total", 1) == 1);
  CHECK(await_value(prom_port, "sealpost_rate_limited_total{limiter=\"bundle_per_pair\"}", 1) == 1);
  CHECK(await_value(prom_port, "sealpost_auth_failures_total", 1) == 1);
  CHECK(await_value(prom_port,
                    "sealpost_http_requests_total{route=\"/v1/messages/"
                    "{account_id}\",method=\"PUT\",status=\"200\"}",
                    4) == 4);
  CHECK(await_value(prom_port, "sealpost_open_websockets", 1) == 1);
  CHECK(await_value(prom_port, "sealpost_build_info", 1) == 1);
  // The node's own readiness check (as /readyz) and the pool's ceiling.
  CHECK(await_value(prom_port, "sealpost_ready", 1) == 1);
  CHECK(await_value(prom_port, "sealpost_ack_delay_seconds_count", 4) == 4);  // each ack timed
  CHECK(await_value(prom_port, "sealpost_db_pool_size", 4) == 4);  // server_process sets 4
  // No label anywhere carries an account id.
  CHECK(exposition.body.find(alice.account_id) == std::string::npos);
  CHECK(exposition.body.find(bob.account_id) == std::string::npos);
  std::filesystem::remove_all(dir);
}
