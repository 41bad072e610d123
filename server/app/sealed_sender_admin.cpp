// The sealed-sender admin commands. new-trust-root and new-server-certificate need no
// database and never overwrite a file; show reads the keys a node would use.
#include "app/sealed_sender_admin.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <sstream>

#include "app/admin_files.hpp"
#include "crypto/base64.hpp"
#include "sealed_sender/signing_keys.hpp"

namespace sealpost::app {
namespace {

namespace fs = std::filesystem;

constexpr const char* kUsage =
    "usage: sealpost-server admin sealed-sender new-trust-root --out DIR\n"
    "       sealpost-server admin sealed-sender new-server-certificate --trust-root FILE.key "
    "--key-id N --out DIR\n"
    "       sealpost-server [--config FILE] admin sealed-sender show\n";

std::string base64(std::span<const std::uint8_t> data) {
  return crypto::base64_encode(data);
}

int new_trust_root(const std::vector<std::string>& args) {
  const auto options = read_options(args, {"--out"});
  const auto dir = output_folder(options.at("--out"));
  const auto key_file = dir / "trust-root.key";
  const auto public_file = dir / "trust-root.pub";
  refuse_existing({key_file, public_file});
  const auto root = crypto::signing_key::generate();
  std::string pem = root.private_pem();
  write_new_file(key_file, pem, 0600);
  OPENSSL_cleanse(pem.data(), pem.size());
  const auto public_line = base64(root.public_key());
  write_new_file(public_file, public_line + "\n", 0644);
  std::cout << public_line << "\n";
  return 0;
}

std::uint32_t parse_key_id(const std::string& text) {
  std::uint64_t id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc{} || end != text.data() + text.size() ||
      !sealed_sender::is_allowed_key_id(id))
    throw usage_error(
        "--key-id must be 1..4294967295, not 0xDEADC357 (3735929687) or "
        "0x7357C357 (1935131479)");
  return static_cast<std::uint32_t>(id);
}

crypto::signing_key read_private_key(const std::string& path) {
  try {
    return crypto::signing_key::from_pem_file(path);
  } catch (const std::invalid_argument& e) {
    throw command_error(e.what());
  }
}

int new_server_certificate(const std::vector<std::string>& args) {
  const auto options = read_options(args, {"--trust-root", "--key-id", "--out"});
  const auto key_id = parse_key_id(options.at("--key-id"));
  const auto root = read_private_key(options.at("--trust-root"));
  const auto dir = output_folder(options.at("--out"));
  const auto key_file = dir / "server-certificate.key";
  const auto certificate_file = dir / "server-certificate.b64";
  refuse_existing({key_file, certificate_file});
  const auto server = crypto::signing_key::generate();
  const auto certificate =
      sealed_sender::make_server_certificate(root, key_id, server.public_key());
  std::string pem = server.private_pem();
  write_new_file(key_file, pem, 0600);
  OPENSSL_cleanse(pem.data(), pem.size());
  write_new_file(certificate_file, base64(certificate) + "\n", 0644);
  std::cout << "key id " << key_id << ", server key " << base64(server.public_key())
            << ", signed by trust root " << base64(root.public_key()) << "\n";
  return 0;
}

int show(const config::server_config& cfg, std::span<const storage::migration> schema) {
  std::optional<sealed_sender::signing_keys> keys;
  std::string source;
  if (sealed_sender::uses_key_files(cfg)) {
    keys = sealed_sender::load_key_files(cfg);
    source = "files (" + cfg.sealed_sender_server_certificate_file + ")";
  } else {
    if (cfg.database_url.empty())
      throw usage_error("auto mode keeps the keys in the database: set database.url");
    pqxx::connection conn(cfg.database_url);
    storage::migrate_for_node(conn, schema);
    pqxx::work tx(conn);
    const auto stored = storage::find_sealed_sender_keys(tx);
    if (!stored) {
      std::cout << "no sealed-sender keys yet: the first server start makes them (auto mode)\n";
      return 0;
    }
    keys = sealed_sender::assemble_stored(*stored);
    source = "the database (auto mode)";
  }
  std::cout << "source:      " << source << "\n"
            << "trust root:  " << base64(keys->trust_root) << "\n"
            << "key id:      " << keys->key_id << "\n"
            << "server key:  " << base64(keys->server_key.public_key()) << "\n"
            << "verified:    the trust root signs the certificate, and the private key is "
               "the certified key\n"
            << (cfg.sealed_sender_enabled ? "" : "note: sealed_sender.enabled is false\n");
  return 0;
}

}  // namespace

int run_sealed_sender_command(const config::server_config& cfg,
                              const std::vector<std::string>& args,
                              std::span<const storage::migration> schema) {
  try {
    if (args.empty())
      throw usage_error("a command is required");
    if (args[0] == "new-trust-root")
      return new_trust_root(args);
    if (args[0] == "new-server-certificate")
      return new_server_certificate(args);
    if (args[0] == "show" && args.size() == 1)
      return show(cfg, schema);
    throw usage_error("unknown command '" + args[0] + "'");
  } catch (const usage_error& e) {
    std::cerr << "sealpost-server admin sealed-sender: " << e.what() << "\n" << kUsage;
    return 2;
  } catch (const command_error& e) {
    std::cerr << "sealpost-server admin sealed-sender: " << e.what() << "\n";
    return 1;
  } catch (const sealed_sender::certificate_error& e) {
    std::cerr << "sealpost-server admin sealed-sender: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace sealpost::app
