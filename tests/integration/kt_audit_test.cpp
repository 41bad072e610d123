// The auditor feed (DESIGN.md, "REST": GET /v1/kt/audit; draft §15.2): a third party that
// replays every AuditorUpdate from entry 0 rebuilds the prefix tree and the log tree, checks
// each proof against the previous entry's root, and arrives at the root the newest signed head
// signs. Served on the admin listener by default, on the public one with kt.audit_feed=public.
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "api_client.hpp"
#include "encoding/base64.hpp"
#include "keytrans/auditor_update.hpp"
#include "keytrans/log_tree.hpp"
#include "keytrans/tree_head.hpp"
#include "server_process.hpp"
#include "test_database.hpp"
#include "wait_until.hpp"

using namespace sealpost::testing;
namespace json = boost::json;
namespace kt = sealpost::keytrans;

namespace {

kt::bytes decode(const json::value& v) {
  const auto raw = sealpost::encoding::base64_decode(std::string(v.as_string()));
  REQUIRE(raw);
  return kt::bytes(raw->begin(), raw->end());
}

std::uint64_t u64(const json::value& v) {
  return v.is_uint64() ? v.as_uint64() : static_cast<std::uint64_t>(v.as_int64());
}

// An auditor's whole state: the prefix tree (kept in full here; §15.2 needs only its root)
// and the log's full subtrees.
struct auditor {
  kt::prefix_tree prefix;
  kt::log_full_subtree_state log{0, {}};
  std::uint64_t previous_timestamp = 0;

  void apply(const kt::auditor_update& update) {
    REQUIRE(update.timestamp >= previous_timestamp);
    REQUIRE(update.removed.empty());
    std::vector<kt::prefix_search_key> keys;
    std::vector<kt::prefix_claim> absent;
    for (const auto& leaf : update.added) {
      if (!keys.empty())
        REQUIRE(keys.back() < leaf.vrf_output);
      keys.push_back(leaf.vrf_output);
      absent.emplace_back(std::nullopt);
    }
    // Every added key was absent from the previous entry's tree.
    const auto root = kt::evaluate_prefix_proof(keys, update.proof, absent);
    REQUIRE(root);
    CHECK(*root == prefix.root());
    for (const auto& leaf : update.added)
      REQUIRE(prefix.insert(leaf));
    const auto appended =
        kt::log_append_leaf(log, kt::log_leaf_value({update.timestamp, prefix.root()}));
    REQUIRE(appended);
    log = appended->state;
    previous_timestamp = update.timestamp;
  }
};

}  // namespace

TEST_CASE("key transparency: an auditor replaying the feed reaches the signed head", "[kt]") {
  test_database db;
  server_process server(db.url(), {{"SEALPOST_KT_BATCH_INTERVAL_MS", "20"},
                                   {"SEALPOST_KT_CONFIRM_WAIT_MS", "10000"}});
  for (int i = 0; i < 6; ++i)
    register_account(server.port(), test_identity(), unique_username("audit"));

  http_client admin(server.admin_port());
  CHECK(admin.get("/v1/kt/audit").status == 400);  // start is required
  CHECK(admin.get("/v1/kt/audit?start=0&limit=1001").status == 400);
  CHECK(http_client(server.port()).get("/v1/kt/audit?start=0").status == 404);  // admin only

  // The head first: the replay below passes its size on the way to the feed's.
  auto config = http_client(server.port()).get("/v1/kt/config").json();
  auto head = http_client(server.port()).get("/v1/kt/head").json();
  const auto& signed_head = head.at("proof").at("head");
  const auto head_size = u64(signed_head.at("tree_size"));
  std::optional<kt::log_hash> root_at_head;

  auditor a;
  std::uint64_t start = 0;
  std::uint64_t tree_size = 0;
  bool more = true;
  while (more) {
    auto res = admin.get("/v1/kt/audit?start=" + std::to_string(start) + "&limit=3");
    REQUIRE(res.status == 200);
    const auto body = res.json();
    tree_size = u64(body.at("tree_size"));
    for (const auto& e : body.at("entries").as_array()) {
      REQUIRE(u64(e.at("position")) == start);
      const auto update = kt::decode_auditor_update(decode(e.at("update")));
      REQUIRE(update);
      a.apply(*update);
      ++start;
      if (a.log.size == head_size)
        root_at_head = kt::log_root_from_full_subtrees(a.log);
    }
    more = body.at("more").as_bool();
  }
  REQUIRE(a.log.size == tree_size);
  REQUIRE(tree_size >= 7);  // the first heartbeat and one entry per registration at least

  // The head verifies over the root the auditor computed for its size.
  REQUIRE(root_at_head);
  CHECK(kt::p256_verify(
      decode(config.at("signature_public_key")),
      kt::encode_tree_head_tbs(decode(config.at("configuration")), head_size, *root_at_head),
      decode(signed_head.at("signature"))));
}

TEST_CASE("key transparency: kt.audit_feed=public serves the feed on the public listener", "[kt]") {
  test_database db;
  server_process server(db.url(), {{"SEALPOST_KT_AUDIT_FEED", "public"}});
  REQUIRE(wait_until(
      [&] { return http_client(server.port()).get("/v1/kt/audit?start=0").status == 200; },
      std::chrono::seconds(10)));
  CHECK(http_client(server.admin_port()).get("/v1/kt/audit?start=0").status == 404);
}
