// Owning buffer for secret material: wiped on destruction, compared in constant time.
#pragma once

#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

namespace sealpost::client::crypto {

// secret_bytes<32> holds exactly 32 bytes (zero until assigned); secret_bytes<> holds a size
// fixed at construction. The buffer never grows, so no stale copy is left behind by a
// reallocation; every buffer the object gives up is wiped with OPENSSL_cleanse, and a
// moved-from object is left wiped (fixed size) or empty (variable size).
template <std::size_t Size = std::dynamic_extent>
class secret_bytes {
  static constexpr bool is_fixed = Size != std::dynamic_extent;
  using storage = std::conditional_t<is_fixed, std::array<std::uint8_t, is_fixed ? Size : 1>,
                                     std::vector<std::uint8_t>>;

 public:
  secret_bytes() = default;

  // Variable size only: `size` zero bytes.
  explicit secret_bytes(std::size_t size) requires(!is_fixed) : bytes_(size, 0) {}

  // Copies `bytes`. Throws std::invalid_argument if a fixed size does not match.
  explicit secret_bytes(std::span<const std::uint8_t> bytes) {
    if constexpr (is_fixed) {
      if (bytes.size() != Size) {
        throw std::invalid_argument("secret_bytes: wrong input size");
      }
      std::copy(bytes.begin(), bytes.end(), bytes_.begin());
    } else {
      bytes_.assign(bytes.begin(), bytes.end());
    }
  }

  secret_bytes(const secret_bytes& other) = default;
  secret_bytes(secret_bytes&& other) noexcept : bytes_(std::move(other.bytes_)) { other.wipe(); }

  secret_bytes& operator=(const secret_bytes& other) {
    if (this != &other) {
      // Wipe first: a variable-size assignment may free the old buffer.
      wipe();
      bytes_ = other.bytes_;
    }
    return *this;
  }

  secret_bytes& operator=(secret_bytes&& other) noexcept {
    if (this != &other) {
      wipe();
      bytes_ = std::move(other.bytes_);
      other.wipe();
    }
    return *this;
  }

  ~secret_bytes() { wipe(); }

  [[nodiscard]] std::size_t size() const noexcept { return bytes_.size(); }
  [[nodiscard]] bool empty() const noexcept { return bytes_.empty(); }
  [[nodiscard]] const std::uint8_t* data() const noexcept { return bytes_.data(); }
  [[nodiscard]] std::uint8_t* data() noexcept { return bytes_.data(); }

  [[nodiscard]] std::span<const std::uint8_t, Size> view() const noexcept {
    return std::span<const std::uint8_t, Size>(bytes_.data(), bytes_.size());
  }
  [[nodiscard]] std::span<std::uint8_t, Size> mutable_view() noexcept {
    return std::span<std::uint8_t, Size>(bytes_.data(), bytes_.size());
  }

  // Constant time in the contents (CRYPTO_memcmp); sizes are public and compared first.
  friend bool operator==(const secret_bytes& a, const secret_bytes& b) noexcept {
    if (a.size() != b.size()) {
      return false;
    }
    return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
  }

 private:
  void wipe() noexcept {
    if (!bytes_.empty()) {
      OPENSSL_cleanse(bytes_.data(), bytes_.size());
    }
    if constexpr (!is_fixed) {
      bytes_.clear();
    }
  }

  storage bytes_{};
};

}  // namespace sealpost::client::crypto
