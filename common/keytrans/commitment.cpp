// HMAC commitments over the TLS-encoded CommitmentValue.
#include "keytrans/commitment.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <limits>
#include <utility>

#include "xeddsa/openssl_check.hpp"

namespace sealpost::keytrans {
namespace {

// Wipes a buffer that held the opening when it goes out of scope, whichever way it is left.
class wiped_bytes {
 public:
  explicit wiped_bytes(bytes data) noexcept : data_(std::move(data)) {}
  wiped_bytes(const wiped_bytes&) = delete;
  wiped_bytes& operator=(const wiped_bytes&) = delete;
  ~wiped_bytes() { OPENSSL_cleanse(data_.data(), data_.size()); }
  [[nodiscard]] const bytes& get() const noexcept { return data_; }

 private:
  bytes data_;
};

}  // namespace

commitment_opening new_commitment_opening() {
  commitment_opening opening{};
  ossl::check_ok(RAND_priv_bytes(opening.data(), static_cast<int>(opening.size())),
                 "RAND_priv_bytes");
  return opening;
}

std::optional<bytes> encode_commitment_value(const commitment_opening& opening,
                                             std::span<const std::uint8_t> label,
                                             std::uint32_t version,
                                             std::span<const std::uint8_t> value) {
  if (label.size() > std::numeric_limits<std::uint8_t>::max() ||
      value.size() > std::numeric_limits<std::uint32_t>::max()) {
    return std::nullopt;
  }
  tls_writer writer;
  writer.raw(opening).vector(length_prefix::u8, label).u32(version);
  writer.vector(length_prefix::u32, value);  // UpdateValue; its suffix is empty in this mode
  return writer.take();
}

std::optional<commitment_digest> compute_commitment(const commitment_opening& opening,
                                                    std::span<const std::uint8_t> label,
                                                    std::uint32_t version,
                                                    std::span<const std::uint8_t> value) {
  std::optional<bytes> encoded = encode_commitment_value(opening, label, version, value);
  if (!encoded) {
    return std::nullopt;
  }
  const wiped_bytes commitment_value(std::move(*encoded));
  commitment_digest digest{};
  unsigned int digest_size = 0;
  ossl::check_alloc(HMAC(EVP_sha256(), commitment_key.data(),
                         static_cast<int>(commitment_key.size()), commitment_value.get().data(),
                         commitment_value.get().size(), digest.data(), &digest_size),
                    "HMAC");
  if (digest_size != digest.size()) {
    ossl::throw_openssl_error("HMAC size");
  }
  return digest;
}

bool verify_commitment(std::span<const std::uint8_t> commitment,
                       std::span<const std::uint8_t> opening, std::span<const std::uint8_t> label,
                       std::uint32_t version, std::span<const std::uint8_t> value) {
  if (commitment.size() != commitment_size || opening.size() != commitment_opening_size) {
    return false;
  }
  commitment_opening fixed_opening{};
  std::copy(opening.begin(), opening.end(), fixed_opening.begin());
  const std::optional<commitment_digest> expected =
      compute_commitment(fixed_opening, label, version, value);
  OPENSSL_cleanse(fixed_opening.data(), fixed_opening.size());
  return expected && CRYPTO_memcmp(expected->data(), commitment.data(), commitment_size) == 0;
}

}  // namespace sealpost::keytrans
