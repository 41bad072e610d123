// X3DH: both sides derive the same secret and AD, with and without a one-time prekey, and
// the initiator refuses bad signed prekeys and malformed bundles.
#include "protocol/x3dh.hpp"

#include <catch2/catch.hpp>

#include "crypto/hkdf.hpp"
#include "crypto/identity_key.hpp"
#include "crypto/key_encoding.hpp"
#include "protocol_test_support.hpp"

namespace sealpost::client::protocol {
namespace {

using test::make_device;
using test::test_device;

x3dh_response respond_or_fail(const test_device& bob, const x3dh_header& header) {
  result<x3dh_response> response = x3dh_respond(bob.identity, bob.prekeys, header);
  INFO("error: " << (response ? "none" : describe(response.error())));
  REQUIRE(response.has_value());
  return std::move(response).value();
}

TEST_CASE("client protocol: x3dh both sides agree with a one-time prekey", "[client][protocol]") {
  const test_device alice = make_device(1);
  const test_device bob = make_device(2);
  result<x3dh_initiation> initiation = x3dh_initiate(alice.identity, bob.bundle);
  REQUIRE(initiation.has_value());
  CHECK(initiation->header.signed_prekey_id == test::signed_prekey_id);
  CHECK(initiation->header.one_time_prekey_id == test::one_time_prekey_id);
  CHECK(initiation->header.identity_key == alice.identity.identity_key.public_key);

  const x3dh_response response = respond_or_fail(bob, initiation->header);
  CHECK(response.secret == initiation->secret);
  CHECK(response.ad == initiation->ad);
  CHECK(response.signed_prekey.public_key == initiation->remote_signed_prekey);

  // AD = Encode(IKa) || Encode(IKb), both typed as published: 0x05.
  const crypto::typed_public_key& ika = alice.identity.identity_key.public_key;
  const crypto::typed_public_key& ikb = bob.identity.identity_key.public_key;
  CHECK(ika[0] == crypto::curve25519_key_type);
  CHECK(ikb[0] == crypto::curve25519_key_type);
  CHECK(std::equal(ika.begin(), ika.end(), initiation->ad.begin()));
  CHECK(std::equal(ikb.begin(), ikb.end(), initiation->ad.begin() + crypto::typed_key_size));
}

TEST_CASE("client protocol: x3dh both sides agree without a one-time prekey",
          "[client][protocol]") {
  const test_device alice = make_device(1);
  const test_device bob = make_device(2, false);
  result<x3dh_initiation> initiation = x3dh_initiate(alice.identity, bob.bundle);
  REQUIRE(initiation.has_value());
  CHECK_FALSE(initiation->header.one_time_prekey_id.has_value());
  const x3dh_response response = respond_or_fail(bob, initiation->header);
  CHECK(response.secret == initiation->secret);
  CHECK(response.ad == initiation->ad);
}

// SK recomputed by hand from the spec's formula, from the responder's and the initiator's
// private keys: catches a wrong DH order or KDF input that both sides would share.
TEST_CASE("client protocol: x3dh secret is HKDF(F || DH1 || DH2 || DH3 || DH4)",
          "[client][protocol]") {
  const test_device alice = make_device(1);
  const test_device bob = make_device(2);
  result<x3dh_initiation> initiation = x3dh_initiate(alice.identity, bob.bundle);
  REQUIRE(initiation.has_value());
  const crypto::x25519_key_pair& spk = *bob.prekeys.find_signed_prekey(test::signed_prekey_id);
  const crypto::x25519_key_pair& opk = *bob.prekeys.find_one_time_prekey(test::one_time_prekey_id);
  const crypto::x25519_private_key ika =
      crypto::identity_dh_private_key(alice.identity.identity_key);
  const crypto::x25519_private_key ikb = crypto::identity_dh_private_key(bob.identity.identity_key);
  const crypto::x25519_public_key& eka = initiation->header.base_key;

  std::vector<std::uint8_t> ikm(32, 0xFF);
  const auto append_dh = [&](const crypto::x25519_private_key& private_key,
                             const crypto::x25519_public_key& public_key) {
    const std::optional<crypto::x25519_shared_secret> dh =
        crypto::x25519_dh(private_key, public_key);
    REQUIRE(dh.has_value());
    ikm.insert(ikm.end(), dh->view().begin(), dh->view().end());
  };
  append_dh(ika, spk.public_key);   // DH1 = DH(IKa, SPKb)
  append_dh(ikb, eka);              // DH2 = DH(EKa, IKb)
  append_dh(spk.private_key, eka);  // DH3 = DH(EKa, SPKb)
  append_dh(opk.private_key, eka);  // DH4 = DH(EKa, OPKb)
  const std::array<std::uint8_t, 32> zero_salt{};
  const std::string_view info = "Sealpost_X3DH_v1";
  const crypto::secret_bytes<> expected = crypto::hkdf_sha256(
      ikm, zero_salt, {reinterpret_cast<const std::uint8_t*>(info.data()), info.size()}, 32);
  CHECK(initiation->secret.view().size() == 32);
  CHECK(std::equal(expected.view().begin(), expected.view().end(),
                   initiation->secret.view().begin()));
}

// A device whose state file predates sealed sender keeps its 0x0E identity: it and a 0x05
// device agree whichever of them starts, and the AD carries each key as published.
TEST_CASE("client protocol: x3dh agrees between a 0x0E and a 0x05 identity", "[client][protocol]") {
  const test_device legacy = make_device(1, true, crypto::identity_form::ed25519);
  const test_device current = make_device(2);
  for (const auto& [initiator, responder] :
       {std::pair(&legacy, &current), std::pair(&current, &legacy)}) {
    result<x3dh_initiation> initiation = x3dh_initiate(initiator->identity, responder->bundle);
    REQUIRE(initiation.has_value());
    const x3dh_response response = respond_or_fail(*responder, initiation->header);
    CHECK(response.secret == initiation->secret);
    CHECK(response.ad == initiation->ad);
    CHECK(initiation->ad[0] == initiator->identity.identity_key.public_key[0]);
    CHECK(initiation->ad[crypto::typed_key_size] == responder->identity.identity_key.public_key[0]);
  }
  CHECK(legacy.identity.identity_key.public_key[0] == crypto::ed25519_key_type);
}

TEST_CASE("client protocol: x3dh DH4 and every key change the secret", "[client][protocol]") {
  const test_device alice = make_device(1);
  const test_device bob = make_device(2);
  result<x3dh_initiation> initiation = x3dh_initiate(alice.identity, bob.bundle);
  REQUIRE(initiation.has_value());

  x3dh_header without_one_time = initiation->header;
  without_one_time.one_time_prekey_id.reset();
  CHECK_FALSE(respond_or_fail(bob, without_one_time).secret == initiation->secret);

  // A different ephemeral key each run: two initiations never share a secret.
  result<x3dh_initiation> again = x3dh_initiate(alice.identity, bob.bundle);
  REQUIRE(again.has_value());
  CHECK_FALSE(again->secret == initiation->secret);
  CHECK(again->header.base_key != initiation->header.base_key);

  // Someone else claiming Alice's ephemeral key with their own identity gets another secret.
  const test_device mallory = make_device(3);
  x3dh_header forged = initiation->header;
  forged.identity_key = mallory.identity.identity_key.public_key;
  CHECK_FALSE(respond_or_fail(bob, forged).secret == initiation->secret);
}

TEST_CASE("client protocol: x3dh refuses a bad signed prekey signature", "[client][protocol]") {
  const test_device alice = make_device(1);
  test_device bob = make_device(2);

  SECTION("a flipped signature bit") {
    bob.bundle.signed_prekey.signature[10] ^= 0x01;
  }
  SECTION("a flipped key bit") {
    bob.bundle.signed_prekey.public_key[5] ^= 0x01;
  }
  SECTION("signed by another identity") {
    const test_device mallory = make_device(3);
    bob.bundle.signed_prekey = mallory.bundle.signed_prekey;
  }
  SECTION("signed without the type byte") {
    const std::span<const std::uint8_t> raw(bob.bundle.signed_prekey.public_key.data() + 1, 32);
    const crypto::ed25519_signature signature =
        crypto::identity_sign(bob.identity.identity_key, raw);
    bob.bundle.signed_prekey.signature.assign(signature.begin(), signature.end());
  }
  SECTION("a truncated signature") {
    bob.bundle.signed_prekey.signature.pop_back();
  }
  SECTION("no signature") {
    bob.bundle.signed_prekey.signature.clear();
  }
  result<x3dh_initiation> initiation = x3dh_initiate(alice.identity, bob.bundle);
  REQUIRE_FALSE(initiation.has_value());
  CHECK(initiation.error() == protocol_error::bad_signature);
}

TEST_CASE("client protocol: x3dh refuses malformed bundle keys", "[client][protocol]") {
  const test_device alice = make_device(1);
  test_device bob = make_device(2);
  protocol_error expected = protocol_error::invalid_identity_key;

  SECTION("identity key with a KEM type byte") {
    bob.bundle.identity_key[0] = 0x08;
  }
  SECTION("identity key too short") {
    bob.bundle.identity_key.pop_back();
  }
  SECTION("signed prekey of the wrong type, correctly signed") {
    bob.bundle.signed_prekey.public_key[0] = crypto::ed25519_key_type;
    const crypto::ed25519_signature signature =
        crypto::identity_sign(bob.identity.identity_key, bob.bundle.signed_prekey.public_key);
    bob.bundle.signed_prekey.signature.assign(signature.begin(), signature.end());
    expected = protocol_error::invalid_public_key;
  }
  SECTION("a low-order signed prekey, correctly signed") {
    bob.bundle.signed_prekey = make_signed_prekey(bob.identity.identity_key, test::signed_prekey_id,
                                                  crypto::x25519_public_key{});
    expected = protocol_error::invalid_public_key;
  }
  SECTION("a low-order one-time prekey") {
    bob.bundle.one_time_prekey->public_key = std::vector<std::uint8_t>(crypto::typed_key_size, 0);
    bob.bundle.one_time_prekey->public_key[0] = crypto::curve25519_key_type;
    expected = protocol_error::invalid_public_key;
  }
  SECTION("a one-time prekey of the wrong size") {
    bob.bundle.one_time_prekey->public_key.push_back(0);
    expected = protocol_error::invalid_public_key;
  }
  result<x3dh_initiation> initiation = x3dh_initiate(alice.identity, bob.bundle);
  REQUIRE_FALSE(initiation.has_value());
  CHECK(initiation.error() == expected);
}

TEST_CASE("client protocol: x3dh responder refuses unknown prekeys and bad keys",
          "[client][protocol]") {
  const test_device alice = make_device(1);
  const test_device bob = make_device(2);
  result<x3dh_initiation> initiation = x3dh_initiate(alice.identity, bob.bundle);
  REQUIRE(initiation.has_value());
  x3dh_header header = initiation->header;
  protocol_error expected = protocol_error::unknown_signed_prekey;

  SECTION("unknown signed prekey id") {
    header.signed_prekey_id += 1;
  }
  SECTION("unknown one-time prekey id") {
    header.one_time_prekey_id = test::one_time_prekey_id + 1;
    expected = protocol_error::unknown_one_time_prekey;
  }
  SECTION("low-order base key") {
    header.base_key = crypto::x25519_public_key{};
    expected = protocol_error::invalid_public_key;
  }
  SECTION("a low-order 0x05 identity key (u = 0)") {
    header.identity_key = crypto::typed_public_key{crypto::curve25519_key_type};
    expected = protocol_error::invalid_identity_key;
  }
  SECTION("a small-order 0x0E identity key (y = -1, which maps to u = 0)") {
    header.identity_key.fill(0xFF);
    header.identity_key[0] = crypto::ed25519_key_type;
    header.identity_key[1] = 0xEC;
    header.identity_key.back() = 0x7F;
    expected = protocol_error::invalid_identity_key;
  }
  SECTION("a 0x0E identity key without an X25519 form (y = 1, the identity point)") {
    header.identity_key = crypto::typed_public_key{crypto::ed25519_key_type, 1};
    expected = protocol_error::invalid_identity_key;
  }
  result<x3dh_response> response = x3dh_respond(bob.identity, bob.prekeys, header);
  REQUIRE_FALSE(response.has_value());
  CHECK(response.error() == expected);
}

}  // namespace
}  // namespace sealpost::client::protocol
