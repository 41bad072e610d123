// The network layer's pure parts: server URLs, guid text, and the mapping of API error
// answers to exception types. (Its base64 is tested in tests/unit/common/encoding/.)
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "net/api_types.hpp"
#include "net/errors.hpp"
#include "net/server_address.hpp"

using namespace sealpost::client::net;

TEST_CASE("client net: server URLs", "[net]") {
  server_address a = parse_server_url("http://127.0.0.1:8080");
  CHECK_FALSE(a.tls);
  CHECK(a.host == "127.0.0.1");
  CHECK(a.port == 8080);
  CHECK(a.path_prefix.empty());
  CHECK(a.to_string() == "http://127.0.0.1:8080");

  a = parse_server_url("https://relay.example/sealpost/");
  CHECK(a.tls);
  CHECK(a.port == 443);
  CHECK(a.path_prefix == "/sealpost");
  CHECK(a.host_header() == "relay.example:443");

  a = parse_server_url("http://[::1]:9000");
  CHECK(a.host == "::1");
  CHECK(a.host_header() == "[::1]:9000");

  for (const char* bad :
       {"127.0.0.1:8080", "ftp://x", "http://", "http://:80", "http://h:0", "http://h:99999",
        "http://h:80x", "http://u:p@h", "http://h/?q", "http://[::1"}) {
    INFO(bad);
    CHECK_THROWS_AS(parse_server_url(bad), std::invalid_argument);
  }
}

TEST_CASE("client net: guids as UUID text", "[net]") {
  const auto id = guid_from_text("0b0cc9aa-1d00-4000-8000-0000000000ff");
  REQUIRE(id.has_value());
  CHECK((*id)[0] == 0x0b);
  CHECK((*id)[15] == 0xff);
  CHECK(guid_to_text(*id) == "0b0cc9aa-1d00-4000-8000-0000000000ff");
  CHECK_FALSE(guid_from_text("0B0CC9AA-1D00-4000-8000-0000000000FF").has_value());
  CHECK_FALSE(guid_from_text("0b0cc9aa1d0040008000-0000000000ff00").has_value());
  CHECK_FALSE(is_canonical_uuid(""));
}

TEST_CASE("client net: error answers become typed exceptions", "[net]") {
  try {
    throw_api_error(409,
                    R"({"error":"mismatched_devices","message":"m","missing_devices":[3,4],)"
                    R"("extra_devices":[2]})",
                    "");
  } catch (const mismatched_devices_error& e) {
    CHECK(e.status() == 409);
    CHECK(e.missing_devices() == std::vector<std::uint32_t>{3, 4});
    CHECK(e.extra_devices() == std::vector<std::uint32_t>{2});
  }
  try {
    throw_api_error(410, R"({"error":"stale_devices","message":"m","stale_devices":[5]})", "");
  } catch (const stale_devices_error& e) {
    CHECK(e.stale_devices() == std::vector<std::uint32_t>{5});
  }
  try {
    throw_api_error(429, R"({"error":"rate_limited","message":"slow down"})", "12");
  } catch (const rate_limited_error& e) {
    CHECK(e.retry_after() == std::chrono::seconds(12));
    CHECK(std::string(e.what()) == "slow down (HTTP 429 rate_limited)");
  }
  CHECK_THROWS_AS(throw_api_error(401, R"({"error":"unauthorized","message":"x"})", ""),
                  unauthorized_error);
  try {
    throw_api_error(502, "<html>bad gateway</html>", "");
  } catch (const api_error& e) {
    CHECK(e.status() == 502);
    CHECK(e.code() == "http_502");
  }
  try {
    throw_api_error(409, R"({"error":"username_taken","message":"that username is taken"})", "");
  } catch (const api_error& e) {
    CHECK(e.code() == "username_taken");
    CHECK(std::string(e.what()) == "that username is taken (HTTP 409 username_taken)");
  }
}
