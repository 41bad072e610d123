// The sealed container format.
#include "core/sealed_box.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <stdexcept>

#include "crypto/random.hpp"

namespace sealpost::client::sealed_box {
namespace {

constexpr std::uint8_t format_version = 1;
constexpr std::size_t version_offset = magic_size;
constexpr std::size_t salt_offset = magic_size + 4;
constexpr std::size_t generation_offset = salt_offset + salt_size;
constexpr std::size_t nonce_offset = generation_offset + generation_size;

bool acceptable(const crypto::scrypt_params& kdf) noexcept {
  return kdf.n >= 2 && kdf.n <= (std::uint64_t{1} << 20) && std::has_single_bit(kdf.n) &&
         kdf.r >= 1 && kdf.r <= 32 && kdf.p >= 1 && kdf.p <= 16 &&
         crypto::scrypt_memory_bytes(kdf) <= crypto::scrypt_max_memory_bytes;
}

}  // namespace

std::optional<header> parse_header(const magic& expected,
                                   std::span<const std::uint8_t> bytes) noexcept {
  if (bytes.size() < header_size + crypto::aead_tag_size ||
      std::memcmp(bytes.data(), expected.data(), magic_size) != 0 ||
      bytes[version_offset] != format_version || bytes[version_offset + 1] >= 64) {
    return std::nullopt;
  }
  header h;
  h.kdf.n = std::uint64_t{1} << bytes[version_offset + 1];
  h.kdf.r = bytes[version_offset + 2];
  h.kdf.p = bytes[version_offset + 3];
  if (!acceptable(h.kdf)) {
    return std::nullopt;
  }
  std::copy_n(bytes.begin() + salt_offset, salt_size, h.salt.begin());
  std::copy_n(bytes.begin() + generation_offset, generation_size, h.generation.begin());
  return h;
}

crypto::aead_key derive_key(std::string_view passphrase, const header& h) {
  if (!acceptable(h.kdf)) {
    throw std::invalid_argument("unsupported scrypt parameters");
  }
  const crypto::secret_bytes<> derived =
      crypto::scrypt({reinterpret_cast<const std::uint8_t*>(passphrase.data()), passphrase.size()},
                     h.salt, h.kdf, crypto::aead_key_size);
  return crypto::aead_key(derived.view());
}

header new_header(const crypto::scrypt_params& kdf) {
  if (!acceptable(kdf)) {
    throw std::invalid_argument("unsupported scrypt parameters");
  }
  header h;
  h.kdf = kdf;
  crypto::random_fill(h.salt);
  crypto::random_fill(h.generation);
  return h;
}

std::vector<std::uint8_t> seal(const magic& m, const header& h, const crypto::aead_key& key,
                               std::span<const std::uint8_t> payload) {
  if (!acceptable(h.kdf)) {
    throw std::invalid_argument("unsupported scrypt parameters");
  }
  std::vector<std::uint8_t> out(header_size);
  std::memcpy(out.data(), m.data(), magic_size);
  out[version_offset] = format_version;
  out[version_offset + 1] = static_cast<std::uint8_t>(std::countr_zero(h.kdf.n));
  out[version_offset + 2] = static_cast<std::uint8_t>(h.kdf.r);
  out[version_offset + 3] = static_cast<std::uint8_t>(h.kdf.p);
  std::copy(h.salt.begin(), h.salt.end(), out.begin() + salt_offset);
  std::copy(h.generation.begin(), h.generation.end(), out.begin() + generation_offset);
  crypto::aead_nonce nonce{};
  crypto::random_fill(nonce);
  std::copy(nonce.begin(), nonce.end(), out.begin() + nonce_offset);
  const std::vector<std::uint8_t> sealed = crypto::aes_256_gcm_seal(key, nonce, payload, out);
  out.insert(out.end(), sealed.begin(), sealed.end());
  return out;
}

std::optional<crypto::secret_bytes<>> open(const crypto::aead_key& key,
                                           std::span<const std::uint8_t> bytes) {
  if (bytes.size() < header_size + crypto::aead_tag_size) {
    return std::nullopt;
  }
  crypto::aead_nonce nonce{};
  std::copy_n(bytes.begin() + nonce_offset, nonce.size(), nonce.begin());
  return crypto::aes_256_gcm_open(key, nonce, bytes.subspan(header_size), bytes.first(header_size));
}

}  // namespace sealpost::client::sealed_box
