// Routing: literal and captured segments, 404 versus 405, query strings ignored.
#include <catch2/catch.hpp>

#include "net/request_context.hpp"
#include "net/router.hpp"

using namespace sealpost::net;

namespace {

boost::asio::awaitable<response> nothing(request_context&) { co_return response{}; }

router sample() {
  router r;
  r.add({http::verb::get, "/v1/keys/{account_id}/{device_id}", nothing});
  r.add({http::verb::put, "/v1/keys", nothing});
  r.add({http::verb::get, "/v1/keys/status", nothing});
  r.add({http::verb::delete_, "/v1/messages/{guid}", nothing});
  return r;
}

}  // namespace

TEST_CASE("captures are bound by name", "[router]") {
  auto r = sample();
  auto m = r.match(http::verb::get, "/v1/keys/abc/7?x=1");
  REQUIRE(m.matched != nullptr);
  CHECK(m.matched->pattern == "/v1/keys/{account_id}/{device_id}");
  CHECK(m.params.at("account_id") == "abc");
  CHECK(m.params.at("device_id") == "7");
}

TEST_CASE("unknown path is 404 and known path with wrong method is 405", "[router]") {
  auto r = sample();
  auto unknown = r.match(http::verb::get, "/v1/nothing");
  CHECK(unknown.matched == nullptr);
  CHECK(unknown.allowed.empty());

  auto wrong = r.match(http::verb::post, "/v1/keys");
  CHECK(wrong.matched == nullptr);
  REQUIRE(wrong.allowed.size() == 1);
  CHECK(wrong.allowed[0] == http::verb::put);
}

TEST_CASE("empty captures, extra segments and relative targets do not match", "[router]") {
  auto r = sample();
  CHECK(r.match(http::verb::delete_, "/v1/messages/").matched == nullptr);
  CHECK(r.match(http::verb::delete_, "/v1/messages/a/b").matched == nullptr);
  CHECK(r.match(http::verb::get, "v1/keys/status").matched == nullptr);
  CHECK(r.match(http::verb::get, "").matched == nullptr);
  CHECK(r.match(http::verb::get, "/v1/keys/status").matched->pattern == "/v1/keys/status");
}

TEST_CASE("a literal segment beats a capture whatever the order", "[router]") {
  router r;
  r.add({http::verb::delete_, "/v1/accounts/{account_id}", nothing});
  r.add({http::verb::delete_, "/v1/accounts/me", nothing});
  CHECK(r.match(http::verb::delete_, "/v1/accounts/me").matched->pattern == "/v1/accounts/me");
  CHECK(r.match(http::verb::delete_, "/v1/accounts/x").params.at("account_id") == "x");
}
