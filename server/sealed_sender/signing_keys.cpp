// Loading, checking and (in auto mode) making the sealed-sender keys of a deployment.
#include "sealed_sender/signing_keys.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <fstream>
#include <pqxx/transaction>
#include <sstream>

#include "crypto/base64.hpp"
#include "storage/sealed_sender_repository.hpp"

namespace sealpost::sealed_sender {
namespace {

std::span<const std::uint8_t> as_bytes(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

void read_file(const std::string& key, const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw certificate_error("sealed_sender." + key + ": cannot read '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  out = std::move(text).str();
}

// One line of base64 (a trailing newline allowed), as the admin commands write it.
bytes read_base64_file(const std::string& key, const std::string& path) {
  std::string text;
  read_file(key, path, text);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
    text.pop_back();
  auto decoded = crypto::base64_decode(text);
  if (!decoded)
    throw certificate_error("sealed_sender." + key + ": '" + path + "' is not one line of base64");
  return std::move(*decoded);
}

}  // namespace

signing_keys assemble(std::span<const std::uint8_t> trust_root,
                      std::span<const std::uint8_t> server_certificate,
                      crypto::signing_key server_key) {
  crypto::curve25519_public_key root{};
  if (trust_root.size() != root.size() || trust_root[0] != crypto::curve25519_type_byte)
    throw certificate_error("the trust root is not a 33-byte 0x05 public key");
  std::copy(trust_root.begin(), trust_root.end(), root.begin());
  const auto contents = check_server_certificate(server_certificate, root);
  if (contents.key != server_key.public_key())
    throw certificate_error(
        "the server private key does not belong to the key the server certificate certifies");
  return signing_keys{root, bytes(server_certificate.begin(), server_certificate.end()),
                      contents.key_id, std::move(server_key)};
}

bool uses_key_files(const config::server_config& cfg) {
  return !cfg.sealed_sender_server_certificate_file.empty();
}

signing_keys load_key_files(const config::server_config& cfg) {
  const auto root = read_base64_file("trust_root_public_file", cfg.sealed_sender_trust_root_file);
  const auto certificate =
      read_base64_file("server_certificate_file", cfg.sealed_sender_server_certificate_file);
  std::optional<crypto::signing_key> key;
  try {
    key = crypto::signing_key::from_pem_file(cfg.sealed_sender_server_key_file);
  } catch (const std::invalid_argument& e) {
    throw certificate_error(std::string("sealed_sender.server_private_key_file: ") + e.what());
  }
  try {
    return assemble(root, certificate, std::move(*key));
  } catch (const certificate_error& e) {
    throw certificate_error(
        std::string("sealed_sender: the files of trust_root_public_file, "
                    "server_certificate_file and server_private_key_file do not fit: ") +
        e.what());
  }
}

new_deployment_keys generate_deployment_keys(std::uint32_t key_id) {
  auto root = crypto::signing_key::generate();
  auto server = crypto::signing_key::generate();
  auto certificate = make_server_certificate(root, key_id, server.public_key());
  return {std::move(root), std::move(server), std::move(certificate)};
}

signing_keys assemble_stored(const storage::stored_sealed_sender_keys& stored) {
  std::optional<crypto::signing_key> key;
  try {
    key = crypto::signing_key::from_pem(stored.server_private_key);
  } catch (const std::invalid_argument& e) {
    throw certificate_error(std::string("sealed_sender_keys.server_private_key: ") + e.what());
  }
  try {
    return assemble(as_bytes(stored.trust_root), as_bytes(stored.server_certificate),
                    std::move(*key));
  } catch (const certificate_error& e) {
    throw certificate_error(std::string("the sealed_sender_keys row does not fit together: ") +
                            e.what());
  }
}

signing_keys keys_for_node(const config::server_config& cfg, pqxx::connection& conn) {
  if (uses_key_files(cfg))
    return load_key_files(cfg);
  // Made on every start, used only by the first node to offer them: generating two
  // Ed25519 keys costs less than a second round trip to ask first.
  const auto fresh = generate_deployment_keys(1);
  const storage::stored_sealed_sender_keys candidate(
      std::string(fresh.trust_root.public_key().begin(), fresh.trust_root.public_key().end()),
      std::string(fresh.server_certificate.begin(), fresh.server_certificate.end()),
      fresh.server_key.private_pem());
  pqxx::work tx(conn);
  const auto stored = storage::offer_sealed_sender_keys(tx, candidate);
  tx.commit();
  return assemble_stored(stored);
}

}  // namespace sealpost::sealed_sender
