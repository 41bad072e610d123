// The Double Ratchet below the session: its KDFs and AEAD are the documented construction,
// and the associated data binds both identities.
#include "protocol/ratchet.hpp"

#include <catch2/catch.hpp>
#include <string_view>

#include "crypto/aead.hpp"
#include "crypto/hash.hpp"
#include "crypto/hkdf.hpp"
#include "protocol/x3dh.hpp"
#include "protocol_test_support.hpp"

namespace sealpost::client::protocol {
namespace {

using test::bytes_of;
using test::make_device;
using test::test_device;
using test::text_of;

std::span<const std::uint8_t> info_bytes(std::string_view info) {
  return {reinterpret_cast<const std::uint8_t*>(info.data()), info.size()};
}

// Both X3DH sides for a fresh pair of devices.
struct agreed {
  test_device alice = make_device(1);
  test_device bob = make_device(2);
  x3dh_initiation initiation;
  x3dh_response response;
};

agreed agree() {
  agreed out;
  result<x3dh_initiation> initiation = x3dh_initiate(out.alice.identity, out.bob.bundle);
  REQUIRE(initiation.has_value());
  result<x3dh_response> response =
      x3dh_respond(out.bob.identity, out.bob.prekeys, initiation->header);
  REQUIRE(response.has_value());
  out.initiation = std::move(*initiation);
  out.response = std::move(*response);
  return out;
}

TEST_CASE("client protocol: ratchet follows the documented KDF and AEAD construction",
          "[client][protocol]") {
  const agreed keys = agree();
  result<ratchet_state> alice =
      ratchet_init_initiator(keys.initiation.secret, keys.initiation.remote_signed_prekey);
  REQUIRE(alice.has_value());

  // RatchetInitAlice: RK, CKs = HKDF(salt = SK, ikm = DH(DHs, SPKb), info, 64 bytes).
  const std::optional<crypto::x25519_shared_secret> dh = crypto::x25519_dh(
      alice->sending_ratchet_key.private_key, keys.initiation.remote_signed_prekey);
  REQUIRE(dh.has_value());
  const crypto::secret_bytes<> root_okm = crypto::hkdf_sha256(
      dh->view(), keys.initiation.secret.view(), info_bytes("Sealpost_Ratchet_v1"), 64);
  CHECK(alice->root_key == symmetric_key(root_okm.view().first(32)));
  REQUIRE(alice->sending_chain_key.has_value());
  CHECK(*alice->sending_chain_key == symmetric_key(root_okm.view().subspan(32)));

  // KDF_CK: message key = HMAC(CK, 0x01), next chain key = HMAC(CK, 0x02).
  const symmetric_key chain_key = *alice->sending_chain_key;
  const std::uint8_t one[] = {0x01};
  const std::uint8_t two[] = {0x02};
  const symmetric_key message_key = crypto::hmac_sha256(chain_key.view(), one);
  const std::vector<std::uint8_t> sealed =
      ratchet_encrypt(*alice, bytes_of("known construction"), keys.initiation.ad);
  CHECK(*alice->sending_chain_key == crypto::hmac_sha256(chain_key.view(), two));

  // ENCRYPT: AES-256-GCM, key || nonce = HKDF(mk, salt = zeros, info, 44), AD = AD || header.
  result<ratchet_message> message = decode_ratchet_message(sealed);
  REQUIRE(message.has_value());
  CHECK(message->header.ratchet_key == alice->sending_ratchet_key.public_key);
  CHECK(message->header.message_number == 0);
  CHECK(message->header.previous_chain_length == 0);
  const crypto::secret_bytes<> cipher_okm =
      crypto::hkdf_sha256(message_key.view(), {}, info_bytes("Sealpost_MessageKeys_v1"), 44);
  const crypto::aead_key key(cipher_okm.view().first(32));
  crypto::aead_nonce nonce{};
  std::copy_n(cipher_okm.view().begin() + 32, nonce.size(), nonce.begin());
  std::vector<std::uint8_t> ad(keys.initiation.ad.begin(), keys.initiation.ad.end());
  ad.insert(ad.end(), message->header_bytes.begin(), message->header_bytes.end());
  const std::optional<crypto::secret_bytes<>> opened =
      crypto::aes_256_gcm_open(key, nonce, message->ciphertext, ad);
  REQUIRE(opened.has_value());
  CHECK(text_of(*opened) == "known construction");
}

TEST_CASE("client protocol: ratchet responder has no sending chain before its first message",
          "[client][protocol]") {
  const agreed keys = agree();
  ratchet_state bob = ratchet_init_responder(keys.response.secret, keys.response.signed_prekey);
  CHECK_FALSE(bob.sending_chain_key.has_value());
  CHECK_THROWS_AS(ratchet_encrypt(bob, bytes_of("too early"), keys.response.ad), std::logic_error);
}

TEST_CASE("client protocol: the associated data binds both identities", "[client][protocol]") {
  const agreed keys = agree();
  const test_device& alice = keys.alice;
  const test_device& bob = keys.bob;
  const x3dh_initiation& initiation = keys.initiation;
  const x3dh_response& response = keys.response;
  result<ratchet_state> sender =
      ratchet_init_initiator(initiation.secret, initiation.remote_signed_prekey);
  REQUIRE(sender.has_value());
  ratchet_state receiver = ratchet_init_responder(response.secret, response.signed_prekey);

  const std::vector<std::uint8_t> sealed =
      ratchet_encrypt(*sender, bytes_of("bound"), initiation.ad);
  result<ratchet_message> message = decode_ratchet_message(sealed);
  REQUIRE(message.has_value());

  // Same keys, but the identities swapped or replaced: refused.
  const associated_data swapped = make_associated_data(bob.identity.identity_key.public_key,
                                                       alice.identity.identity_key.public_key);
  const associated_data replaced = make_associated_data(
      make_device(3).identity.identity_key.public_key, bob.identity.identity_key.public_key);
  for (const associated_data& wrong : {swapped, replaced}) {
    result<crypto::secret_bytes<>> plaintext = ratchet_decrypt(receiver, *message, wrong);
    REQUIRE_FALSE(plaintext.has_value());
    CHECK(plaintext.error() == protocol_error::decryption_failed);
    // Unchanged: still no chain, as before the first message.
    CHECK_FALSE(receiver.receiving_chain_key.has_value());
    CHECK_FALSE(receiver.receiving_ratchet_key.has_value());
  }
  result<crypto::secret_bytes<>> plaintext = ratchet_decrypt(receiver, *message, response.ad);
  REQUIRE(plaintext.has_value());
  CHECK(text_of(*plaintext) == "bound");
}

}  // namespace
}  // namespace sealpost::client::protocol
