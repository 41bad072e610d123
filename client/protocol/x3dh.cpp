// X3DH: DH1 = DH(IKa, SPKb), DH2 = DH(EKa, IKb), DH3 = DH(EKa, SPKb), DH4 = DH(EKa, OPKb),
// SK = HKDF(F || DH1 || DH2 || DH3 [|| DH4]) as in section 2.2 and 3.3 of the spec.
#include "protocol/x3dh.hpp"

#include <algorithm>
#include <vector>

#include "crypto/hkdf.hpp"
#include "crypto/identity_key.hpp"

namespace sealpost::client::protocol {
namespace {

// Section 2.2: F = 32 0xFF bytes before the DH outputs, for domain separation from XEdDSA.
constexpr std::size_t f_size = 32;
// HKDF salt: HashLen zero bytes, as the spec requires.
constexpr std::array<std::uint8_t, 32> zero_salt{};

using dh_results = std::vector<crypto::x25519_shared_secret>;

std::span<const std::uint8_t> as_bytes(std::string_view text) noexcept {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// Appends DH(private_key, public_key); false for a low-order peer key.
bool add_dh(dh_results& out, const crypto::x25519_private_key& private_key,
            const crypto::x25519_public_key& public_key) {
  std::optional<crypto::x25519_shared_secret> dh = crypto::x25519_dh(private_key, public_key);
  if (!dh) {
    return false;
  }
  out.push_back(std::move(*dh));
  return true;
}

shared_secret derive_secret(const dh_results& dhs) {
  crypto::secret_bytes<> input(f_size + dhs.size() * crypto::x25519_key_size);
  std::uint8_t* cursor = std::fill_n(input.data(), f_size, std::uint8_t{0xFF});
  for (const crypto::x25519_shared_secret& dh : dhs) {
    cursor = std::copy(dh.view().begin(), dh.view().end(), cursor);
  }
  const crypto::secret_bytes<> okm =
      crypto::hkdf_sha256(input.view(), zero_salt, as_bytes(x3dh_info), shared_secret_size);
  return shared_secret(okm.view());
}

// The initiator's DH1..DH4, or the error that stops the agreement.
result<dh_results> initiator_dhs(const local_identity& us,
                                 const crypto::x25519_private_key& ephemeral,
                                 const crypto::x25519_public_key& remote_identity,
                                 const crypto::x25519_public_key& signed_prekey,
                                 const std::optional<crypto::x25519_public_key>& one_time_prekey) {
  const crypto::x25519_private_key identity = crypto::identity_dh_private_key(us.identity_key);
  dh_results dhs;
  if (!add_dh(dhs, identity, signed_prekey)) {
    return protocol_error::invalid_public_key;
  }
  // A low-order identity key (or a small-order Ed25519 one, mapped) is refused here.
  if (!add_dh(dhs, ephemeral, remote_identity)) {
    return protocol_error::invalid_identity_key;
  }
  if (!add_dh(dhs, ephemeral, signed_prekey) ||
      (one_time_prekey && !add_dh(dhs, ephemeral, *one_time_prekey))) {
    return protocol_error::invalid_public_key;
  }
  return dhs;
}

}  // namespace

associated_data make_associated_data(const crypto::typed_public_key& initiator,
                                     const crypto::typed_public_key& responder) noexcept {
  associated_data ad{};
  std::copy(responder.begin(), responder.end(),
            std::copy(initiator.begin(), initiator.end(), ad.begin()));
  return ad;
}

result<x3dh_initiation> x3dh_initiate(const local_identity& us, const prekey_bundle& bundle) {
  const std::optional<crypto::typed_public_key> remote_identity =
      crypto::decode_identity_key(bundle.identity_key);
  if (!remote_identity) {
    return protocol_error::invalid_identity_key;
  }
  // The signature covers the typed bytes exactly as served, so check it before decoding.
  if (!crypto::identity_verify(*remote_identity, bundle.signed_prekey.public_key,
                               bundle.signed_prekey.signature)) {
    return protocol_error::bad_signature;
  }
  const std::optional<crypto::x25519_public_key> remote_identity_dh =
      crypto::identity_dh_public_key(*remote_identity);
  if (!remote_identity_dh) {
    return protocol_error::invalid_identity_key;
  }
  const std::optional<crypto::x25519_public_key> signed_prekey =
      crypto::decode_x25519_public_key(bundle.signed_prekey.public_key);
  if (!signed_prekey) {
    return protocol_error::invalid_public_key;
  }
  std::optional<crypto::x25519_public_key> one_time_prekey;
  if (bundle.one_time_prekey) {
    one_time_prekey = crypto::decode_x25519_public_key(bundle.one_time_prekey->public_key);
    if (!one_time_prekey) {
      return protocol_error::invalid_public_key;
    }
  }

  crypto::x25519_key_pair ephemeral = crypto::x25519_generate();
  result<dh_results> dhs = initiator_dhs(us, ephemeral.private_key, *remote_identity_dh,
                                         *signed_prekey, one_time_prekey);
  if (!dhs) {
    return dhs.error();
  }
  x3dh_initiation initiation;
  initiation.secret = derive_secret(*dhs);
  initiation.ad = make_associated_data(us.identity_key.public_key, *remote_identity);
  initiation.header = {
      us.identity_key.public_key, ephemeral.public_key, bundle.signed_prekey.key_id,
      bundle.one_time_prekey ? std::optional(bundle.one_time_prekey->key_id) : std::nullopt};
  initiation.remote_identity_key = *remote_identity;
  initiation.remote_signed_prekey = *signed_prekey;
  return initiation;
}

result<x3dh_response> x3dh_respond(const local_identity& us, const prekey_store& prekeys,
                                   const x3dh_header& header) {
  const std::optional<crypto::x25519_public_key> remote_identity_dh =
      crypto::identity_dh_public_key(header.identity_key);
  if (!remote_identity_dh) {
    return protocol_error::invalid_identity_key;
  }
  const crypto::x25519_key_pair* signed_prekey =
      prekeys.find_signed_prekey(header.signed_prekey_id);
  if (signed_prekey == nullptr) {
    return protocol_error::unknown_signed_prekey;
  }
  const crypto::x25519_key_pair* one_time_prekey = nullptr;
  if (header.one_time_prekey_id) {
    one_time_prekey = prekeys.find_one_time_prekey(*header.one_time_prekey_id);
    if (one_time_prekey == nullptr) {
      return protocol_error::unknown_one_time_prekey;
    }
  }

  const crypto::x25519_private_key identity = crypto::identity_dh_private_key(us.identity_key);
  dh_results dhs;
  if (!add_dh(dhs, signed_prekey->private_key, *remote_identity_dh)) {
    return protocol_error::invalid_identity_key;
  }
  if (!add_dh(dhs, identity, header.base_key) ||
      !add_dh(dhs, signed_prekey->private_key, header.base_key) ||
      (one_time_prekey != nullptr && !add_dh(dhs, one_time_prekey->private_key, header.base_key))) {
    return protocol_error::invalid_public_key;
  }
  x3dh_response response;
  response.secret = derive_secret(dhs);
  response.ad = make_associated_data(header.identity_key, us.identity_key.public_key);
  response.signed_prekey = *signed_prekey;
  return response;
}

}  // namespace sealpost::client::protocol
