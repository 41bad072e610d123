// HTTP edge cases over real sockets: 404/405, limits, malformed requests, stalled clients,
// keep-alive. The server keeps serving others through all of them.
#include <catch2/catch.hpp>

#include "http_client.hpp"
#include "server_process.hpp"
#include "test_database.hpp"

using namespace sealpost::testing;

namespace {

struct fixture {
  test_database db;
  server_process server{db.url(),
                        {{"SEALPOST_HTTP_MAX_BODY_BYTES", "1024"},
                         {"SEALPOST_HTTP_MAX_HEADER_BYTES", "1024"},
                         {"SEALPOST_HTTP_IDLE_TIMEOUT_MS", "400"},
                         {"SEALPOST_HTTP_READ_TIMEOUT_MS", "400"}}};
};

}  // namespace

TEST_CASE("unknown path is 404 and wrong method is 405, both with JSON errors", "[http]") {
  fixture f;
  http_client client(f.server.port());
  auto missing = client.get("/v1/nope");
  CHECK(missing.status == 404);
  CHECK(missing.json().at("error").as_string() == "not_found");
  CHECK(missing.json().as_object().contains("message"));

  auto wrong = client.request(http::verb::post, "/healthz");
  CHECK(wrong.status == 405);
  CHECK(wrong.json().at("error").as_string() == "method_not_allowed");
  CHECK(wrong.headers.at("allow") == "GET");

  // Both answers kept the connection usable.
  CHECK(client.get("/healthz").status == 200);
}

TEST_CASE("keep-alive serves several requests on one connection", "[http]") {
  fixture f;
  auto exchange = send_raw(f.server.port(),
                           "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                           "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::size_t count = 0;
  for (std::size_t pos = 0; (pos = exchange.response.find("HTTP/1.1 200", pos)) != std::string::npos; ++pos) {
    ++count;
  }
  CHECK(count == 2);
  CHECK(exchange.closed_by_server);
}

TEST_CASE("a body over the limit gets 413 and the connection closes", "[http]") {
  fixture f;
  auto declared = send_raw(f.server.port(), "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" +
                                                std::string(5000, 'a'));
  CHECK_THAT(declared.response, Catch::StartsWith("HTTP/1.1 413"));
  CHECK_THAT(declared.response, Catch::Contains("\"error\":\"payload_too_large\""));
  CHECK(declared.closed_by_server);

  auto chunked = send_raw(f.server.port(),
                          "POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "800\r\n" + std::string(0x800, 'b') + "\r\n0\r\n\r\n");
  CHECK_THAT(chunked.response, Catch::StartsWith("HTTP/1.1 413"));
  CHECK(http_client(f.server.port()).get("/healthz").status == 200);
}

TEST_CASE("headers over the limit get 431", "[http]") {
  fixture f;
  auto big = send_raw(f.server.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " +
                                           std::string(2000, 'h') + "\r\n\r\n");
  CHECK_THAT(big.response, Catch::StartsWith("HTTP/1.1 431"));
  CHECK(big.closed_by_server);
}

TEST_CASE("malformed HTTP gets 400 and a closed connection", "[http]") {
  fixture f;
  for (std::string garbage : {std::string("NOT HTTP AT ALL\r\n\r\n"),
                              std::string("GET /healthz HTTP/9.9\r\n\r\n"),
                              std::string("GET /healthz HTTP/1.1\r\nBad Header\r\n\r\n"),
                              std::string("GET /healthz HTTP/1.1\r\nContent-Length: -3\r\n\r\n")}) {
    INFO(garbage);
    auto result = send_raw(f.server.port(), garbage);
    CHECK_THAT(result.response, Catch::StartsWith("HTTP/1.1 400"));
    CHECK(result.closed_by_server);
  }
  CHECK(http_client(f.server.port()).get("/healthz").status == 200);
}

TEST_CASE("a client that stalls mid-request is disconnected; others are served", "[http]") {
  fixture f;
  // Half a header, then silence: closed after http.idle_timeout_ms (400 ms here).
  auto header_stall = send_raw(f.server.port(), "GET /healthz HTTP/1.1\r\nHost:", std::chrono::seconds(10));
  CHECK(header_stall.closed_by_server);
  CHECK(header_stall.response.empty());

  // A body that never finishes: closed after http.read_timeout_ms.
  auto body_stall = send_raw(f.server.port(), "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc",
                             std::chrono::seconds(10));
  CHECK(body_stall.closed_by_server);

  CHECK(http_client(f.server.port()).get("/healthz").status == 200);
}
