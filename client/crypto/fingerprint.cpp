// Safety-number computation, matching libsignal's DisplayableFingerprint (version 0).
#include "crypto/fingerprint.hpp"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "crypto/hash.hpp"

namespace sealpost::client::crypto {
namespace {

// libsignal's fingerprint format version, hashed first as two big-endian bytes.
constexpr std::uint8_t version_bytes[] = {0x00, 0x00};
constexpr std::size_t digit_groups = 6;
constexpr std::size_t group_bytes = 5;
constexpr std::size_t digits_per_group = 5;
constexpr std::uint64_t group_modulus = 100000;  // 10^digits_per_group

sha512_digest first_round(std::string_view id, std::span<const std::uint8_t> key) {
  std::vector<std::uint8_t> input(std::begin(version_bytes), std::end(version_bytes));
  input.insert(input.end(), key.begin(), key.end());
  input.insert(input.end(), id.begin(), id.end());
  input.insert(input.end(), key.begin(), key.end());
  return sha512(input);
}

// Rounds 2..iterations hash the previous digest followed by the key.
sha512_digest iterate(sha512_digest hash, std::uint32_t rounds, std::span<const std::uint8_t> key) {
  std::vector<std::uint8_t> input(hash.size() + key.size());
  std::copy(key.begin(), key.end(), input.begin() + static_cast<std::ptrdiff_t>(hash.size()));
  for (std::uint32_t round = 0; round < rounds; ++round) {
    std::copy(hash.begin(), hash.end(), input.begin());
    hash = sha512(input);
  }
  return hash;
}

std::string encode_digits(const sha512_digest& hash) {
  std::string digits;
  for (std::size_t group = 0; group < digit_groups; ++group) {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < group_bytes; ++i) {
      value = (value << 8) | hash[group * group_bytes + i];
    }
    std::string chunk = std::to_string(value % group_modulus);
    digits += std::string(digits_per_group - chunk.size(), '0') + chunk;
  }
  return digits;
}

}  // namespace

std::string fingerprint_digits(std::uint32_t iterations, std::string_view id,
                               std::span<const std::uint8_t> key) {
  if (iterations == 0) {
    throw std::invalid_argument("fingerprint_digits: iterations must be at least 1");
  }
  return encode_digits(iterate(first_round(id, key), iterations - 1, key));
}

std::string displayable_fingerprint(std::uint32_t iterations, std::string_view local_id,
                                    std::span<const std::uint8_t> local_key,
                                    std::string_view remote_id,
                                    std::span<const std::uint8_t> remote_key) {
  const std::string local = fingerprint_digits(iterations, local_id, local_key);
  const std::string remote = fingerprint_digits(iterations, remote_id, remote_key);
  return local < remote ? local + remote : remote + local;
}

}  // namespace sealpost::client::crypto
