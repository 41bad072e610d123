// ECVRF-P256-SHA256-TAI (RFC 9381 §5, §5.5) on OpenSSL's EC_GROUP / EC_POINT / BN API. Every
// operation on the secret scalar x or the nonce k runs on BIGNUMs flagged BN_FLG_CONSTTIME (so
// EC_POINT_mul and the modular reduction take their constant-time paths) or on bytes in fixed
// time, and every buffer or BIGNUM that held either is wiped before it is freed.
#include "keytrans/vrf.hpp"

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/obj_mac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <initializer_list>
#include <stdexcept>
#include <utility>

#include "xeddsa/openssl_check.hpp"

namespace sealpost::keytrans {
namespace {

using ossl::check_alloc;
using ossl::check_ok;

using digest = std::array<std::uint8_t, 32>;
using point_string = std::span<const std::uint8_t>;

// RFC 9381 §5.5: ECVRF-P256-SHA256-TAI, and the domain separators of §5.4.1.1, §5.4.3, §5.2.
constexpr std::uint8_t suite_string = 0x01;
constexpr std::uint8_t encode_to_curve_front = 0x01;
constexpr std::uint8_t challenge_front = 0x02;
constexpr std::uint8_t proof_to_hash_front = 0x03;
constexpr std::uint8_t back_domain_separator = 0x00;
// try_and_increment's counter is one byte (§5.4.1.1).
constexpr unsigned max_hash_to_curve_counter = 255;
// Each RFC 6979 candidate is >= n with probability < 2^-32; a bound keeps the work finite.
constexpr int max_nonce_candidates = 64;
constexpr int max_generate_attempts = 64;

// A byte buffer that may hold secret material: wiped when it goes out of scope.
template <std::size_t N>
struct wiped_array {
  std::array<std::uint8_t, N> data{};
  wiped_array() = default;
  wiped_array(const wiped_array&) = delete;
  wiped_array& operator=(const wiped_array&) = delete;
  ~wiped_array() { OPENSSL_cleanse(data.data(), data.size()); }
};

struct wiped_bytes {
  bytes data;
  wiped_bytes() = default;
  wiped_bytes(const wiped_bytes&) = delete;
  wiped_bytes& operator=(const wiped_bytes&) = delete;
  ~wiped_bytes() { OPENSSL_cleanse(data.data(), data.size()); }
};

void append(bytes& out, std::span<const std::uint8_t> part) {
  out.insert(out.end(), part.begin(), part.end());
}

digest sha256(std::span<const std::uint8_t> input) {
  digest out{};
  unsigned int size = 0;
  check_ok(EVP_Digest(input.data(), input.size(), out.data(), &size, EVP_sha256(), nullptr),
           "EVP_Digest");
  return out;
}

// P-256 with its precomputation, built once per thread: building it is a tenth of a proof's
// time (docs/benchmarks.md, "Key transparency"). It holds public values only, and no call
// here modifies it.
const EC_GROUP* p256_group() {
  thread_local const ossl::ec_group_ptr group{
      check_alloc(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1), "EC_GROUP_new_by_curve_name")};
  return group.get();
}

// The curve, its order and a BN_CTX per operation (secure-heap backed when one is set up;
// BN_CTX_free clears the temporaries it handed out, which may hold x or k).
struct p256 {
  const EC_GROUP* group = p256_group();
  ossl::bn_ctx_ptr ctx{check_alloc(BN_CTX_secure_new(), "BN_CTX_secure_new")};
  const BIGNUM* order = check_alloc(EC_GROUP_get0_order(group), "EC_GROUP_get0_order");

  [[nodiscard]] ossl::ec_point_ptr new_point() const {
    return ossl::ec_point_ptr(check_alloc(EC_POINT_new(group), "EC_POINT_new"));
  }
};

ossl::bn_ptr public_bn(std::span<const std::uint8_t> big_endian) {
  return ossl::bn_ptr(check_alloc(
      BN_bin2bn(big_endian.data(), static_cast<int>(big_endian.size()), nullptr), "BN_bin2bn"));
}

ossl::secret_bn_ptr new_secret_bn() {
  ossl::secret_bn_ptr bn(check_alloc(BN_secure_new(), "BN_secure_new"));
  BN_set_flags(bn.get(), BN_FLG_CONSTTIME);
  return bn;
}

ossl::secret_bn_ptr secret_bn(std::span<const std::uint8_t> big_endian) {
  ossl::secret_bn_ptr bn = new_secret_bn();
  check_alloc(BN_bin2bn(big_endian.data(), static_cast<int>(big_endian.size()), bn.get()),
              "BN_bin2bn");
  BN_set_flags(bn.get(), BN_FLG_CONSTTIME);
  return bn;
}

// value as exactly out.size() big-endian bytes (constant time in value: BN_bn2binpad).
void write_fixed(const BIGNUM* value, std::span<std::uint8_t> out) {
  if (BN_bn2binpad(value, out.data(), static_cast<int>(out.size())) !=
      static_cast<int>(out.size())) {
    ossl::throw_openssl_error("BN_bn2binpad");
  }
}

// 1 <= value < n, in time independent of value (BN_cmp stops at the first differing word):
// the borrow out of value - n is 1 exactly when value < n. Only the verdict is revealed.
bool is_valid_scalar(const p256& curve, std::span<const std::uint8_t, vrf_scalar_size> value) {
  std::array<std::uint8_t, vrf_scalar_size> order{};
  write_fixed(curve.order, order);
  std::uint32_t borrow = 0;
  std::uint8_t any_bit = 0;
  for (std::size_t i = value.size(); i-- > 0;) {
    const std::uint32_t difference = std::uint32_t{value[i]} - order[i] - borrow;
    borrow = (difference >> 8) & 1U;
    any_bit |= value[i];
  }
  const std::uint32_t nonzero = (std::uint32_t{any_bit} + 0xFFU) >> 8;  // 1 iff any_bit != 0
  return (borrow & nonzero) == 1U;
}

// point_to_string (§5.5): SEC1 compressed, 33 bytes. Throws std::logic_error for the point at
// infinity, which no caller passes except through a moved-from key (x = 0): verification
// refuses an infinite U or V before encoding them.
bytes point_to_string(const p256& curve, const EC_POINT* point) {
  if (EC_POINT_is_at_infinity(curve.group, point) != 0) {
    throw std::logic_error("ECVRF: the point at infinity has no 33-byte encoding");
  }
  bytes out(vrf_public_key_size);
  const std::size_t size = EC_POINT_point2oct(curve.group, point, POINT_CONVERSION_COMPRESSED,
                                              out.data(), out.size(), curve.ctx.get());
  if (size != out.size()) {
    ossl::throw_openssl_error("EC_POINT_point2oct");
  }
  return out;
}

// string_to_point (§5.5): exactly 33 bytes, 02 or 03, x < p, on the curve, not infinity;
// nullptr for anything else. A refused encoding leaves no error on OpenSSL's queue.
ossl::ec_point_ptr string_to_point(const p256& curve, std::span<const std::uint8_t> encoded) {
  if (encoded.size() != vrf_public_key_size || (encoded[0] != 0x02 && encoded[0] != 0x03)) {
    return nullptr;
  }
  ossl::ec_point_ptr point = curve.new_point();
  ERR_set_mark();
  const int decoded =
      EC_POINT_oct2point(curve.group, point.get(), encoded.data(), encoded.size(), curve.ctx.get());
  ERR_pop_to_mark();
  if (decoded != 1 || EC_POINT_is_on_curve(curve.group, point.get(), curve.ctx.get()) != 1 ||
      EC_POINT_is_at_infinity(curve.group, point.get()) != 0) {
    return nullptr;
  }
  return point;
}

struct curve_hash {
  ossl::ec_point_ptr point;
  unsigned counter = 0;
};

// encode_to_curve_try_and_increment (§5.4.1.1): the first counter whose hash, read as the x of
// a point with even y (02 || hash), is on the curve. The cofactor is 1. Public inputs only.
// alpha is hashed once and the state copied for each counter, so the work is |alpha| plus at
// most 256 short hashes and decompressions, however alpha is chosen.
std::optional<curve_hash> encode_to_curve(const p256& curve, point_string public_key,
                                          std::span<const std::uint8_t> alpha) {
  const ossl::md_ctx_ptr prefix(check_alloc(EVP_MD_CTX_new(), "EVP_MD_CTX_new"));
  const std::array<std::uint8_t, 2> front{suite_string, encode_to_curve_front};
  check_ok(EVP_DigestInit_ex(prefix.get(), EVP_sha256(), nullptr), "EVP_DigestInit_ex");
  check_ok(EVP_DigestUpdate(prefix.get(), front.data(), front.size()), "EVP_DigestUpdate");
  check_ok(EVP_DigestUpdate(prefix.get(), public_key.data(), public_key.size()),
           "EVP_DigestUpdate");
  check_ok(EVP_DigestUpdate(prefix.get(), alpha.data(), alpha.size()), "EVP_DigestUpdate");

  const ossl::md_ctx_ptr attempt(check_alloc(EVP_MD_CTX_new(), "EVP_MD_CTX_new"));
  std::array<std::uint8_t, 1 + 32> candidate{0x02};  // 02 || hash_string
  for (unsigned counter = 0; counter <= max_hash_to_curve_counter; ++counter) {
    const std::array<std::uint8_t, 2> back{static_cast<std::uint8_t>(counter),
                                           back_domain_separator};
    unsigned int size = 0;
    check_ok(EVP_MD_CTX_copy_ex(attempt.get(), prefix.get()), "EVP_MD_CTX_copy_ex");
    check_ok(EVP_DigestUpdate(attempt.get(), back.data(), back.size()), "EVP_DigestUpdate");
    check_ok(EVP_DigestFinal_ex(attempt.get(), candidate.data() + 1, &size), "EVP_DigestFinal_ex");
    if (ossl::ec_point_ptr point = string_to_point(curve, candidate)) {
      return curve_hash{std::move(point), counter};
    }
  }
  return std::nullopt;
}

// One HMAC-SHA256 step of RFC 6979 §3.2: out = HMAC_key(parts...).
void hmac_sha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> message,
                 std::span<std::uint8_t, 32> out) {
  unsigned int size = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), message.data(), message.size(),
           out.data(), &size) == nullptr ||
      size != out.size()) {
    ossl::throw_openssl_error("HMAC");
  }
}

// bits2octets(h1) of RFC 6979 §2.3.4 for qlen = hlen = 256: h1 mod n, as 32 bytes.
digest bits2octets(const p256& curve, const digest& h1) {
  const ossl::bn_ptr z = public_bn(h1);
  if (BN_cmp(z.get(), curve.order) >= 0) {
    check_ok(BN_sub(z.get(), z.get(), curve.order), "BN_sub");
  }
  digest out{};
  write_fixed(z.get(), out);
  return out;
}

// K = HMAC_K(V || marker || int2octets(x) || bits2octets(h1)); V = HMAC_K(V) (RFC 6979 §3.2 d-g).
// With no scalar and no h1, the retry step of §3.2 h.3: K = HMAC_K(V || 0x00); V = HMAC_K(V).
void rfc6979_seed_step(std::span<std::uint8_t, 32> key, std::span<std::uint8_t, 32> v,
                       std::uint8_t marker, std::span<const std::uint8_t> scalar,
                       std::span<const std::uint8_t> h1_octets) {
  wiped_bytes message;
  // Reserved up front: a reallocation would leave a copy of x in freed memory.
  message.data.reserve(v.size() + 1 + scalar.size() + h1_octets.size());
  append(message.data, v);
  message.data.push_back(marker);
  append(message.data, scalar);
  append(message.data, h1_octets);
  wiped_array<32> next_key;
  hmac_sha256(key, message.data, next_key.data);
  std::copy(next_key.data.begin(), next_key.data.end(), key.begin());
  hmac_sha256(key, v, next_key.data);
  std::copy(next_key.data.begin(), next_key.data.end(), v.begin());
}

// ECVRF_nonce_generation_RFC6979 (§5.4.2.1): RFC 6979 §3.2 with HMAC-SHA256 over
// h1 = SHA-256(h_string). Writes k (1..n-1, 32 bytes) to `k`.
void rfc6979_nonce(const p256& curve, std::span<const std::uint8_t, vrf_scalar_size> scalar,
                   point_string h_string, std::span<std::uint8_t, vrf_scalar_size> k) {
  const digest h1_octets = bits2octets(curve, sha256(h_string));
  wiped_array<32> key;  // K = 0x00 .. 00
  wiped_array<32> v;
  v.data.fill(0x01);
  rfc6979_seed_step(key.data, v.data, 0x00, scalar, h1_octets);
  rfc6979_seed_step(key.data, v.data, 0x01, scalar, h1_octets);
  for (int attempt = 0; attempt < max_nonce_candidates; ++attempt) {
    wiped_array<32> next;
    hmac_sha256(key.data, v.data, next.data);  // V = HMAC_K(V); T = V (tlen = qlen)
    v.data = next.data;
    if (is_valid_scalar(curve, v.data)) {
      std::copy(v.data.begin(), v.data.end(), k.begin());
      return;
    }
    rfc6979_seed_step(key.data, v.data, 0x00, {}, {});  // K = HMAC_K(V || 0x00); V = HMAC_K(V)
  }
  throw std::runtime_error("RFC 6979 found no nonce below the group order");
}

// ECVRF_challenge_generation (§5.4.3): the first cLen = 16 bytes of
// SHA-256(suite || 0x02 || Y || H || Gamma || U || V || 0x00).
std::array<std::uint8_t, vrf_challenge_size> challenge(std::initializer_list<point_string> points) {
  bytes input{suite_string, challenge_front};
  for (const point_string point : points) {
    append(input, point);
  }
  input.push_back(back_domain_separator);
  const digest hash = sha256(input);
  std::array<std::uint8_t, vrf_challenge_size> c{};
  std::copy_n(hash.begin(), c.size(), c.begin());
  return c;
}

// ECVRF_proof_to_hash's final step (§5.2): SHA-256(suite || 0x03 || Gamma || 0x00); the
// cofactor is 1, so cofactor * Gamma = Gamma.
vrf_output gamma_to_hash(point_string gamma) {
  bytes input{suite_string, proof_to_hash_front};
  append(input, gamma);
  input.push_back(back_domain_separator);
  return sha256(input);
}

// result = scalar * point (point == nullptr: the base point B).
void multiply(const p256& curve, EC_POINT* result, const BIGNUM* scalar, const EC_POINT* point) {
  if (point == nullptr) {
    check_ok(EC_POINT_mul(curve.group, result, scalar, nullptr, nullptr, curve.ctx.get()),
             "EC_POINT_mul");
  } else {
    check_ok(EC_POINT_mul(curve.group, result, nullptr, point, scalar, curve.ctx.get()),
             "EC_POINT_mul");
  }
}

// s = (k + c * x) mod n on BIGNUMs flagged BN_FLG_CONSTTIME (so BN_mod_mul's reduction takes
// OpenSSL's constant-time division); BN_mod_add_quick is the constant-time addition of two
// reduced values. What remains visible is the word length of x (zero top words: p < 2^-64).
void response(const p256& curve, const BIGNUM* k, const BIGNUM* c, const BIGNUM* x,
              std::span<std::uint8_t, vrf_scalar_size> s_out) {
  const ossl::secret_bn_ptr cx = new_secret_bn();
  const ossl::secret_bn_ptr s = new_secret_bn();
  check_ok(BN_mod_mul(cx.get(), c, x, curve.order, curve.ctx.get()), "BN_mod_mul");
  check_ok(BN_mod_add_quick(s.get(), k, cx.get(), curve.order), "BN_mod_add_quick");
  write_fixed(s.get(), s_out);
}

// Y = x*B, encoded.
bytes public_key_string(const p256& curve, const BIGNUM* x) {
  const ossl::ec_point_ptr y = curve.new_point();
  multiply(curve, y.get(), x, nullptr);
  return point_to_string(curve, y.get());
}

vrf_evaluation prove_with(std::span<const std::uint8_t, vrf_scalar_size> scalar,
                          point_string y_string, std::span<const std::uint8_t> alpha,
                          vrf_prove_trace* trace) {
  const p256 curve;
  const ossl::secret_bn_ptr x = secret_bn(scalar);

  std::optional<curve_hash> h = encode_to_curve(curve, y_string, alpha);
  if (!h) {
    throw std::runtime_error("ECVRF: no try-and-increment counter hashed alpha to the curve");
  }
  const bytes h_string = point_to_string(curve, h->point.get());

  wiped_array<vrf_scalar_size> k_bytes;
  rfc6979_nonce(curve, scalar, h_string, k_bytes.data);
  const ossl::secret_bn_ptr k = secret_bn(k_bytes.data);

  const ossl::ec_point_ptr gamma = curve.new_point();
  const ossl::ec_point_ptr u = curve.new_point();
  const ossl::ec_point_ptr v = curve.new_point();
  multiply(curve, gamma.get(), x.get(), h->point.get());  // Gamma = x*H
  multiply(curve, u.get(), k.get(), nullptr);             // U = k*B
  multiply(curve, v.get(), k.get(), h->point.get());      // V = k*H
  const bytes gamma_string = point_to_string(curve, gamma.get());
  const bytes u_string = point_to_string(curve, u.get());
  const bytes v_string = point_to_string(curve, v.get());

  const auto c = challenge({y_string, h_string, gamma_string, u_string, v_string});
  wiped_array<vrf_scalar_size> s;
  response(curve, k.get(), public_bn(c).get(), x.get(), s.data);

  vrf_evaluation out{gamma_string, gamma_to_hash(gamma_string)};
  append(out.proof, c);
  append(out.proof, s.data);
  if (trace != nullptr) {
    *trace = vrf_prove_trace{h->counter, h_string, bytes(k_bytes.data.begin(), k_bytes.data.end()),
                             u_string, v_string};
  }
  return out;
}

// U = s*B - c*Y and V = s*H - c*Gamma (§5.3 steps 7-8), from public values only.
struct verify_points {
  ossl::ec_point_ptr u;
  ossl::ec_point_ptr v;
};

verify_points verify_equations(const p256& curve, const EC_POINT* y, const EC_POINT* h,
                               const EC_POINT* gamma, const BIGNUM* c, const BIGNUM* s) {
  const ossl::bn_ptr minus_c(check_alloc(BN_new(), "BN_new"));
  check_ok(BN_mod_sub(minus_c.get(), curve.order, c, curve.order, curve.ctx.get()), "BN_mod_sub");
  verify_points out{curve.new_point(), curve.new_point()};
  check_ok(EC_POINT_mul(curve.group, out.u.get(), s, y, minus_c.get(), curve.ctx.get()),
           "EC_POINT_mul");
  const ossl::ec_point_ptr s_h = curve.new_point();
  const ossl::ec_point_ptr minus_c_gamma = curve.new_point();
  multiply(curve, s_h.get(), s, h);
  multiply(curve, minus_c_gamma.get(), minus_c.get(), gamma);
  check_ok(EC_POINT_add(curve.group, out.v.get(), s_h.get(), minus_c_gamma.get(), curve.ctx.get()),
           "EC_POINT_add");
  return out;
}

}  // namespace

vrf_private_key::vrf_private_key(std::span<const std::uint8_t, vrf_scalar_size> scalar) {
  std::copy(scalar.begin(), scalar.end(), scalar_.begin());
  const p256 curve;
  public_key_ = public_key_string(curve, secret_bn(scalar_).get());
}

vrf_private_key vrf_private_key::generate() {
  const p256 curve;
  for (int attempt = 0; attempt < max_generate_attempts; ++attempt) {
    wiped_array<vrf_scalar_size> candidate;
    check_ok(RAND_priv_bytes(candidate.data.data(), static_cast<int>(candidate.data.size())),
             "RAND_priv_bytes");
    if (is_valid_scalar(curve, candidate.data)) {
      return vrf_private_key(candidate.data);
    }
  }
  throw std::runtime_error("RAND_priv_bytes gave no scalar below the group order");
}

std::optional<vrf_private_key> vrf_private_key::from_bytes(std::span<const std::uint8_t> scalar) {
  if (scalar.size() != vrf_scalar_size ||
      !is_valid_scalar(p256{}, scalar.first<vrf_scalar_size>())) {
    return std::nullopt;
  }
  return vrf_private_key(scalar.first<vrf_scalar_size>());
}

vrf_private_key::vrf_private_key(vrf_private_key&& other) noexcept
    : scalar_(other.scalar_), public_key_(std::move(other.public_key_)) {
  OPENSSL_cleanse(other.scalar_.data(), other.scalar_.size());
  other.public_key_.clear();
}

vrf_private_key& vrf_private_key::operator=(vrf_private_key&& other) noexcept {
  if (this != &other) {
    scalar_ = other.scalar_;
    public_key_ = std::move(other.public_key_);
    OPENSSL_cleanse(other.scalar_.data(), other.scalar_.size());
    other.public_key_.clear();
  }
  return *this;
}

vrf_private_key::~vrf_private_key() {
  OPENSSL_cleanse(scalar_.data(), scalar_.size());
}

bytes vrf_private_key::public_key() const {
  if (public_key_.empty()) {
    throw std::logic_error("ECVRF: a moved-from key has no public key");
  }
  return public_key_;
}

vrf_evaluation vrf_private_key::evaluate_with(std::span<const std::uint8_t> alpha,
                                              vrf_prove_trace* trace) const {
  if (public_key_.empty()) {
    throw std::logic_error("ECVRF: a moved-from key cannot prove");
  }
  return prove_with(scalar_, public_key_, alpha, trace);
}

bytes vrf_private_key::prove(std::span<const std::uint8_t> alpha) const {
  return evaluate_with(alpha, nullptr).proof;
}

vrf_evaluation vrf_private_key::evaluate(std::span<const std::uint8_t> alpha) const {
  return evaluate_with(alpha, nullptr);
}

bytes vrf_private_key::prove_traced(std::span<const std::uint8_t> alpha,
                                    vrf_prove_trace& trace) const {
  return evaluate_with(alpha, &trace).proof;
}

void vrf_private_key::export_scalar(std::span<std::uint8_t, vrf_scalar_size> out) const {
  std::copy(scalar_.begin(), scalar_.end(), out.begin());
}

std::optional<vrf_output> vrf_verify(std::span<const std::uint8_t> public_key,
                                     std::span<const std::uint8_t> alpha,
                                     std::span<const std::uint8_t> pi) {
  if (public_key.size() != vrf_public_key_size || pi.size() != vrf_proof_size) {
    return std::nullopt;
  }
  const p256 curve;
  // ECVRF_validate_key: on the curve and not infinity (the cofactor is 1, so no small order).
  const ossl::ec_point_ptr y = string_to_point(curve, public_key);
  // ECVRF_decode_proof (§5.4.4): Gamma a point; c < 2^128 by its 16 bytes; s < n.
  const auto gamma_bytes = pi.first(vrf_public_key_size);
  const auto c_bytes = pi.subspan(vrf_public_key_size, vrf_challenge_size);
  const auto s_bytes = pi.subspan(vrf_public_key_size + vrf_challenge_size);
  const ossl::ec_point_ptr gamma = string_to_point(curve, gamma_bytes);
  const ossl::bn_ptr c = public_bn(c_bytes);
  const ossl::bn_ptr s = public_bn(s_bytes);
  if (!y || !gamma || BN_cmp(s.get(), curve.order) >= 0) {
    return std::nullopt;
  }
  const std::optional<curve_hash> h = encode_to_curve(curve, public_key, alpha);
  if (!h) {
    return std::nullopt;
  }
  const verify_points uv =
      verify_equations(curve, y.get(), h->point.get(), gamma.get(), c.get(), s.get());
  // An honest U = k*B and V = k*H with k in 1..n-1 are never infinity.
  if (EC_POINT_is_at_infinity(curve.group, uv.u.get()) != 0 ||
      EC_POINT_is_at_infinity(curve.group, uv.v.get()) != 0) {
    return std::nullopt;
  }
  const auto expected =
      challenge({public_key, point_to_string(curve, h->point.get()), gamma_bytes,
                 point_to_string(curve, uv.u.get()), point_to_string(curve, uv.v.get())});
  if (CRYPTO_memcmp(expected.data(), c_bytes.data(), expected.size()) != 0) {
    return std::nullopt;
  }
  return gamma_to_hash(gamma_bytes);
}

std::optional<vrf_output> vrf_proof_to_hash(std::span<const std::uint8_t> pi) {
  if (pi.size() != vrf_proof_size) {
    return std::nullopt;
  }
  const auto gamma_bytes = pi.first(vrf_public_key_size);
  if (!string_to_point(p256{}, gamma_bytes)) {
    return std::nullopt;
  }
  return gamma_to_hash(gamma_bytes);
}

bytes encode_vrf_input(std::span<const std::uint8_t> label, std::uint32_t version) {
  return tls_writer().vector(length_prefix::u8, label).u32(version).take();
}

}  // namespace sealpost::keytrans
