// ECVRF-P256-SHA256-TAI (RFC 9381 §5, suite 0x01) and its KEYTRANS wrapping (draft §11.7,
// §17.1 KT_128_SHA256_P256): the log proves that a label-version pair maps to a search key
// (beta) without showing anyone who lacks the proof which label a search key belongs to.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "keytrans/tls_codec.hpp"

namespace sealpost::keytrans {

inline constexpr std::size_t vrf_scalar_size = 32;      // x, s: big-endian, < n
inline constexpr std::size_t vrf_public_key_size = 33;  // Y, SEC1 compressed
inline constexpr std::size_t vrf_challenge_size = 16;   // c: cLen = 128 bits
inline constexpr std::size_t vrf_proof_size = 81;       // Gamma (33) || c (16) || s (32)
inline constexpr std::size_t vrf_output_size = 32;      // beta = the search key

using vrf_output = std::array<std::uint8_t, vrf_output_size>;

// A proof this process made and its output (beta), taken from the Gamma the proof was made
// with rather than decoded again from the proof.
struct vrf_evaluation {
  bytes proof;  // pi, 81 bytes
  vrf_output output{};
};

// The prover's intermediate values, for checking the RFC's vectors step by step. Holds the
// nonce k, which reveals the secret scalar together with the proof: tests only.
struct vrf_prove_trace {
  unsigned counter = 0;  // the try-and-increment counter that gave H
  bytes h;               // H = encode_to_curve(Y, alpha), compressed
  bytes k;               // RFC 6979 nonce, 32 bytes
  bytes u;               // k*B, compressed
  bytes v;               // k*H, compressed
};

// The VRF secret scalar x in 1..n-1, with its public key Y = x*B computed once. Wiped on
// destruction and when moved from; not copyable. A moved-from key holds no scalar:
// public_key(), prove() and evaluate() on it throw std::logic_error.
class vrf_private_key {
 public:
  // A fresh scalar from RAND_priv_bytes. Throws std::runtime_error only when OpenSSL fails.
  static vrf_private_key generate();
  // The 32-byte big-endian scalar; nullopt unless it is exactly 32 bytes and in 1..n-1.
  static std::optional<vrf_private_key> from_bytes(std::span<const std::uint8_t> scalar);

  vrf_private_key(const vrf_private_key&) = delete;
  vrf_private_key& operator=(const vrf_private_key&) = delete;
  vrf_private_key(vrf_private_key&& other) noexcept;
  vrf_private_key& operator=(vrf_private_key&& other) noexcept;
  ~vrf_private_key();

  // Y = x*B, SEC1 compressed (33 bytes).
  [[nodiscard]] bytes public_key() const;
  // pi = Gamma || c || s (81 bytes) for alpha; deterministic (RFC 6979 nonce). Throws
  // std::runtime_error only when OpenSSL fails (or, with probability ~2^-256, when no counter
  // up to 255 hashes alpha to the curve).
  [[nodiscard]] bytes prove(std::span<const std::uint8_t> alpha) const;
  // prove() and its output beta (= vrf_proof_to_hash of the proof, without decoding it).
  [[nodiscard]] vrf_evaluation evaluate(std::span<const std::uint8_t> alpha) const;
  // prove() that also records its intermediate values (including the nonce): tests only.
  [[nodiscard]] bytes prove_traced(std::span<const std::uint8_t> alpha,
                                   vrf_prove_trace& trace) const;
  // Copies the scalar out, to be stored; the caller must wipe `out` (OPENSSL_cleanse).
  void export_scalar(std::span<std::uint8_t, vrf_scalar_size> out) const;

 private:
  explicit vrf_private_key(std::span<const std::uint8_t, vrf_scalar_size> scalar);
  [[nodiscard]] vrf_evaluation evaluate_with(std::span<const std::uint8_t> alpha,
                                             vrf_prove_trace* trace) const;

  std::array<std::uint8_t, vrf_scalar_size> scalar_{};
  bytes public_key_;  // Y, compressed; empty once moved from
};

// beta (32 bytes) when pi is a valid proof for alpha under the 33-byte compressed public key;
// nullopt for anything else (wrong sizes, points off the curve, c or s out of range, a proof
// for another input or key). Never throws on bad input; throws std::runtime_error only when
// OpenSSL fails internally (e.g. out of memory).
std::optional<vrf_output> vrf_verify(std::span<const std::uint8_t> public_key,
                                     std::span<const std::uint8_t> alpha,
                                     std::span<const std::uint8_t> pi);

// beta from a proof WITHOUT verifying it (RFC 9381 §5.2): only for a proof this process made
// itself with prove(); a received proof goes through vrf_verify. nullopt when pi is not 81
// bytes or its Gamma is not a point on the curve.
std::optional<vrf_output> vrf_proof_to_hash(std::span<const std::uint8_t> pi);

// The KEYTRANS VRF input (§11.7): struct { opaque label<0..2^8-1>; uint32 version; } VrfInput,
// TLS-encoded; this is alpha, and beta is the label-version pair's prefix-tree search key.
// Throws std::length_error for a label longer than 255 bytes (labels are built by our own
// code, never taken from the wire unchecked).
bytes encode_vrf_input(std::span<const std::uint8_t> label, std::uint32_t version);

}  // namespace sealpost::keytrans
