// Sealed sender, the keys and certificates (DESIGN.md, "Sealed sender"): auto mode shares
// one trust root across nodes, delivery certificates chain to it, the admin commands make
// the file-mode keys, and a node refuses keys that do not fit, naming the piece.
#include <sys/stat.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>
#include <sstream>

#include "api_client.hpp"
#include "crypto/base64.hpp"
#include "crypto/key_encoding.hpp"
#include "crypto/signature.hpp"
#include "crypto/signing_key.hpp"
#include "crypto/x25519.hpp"
#include "sealpost/v1/sealed_sender.pb.h"
#include "server_process.hpp"
#include "test_database.hpp"

using namespace sealpost::testing;
namespace json = boost::json;
namespace fs = std::filesystem;
namespace pb = sealpost::v1::sealed_sender;
using sealpost::crypto::signing_key;

namespace {

std::string text_of(std::span<const std::uint8_t> data) {
  return std::string(data.begin(), data.end());
}

std::span<const std::uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string decode(const json::value& v) {
  auto raw = sealpost::crypto::base64_decode(std::string(v.as_string()));
  REQUIRE(raw);
  return std::string(raw->begin(), raw->end());
}

bool signed_by(const std::string& key, const std::string& message, const std::string& signature) {
  const auto parsed =
      sealpost::crypto::parse_typed_key(bytes_of(key), sealpost::crypto::key_purpose::identity);
  REQUIRE(parsed);
  return sealpost::crypto::verify_signature(*parsed, bytes_of(message), bytes_of(signature));
}

std::uint64_t now_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

// A device with a libsignal-style 0x05 identity: an Ed25519 key used as an XEdDSA key.
struct curve_device {
  signing_key identity = signing_key::generate();
  device_login login;

  std::string identity_key() const { return text_of(identity.public_key()); }

  json::object signed_prekey(std::uint32_t key_id) const {
    const auto pair = sealpost::client::crypto::x25519_generate();
    const auto pub = text_of(sealpost::client::crypto::encode_x25519_public_key(pair.public_key));
    return {{"key_id", key_id},
            {"public_key", b64(pub)},
            {"signature", b64(text_of(identity.sign(bytes_of(pub))))}};
  }
};

curve_device register_curve_device(std::uint16_t port) {
  curve_device d;
  const test_identity shape;  // for the PQ prekey's shape; re-signed below
  auto body = shape.registration(unique_username("ss"), random_password(), 0);
  body["identity_key"] = b64(d.identity_key());
  body["signed_prekey"] = d.signed_prekey(1);
  auto pq = body.at("pq_last_resort_prekey").as_object();
  const auto pq_key = decode(pq.at("public_key"));
  pq["signature"] = b64(text_of(d.identity.sign(bytes_of(pq_key))));
  body["pq_last_resort_prekey"] = pq;
  http_client http(port);
  const auto res = http.request(http::verb::post, "/v1/accounts", json::serialize(body));
  REQUIRE(res.status == 201);
  const auto created = res.json();
  d.login = {std::string(created.at("account_id").as_string()),
             static_cast<std::int32_t>(created.at("device_id").as_int64()),
             std::string(body.at("password").as_string())};
  return d;
}

std::string trust_root_of(std::uint16_t port) {
  http_client http(port);
  const auto res = http.get("/v1/certificate/trust-root");
  REQUIRE(res.status == 200);
  const auto root = decode(res.json().at("trust_root"));
  REQUIRE(root.size() == 33);
  REQUIRE(root[0] == '\x05');
  return root;
}

// The sender certificate's fields, once its whole chain has been checked against `root`.
struct checked_certificate {
  pb::SenderCertificate::Certificate sender;
  pb::ServerCertificate::Certificate server;
  std::uint64_t expires_at = 0;
};

checked_certificate fetch_and_check_certificate(api_client& device, const std::string& root) {
  const auto res = device.get("/v1/certificate/delivery");
  REQUIRE(res.status == 200);
  const auto body = res.json();
  pb::SenderCertificate outer;
  REQUIRE(outer.ParseFromString(decode(body.at("certificate"))));
  checked_certificate out;
  REQUIRE(out.sender.ParseFromString(outer.certificate()));
  pb::ServerCertificate server_outer;
  REQUIRE(server_outer.ParseFromString(out.sender.signer()));
  REQUIRE(out.server.ParseFromString(server_outer.certificate()));
  CHECK(signed_by(root, server_outer.certificate(), server_outer.signature()));
  CHECK(signed_by(out.server.key(), outer.certificate(), outer.signature()));
  out.expires_at = body.at("expires_at").to_number<std::uint64_t>();
  CHECK(out.sender.expires() == out.expires_at);
  return out;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A fresh folder under the system's temporary folder, removed with the object.
struct temp_folder {
  fs::path path;
  temp_folder() {
    char name[] = "/tmp/sealpost-ss-XXXXXX";
    REQUIRE(mkdtemp(name) != nullptr);
    path = name;
  }
  ~temp_folder() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

std::map<std::string, std::string> key_files_env(const fs::path& root_dir,
                                                 const fs::path& certificate_dir) {
  return {{"SEALPOST_SEALED_SENDER_TRUST_ROOT_PUBLIC_FILE", (root_dir / "trust-root.pub").string()},
          {"SEALPOST_SEALED_SENDER_SERVER_CERTIFICATE_FILE",
           (certificate_dir / "server-certificate.b64").string()},
          {"SEALPOST_SEALED_SENDER_SERVER_PRIVATE_KEY_FILE",
           (certificate_dir / "server-certificate.key").string()}};
}

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

}  // namespace

TEST_CASE("sealed sender auto mode: every node serves one trust root, and certificates chain to it",
          "[sealed_sender]") {
  test_database db;
  server_process first(db.url());
  server_process second(db.url());
  const auto root = trust_root_of(first.port());
  CHECK(trust_root_of(second.port()) == root);
  {
    pqxx::connection conn(db.url());
    pqxx::nontransaction tx(conn);
    CHECK(tx.exec1("SELECT count(*) FROM sealed_sender_keys")[0].as<int>() == 1);
  }

  auto device = register_curve_device(first.port());
  for (auto* node : {&first, &second}) {
    api_client client(node->port(), device.login);
    const auto before = now_ms();
    const auto cert = fetch_and_check_certificate(client, root);
    CHECK(cert.sender.sender_uuid() == device.login.account_id);
    CHECK(cert.sender.sender_device() == 1);
    CHECK(cert.sender.identity_key() == device.identity_key());
    CHECK(cert.server.id() == 1);
    // certificate_ttl_ms defaults to one day.
    CHECK(cert.expires_at >= before + 86'400'000);
    CHECK(cert.expires_at <= now_ms() + 86'400'000);
  }

  // A restarted node keeps the deployment's root: the row, not the process, holds it.
  first.stop(SIGTERM);
  first.restart();
  CHECK(trust_root_of(first.port()) == root);
}

TEST_CASE(
    "delivery certificates: the TTL is a config key, 0x0E identities get 409, no "
    "credentials 401",
    "[sealed_sender]") {
  test_database db;
  server_process server(db.url(), {{"SEALPOST_SEALED_SENDER_CERTIFICATE_TTL_MS", "60000"}});
  const auto root = trust_root_of(server.port());
  auto device = register_curve_device(server.port());
  api_client client(server.port(), device.login);
  const auto before = now_ms();
  const auto cert = fetch_and_check_certificate(client, root);
  CHECK(cert.expires_at >= before + 60'000);
  CHECK(cert.expires_at <= now_ms() + 60'000);

  const test_identity ed25519(sealpost::client::crypto::identity_form::ed25519);
  api_client ed_client(server.port(),
                       register_account(server.port(), ed25519, unique_username("ed"), 0));
  const auto refused = ed_client.get("/v1/certificate/delivery");
  CHECK(refused.status == 409);
  CHECK(refused.json().at("error") == "unsupported_identity_key");

  http_client anonymous(server.port());
  CHECK(anonymous.get("/v1/certificate/delivery").status == 401);
  api_client wrong(server.port(), {device.login.account_id, 1, "not-the-password"});
  CHECK(wrong.get("/v1/certificate/delivery").status == 401);
}

TEST_CASE("sealed_sender.enabled = false: the certificate routes answer 404", "[sealed_sender]") {
  test_database db;
  server_process server(db.url(), {{"SEALPOST_SEALED_SENDER_ENABLED", "false"}});
  auto device = register_curve_device(server.port());
  http_client anonymous(server.port());
  const auto root = anonymous.get("/v1/certificate/trust-root");
  CHECK(root.status == 404);
  CHECK(root.json().at("error") == "not_found");
  api_client client(server.port(), device.login);
  CHECK(client.get("/v1/certificate/delivery").status == 404);
  pqxx::connection conn(db.url());
  pqxx::nontransaction tx(conn);
  CHECK(tx.exec1("SELECT count(*) FROM sealed_sender_keys")[0].as<int>() == 0);
}

TEST_CASE("sealed sender file mode: the admin commands make the keys the server then serves",
          "[sealed_sender]") {
  temp_folder dir;
  const auto root_dir = dir.path / "offline";
  const auto cert_dir = dir.path / "server";

  const auto made_root =
      run_server_command({"admin", "sealed-sender", "new-trust-root", "--out", root_dir.string()});
  REQUIRE(made_root.exit_code == 0);
  const auto root_line = read_text(root_dir / "trust-root.pub");
  CHECK(made_root.output == root_line);
  CHECK(mode_of(root_dir / "trust-root.key") == 0600);
  // Never overwritten.
  const auto again =
      run_server_command({"admin", "sealed-sender", "new-trust-root", "--out", root_dir.string()});
  CHECK(again.exit_code == 1);
  CHECK(again.output.find("never overwritten") != std::string::npos);
  CHECK(read_text(root_dir / "trust-root.pub") == root_line);

  const std::vector<std::string> certify{"admin",
                                         "sealed-sender",
                                         "new-server-certificate",
                                         "--trust-root",
                                         (root_dir / "trust-root.key").string(),
                                         "--key-id",
                                         "42",
                                         "--out",
                                         cert_dir.string()};
  REQUIRE(run_server_command(certify).exit_code == 0);
  CHECK(mode_of(cert_dir / "server-certificate.key") == 0600);
  CHECK(run_server_command(certify).exit_code == 1);

  SECTION("usage errors exit 2") {
    auto bad_id = certify;
    bad_id[6] = "3735929687";  // 0xDEADC357
    bad_id[8] = (dir.path / "elsewhere").string();
    CHECK(run_server_command(bad_id).exit_code == 2);
    CHECK(run_server_command({"admin", "sealed-sender", "new-trust-root"}).exit_code == 2);
    CHECK(run_server_command({"admin", "sealed-sender", "rotate"}).exit_code == 2);
    CHECK_FALSE(fs::exists(dir.path / "elsewhere" / "server-certificate.key"));
  }

  SECTION("show, --check-config and the server use the files") {
    const auto env = key_files_env(root_dir, cert_dir);
    const auto shown = run_server_command({"admin", "sealed-sender", "show"}, env);
    CHECK(shown.exit_code == 0);
    CHECK(shown.output.find("key id:      42") != std::string::npos);
    CHECK(shown.output.find(root_line.substr(0, root_line.size() - 1)) != std::string::npos);
    CHECK(run_server_command({"--check-config"}, env).exit_code == 0);

    test_database db;
    server_process server(db.url(), env);
    const auto root = trust_root_of(server.port());
    CHECK(b64(root) + "\n" == root_line);
    auto device = register_curve_device(server.port());
    api_client client(server.port(), device.login);
    CHECK(fetch_and_check_certificate(client, root).server.id() == 42);
    pqxx::connection conn(db.url());
    pqxx::nontransaction tx(conn);
    CHECK(tx.exec1("SELECT count(*) FROM sealed_sender_keys")[0].as<int>() == 0);
  }

  SECTION("keys that do not fit: --check-config and start-up refuse, naming the piece") {
    const auto other_root = dir.path / "other";
    REQUIRE(run_server_command(
                {"admin", "sealed-sender", "new-trust-root", "--out", other_root.string()})
                .exit_code == 0);
    const auto env = key_files_env(other_root, cert_dir);
    const auto checked = run_server_command({"--check-config"}, env);
    CHECK(checked.exit_code == 2);
    CHECK(checked.output.find("trust root") != std::string::npos);
    test_database db;
    auto started = env;
    started["SEALPOST_DATABASE_URL"] = db.url();
    const auto refused = run_server_command({}, started);
    CHECK(refused.exit_code == 1);
    CHECK(refused.output.find("trust root") != std::string::npos);

    auto one_only = env;
    one_only.erase("SEALPOST_SEALED_SENDER_SERVER_PRIVATE_KEY_FILE");
    const auto partial = run_server_command({"--check-config"}, one_only);
    CHECK(partial.exit_code == 2);
    CHECK(partial.output.find("all three or none") != std::string::npos);
  }
}

TEST_CASE("sealed sender auto mode: a row whose pieces do not fit stops start-up, naming the key",
          "[sealed_sender]") {
  test_database db;
  { server_process first(db.url()); }
  {
    pqxx::connection conn(db.url());
    pqxx::work tx(conn);
    tx.exec_params("UPDATE sealed_sender_keys SET server_private_key = $1",
                   signing_key::generate().private_pem());
    tx.commit();
  }
  const auto refused = run_server_command({}, {{"SEALPOST_DATABASE_URL", db.url()}});
  CHECK(refused.exit_code == 1);
  CHECK(refused.output.find("server private key") != std::string::npos);
}
