// XEdDSA signing with OpenSSL's Ed25519 (see signing_key.hpp for the construction).
#include "crypto/signing_key.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace sealpost::crypto {
namespace {

using ossl::bio_ptr;
using ossl::check_alloc;
using ossl::check_ok;
using ossl::md_ctx_ptr;
using ossl::pkey_ctx_ptr;
using ossl::pkey_ptr;

constexpr std::size_t raw_key_size = 32;

// Wipes a secret buffer when it goes out of scope, however the scope is left.
template <std::size_t N>
struct wiped_bytes {
  std::array<std::uint8_t, N> bytes{};
  wiped_bytes() = default;
  wiped_bytes(const wiped_bytes&) = delete;
  wiped_bytes& operator=(const wiped_bytes&) = delete;
  ~wiped_bytes() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

std::array<std::uint8_t, raw_key_size> raw_public(const EVP_PKEY* key) {
  std::array<std::uint8_t, raw_key_size> out{};
  std::size_t size = out.size();
  check_ok(EVP_PKEY_get_raw_public_key(key, out.data(), &size), "EVP_PKEY_get_raw_public_key");
  if (size != out.size())
    throw std::runtime_error("EVP_PKEY_get_raw_public_key: unexpected key size");
  return out;
}

// The X25519 public key of clamp(SHA-512(seed)[0..32]): the Ed25519 secret scalar used as
// an X25519 private key (OpenSSL clamps it), so its public key is the Montgomery form of A.
curve25519_public_key montgomery_form(const EVP_PKEY* ed25519_key) {
  wiped_bytes<raw_key_size> seed;
  std::size_t seed_size = seed.bytes.size();
  check_ok(EVP_PKEY_get_raw_private_key(ed25519_key, seed.bytes.data(), &seed_size),
           "EVP_PKEY_get_raw_private_key");
  wiped_bytes<64> expanded;
  check_ok(EVP_Digest(seed.bytes.data(), seed_size, expanded.bytes.data(), nullptr, EVP_sha512(),
                      nullptr),
           "EVP_Digest");
  const pkey_ptr x25519(check_alloc(
      EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, expanded.bytes.data(), raw_key_size),
      "EVP_PKEY_new_raw_private_key"));
  curve25519_public_key out{curve25519_type_byte};
  const auto u = raw_public(x25519.get());
  std::copy(u.begin(), u.end(), out.begin() + 1);
  return out;
}

}  // namespace

signing_key::signing_key(pkey_ptr key) : key_(std::move(key)) {
  public_key_ = montgomery_form(key_.get());
  edwards_public_key_ = raw_public(key_.get());
}

signing_key signing_key::generate() {
  const pkey_ctx_ptr ctx(
      check_alloc(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr), "EVP_PKEY_CTX_new_id"));
  check_ok(EVP_PKEY_keygen_init(ctx.get()), "EVP_PKEY_keygen_init");
  EVP_PKEY* raw = nullptr;
  check_ok(EVP_PKEY_keygen(ctx.get(), &raw), "EVP_PKEY_keygen");
  return signing_key(pkey_ptr(raw));
}

signing_key signing_key::from_pem(std::string_view pem) {
  const bio_ptr in(
      check_alloc(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), "BIO_new_mem_buf"));
  // A passphrase callback that gives none: an encrypted key fails instead of prompting.
  auto no_passphrase = [](char*, int, int, void*) { return 0; };
  pkey_ptr key(PEM_read_bio_PrivateKey(in.get(), nullptr, no_passphrase, nullptr));
  ERR_clear_error();
  if (!key)
    throw std::invalid_argument("not a PEM private key (an unencrypted PKCS#8 key is expected)");
  if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519)
    throw std::invalid_argument("not an Ed25519 private key");
  return signing_key(std::move(key));
}

signing_key signing_key::from_pem_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::invalid_argument("cannot read '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  std::string pem = std::move(text).str();
  // The one copy of the secret outside OpenSSL: wiped however this scope is left.
  struct wipe_on_exit {
    std::string& secret;
    ~wipe_on_exit() { OPENSSL_cleanse(secret.data(), secret.size()); }
  } wipe{pem};
  try {
    return from_pem(pem);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("'" + path + "': " + e.what());
  }
}

std::string signing_key::private_pem() const {
  const bio_ptr out(check_alloc(BIO_new(BIO_s_secmem()), "BIO_new"));
  check_ok(
      PEM_write_bio_PKCS8PrivateKey(out.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr),
      "PEM_write_bio_PKCS8PrivateKey");
  char* data = nullptr;
  const long size = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

xeddsa_signature signing_key::sign(std::span<const std::uint8_t> message) const {
  const md_ctx_ptr ctx(check_alloc(EVP_MD_CTX_new(), "EVP_MD_CTX_new"));
  // Ed25519 is one-shot and hashes internally, so no digest is named.
  check_ok(EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()),
           "EVP_DigestSignInit");
  static constexpr std::uint8_t no_data = 0;
  xeddsa_signature signature{};
  std::size_t size = signature.size();
  check_ok(EVP_DigestSign(ctx.get(), signature.data(), &size,
                          message.empty() ? &no_data : message.data(), message.size()),
           "EVP_DigestSign");
  if (size != signature.size())
    throw std::runtime_error("EVP_DigestSign: unexpected signature size");
  xeddsa::add_sign_bit(signature, edwards_public_key_);
  return signature;
}

}  // namespace sealpost::crypto
