// What the server decides from a request's header alone, before it reads any body:
// credentials, the server-wide body budget, and "100 Continue". A request refused there
// costs the server no memory for its body, however large the body claims to be.
#include <poll.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

#include "api_client.hpp"
#include "server_process.hpp"
#include "test_database.hpp"

using namespace sealpost::testing;
namespace asio = boost::asio;

namespace {

// A request written by hand on its own connection: the header first, the body (or part of
// it) when the test says so, so that the test controls what the server has seen when.
class raw_request {
 public:
  explicit raw_request(std::uint16_t port) : socket_(ioc_) {
    socket_.connect({asio::ip::make_address("127.0.0.1"), port});
  }

  // false when the server has closed the connection (the write failed).
  bool send(const std::string& bytes) {
    boost::system::error_code ec;
    asio::write(socket_, asio::buffer(bytes), ec);
    return !ec;
  }

  // Everything the server sends within `timeout`, or until it closes the connection.
  std::string read(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string got;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd pfd{socket_.native_handle(), POLLIN, 0};
      if (left.count() <= 0 || poll(&pfd, 1, static_cast<int>(left.count())) <= 0)
        return got;
      char buf[4096];
      boost::system::error_code ec;
      const std::size_t n = socket_.read_some(asio::buffer(buf), ec);
      if (ec) {
        closed_ = true;
        return got;
      }
      got.append(buf, n);
      if (got.find("\r\n\r\n") != std::string::npos && !expect_more(got))
        return got;
    }
  }

  bool closed() const { return closed_; }

 private:
  // A complete response has its header and as many body bytes as Content-Length says.
  static bool expect_more(const std::string& got) {
    const auto end = got.find("\r\n\r\n");
    const auto cl = got.find("Content-Length: ");
    if (cl == std::string::npos || cl > end)
      return false;
    const auto length = std::stoul(got.substr(cl + 16));
    return got.size() < end + 4 + length;
  }

  asio::io_context ioc_;
  asio::ip::tcp::socket socket_;
  bool closed_ = false;
};

std::string put_backup_header(std::size_t length, const std::string& authorization,
                              const std::string& extra = "") {
  std::string header =
      "PUT /v1/backup HTTP/1.1\r\nHost: t\r\nContent-Type: application/octet-stream\r\n";
  if (!authorization.empty())
    header += "Authorization: " + authorization + "\r\n";
  return header + extra + "Content-Length: " + std::to_string(length) + "\r\n\r\n";
}

std::string auth_of(const device_login& who) {
  return basic_auth(who.account_id, who.device_id, who.password);
}

// The server's peak resident memory so far (VmHWM), in bytes.
std::size_t peak_rss(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0)
      return std::stoul(line.substr(6)) * 1024;
  }
  FAIL("no VmHWM in /proc/" << pid << "/status");
  return 0;
}

}  // namespace

TEST_CASE("credentials are checked before the body is read", "[admission]") {
  test_database db;
  server_process server(db.url());
  test_identity id;
  const auto me = register_account(server.port(), id, unique_username("adm"));

  SECTION("no credentials: 401 at once, the connection closes, the body is never awaited") {
    raw_request upload(server.port());
    REQUIRE(upload.send(put_backup_header(16'000'000, "")));
    const auto response = upload.read();
    CHECK(response.rfind("HTTP/1.1 401", 0) == 0);
    CHECK(response.find("WWW-Authenticate: Basic") != std::string::npos);
    CHECK(response.find("Connection: close") != std::string::npos);
    upload.read(std::chrono::seconds(2));
    CHECK(upload.closed());
  }
  SECTION("a wrong password: 401 before the body") {
    raw_request upload(server.port());
    REQUIRE(
        upload.send(put_backup_header(1000, basic_auth(me.account_id, 1, "wrong-password-123"))));
    CHECK(upload.read().rfind("HTTP/1.1 401", 0) == 0);
  }
  SECTION("Expect: 100-continue gets 100 only once the credentials hold") {
    raw_request refused(server.port());
    REQUIRE(refused.send(put_backup_header(5, "", "Expect: 100-continue\r\n")));
    CHECK(refused.read().rfind("HTTP/1.1 401", 0) == 0);

    raw_request accepted(server.port());
    REQUIRE(accepted.send(put_backup_header(5, auth_of(me), "Expect: 100-continue\r\n")));
    CHECK(accepted.read().rfind("HTTP/1.1 100 Continue", 0) == 0);
    REQUIRE(accepted.send("hello"));
    CHECK(accepted.read().rfind("HTTP/1.1 204", 0) == 0);
  }
}

TEST_CASE("unauthenticated large uploads leave the server's memory near idle", "[admission]") {
  test_database db;
  server_process server(db.url(), {{"SEALPOST_RATE_LIMITS_AUTH_FAILURE_PER_IP_BURST", "100000"}});
  test_identity id;
  api_client me(server.port(), register_account(server.port(), id, unique_username("mem")));
  REQUIRE(me.get("/v1/keys/status").status == 200);
  const auto idle_peak = peak_rss(server.pid());

  // 40 clients at once, each announcing 16 MB and pushing as much of it as the server takes.
  constexpr int kClients = 40;
  constexpr std::size_t kBody = 16 * 1024 * 1024;
  std::atomic<int> refused{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&] {
      raw_request upload(server.port());
      if (!upload.send(put_backup_header(kBody, "")))
        return;
      const std::string chunk(256 * 1024, 'x');
      for (std::size_t sent = 0; sent < kBody && upload.send(chunk); sent += chunk.size()) {
      }
      if (upload.read(std::chrono::seconds(2)).rfind("HTTP/1.1 401", 0) == 0 || upload.closed())
        ++refused;
    });
  }
  // A well-behaved client is served meanwhile.
  int served = 0;
  do {
    if (me.get("/v1/keys/status").status == 200)
      ++served;
  } while (refused.load() < kClients && served < 200);
  for (auto& t : clients)
    t.join();

  CHECK(refused.load() == kClients);
  CHECK(served > 0);
  CHECK(me.get("/v1/keys/status").status == 200);
  const auto flood_peak = peak_rss(server.pid());
  INFO("peak RSS idle " << idle_peak << " B, after the flood " << flood_peak << " B");
  CHECK(flood_peak < idle_peak + 32 * 1024 * 1024);  // 40 bodies would be 640 MB
}

TEST_CASE("past the body budget a request gets 503 before its body is read", "[admission]") {
  test_database db;
  // Budget 1 MiB; one backup may take 600,000 of it.
  server_process server(db.url(), {{"SEALPOST_HTTP_MAX_BODY_BYTES_IN_FLIGHT", "1048576"},
                                   {"SEALPOST_BACKUP_MAX_BYTES", "600000"},
                                   {"SEALPOST_HTTP_MAX_BODY_BYTES", "65536"},
                                   {"SEALPOST_MESSAGES_MAX_MESSAGE_BYTES", "4096"}});
  test_identity id;
  const auto me = register_account(server.port(), id, unique_username("budget"));
  const std::string body(600'000, 'b');

  // The first upload announces 600,000 bytes and sends half: the server holds its share.
  raw_request first(server.port());
  REQUIRE(first.send(put_backup_header(body.size(), auth_of(me)) + body.substr(0, 300'000)));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));

  // A second one would pass the budget: 503 with Retry-After, before its body.
  raw_request second(server.port());
  REQUIRE(second.send(put_backup_header(body.size(), auth_of(me))));
  const auto busy = second.read();
  CHECK(busy.rfind("HTTP/1.1 503", 0) == 0);
  CHECK(busy.find("Retry-After: 1") != std::string::npos);
  CHECK(busy.find("\"server_busy\"") != std::string::npos);

  // A small request still fits beside the first upload.
  api_client small(server.port(), me);
  CHECK(small.get("/v1/keys/status").status == 200);

  // Once the first upload is done its share returns, and the retry goes through.
  REQUIRE(first.send(body.substr(300'000)));
  CHECK(first.read().rfind("HTTP/1.1 204", 0) == 0);
  raw_request retry(server.port());
  REQUIRE(retry.send(put_backup_header(body.size(), auth_of(me)) + body));
  CHECK(retry.read().rfind("HTTP/1.1 204", 0) == 0);

  http_client admin(server.admin_port());
  const auto metrics = admin.get("/metrics").body;
  CHECK(metrics.find("sealpost_http_body_budget_refusals_total 1") != std::string::npos);
}
