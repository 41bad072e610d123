// The operator's dashboard against a live node: a server under a little load, scraped by a
// real Prometheus, and every panel expression of deploy/grafana/dashboards/sealpost.json run
// through Prometheus's query API. Each must parse and have something to draw, so that a
// renamed metric or label, a wrong grouping or a series that only appears after a fault
// shows up here rather than as an empty panel during an incident.
#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string_view>
#include <thread>

#include "api_client.hpp"
#include "prometheus_server.hpp"
#include "server_process.hpp"
#include "test_database.hpp"
#include "ws_client.hpp"

using namespace sealpost::testing;
namespace json = boost::json;

namespace {

using clock_type = std::chrono::steady_clock;

// ---- The dashboard's expressions ------------------------------------------------------

struct panel_query {
  std::string panel;  // its title
  std::string ref_id;
  std::string expr;  // as in the JSON, with Grafana's variables
};

json::value read_dashboard() {
  const std::string path = SEALPOST_SOURCE_DIR "/deploy/grafana/dashboards/sealpost.json";
  std::ifstream in(path);
  INFO(path);
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

// Every target's expression, rows included (a collapsed row holds its panels inside it).
void collect_queries(const json::array& panels, std::vector<panel_query>& out) {
  for (const auto& p : panels) {
    const auto& panel = p.as_object();
    if (const auto* inner = panel.if_contains("panels"))
      collect_queries(inner->as_array(), out);
    const auto* targets = panel.if_contains("targets");
    if (targets == nullptr)
      continue;
    for (const auto& t : targets->as_array()) {
      out.push_back({std::string(panel.at("title").as_string()),
                     std::string(t.at("refId").as_string()),
                     std::string(t.at("expr").as_string())});
    }
  }
}

// Grafana's built-in variables, filled with durations that fit a 1 s scrape. The rate
// window is longer than Grafana's pick (4 scrapes) so that it holds every scrape of the
// test's run: each rate spans the whole load, however long the queries below take.
std::string as_promql(std::string expr) {
  static constexpr std::pair<std::string_view, std::string_view> variables[] = {
      {"$__rate_interval", "30s"}, {"$__interval", "2s"}, {"$__range", "30s"}};
  for (const auto& [name, value] : variables) {
    for (auto at = expr.find(name); at != std::string::npos; at = expr.find(name, at))
      expr.replace(at, name.size(), value);
  }
  return expr;
}

// Expressions that cannot have data on a healthy node in a short test. They still must
// parse. Keep this list short: a series that is merely absent until its first event is
// better initialized at zero by the server.
struct exemption {
  std::string_view panel, ref_id, why;
};
constexpr exemption kNoDataExpected[] = {
    {"HTTP responses by route and status class", "B",
     "3xx: the server never answers with a redirect"},
};

const exemption* exemption_for(const panel_query& q) {
  for (const auto& e : kNoDataExpected) {
    if (e.panel == q.panel && e.ref_id == q.ref_id)
      return &e;
  }
  return nullptr;
}

// ---- Asking Prometheus ------------------------------------------------------------------

// Something to draw: a vector with a sample that is a number. (histogram_quantile over a
// window without observations gives NaN, a gap on the graph.)
bool has_data(const prometheus_answer& a) {
  if (a.status != "success" || a.result_type != "vector")
    return false;
  for (const auto& series : a.result) {
    const auto& sample = series.at("value").as_array();
    if (!std::isnan(std::stod(std::string(sample.at(1).as_string()))))
      return true;
  }
  return false;
}

// Asks until the answer has data, Prometheus refuses the query (that will not change), or
// `deadline` passes; returns the last answer.
prometheus_answer await_data(const prometheus_server& prometheus, const std::string& promql,
                             clock_type::time_point deadline) {
  for (;;) {
    auto answer = prometheus.query(promql);
    if (has_data(answer) || answer.status == "error" || clock_type::now() >= deadline)
      return answer;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

void check_query(const prometheus_server& prometheus, const panel_query& q,
                 clock_type::time_point deadline) {
  const std::string promql = as_promql(q.expr);
  INFO("panel '" << q.panel << "' target " << q.ref_id << ": " << q.expr);
  if (promql.find('$') != std::string::npos) {
    FAIL_CHECK("the expression uses a dashboard variable the test cannot fill");
    return;
  }
  const auto* exempt = exemption_for(q);
  // An exempt query is asked once: it only has to parse.
  INFO("exempt from having data: " << (exempt != nullptr ? exempt->why : "no"));
  const auto answer =
      exempt != nullptr ? prometheus.query(promql) : await_data(prometheus, promql, deadline);
  INFO("Prometheus: " << (answer.error.empty()
                              ? answer.result_type + " " + json::serialize(answer.result)
                              : answer.status + " " + answer.error));
  CHECK(answer.status == "success");
  if (answer.status == "success" && exempt == nullptr)
    CHECK(has_data(answer));
}

// ---- The load ---------------------------------------------------------------------------

http_result send_one(api_client& from, const std::string& to_account, const std::string& text) {
  json::object body{
      {"timestamp", 1},
      {"messages",
       json::array{
           {{"device_id", 1}, {"registration_id", 1234}, {"type", 1}, {"content", b64(text)}}}}};
  return from.call(http::verb::put, "/v1/messages/" + to_account, body);
}

// Bundle claims: the two one-time keys, an empty pool (served the last-resort key), then
// the per-pair limiter's 429.
void claim_until_limited(api_client& claimer, const device_login& target) {
  const std::string path = "/v1/keys/" + target.account_id + "/1";
  for (int i = 0; i < 3; ++i)
    REQUIRE(claimer.get(path).status == 200);
  REQUIRE(claimer.get(path).status == 429);
}

// A device's queue limit the test sets: the live device never comes near it (its acks are
// applied asynchronously, so its queue may hold every live envelope at once), the offline
// one reaches it.
constexpr int kQueueLimit = 8;
constexpr int kLiveRound = 3;  // live envelopes per round; two rounds stay under the limit
static_assert(2 * kLiveRound < kQueueLimit);

// Sends to an offline device until its queue is full: the 507 is the load's one 5xx.
void fill_queue(api_client& sender, const device_login& offline) {
  for (int i = 0; i < kQueueLimit; ++i)
    REQUIRE(send_one(sender, offline.account_id, "queued").status == 200);
  REQUIRE(send_one(sender, offline.account_id, "one too many").status == 507);
}

// `n` envelopes sent over HTTP to a device whose socket is open, each delivered live and
// acked before the next is sent.
void send_live(api_client& sender, const device_login& to, ws_client& socket, int n) {
  for (int i = 0; i < n; ++i) {
    REQUIRE(send_one(sender, to.account_id, "live").status == 200);
    for (;;) {
      auto frame = socket.next();
      REQUIRE(frame.has_value());
      if (frame->has_delivery()) {
        socket.ack({frame->delivery().guid()});
        break;
      }
    }
  }
}

}  // namespace

TEST_CASE("every dashboard expression parses and has data, through a real Prometheus",
          "[metrics][dashboard]") {
  const auto dashboard = read_dashboard();
  std::vector<panel_query> queries;
  collect_queries(dashboard.at("panels").as_array(), queries);
  REQUIRE(queries.size() > 10);

  test_database db;
  // Small limits so that the load reaches a 429 and a 507 in a few requests.
  server_process server(db.url(),
                        {{"SEALPOST_RATE_LIMITS_BUNDLE_PER_PAIR_BURST", "3"},
                         {"SEALPOST_RATE_LIMITS_BUNDLE_PER_PAIR_PER_MINUTE", "1"},
                         {"SEALPOST_MESSAGES_MAX_QUEUE_PER_DEVICE", std::to_string(kQueueLimit)}});
  prometheus_server prometheus(server.admin_port());
  // A first scrape before any load: a rate needs a sample from before the increase.
  if (prometheus.await_value("sealpost_build_info", 1) != 1)
    FAIL("Prometheus never scraped the node; its log:\n" << prometheus.log_tail());

  test_identity alice_id, bob_id, carol_id;
  const auto alice = register_account(server.port(), alice_id, unique_username("alice"), 0);
  const auto bob = register_account(server.port(), bob_id, unique_username("bob"), 2);
  const auto carol = register_account(server.port(), carol_id, unique_username("carol"), 0);
  api_client a(server.port(), alice);
  claim_until_limited(a, bob);
  CHECK(api_client(server.port(), {alice.account_id, 1, "wrong-password-wrong"})
            .get("/v1/keys/status")
            .status == 401);
  fill_queue(a, carol);
  ws_client bob_socket(server.port(), bob);
  drain_until_queue_empty(bob_socket);  // later envelopes are live deliveries
  send_live(a, bob, bob_socket, kLiveRound);
  REQUIRE(prometheus.await_value("sealpost_envelopes_total{event=\"acked\"}", kLiveRound) ==
          kLiveRound);
  // More of the same once Prometheus has seen the first round: the series that round
  // created (per route, per status) now have a sample before an increase too, so their
  // rates are above zero and latency quantiles are numbers.
  send_live(a, bob, bob_socket, kLiveRound);
  REQUIRE(prometheus.await_value("sealpost_envelopes_total{event=\"acked\"}", 2 * kLiveRound) ==
          2 * kLiveRound);

  const auto deadline = clock_type::now() + std::chrono::seconds(20);
  for (const auto& q : queries)
    check_query(prometheus, q, deadline);
  // A stale exemption (its panel renamed or gone) would hide nothing: drop it.
  for (const auto& e : kNoDataExpected) {
    INFO("exempt: panel '" << e.panel << "' target " << e.ref_id);
    CHECK(std::any_of(queries.begin(), queries.end(),
                      [&](const panel_query& q) { return exemption_for(q) == &e; }));
  }
}
