// Tree-head encodings and the suite's ECDSA P-256 signatures. OpenSSL speaks DER signatures;
// the draft's suite uses fixed-size r || s, so both directions are converted here.
#include "keytrans/tree_head.hpp"

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/params.h>

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string_view>

namespace sealpost::keytrans {
namespace {

constexpr std::size_t scalar_size = 32;
constexpr std::uint8_t sec1_uncompressed = 0x04;
// The order n of the P-256 group, big-endian.
constexpr std::array<std::uint8_t, scalar_size> p256_order{
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51};

bool fits_u16_vector(std::span<const std::uint8_t> value) {
  return value.size() <= std::numeric_limits<std::uint16_t>::max();
}

void write_tree_head(tls_writer& writer, const tree_head& head) {
  writer.u64(head.tree_size).vector(length_prefix::u16, head.signature);
}

void write_auditor_tree_head(tls_writer& writer, const auditor_tree_head& head) {
  writer.u64(head.timestamp).u64(head.tree_size).vector(length_prefix::u16, head.signature);
}

std::optional<tree_head> read_tree_head(tls_reader& reader) {
  const auto tree_size = reader.u64();
  const auto signature = reader.vector(length_prefix::u16);
  if (!tree_size || !signature) {
    return std::nullopt;
  }
  return tree_head{*tree_size, bytes(signature->begin(), signature->end())};
}

std::optional<auditor_tree_head> read_auditor_tree_head(tls_reader& reader) {
  const auto timestamp = reader.u64();
  const auto tree_size = reader.u64();
  const auto signature = reader.vector(length_prefix::u16);
  if (!timestamp || !tree_size || !signature) {
    return std::nullopt;
  }
  return auditor_tree_head{*timestamp, *tree_size, bytes(signature->begin(), signature->end())};
}

// True for an EC key on P-256 (not merely any 256-bit curve such as secp256k1).
bool is_p256(const EVP_PKEY& key) {
  std::array<char, 32> group{};
  std::size_t size = 0;
  return EVP_PKEY_is_a(&key, "EC") == 1 &&
         EVP_PKEY_get_utf8_string_param(&key, OSSL_PKEY_PARAM_GROUP_NAME, group.data(),
                                        group.size(), &size) == 1 &&
         std::string_view(group.data(), size) == "prime256v1";
}

// 1 <= scalar < n, comparing big-endian bytes (their order is the numbers' order).
bool scalar_in_range(std::span<const std::uint8_t> scalar) {
  const bool zero =
      std::all_of(scalar.begin(), scalar.end(), [](std::uint8_t b) { return b == 0; });
  return !zero && std::lexicographical_compare(scalar.begin(), scalar.end(), p256_order.begin(),
                                               p256_order.end());
}

// The public key, or nullptr when the bytes are not an uncompressed point on P-256.
ossl::pkey_ptr p256_public_key_from_sec1(std::span<const std::uint8_t> encoded) {
  if (encoded.size() != p256_public_key_size || encoded[0] != sec1_uncompressed) {
    return nullptr;
  }
  ossl::pkey_ctx_ptr ctx(ossl::check_alloc(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr),
                                           "EVP_PKEY_CTX_new_from_name"));
  ossl::check_ok(EVP_PKEY_fromdata_init(ctx.get()), "EVP_PKEY_fromdata_init");
  char group_name[] = "prime256v1";
  bytes point(encoded.begin(), encoded.end());
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group_name, 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
      OSSL_PARAM_construct_end()};
  EVP_PKEY* raw_key = nullptr;
  // Decoding the point checks that it lies on the curve; a failure here is the input's.
  if (EVP_PKEY_fromdata(ctx.get(), &raw_key, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    ERR_clear_error();
    return nullptr;
  }
  ossl::pkey_ptr key(raw_key);
  ossl::pkey_ctx_ptr check(ossl::check_alloc(
      EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr), "EVP_PKEY_CTX_new_from_pkey"));
  if (EVP_PKEY_public_check(check.get()) != 1) {
    ERR_clear_error();
    return nullptr;
  }
  return key;
}

// r || s (both already range-checked) as the DER ECDSA-Sig-Value OpenSSL verifies.
bytes der_from_raw(std::span<const std::uint8_t> signature) {
  ossl::bn_ptr r(ossl::check_alloc(BN_bin2bn(signature.data(), scalar_size, nullptr), "BN_bin2bn"));
  ossl::bn_ptr s(ossl::check_alloc(BN_bin2bn(signature.data() + scalar_size, scalar_size, nullptr),
                                   "BN_bin2bn"));
  ossl::ecdsa_sig_ptr sig(ossl::check_alloc(ECDSA_SIG_new(), "ECDSA_SIG_new"));
  ossl::check_ok(ECDSA_SIG_set0(sig.get(), r.get(), s.get()), "ECDSA_SIG_set0");
  static_cast<void>(r.release());  // owned by sig now
  static_cast<void>(s.release());
  const int size = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (size <= 0) {
    ossl::throw_openssl_error("i2d_ECDSA_SIG");
  }
  bytes der(static_cast<std::size_t>(size));
  unsigned char* out = der.data();
  if (i2d_ECDSA_SIG(sig.get(), &out) != size) {
    ossl::throw_openssl_error("i2d_ECDSA_SIG");
  }
  return der;
}

// OpenSSL's DER signature as r || s.
p256_signature raw_from_der(std::span<const std::uint8_t> der) {
  const unsigned char* in = der.data();
  ossl::ecdsa_sig_ptr sig(ossl::check_alloc(
      d2i_ECDSA_SIG(nullptr, &in, static_cast<long>(der.size())), "d2i_ECDSA_SIG"));
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  p256_signature raw{};
  if (BN_bn2binpad(r, raw.data(), scalar_size) != static_cast<int>(scalar_size) ||
      BN_bn2binpad(s, raw.data() + scalar_size, scalar_size) != static_cast<int>(scalar_size)) {
    ossl::throw_openssl_error("BN_bn2binpad");
  }
  return raw;
}

}  // namespace

std::optional<bytes> encode_configuration(const configuration& config) {
  if (!fits_u16_vector(config.signature_public_key) || !fits_u16_vector(config.vrf_public_key) ||
      !fits_u16_vector(config.leaf_public_key) || !fits_u16_vector(config.auditor_public_key)) {
    return std::nullopt;
  }
  tls_writer writer;
  writer.u16(config.cipher_suite).u8(static_cast<std::uint8_t>(config.mode));
  writer.vector(length_prefix::u16, config.signature_public_key);
  writer.vector(length_prefix::u16, config.vrf_public_key);
  switch (config.mode) {
    case deployment_mode::contact_monitoring:
      break;  // no mode fields (editor's copy: no leaf_public_key here)
    case deployment_mode::third_party_management:
      writer.vector(length_prefix::u16, config.leaf_public_key);
      break;
    case deployment_mode::third_party_auditing:
      writer.u64(config.max_auditor_lag).u64(config.auditor_start_pos);
      writer.vector(length_prefix::u16, config.auditor_public_key);
      break;
    default:
      return std::nullopt;
  }
  writer.u64(config.max_ahead).u64(config.max_behind).u64(config.reasonable_monitoring_window);
  if (config.maximum_lifetime) {
    writer.u8(1).u64(*config.maximum_lifetime);
  } else {
    writer.u8(0);
  }
  return writer.take();
}

namespace {

bool read_key(tls_reader& reader, bytes& out) {
  const auto key = reader.vector(length_prefix::u16);
  if (!key) {
    return false;
  }
  out.assign(key->begin(), key->end());
  return true;
}

}  // namespace

std::optional<configuration> decode_configuration(std::span<const std::uint8_t> encoded) {
  tls_reader reader(encoded);
  configuration config;
  const auto suite = reader.u16();
  const auto mode = reader.u8();
  if (!suite || !mode || !read_key(reader, config.signature_public_key) ||
      !read_key(reader, config.vrf_public_key)) {
    return std::nullopt;
  }
  config.cipher_suite = *suite;
  config.mode = static_cast<deployment_mode>(*mode);
  switch (config.mode) {
    case deployment_mode::contact_monitoring:
      break;
    case deployment_mode::third_party_management:
      if (!read_key(reader, config.leaf_public_key)) {
        return std::nullopt;
      }
      break;
    case deployment_mode::third_party_auditing: {
      const auto lag = reader.u64();
      const auto start = reader.u64();
      if (!lag || !start || !read_key(reader, config.auditor_public_key)) {
        return std::nullopt;
      }
      config.max_auditor_lag = *lag;
      config.auditor_start_pos = *start;
      break;
    }
    default:
      return std::nullopt;
  }
  const auto ahead = reader.u64();
  const auto behind = reader.u64();
  const auto window = reader.u64();
  const auto has_lifetime = reader.u8();
  if (!ahead || !behind || !window || !has_lifetime || *has_lifetime > 1) {
    return std::nullopt;
  }
  config.max_ahead = *ahead;
  config.max_behind = *behind;
  config.reasonable_monitoring_window = *window;
  if (*has_lifetime == 1) {
    const auto lifetime = reader.u64();
    if (!lifetime) {
      return std::nullopt;
    }
    config.maximum_lifetime = *lifetime;
  }
  if (!reader.done()) {
    return std::nullopt;
  }
  return config;
}

bytes encode_tree_head_tbs(std::span<const std::uint8_t> encoded_configuration,
                           std::uint64_t tree_size, const tree_root& root) {
  return tls_writer().raw(encoded_configuration).u64(tree_size).raw(root).take();
}

bytes encode_auditor_tree_head_tbs(std::span<const std::uint8_t> encoded_configuration,
                                   std::uint64_t timestamp, std::uint64_t tree_size,
                                   const tree_root& root) {
  return tls_writer().raw(encoded_configuration).u64(timestamp).u64(tree_size).raw(root).take();
}

std::optional<bytes> encode_tree_head(const tree_head& head) {
  if (!fits_u16_vector(head.signature)) {
    return std::nullopt;
  }
  tls_writer writer;
  write_tree_head(writer, head);
  return writer.take();
}

std::optional<bytes> encode_auditor_tree_head(const auditor_tree_head& head) {
  if (!fits_u16_vector(head.signature)) {
    return std::nullopt;
  }
  tls_writer writer;
  write_auditor_tree_head(writer, head);
  return writer.take();
}

std::optional<bytes> encode_full_tree_head(const full_tree_head& head, deployment_mode mode) {
  const bool updated = head.type == full_tree_head_type::updated;
  const bool audited = updated && mode == deployment_mode::third_party_auditing;
  if ((head.type != full_tree_head_type::same && !updated) || head.head.has_value() != updated ||
      head.auditor_head.has_value() != audited ||
      (head.head && !fits_u16_vector(head.head->signature)) ||
      (head.auditor_head && !fits_u16_vector(head.auditor_head->signature))) {
    return std::nullopt;
  }
  tls_writer writer;
  writer.u8(static_cast<std::uint8_t>(head.type));
  if (head.head) {
    write_tree_head(writer, *head.head);
  }
  if (head.auditor_head) {
    write_auditor_tree_head(writer, *head.auditor_head);
  }
  return writer.take();
}

std::optional<full_tree_head> decode_full_tree_head(std::span<const std::uint8_t> encoded,
                                                    deployment_mode mode) {
  tls_reader reader(encoded);
  const std::optional<std::uint8_t> type = reader.u8();
  full_tree_head head;
  if (type == static_cast<std::uint8_t>(full_tree_head_type::updated)) {
    head.type = full_tree_head_type::updated;
    head.head = read_tree_head(reader);
    if (!head.head) {
      return std::nullopt;
    }
    if (mode == deployment_mode::third_party_auditing) {
      head.auditor_head = read_auditor_tree_head(reader);
      if (!head.auditor_head) {
        return std::nullopt;
      }
    }
  } else if (type != static_cast<std::uint8_t>(full_tree_head_type::same)) {
    return std::nullopt;  // reserved(0), unknown types, or no byte at all
  }
  if (!reader.done()) {
    return std::nullopt;
  }
  return head;
}

ossl::pkey_ptr generate_p256_signing_key() {
  return ossl::pkey_ptr(
      ossl::check_alloc(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), "EVP_PKEY_Q_keygen"));
}

p256_public_key p256_public_key_of(const EVP_PKEY& key) {
  if (!is_p256(key)) {
    ERR_clear_error();
    throw std::invalid_argument("p256_public_key_of: not a P-256 key");
  }
  p256_public_key encoded{};
  std::size_t size = 0;
  ossl::check_ok(EVP_PKEY_get_octet_string_param(&key, OSSL_PKEY_PARAM_PUB_KEY, encoded.data(),
                                                 encoded.size(), &size),
                 "EVP_PKEY_get_octet_string_param");
  if (size != encoded.size() || encoded[0] != sec1_uncompressed) {
    throw std::runtime_error("p256_public_key_of: OpenSSL gave no uncompressed point");
  }
  return encoded;
}

p256_signature p256_sign(EVP_PKEY& key, std::span<const std::uint8_t> message) {
  if (!is_p256(key)) {
    ERR_clear_error();
    throw std::invalid_argument("p256_sign: not a P-256 key");
  }
  ossl::md_ctx_ptr ctx(ossl::check_alloc(EVP_MD_CTX_new(), "EVP_MD_CTX_new"));
  ossl::check_ok(EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, &key),
                 "EVP_DigestSignInit");
  std::size_t der_size = 0;
  ossl::check_ok(EVP_DigestSign(ctx.get(), nullptr, &der_size, message.data(), message.size()),
                 "EVP_DigestSign");
  bytes der(der_size);
  ossl::check_ok(EVP_DigestSign(ctx.get(), der.data(), &der_size, message.data(), message.size()),
                 "EVP_DigestSign");
  der.resize(der_size);
  return raw_from_der(der);
}

bool p256_verify(std::span<const std::uint8_t> public_key, std::span<const std::uint8_t> message,
                 std::span<const std::uint8_t> signature) {
  if (signature.size() != p256_signature_size || !scalar_in_range(signature.first(scalar_size)) ||
      !scalar_in_range(signature.subspan(scalar_size))) {
    return false;
  }
  const ossl::pkey_ptr key = p256_public_key_from_sec1(public_key);
  if (!key) {
    return false;
  }
  const bytes der = der_from_raw(signature);
  ossl::md_ctx_ptr ctx(ossl::check_alloc(EVP_MD_CTX_new(), "EVP_MD_CTX_new"));
  ossl::check_ok(EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()),
                 "EVP_DigestVerifyInit");
  // 1: valid. 0: a wrong signature; below 0: OpenSSL would not judge it. Either way not valid,
  // and the error queue is left empty for the next caller.
  const int verdict =
      EVP_DigestVerify(ctx.get(), der.data(), der.size(), message.data(), message.size());
  if (verdict != 1) {
    ERR_clear_error();
  }
  return verdict == 1;
}

}  // namespace sealpost::keytrans
