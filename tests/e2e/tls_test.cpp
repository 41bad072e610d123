// The client over HTTPS and WSS against a server with native TLS and a self-signed
// certificate: it works when told to trust that certificate, and refuses the server
// otherwise.
#include <cstdlib>

#include "core/errors.hpp"
#include "e2e_support.hpp"
#include "net/errors.hpp"

using namespace sealpost::e2e;
namespace net = sealpost::client::net;

namespace {

// A self-signed certificate for "localhost", made with the openssl command.
struct self_signed {
  temp_folder folder;
  std::string cert = (folder.path() / "server.crt").string();
  std::string key = (folder.path() / "server.key").string();

  self_signed() {
    const std::string command =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 "
        "-subj /CN=localhost -addext subjectAltName=DNS:localhost -keyout '" +
        key + "' -out '" + cert + "' >/dev/null 2>&1";
    REQUIRE(std::system(command.c_str()) == 0);
  }
};

}  // namespace

TEST_CASE("e2e: the client works over HTTPS and WSS and verifies the server certificate",
          "[e2e][tls]") {
  self_signed certificate;
  environment env({{"SEALPOST_TLS_CERTIFICATE_FILE", certificate.cert},
                   {"SEALPOST_TLS_PRIVATE_KEY_FILE", certificate.key}},
                  "https://localhost");
  const std::string alice = unique_name("alice");
  const std::string bob = unique_name("bob");

  // Without trusting the self-signed certificate, nothing is sent to the server.
  client::messenger_config untrusting = env.config("untrusting");
  try {
    client::messenger::register_account(untrusting, alice);
    FAIL("an unverifiable certificate was accepted");
  } catch (const net::transport_error& e) {
    CHECK(std::string(e.what()).find("could not be verified") != std::string::npos);
  }
  CHECK_FALSE(std::filesystem::exists(untrusting.state_path));

  auto trusting = [&](const std::string& name) {
    client::messenger_config config = env.config(name);
    config.ca_file = certificate.cert;
    return config;
  };
  device a("alice", client::messenger::register_account(trusting("alice"), alice));
  device b("bob", client::messenger::register_account(trusting("bob"), bob));
  CHECK(a.messenger.server_url().rfind("https://", 0) == 0);
  a.messenger.send(bob, "over tls");
  REQUIRE(b.receive_until(1) == 1);  // over wss://
  CHECK(b.received["over tls"] == 1);
  b.messenger.send(alice, "and back");
  REQUIRE(a.receive_until(1) == 1);
  CHECK(a.received["and back"] == 1);

  // The wrong host name for the certificate is refused too.
  client::messenger_config wrong_host = trusting("wrong-host");
  wrong_host.server_url = "https://127.0.0.1:" + std::to_string(env.server.port());
  CHECK_THROWS_AS(client::messenger::register_account(wrong_host, unique_name("carol")),
                  net::transport_error);
}
