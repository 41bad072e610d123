// One EVP_CIPHER AEAD routine shared by AES-256-GCM and ChaCha20-Poly1305 (same EVP controls).
#include "crypto/aead.hpp"

#include <openssl/err.h>

#include <climits>
#include <stdexcept>

#include "crypto/crypto_error.hpp"
#include "crypto/detail/openssl.hpp"

namespace sealpost::client::crypto {
namespace {

enum class direction { seal, open };

// EVP's update calls take int lengths.
int checked_length(std::span<const std::uint8_t> bytes) {
  if (bytes.size() > static_cast<std::size_t>(INT_MAX)) {
    throw std::invalid_argument("AEAD input larger than INT_MAX bytes");
  }
  return static_cast<int>(bytes.size());
}

detail::evp_cipher_ctx_ptr start(const EVP_CIPHER* cipher, direction way, const aead_key& key,
                                 std::span<const std::uint8_t, aead_nonce_size> nonce) {
  detail::evp_cipher_ctx_ptr context(detail::check_not_null(EVP_CIPHER_CTX_new(), "AEAD context"));
  const int encrypt = way == direction::seal ? 1 : 0;
  // Two steps: the nonce length has to be set before the nonce itself is accepted.
  detail::check(EVP_CipherInit_ex(context.get(), detail::check_not_null(cipher, "AEAD cipher"),
                                  nullptr, nullptr, nullptr, encrypt),
                "AEAD init");
  detail::check(EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_AEAD_SET_IVLEN,
                                    static_cast<int>(nonce.size()), nullptr),
                "AEAD nonce length");
  detail::check(
      EVP_CipherInit_ex(context.get(), nullptr, nullptr, key.data(), nonce.data(), encrypt),
      "AEAD key and nonce");
  return context;
}

void add_associated_data(EVP_CIPHER_CTX* context, std::span<const std::uint8_t> associated_data) {
  if (associated_data.empty()) {
    return;
  }
  int ignored = 0;
  detail::check(EVP_CipherUpdate(context, nullptr, &ignored, associated_data.data(),
                                 checked_length(associated_data)),
                "AEAD associated data");
}

// Processes `in` into `out` (same size; stream modes emit every byte at update time).
void transform(EVP_CIPHER_CTX* context, std::span<const std::uint8_t> in,
               std::span<std::uint8_t> out) {
  if (in.empty()) {
    return;
  }
  int written = 0;
  detail::check(EVP_CipherUpdate(context, out.data(), &written, in.data(), checked_length(in)),
                "AEAD update");
  if (static_cast<std::size_t>(written) != in.size()) {
    throw crypto_error("AEAD update (length)");
  }
}

std::vector<std::uint8_t> seal(const EVP_CIPHER* cipher, const aead_key& key,
                               std::span<const std::uint8_t, aead_nonce_size> nonce,
                               std::span<const std::uint8_t> plaintext,
                               std::span<const std::uint8_t> associated_data) {
  const detail::evp_cipher_ctx_ptr context = start(cipher, direction::seal, key, nonce);
  add_associated_data(context.get(), associated_data);
  std::vector<std::uint8_t> sealed(plaintext.size() + aead_tag_size);
  const std::span<std::uint8_t> ciphertext(sealed.data(), plaintext.size());
  transform(context.get(), plaintext, ciphertext);
  int final_length = 0;
  detail::check(EVP_CipherFinal_ex(context.get(), sealed.data() + plaintext.size(), &final_length),
                "AEAD seal final");
  if (final_length != 0) {
    throw crypto_error("AEAD seal final (length)");
  }
  detail::check(EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_AEAD_GET_TAG, aead_tag_size,
                                    sealed.data() + plaintext.size()),
                "AEAD get tag");
  return sealed;
}

std::optional<secret_bytes<>> open(const EVP_CIPHER* cipher, const aead_key& key,
                                   std::span<const std::uint8_t, aead_nonce_size> nonce,
                                   std::span<const std::uint8_t> sealed,
                                   std::span<const std::uint8_t> associated_data) {
  if (sealed.size() < aead_tag_size) {
    return std::nullopt;
  }
  const auto ciphertext = sealed.first(sealed.size() - aead_tag_size);
  const auto tag = sealed.last<aead_tag_size>();
  const detail::evp_cipher_ctx_ptr context = start(cipher, direction::open, key, nonce);
  add_associated_data(context.get(), associated_data);
  // The plaintext lives in a secret buffer from the start, so a rejected message is wiped.
  secret_bytes<> plaintext(ciphertext.size());
  transform(context.get(), ciphertext, plaintext.mutable_view());
  // OpenSSL takes a non-const pointer for SET_TAG but only copies from it.
  detail::check(EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_AEAD_SET_TAG, aead_tag_size,
                                    const_cast<std::uint8_t*>(tag.data())),
                "AEAD set tag");
  std::uint8_t no_output = 0;
  int final_length = 0;
  if (EVP_CipherFinal_ex(context.get(), &no_output, &final_length) != 1) {
    // The only way final fails once everything above succeeded is a tag mismatch.
    ERR_clear_error();
    return std::nullopt;
  }
  return plaintext;
}

}  // namespace

std::vector<std::uint8_t> aes_256_gcm_seal(const aead_key& key,
                                           std::span<const std::uint8_t, aead_nonce_size> nonce,
                                           std::span<const std::uint8_t> plaintext,
                                           std::span<const std::uint8_t> associated_data) {
  return seal(EVP_aes_256_gcm(), key, nonce, plaintext, associated_data);
}

std::optional<secret_bytes<>> aes_256_gcm_open(const aead_key& key,
                                               std::span<const std::uint8_t, aead_nonce_size> nonce,
                                               std::span<const std::uint8_t> sealed,
                                               std::span<const std::uint8_t> associated_data) {
  return open(EVP_aes_256_gcm(), key, nonce, sealed, associated_data);
}

std::vector<std::uint8_t> chacha20_poly1305_seal(
    const aead_key& key, std::span<const std::uint8_t, aead_nonce_size> nonce,
    std::span<const std::uint8_t> plaintext, std::span<const std::uint8_t> associated_data) {
  return seal(EVP_chacha20_poly1305(), key, nonce, plaintext, associated_data);
}

std::optional<secret_bytes<>> chacha20_poly1305_open(
    const aead_key& key, std::span<const std::uint8_t, aead_nonce_size> nonce,
    std::span<const std::uint8_t> sealed, std::span<const std::uint8_t> associated_data) {
  return open(EVP_chacha20_poly1305(), key, nonce, sealed, associated_data);
}

}  // namespace sealpost::client::crypto
