// Loading, checking and (in auto mode) making the log's keys.
#include "transparency/log_keys.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/encoder.h>
#include <openssl/pem.h>

#include <fstream>
#include <pqxx/transaction>
#include <sstream>

#include "crypto/base64.hpp"
#include "storage/kt_repository.hpp"

namespace sealpost::transparency {
namespace {

using ossl::check_alloc;
using ossl::check_ok;

// Text that holds a private key, wiped when it goes out of scope.
struct secret_text {
  std::string text;
  secret_text() = default;
  explicit secret_text(std::string t) : text(std::move(t)) {}
  secret_text(const secret_text&) = delete;
  secret_text& operator=(const secret_text&) = delete;
  ~secret_text() { OPENSSL_cleanse(text.data(), text.size()); }
};

ossl::pkey_ptr p256_from_pem(const std::string& pem, const std::string& what) {
  ossl::bio_ptr in(
      check_alloc(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), "BIO_new_mem_buf"));
  ossl::pkey_ptr key(PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr));
  if (!key || !EVP_PKEY_is_a(key.get(), "EC"))
    throw log_key_error(what + ": not an unencrypted PKCS#8 PEM P-256 private key");
  try {
    (void)keytrans::p256_public_key_of(*key);
  } catch (const std::invalid_argument&) {
    throw log_key_error(what + ": the key is not on P-256");
  }
  return key;
}

ossl::pkey_ptr p256_from_der(const std::string& der, const std::string& what) {
  const auto* data = reinterpret_cast<const unsigned char*>(der.data());
  ossl::pkey_ptr key(d2i_AutoPrivateKey(nullptr, &data, static_cast<long>(der.size())));
  if (!key || !EVP_PKEY_is_a(key.get(), "EC"))
    throw log_key_error(what + ": not a PKCS#8 DER P-256 private key");
  return key;
}

std::string read_file(const std::string& key, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw log_key_error("kt." + key + ": cannot read '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  return std::move(text).str();
}

std::string der_of(EVP_PKEY& key) {
  using encoder_ptr =
      std::unique_ptr<OSSL_ENCODER_CTX, ossl::openssl_deleter<&OSSL_ENCODER_CTX_free>>;
  encoder_ptr encoder(check_alloc(
      OSSL_ENCODER_CTX_new_for_pkey(&key, EVP_PKEY_KEYPAIR, "DER", "PrivateKeyInfo", nullptr),
      "OSSL_ENCODER_CTX_new_for_pkey"));
  unsigned char* data = nullptr;
  std::size_t size = 0;
  check_ok(OSSL_ENCODER_to_data(encoder.get(), &data, &size), "OSSL_ENCODER_to_data");
  std::string der(reinterpret_cast<const char*>(data), size);
  OPENSSL_clear_free(data, size);
  return der;
}

std::string pem_of(EVP_PKEY& key) {
  ossl::bio_ptr out(check_alloc(BIO_new(BIO_s_mem()), "BIO_new"));
  check_ok(PEM_write_bio_PrivateKey(out.get(), &key, nullptr, nullptr, 0, nullptr, nullptr),
           "PEM_write_bio_PrivateKey");
  char* data = nullptr;
  const long size = BIO_get_mem_data(out.get(), &data);
  std::string pem(data, static_cast<std::size_t>(size));
  OPENSSL_cleanse(data, static_cast<std::size_t>(size));
  return pem;
}

// The VRF secret scalar is the EC private key of the operator's P-256 key file.
keytrans::vrf_private_key vrf_key_of(const EVP_PKEY& key, const std::string& what) {
  BIGNUM* raw = nullptr;
  check_ok(EVP_PKEY_get_bn_param(&key, OSSL_PKEY_PARAM_PRIV_KEY, &raw), "EVP_PKEY_get_bn_param");
  const ossl::secret_bn_ptr scalar(raw);
  std::array<std::uint8_t, keytrans::vrf_scalar_size> bytes{};
  if (BN_bn2binpad(scalar.get(), bytes.data(), static_cast<int>(bytes.size())) < 0)
    throw log_key_error(what + ": the private scalar does not fit 32 bytes");
  auto vrf = keytrans::vrf_private_key::from_bytes(bytes);
  OPENSSL_cleanse(bytes.data(), bytes.size());
  if (!vrf)
    throw log_key_error(what + ": the private scalar is out of range");
  return std::move(*vrf);
}

std::string as_string(const keytrans::bytes& b) {
  return {b.begin(), b.end()};
}

log_keys assemble(ossl::pkey_ptr signing, keytrans::vrf_private_key vrf,
                  const config::server_config& cfg) {
  const auto signing_public = keytrans::p256_public_key_of(*signing);
  auto vrf_public = vrf.public_key();
  auto encoded = keytrans::encode_configuration(log_configuration(signing_public, vrf_public, cfg));
  if (!encoded)
    throw log_key_error("kt: the configuration cannot be encoded");
  return log_keys{std::move(signing), std::move(vrf), std::move(*encoded), signing_public,
                  std::move(vrf_public)};
}

log_keys load_files(const config::server_config& cfg) {
  const secret_text signing_pem(read_file("signing_key_file", cfg.kt_signing_key_file));
  const secret_text vrf_pem(read_file("vrf_key_file", cfg.kt_vrf_key_file));
  auto signing = p256_from_pem(signing_pem.text, "kt.signing_key_file");
  const auto vrf_pkey = p256_from_pem(vrf_pem.text, "kt.vrf_key_file");
  return assemble(std::move(signing), vrf_key_of(*vrf_pkey, "kt.vrf_key_file"), cfg);
}

log_keys keys_of_row(const storage::stored_kt_config& row, const config::server_config& cfg) {
  if (!row.signing_key_der || !row.vrf_scalar)
    throw log_key_error(
        "kt: this log was created with key files (kt_config holds no keys); set "
        "kt.signing_key_file and kt.vrf_key_file to them");
  auto signing = p256_from_der(*row.signing_key_der, "kt_config.signing_key");
  const auto* scalar = reinterpret_cast<const std::uint8_t*>(row.vrf_scalar->data());
  auto vrf = keytrans::vrf_private_key::from_bytes({scalar, row.vrf_scalar->size()});
  if (!vrf)
    throw log_key_error("kt_config.vrf_key: not a P-256 scalar");
  return assemble(std::move(signing), std::move(*vrf), cfg);
}

// The stored row's Configuration must be exactly this node's: same keys, same fixed settings.
void check_matches(const storage::stored_kt_config& row, const log_keys& keys) {
  if (row.configuration != as_string(keys.configuration))
    throw log_key_error(
        "kt: the log's stored configuration differs from this node's: other keys, or other "
        "kt.max_ahead_ms, kt.max_behind_ms or kt.reasonable_monitoring_window_ms (fixed when "
        "the log was created; `sealpost-server admin kt show` prints it)");
}

}  // namespace

keytrans::configuration log_configuration(const keytrans::p256_public_key& signing_public_key,
                                          const keytrans::bytes& vrf_public_key,
                                          const config::server_config& cfg) {
  keytrans::configuration config;
  config.mode = keytrans::deployment_mode::contact_monitoring;
  config.signature_public_key.assign(signing_public_key.begin(), signing_public_key.end());
  config.vrf_public_key = vrf_public_key;
  config.max_ahead = cfg.kt_max_ahead_ms;
  config.max_behind = cfg.kt_max_behind_ms;
  config.reasonable_monitoring_window = cfg.kt_reasonable_monitoring_window_ms;
  return config;
}

bool uses_key_files(const config::server_config& cfg) {
  return !cfg.kt_signing_key_file.empty();
}

log_keys load_key_files(const config::server_config& cfg) {
  return load_files(cfg);
}

log_keys keys_for_node(const config::server_config& cfg, pqxx::connection& conn) {
  storage::stored_kt_config candidate;
  std::optional<log_keys> keys;
  if (uses_key_files(cfg)) {
    keys = load_files(cfg);
  } else {
    // Made on every start, used only when this node is the first: cheaper than asking first.
    auto signing = keytrans::generate_p256_signing_key();
    candidate.signing_key_der = der_of(*signing);
    keys = assemble(std::move(signing), keytrans::vrf_private_key::generate(), cfg);
    std::string scalar(keytrans::vrf_scalar_size, '\0');
    keys->vrf_key.export_scalar(std::span<std::uint8_t, keytrans::vrf_scalar_size>(
        reinterpret_cast<std::uint8_t*>(scalar.data()), scalar.size()));
    candidate.vrf_scalar = std::move(scalar);
  }
  candidate.configuration = as_string(keys->configuration);
  pqxx::work tx(conn);
  const auto stored = storage::offer_kt_config(tx, candidate);
  tx.commit();
  if (!uses_key_files(cfg))
    keys = keys_of_row(stored, cfg);
  check_matches(stored, *keys);
  return std::move(*keys);
}

std::string new_p256_private_pem() {
  const auto key = keytrans::generate_p256_signing_key();
  return pem_of(*key);
}

public_keys_text public_keys_of_pems(const std::string& signing_pem, const std::string& vrf_pem) {
  const auto signing = p256_from_pem(signing_pem, "signing key");
  const auto vrf_pkey = p256_from_pem(vrf_pem, "VRF key");
  const auto signing_public = keytrans::p256_public_key_of(*signing);
  const auto vrf_public = vrf_key_of(*vrf_pkey, "VRF key").public_key();
  return {crypto::base64_encode(signing_public), crypto::base64_encode(vrf_public)};
}

}  // namespace sealpost::transparency
