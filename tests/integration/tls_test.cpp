// Native TLS on the public listener, with a self-signed certificate this test makes:
// HTTPS and WSS with certificate verification on, TLS < 1.2 refused, a plain-HTTP client
// answered with a clean 400 and a closed connection.
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>

#include "api_client.hpp"
#include "sealpost/v1/websocket.pb.h"
#include "server_process.hpp"
#include "test_database.hpp"

using namespace sealpost::testing;
namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;

namespace {

struct self_signed {
  std::string dir;
  std::string cert;
  std::string key;

  explicit self_signed(const std::string& name) {
    char tmpl[] = "/tmp/sealpost-tls-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    dir = tmpl;
    cert = dir + "/" + name + ".crt";
    key = dir + "/" + name + ".key";
    const std::string cmd =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 "
        "-subj /CN=localhost -addext subjectAltName=DNS:localhost -keyout " +
        key + " -out " + cert + " >/dev/null 2>&1";
    REQUIRE(std::system(cmd.c_str()) == 0);
  }
  ~self_signed() { std::filesystem::remove_all(dir); }
};

ssl::context verifying_client(const std::string& ca_file) {
  ssl::context ctx(ssl::context::tls_client);
  ctx.set_verify_mode(ssl::verify_peer);
  ctx.load_verify_file(ca_file);
  return ctx;
}

// Connects and handshakes, verifying the certificate for host "localhost".
boost::system::error_code tls_connect(beast::ssl_stream<beast::tcp_stream>& stream,
                                      std::uint16_t port) {
  beast::get_lowest_layer(stream).connect({asio::ip::make_address("127.0.0.1"), port});
  SSL_set_tlsext_host_name(stream.native_handle(), "localhost");
  stream.set_verify_callback(ssl::host_name_verification("localhost"));
  boost::system::error_code ec;
  stream.handshake(ssl::stream_base::client, ec);
  return ec;
}

}  // namespace

TEST_CASE("the public listener serves HTTPS and WSS with a verifiable certificate", "[tls]") {
  self_signed server_cert("server");
  test_database db;
  server_process server(db.url(), {{"SEALPOST_TLS_CERTIFICATE_FILE", server_cert.cert},
                                   {"SEALPOST_TLS_PRIVATE_KEY_FILE", server_cert.key}});
  asio::io_context ioc;

  SECTION("HTTPS with verification on") {
    auto ctx = verifying_client(server_cert.cert);
    beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
    REQUIRE_FALSE(tls_connect(stream, server.port()));
    beast::http::request<beast::http::string_body> req{beast::http::verb::get, "/readyz", 11};
    req.set(beast::http::field::host, "localhost");
    beast::http::write(stream, req);
    beast::flat_buffer buffer;
    beast::http::response<beast::http::string_body> res;
    beast::http::read(stream, buffer, res);
    CHECK(res.result_int() == 200);
    CHECK(std::string(SSL_get_version(stream.native_handle())) >= "TLSv1.2");
  }

  SECTION("WSS: an authenticated WebSocket over TLS") {
    // Registration over HTTPS, then the socket.
    auto ctx = verifying_client(server_cert.cert);
    test_identity id;
    const auto password = random_password();
    beast::ssl_stream<beast::tcp_stream> https(ioc, ctx);
    REQUIRE_FALSE(tls_connect(https, server.port()));
    beast::http::request<beast::http::string_body> reg{beast::http::verb::post, "/v1/accounts", 11};
    reg.set(beast::http::field::host, "localhost");
    reg.set(beast::http::field::content_type, "application/json");
    reg.body() = boost::json::serialize(id.registration(unique_username("tls"), password, 20));
    reg.prepare_payload();
    beast::http::write(https, reg);
    beast::flat_buffer buffer;
    beast::http::response<beast::http::string_body> res;
    beast::http::read(https, buffer, res);
    REQUIRE(res.result_int() == 201);
    const std::string account(boost::json::parse(res.body()).at("account_id").as_string());

    beast::websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws(ioc, ctx);
    REQUIRE_FALSE(tls_connect(ws.next_layer(), server.port()));
    ws.set_option(beast::websocket::stream_base::decorator([&](beast::websocket::request_type& r) {
      r.set(beast::http::field::authorization, basic_auth(account, 1, password));
    }));
    ws.handshake("localhost", "/v1/websocket");
    beast::flat_buffer frame;
    ws.read(frame);  // the device has no backlog: QueueEmpty
    sealpost::v1::ServerFrame parsed;
    REQUIRE(parsed.ParseFromArray(frame.data().data(), static_cast<int>(frame.size())));
    CHECK(parsed.has_queue_empty());
  }

  SECTION("a client that does not trust the certificate fails the handshake") {
    self_signed other("other");
    auto ctx = verifying_client(other.cert);
    beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
    CHECK(tls_connect(stream, server.port()));
  }

  SECTION("TLS 1.1 is refused") {
    ssl::context ctx(ssl::context::tls_client);
    SSL_CTX_set_security_level(ctx.native_handle(), 0);
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_VERSION);
    SSL_CTX_set_max_proto_version(ctx.native_handle(), TLS1_1_VERSION);
    beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
    beast::get_lowest_layer(stream).connect({asio::ip::make_address("127.0.0.1"), server.port()});
    boost::system::error_code ec;
    stream.handshake(ssl::stream_base::client, ec);
    CHECK(ec);
  }

  SECTION("plain HTTP to the TLS port gets a clean 400 and a closed connection") {
    auto exchange = send_raw(server.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK_THAT(exchange.response, Catch::StartsWith("HTTP/1.1 400"));
    CHECK_THAT(exchange.response, Catch::Contains("tls_required"));
    CHECK(exchange.closed_by_server);
  }
}

TEST_CASE("a missing certificate file stops start-up with a message naming the key",
          "[tls][config]") {
  auto result = run_server_command({}, {{"SEALPOST_DATABASE_URL", "postgresql:///unused"},
                                        {"SEALPOST_TLS_CERTIFICATE_FILE", "/nonexistent.crt"},
                                        {"SEALPOST_TLS_PRIVATE_KEY_FILE", "/nonexistent.key"}});
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.output, Catch::Contains("tls.certificate_file"));
  auto half = run_server_command({}, {{"SEALPOST_DATABASE_URL", "postgresql:///unused"},
                                      {"SEALPOST_TLS_CERTIFICATE_FILE", "/nonexistent.crt"}});
  CHECK(half.exit_code == 2);
  CHECK_THAT(half.output, Catch::Contains("tls.private_key_file"));
}
