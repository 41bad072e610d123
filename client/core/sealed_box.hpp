// The encrypted container of the state file and of the backup: a small plaintext header
// (magic, scrypt parameters, salt, a random generation id, nonce), then the AES-256-GCM
// ciphertext of the payload with the whole header as associated data.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "crypto/aead.hpp"
#include "crypto/scrypt.hpp"
#include "crypto/secret_bytes.hpp"

namespace sealpost::client::sealed_box {

inline constexpr std::size_t magic_size = 8;
inline constexpr std::size_t salt_size = 16;
inline constexpr std::size_t generation_size = 8;
// magic, format version, log2(N), r, p, salt, generation, nonce.
inline constexpr std::size_t header_size =
    magic_size + 4 + salt_size + generation_size + crypto::aead_nonce_size;

using magic = std::array<char, magic_size>;
inline constexpr magic state_magic{'S', 'P', 'S', 'T', 'A', 'T', 'E', '1'};
inline constexpr magic backup_magic{'S', 'P', 'B', 'A', 'C', 'K', 'U', '1'};

using salt = std::array<std::uint8_t, salt_size>;
using generation = std::array<std::uint8_t, generation_size>;

// The passphrase cost the CLI uses: N = 2^15, r = 8, p = 1 (32 MiB, a fraction of a second).
inline constexpr crypto::scrypt_params default_kdf{std::uint64_t{1} << 15, 8, 1};

struct header {
  crypto::scrypt_params kdf;
  sealed_box::salt salt{};
  sealed_box::generation generation{};
};

// The header of `bytes`, or nullopt unless they start with `expected` magic, the supported
// format version and scrypt parameters this client accepts (N a power of two from 2^1 to
// 2^20, r 1-32, p 1-16, within scrypt_max_memory_bytes).
[[nodiscard]] std::optional<header> parse_header(const magic& expected,
                                                 std::span<const std::uint8_t> bytes) noexcept;

// scrypt(passphrase, salt) as an AEAD key. Throws std::invalid_argument for parameters
// parse_header would refuse; crypto_error on internal failure.
crypto::aead_key derive_key(std::string_view passphrase, const header& h);

// A fresh random salt and generation id.
header new_header(const crypto::scrypt_params& kdf);

// header || AES-256-GCM(key, random nonce, payload, AD = header). Throws crypto_error.
std::vector<std::uint8_t> seal(const magic& m, const header& h, const crypto::aead_key& key,
                               std::span<const std::uint8_t> payload);

// The payload, or nullopt when `bytes` do not authenticate under `key` (wrong key, or any
// byte changed). The caller has checked the header with parse_header.
[[nodiscard]] std::optional<crypto::secret_bytes<>> open(const crypto::aead_key& key,
                                                         std::span<const std::uint8_t> bytes);

}  // namespace sealpost::client::sealed_box
