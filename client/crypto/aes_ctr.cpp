// AES-256-CTR through EVP_aes_256_ctr: one EVP_EncryptUpdate, every return value checked.
#include "crypto/aes_ctr.hpp"

#include <climits>
#include <stdexcept>

#include "crypto/crypto_error.hpp"
#include "crypto/detail/openssl.hpp"

namespace sealpost::client::crypto {

void aes_256_ctr_xor(std::span<const std::uint8_t, aes_256_ctr_key_size> key,
                     std::span<const std::uint8_t, aes_ctr_counter_size> initial_counter,
                     std::span<const std::uint8_t> input, std::span<std::uint8_t> output) {
  if (output.size() != input.size()) {
    throw std::invalid_argument("AES-256-CTR: output size differs from input size");
  }
  // EVP's update call takes an int length.
  if (input.size() > static_cast<std::size_t>(INT_MAX)) {
    throw std::invalid_argument("AES-256-CTR input larger than INT_MAX bytes");
  }
  if (input.empty()) {
    return;
  }
  const detail::evp_cipher_ctx_ptr context(
      detail::check_not_null(EVP_CIPHER_CTX_new(), "AES-256-CTR context"));
  detail::check(EVP_EncryptInit_ex(context.get(),
                                   detail::check_not_null(EVP_aes_256_ctr(), "AES-256-CTR cipher"),
                                   nullptr, key.data(), initial_counter.data()),
                "AES-256-CTR init");
  int written = 0;
  detail::check(EVP_EncryptUpdate(context.get(), output.data(), &written, input.data(),
                                  static_cast<int>(input.size())),
                "AES-256-CTR update");
  // A stream mode emits every byte at update time; final adds nothing.
  int final_length = 0;
  detail::check(EVP_EncryptFinal_ex(context.get(), output.data() + written, &final_length),
                "AES-256-CTR final");
  if (static_cast<std::size_t>(written) != input.size() || final_length != 0) {
    throw crypto_error("AES-256-CTR (length)");
  }
}

std::vector<std::uint8_t> aes_256_ctr(
    std::span<const std::uint8_t, aes_256_ctr_key_size> key,
    std::span<const std::uint8_t, aes_ctr_counter_size> initial_counter,
    std::span<const std::uint8_t> input) {
  std::vector<std::uint8_t> output(input.size());
  aes_256_ctr_xor(key, initial_counter, input, output);
  return output;
}

}  // namespace sealpost::client::crypto
