// HTTP edge cases over real sockets: 404/405, limits, malformed requests, stalled and
// trickling clients, per-address connection caps, keep-alive. The server keeps serving
// others through all of them.
#include <sys/socket.h>

#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <thread>

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
  for (std::size_t pos = 0;
       (pos = exchange.response.find("HTTP/1.1 200", pos)) != std::string::npos; ++pos) {
    ++count;
  }
  CHECK(count == 2);
  CHECK(exchange.closed_by_server);
}

TEST_CASE("a body over the limit gets 413 and the connection closes", "[http]") {
  fixture f;
  auto declared = send_raw(
      f.server.port(),
      "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'a'));
  CHECK_THAT(declared.response, Catch::StartsWith("HTTP/1.1 413"));
  CHECK_THAT(declared.response, Catch::Contains("\"error\":\"payload_too_large\""));
  CHECK(declared.closed_by_server);

  auto chunked = send_raw(f.server.port(),
                          "POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "800\r\n" +
                              std::string(0x800, 'b') + "\r\n0\r\n\r\n");
  CHECK_THAT(chunked.response, Catch::StartsWith("HTTP/1.1 413"));
  CHECK(http_client(f.server.port()).get("/healthz").status == 200);
}

TEST_CASE("headers over the limit get 431", "[http]") {
  fixture f;
  auto big =
      send_raw(f.server.port(),
               "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(2000, 'h') + "\r\n\r\n");
  CHECK_THAT(big.response, Catch::StartsWith("HTTP/1.1 431"));
  CHECK(big.closed_by_server);
}

TEST_CASE("malformed HTTP gets 400 and a closed connection", "[http]") {
  fixture f;
  for (std::string garbage :
       {std::string("NOT HTTP AT ALL\r\n\r\n"), std::string("GET /healthz HTTP/9.9\r\n\r\n"),
        std::string("GET /healthz HTTP/1.1\r\nBad Header\r\n\r\n"),
        std::string("GET /healthz HTTP/1.1\r\nContent-Length: -3\r\n\r\n")}) {
    INFO(garbage);
    auto result = send_raw(f.server.port(), garbage);
    CHECK_THAT(result.response, Catch::StartsWith("HTTP/1.1 400"));
    CHECK(result.closed_by_server);
  }
  CHECK(http_client(f.server.port()).get("/healthz").status == 200);
}

TEST_CASE("a client that stalls mid-request is disconnected, others are served", "[http]") {
  fixture f;
  // Half a header, then silence: closed after http.idle_timeout_ms (400 ms here).
  auto header_stall =
      send_raw(f.server.port(), "GET /healthz HTTP/1.1\r\nHost:", std::chrono::seconds(10));
  CHECK(header_stall.closed_by_server);
  CHECK(header_stall.response.empty());

  // A body that never finishes: closed after http.read_timeout_ms.
  auto body_stall = send_raw(f.server.port(),
                             "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc",
                             std::chrono::seconds(10));
  CHECK(body_stall.closed_by_server);

  CHECK(http_client(f.server.port()).get("/healthz").status == 200);
}

namespace {

namespace asio = boost::asio;

// A TCP connection to the server's loopback port from a chosen source address: all of
// 127/8 reaches the loopback interface, so one machine can play several client addresses.
asio::ip::tcp::socket connect_from(asio::io_context& ioc, const std::string& source,
                                   std::uint16_t port) {
  asio::ip::tcp::socket s(ioc);
  s.open(asio::ip::tcp::v4());
  s.bind({asio::ip::make_address(source), 0});
  s.connect({asio::ip::make_address("127.0.0.1"), port});
  return s;
}

// Sends GET /healthz on `s` and returns what came back before the server closed the
// connection (empty: closed without an answer), or "timeout" when it neither answered nor
// closed within two seconds.
std::string healthz_over(asio::ip::tcp::socket& s) {
  const std::string req = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  const timeval two_seconds{2, 0};
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &two_seconds, sizeof two_seconds);
  boost::system::error_code ec;
  asio::write(s, asio::buffer(req), ec);
  std::string got;
  char buf[4096];
  for (;;) {
    const auto n = s.read_some(asio::buffer(buf), ec);
    got.append(buf, n);
    if (ec == asio::error::would_block || ec == asio::error::try_again)
      return "timeout";
    if (ec)
      return got;  // EOF or reset: the server closed
  }
}

}  // namespace

TEST_CASE("open connections per client address are capped, other addresses are served",
          "[http][limits]") {
  test_database db;
  server_process server{
      db.url(),
      {{"SEALPOST_HTTP_MAX_CONNECTIONS_PER_IP", "4"}, {"SEALPOST_HTTP_IDLE_TIMEOUT_MS", "20000"}}};
  asio::io_context ioc;
  // Four idle connections: what a slowloris holds open. The accept loop takes connections
  // in arrival order, so all four are admitted before the next one is considered.
  std::vector<asio::ip::tcp::socket> idle;
  for (int i = 0; i < 4; ++i)
    idle.push_back(connect_from(ioc, "127.0.0.1", server.port()));

  auto fifth = connect_from(ioc, "127.0.0.1", server.port());
  CHECK(healthz_over(fifth).empty());  // closed at once, no answer

  // Another address is not affected, and neither is the admin listener on the same host.
  auto neighbour = connect_from(ioc, "127.0.0.2", server.port());
  CHECK_THAT(healthz_over(neighbour), Catch::StartsWith("HTTP/1.1 200"));
  auto metrics = http_client(server.admin_port()).get("/metrics");
  CHECK_THAT(
      metrics.body,
      Catch::Contains("sealpost_connections_refused_total{cap=\"max_connections_per_ip\"} 1"));

  // A freed place is usable again once the server has seen the close.
  idle.pop_back();
  std::string answer;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    auto again = connect_from(ioc, "127.0.0.1", server.port());
    answer = healthz_over(again);
    if (!answer.empty())
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK_THAT(answer, Catch::StartsWith("HTTP/1.1 200"));
}

TEST_CASE("a client trickling its header byte by byte is cut off at the header deadline",
          "[http][limits]") {
  fixture f;  // http.idle_timeout_ms = 400: the whole header must arrive within it
  asio::io_context ioc;
  auto slow = connect_from(ioc, "127.0.0.1", f.server.port());
  const std::string header = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + std::string(200, 'a');
  const auto started = std::chrono::steady_clock::now();
  boost::system::error_code ec;
  std::size_t sent = 0;
  // Each byte would reset a per-read timer; the deadline covers the whole header, so the
  // server hangs up after ~400 ms however steadily bytes arrive. Writes fail after that.
  for (; sent < header.size() && !ec; ++sent) {
    asio::write(slow, asio::buffer(header.data() + sent, 1), ec);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const auto elapsed = std::chrono::steady_clock::now() - started;
  INFO("bytes sent before the server hung up: " << sent);
  CHECK(ec);
  CHECK(elapsed < std::chrono::seconds(4));
  CHECK(http_client(f.server.port()).get("/healthz").status == 200);
}
