// Writes the seed inputs that need real keys, signatures or ciphertexts (file names
// starting with "gen-") into tests/fuzz/corpus/<target>/; the other seeds are written by
// hand. Run it after changing a wire format or fixtures.hpp:
//   build-fuzz/tests/fuzz/fuzz_make_seeds tests/fuzz/corpus
// The prekey messages come from real X3DH runs and differ on every run; all of them
// decrypt under the fixed keys of fixtures.hpp.
#include <boost/json.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "core/content.hpp"
#include "core/local_state.hpp"
#include "core/sealed_box.hpp"
#include "crypto/base64.hpp"
#include "crypto/ed25519.hpp"
#include "crypto/identity_key.hpp"
#include "crypto/key_encoding.hpp"
#include "fixtures.hpp"
#include "protocol/ratchet.hpp"
#include "protocol/wire.hpp"
#include "protocol/x3dh.hpp"
#include "sealpost/v1/sealed_sender.pb.h"
#include "sealpost/v1/websocket.pb.h"

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
namespace fx = sealpost::fuzz;
namespace ccrypto = sealpost::client::crypto;
namespace protocol = sealpost::client::protocol;
using bytes = std::vector<std::uint8_t>;

fs::path root;

void write(const std::string& target, const std::string& name, const bytes& content) {
  const fs::path dir = root / target;
  fs::create_directories(dir);
  std::ofstream out(dir / ("gen-" + name), std::ios::binary);
  out.write(reinterpret_cast<const char*>(content.data()),
            static_cast<std::streamsize>(content.size()));
  if (!out) {
    throw std::runtime_error("cannot write " + (dir / name).string());
  }
}

void write(const std::string& target, const std::string& name, const std::string& content) {
  write(target, name, bytes(content.begin(), content.end()));
}

bytes from_hex(std::string_view hex) {
  bytes out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

template <class Bytes>
std::string b64(const Bytes& b) {
  return sealpost::crypto::base64_encode({b.data(), b.size()});
}

template <class Bytes>
bytes to_bytes(const Bytes& b) {
  return bytes(b.begin(), b.end());
}

// --- device_body -------------------------------------------------------------------------

bytes typed_x25519(std::uint8_t tag) {
  return to_bytes(ccrypto::encode_x25519_public_key(fx::fixed_x25519(tag).public_key));
}

json::object signed_key(std::uint32_t id, const bytes& public_key,
                        const ccrypto::ed25519_seed& signer) {
  return {{"key_id", id},
          {"public_key", b64(public_key)},
          {"signature", b64(ccrypto::ed25519_sign(signer, public_key))}};
}

bytes kem_key(std::uint8_t tag) {
  bytes key{0x08};
  for (int i = 0; i < 3; ++i) {
    const bytes part = fx::fixed_bytes(static_cast<std::uint8_t>(tag + i));
    key.insert(key.end(), part.begin(), part.end());
  }
  return key;
}

json::object key_fields(const ccrypto::ed25519_seed& signer) {
  json::array one_time;
  for (std::uint32_t id : {10U, 11U}) {
    one_time.push_back(json::object{
        {"key_id", id}, {"public_key", b64(typed_x25519(static_cast<std::uint8_t>(0x40 + id)))}});
  }
  return {{"signed_prekey", signed_key(1, typed_x25519(0x31), signer)},
          {"pq_last_resort_prekey", signed_key(2, kem_key(0x50), signer)},
          {"one_time_prekeys", one_time},
          {"pq_one_time_prekeys", json::array{signed_key(20, kem_key(0x60), signer)}}};
}

void device_body_seeds() {
  const auto device = fx::fixed_ed25519(0x22);
  const auto identity = ccrypto::encode_ed25519_public_key(device.public_key);
  json::object registration = key_fields(device.seed);
  registration["username"] = "alice_01";
  registration["password"] = "c2VjcmV0LXBhc3N3b3JkLTEyMw";
  registration["registration_id"] = 42;
  registration["identity_key"] = b64(identity);
  registration["invite"] = "invite-token";
  write("device_body", "register-ed25519.json", json::serialize(registration));

  json::object link = registration;
  link.erase("username");
  link.erase("invite");
  link["link_token"] = "bGluay10b2tlbi1mb3ItZnV6emluZw";
  write("device_body", "link.json", json::serialize(link));

  // An XEdDSA identity (0x05): libsignal's vector of a signed prekey (xeddsa.json #1).
  json::object xeddsa{
      {"username", "bob"},
      {"password", "0123456789abcdef0123"},
      {"registration_id", 16380},
      {"identity_key",
       b64(from_hex("059d16d380047d7bd9044e5b3ac8c64864c0211996ffc2c63336db402ce78f1a28"))},
      {"signed_prekey",
       {{"key_id", 4294967295U},
        {"public_key",
         b64(from_hex("056fe0beec7db29c276badb43342c2ac5ce6db91a4d271e770dda920c524923e02"))},
        {"signature",
         b64(from_hex("d28e4289aa763347e578acaf22b838483519ca8ad2c42f695c958f1e70f86b921aee1647f4a2"
                      "685a0dd2c806faae62c6ce639689a8034342d1f38587cf140c03"))}}}};
  write("device_body", "register-xeddsa.json", json::serialize(xeddsa));

  const auto stored = fx::fixed_ed25519(fx::stored_identity_tag);
  const json::object upload = key_fields(stored.seed);
  write("device_body", "keys-upload.json", json::serialize(upload));

  json::object too_many = upload;
  json::array five;
  for (std::uint32_t id = 1; id <= 5; ++id) {
    five.push_back(json::object{{"key_id", id},
                                {"public_key", b64(typed_x25519(static_cast<std::uint8_t>(id)))}});
  }
  too_many["one_time_prekeys"] = five;
  write("device_body", "keys-too-many.json", json::serialize(too_many));

  json::object conflict;
  conflict["one_time_prekeys"] =
      json::array{json::object{{"key_id", 3}, {"public_key", b64(typed_x25519(1))}},
                  json::object{{"key_id", 3}, {"public_key", b64(typed_x25519(2))}}};
  write("device_body", "keys-conflict.json", json::serialize(conflict));

  json::object bad_signature{{"signed_prekey", signed_key(1, typed_x25519(0x31), device.seed)}};
  write("device_body", "keys-bad-signature.json", json::serialize(bad_signature));

  json::object wrong_type = registration;
  wrong_type["signed_prekey"] = signed_key(1, to_bytes(identity), device.seed);
  write("device_body", "register-wrong-key-type.json", json::serialize(wrong_type));
}

// --- signature ---------------------------------------------------------------------------

bytes signature_input(const bytes& key, const bytes& signature, const bytes& message) {
  bytes out{static_cast<std::uint8_t>(key.size())};
  out.insert(out.end(), key.begin(), key.end());
  out.push_back(static_cast<std::uint8_t>(signature.size()));
  out.insert(out.end(), signature.begin(), signature.end());
  out.insert(out.end(), message.begin(), message.end());
  return out;
}

void signature_seeds() {
  const auto signer = fx::fixed_ed25519(0x22);
  const bytes key = to_bytes(ccrypto::encode_ed25519_public_key(signer.public_key));
  const bytes message = typed_x25519(0x31);
  const bytes signature = to_bytes(ccrypto::ed25519_sign(signer.seed, message));
  write("signature", "ed25519-valid.bin", signature_input(key, signature, message));
  write("signature", "ed25519-empty-message.bin",
        signature_input(key, to_bytes(ccrypto::ed25519_sign(signer.seed, bytes{})), {}));
  write("signature", "ed25519-short-signature.bin",
        signature_input(key, bytes(signature.begin(), signature.end() - 1), message));
  // libsignal's XEdDSA vectors (xeddsa.json #1 valid, #20 invalid).
  write("signature", "xeddsa-valid.bin",
        signature_input(
            from_hex("059d16d380047d7bd9044e5b3ac8c64864c0211996ffc2c63336db402ce78f1a28"),
            from_hex("d28e4289aa763347e578acaf22b838483519ca8ad2c42f695c958f1e70f86b921aee1647f4a26"
                     "85a0dd2c806faae62c6ce639689a8034342d1f38587cf140c03"),
            from_hex("056fe0beec7db29c276badb43342c2ac5ce6db91a4d271e770dda920c524923e02")));
  write("signature", "xeddsa-invalid.bin",
        signature_input(
            from_hex("057a40d09ed1ed50587e77ee83df4b2656fa79e044e6fd938cfc06e7b7c9e0c952"),
            from_hex("0476d20f83f4114769cd983a69b69158ad3be5a47aaef43ce9fcd05d83eda55ee01bcd2e6536e"
                     "10a6c0427ad93243c8bf41c7c6b8cd6435c7c757220195d5c8a"),
            from_hex("9ae02d7a7684a1e0033e36a86fbb581f7e4fd43f3399d022851e4692e56cdecd")));
}

// --- ratchet_message and session_state ---------------------------------------------------

bytes envelope(std::uint8_t type, const bytes& content) {
  bytes out{type, static_cast<std::uint8_t>(content.size() >> 8),
            static_cast<std::uint8_t>(content.size())};
  out.insert(out.end(), content.begin(), content.end());
  return out;
}

bytes concat(std::initializer_list<bytes> parts) {
  bytes out;
  for (const bytes& p : parts) {
    out.insert(out.end(), p.begin(), p.end());
  }
  return out;
}

bytes text(std::string_view s) {
  return bytes(s.begin(), s.end());
}

std::vector<protocol::session> sessions_for_state;

void ratchet_seeds() {
  const auto alice = fx::alice_identity();
  const auto bob = fx::bob_identity();

  // Real X3DH runs against Bob's fixed prekeys: session::accept opens these.
  for (const bool with_one_time : {true, false}) {
    auto opened = protocol::session::initiate(alice, fx::bob_bundle(with_one_time));
    if (!opened) {
      throw std::runtime_error("session::initiate failed");
    }
    const auto first = opened->encrypt(text("hello bob"));
    const auto second = opened->encrypt(text("second"));
    const std::string name = with_one_time ? "prekey-one-time" : "prekey-signed-only";
    write("ratchet_message", name + ".bin", envelope(1, first.content));
    write("ratchet_message", name + "-replay.bin",
          concat({envelope(1, first.content), envelope(1, second.content),
                  envelope(1, first.content)}));
    write("session_state", "initiator-" + name + ".bin", to_bytes(opened->serialize().view()));
    auto store = fx::bob_prekeys();
    auto accepted = protocol::session::accept(bob, store, first.content);
    if (!accepted) {
      throw std::runtime_error("session::accept failed on a fresh prekey message");
    }
    write("session_state", "responder-" + name + ".bin",
          to_bytes(accepted->session.serialize().view()));
    sessions_for_state.push_back(accepted->session);
  }

  // Alice's side of Bob's fixed session (fixtures.hpp): her messages make Bob's session take
  // a DH ratchet step, skip keys and use them.
  auto chain = protocol::ratchet_init_initiator(fx::bob_session_root_key(),
                                                fx::bob_session_ratchet_key().public_key);
  if (!chain) {
    throw std::runtime_error("ratchet_init_initiator failed");
  }
  const auto ad =
      protocol::make_associated_data(alice.identity_key.public_key, bob.identity_key.public_key);
  std::vector<bytes> messages;
  for (int i = 0; i < 4; ++i) {
    messages.push_back(protocol::ratchet_encrypt(*chain, text("message " + std::to_string(i)), ad));
  }
  protocol::prekey_message wrapped;
  wrapped.x3dh = {alice.identity_key.public_key, fx::bob_session_base_key(),
                  fx::bob_signed_prekey_id, fx::bob_one_time_prekey_ids[0]};
  wrapped.registration_id = fx::alice_registration_id;
  wrapped.message = messages[0];
  write("ratchet_message", "session-prekey.bin",
        envelope(1, protocol::encode_prekey_message(wrapped)));
  write("ratchet_message", "session-ratchet.bin", envelope(2, messages[0]));
  write("ratchet_message", "session-skip-then-use.bin",
        concat({envelope(2, messages[3]), envelope(2, messages[1]), envelope(2, messages[1]),
                envelope(2, messages[0]), envelope(2, messages[2])}));
  write("ratchet_message", "unknown-type.bin", envelope(3, messages[0]));

  auto fixed = fx::bob_session();
  write("session_state", "fixture-bob.bin", to_bytes(fixed.serialize().view()));
  if (!fixed.decrypt(protocol::message_type::ratchet, messages[2])) {
    throw std::runtime_error("Bob's fixed session does not decrypt Alice's message");
  }
  write("session_state", "fixture-bob-with-skipped-keys.bin", to_bytes(fixed.serialize().view()));
  sessions_for_state.push_back(fixed);
}

// --- content -----------------------------------------------------------------------------

void content_seeds() {
  using namespace sealpost::client;
  write("content", "data.bin",
        to_bytes(encode_content(data_message{"hi bob", 1700000000000, "alice",
                                             std::vector<std::uint8_t>(32, 0x5A)})
                     .view()));
  write("content", "sent.bin",
        to_bytes(encode_content(sent_transcript{"0b5e7a9c-1d2f-4e6a-8b3c-5d7e9f1a2b3c", "bob",
                                                data_message{"hello", 1, "alice", {}}})
                     .view()));
  bytes unpadded = to_bytes(encode_content(data_message{"x", 2, "a", {}}).view());
  while (!unpadded.empty() && unpadded.back() == 0) {
    unpadded.pop_back();
  }
  unpadded.pop_back();  // the 0x80 marker
  write("content", "no-padding.bin", unpadded);
}

// --- local_state -------------------------------------------------------------------------

void local_state_seeds() {
  using namespace sealpost::client;
  local_state state;
  state.server_url = "http://127.0.0.1:8080";
  state.username = "bob";
  state.account_id = "0b5e7a9c-1d2f-4e6a-8b3c-5d7e9f1a2b3c";
  state.device_id = 2;
  state.password = "c2VjcmV0LXBhc3N3b3JkLTEyMw";
  state.identity = fx::bob_identity();
  state.signed_prekeys.push_back(
      {fx::bob_signed_prekey_id, fx::fixed_x25519(fx::bob_tag + 1), 1700000000000});
  state.one_time_prekeys[7] = {7, fx::fixed_x25519(fx::bob_tag + 7), 1700000000001};
  state.sessions[{"6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f", 1}] = sessions_for_state;
  contact alice;
  alice.account_id = "6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f";
  alice.username = "alice";
  alice.verified = true;
  const auto alice_key = fx::alice_identity().identity_key.public_key;
  alice.devices[1] = {1, fx::alice_registration_id, alice_key, std::nullopt};
  alice.devices[2] = {2, 99, alice_key,
                      ccrypto::encode_ed25519_public_key(fx::fixed_ed25519(0x77).public_key)};
  const std::vector<std::uint8_t> access_key_bytes = fx::fixed_bytes(0x3C);
  alice.access_key = ccrypto::access_key(std::span(access_key_bytes).first(16));
  state.contacts[alice.account_id] = alice;
  // Sealed sender: the account's profile key, the pinned root, a (fake) certificate.
  state.profile_key = ccrypto::profile_key(fx::fixed_bytes(0x3D));
  state.trust_root = ccrypto::encode_x25519_public_key(fx::fixed_x25519(0x3E).public_key);
  state.delivery_certificate = net::delivery_certificate{{0x0a, 0x02, 0x08, 0x01}, 1700000000000};
  state.history.push_back(
      {false, alice.account_id, "alice", 1, 0, 1700000000000, 1700000000500, "hi bob"});
  state.history.push_back(
      {true, alice.account_id, "alice", 0, 2, 1700000001000, 1700000001500, "hi alice"});
  state.remember_guid(net::guid{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, 100);

  const auto state_bytes = encode_state(state);
  const auto backup_bytes = encode_backup(state, 1700000002000);
  write("local_state", "state.bin", to_bytes(state_bytes.view()));
  write("local_state", "backup.bin", to_bytes(backup_bytes.view()));

  // Sealed as state_file and backups seal them, with the fuzzer's passphrase and the
  // cheapest scrypt parameters the header allows.
  const sealed_box::header header = sealed_box::new_header({2, 1, 1});
  const auto key = sealed_box::derive_key("fuzz passphrase", header);
  write("local_state", "sealed-state.bin",
        sealed_box::seal(sealed_box::state_magic, header, key, state_bytes.view()));
  write("local_state", "sealed-backup.bin",
        sealed_box::seal(sealed_box::backup_magic, header, key, backup_bytes.view()));
}

// --- websocket_frames --------------------------------------------------------------------

void websocket_seeds() {
  sealpost::v1::ServerFrame delivery;
  auto* e = delivery.mutable_delivery();
  e->set_guid(std::string("\x01\x02\x03\x04\x05\x06\x47\x08\x89\x0a\x0b\x0c\x0d\x0e\x0f\x10", 16));
  e->set_source_account("6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f");
  e->set_source_device(1);
  e->set_destination_device(2);
  e->set_type(2);
  e->set_content("ciphertext");
  e->set_client_timestamp(1700000000000);
  e->set_server_timestamp(1700000000500);
  write("websocket_frames", "delivery.bin", delivery.SerializeAsString());
  sealpost::v1::ServerFrame empty;
  empty.mutable_queue_empty();
  write("websocket_frames", "queue-empty.bin", empty.SerializeAsString());
  sealpost::v1::ServerFrame low;
  low.mutable_keys_low()->set_one_time_prekeys(3);
  low.mutable_keys_low()->set_pq_one_time_prekeys(9);
  write("websocket_frames", "keys-low.bin", low.SerializeAsString());
  sealpost::v1::ClientFrame ack;
  ack.mutable_ack()->add_guids(e->guid());
  ack.mutable_ack()->add_guids(std::string(15, '\x07'));
  write("websocket_frames", "ack.bin", ack.SerializeAsString());
}

// --- multi_recipient ---------------------------------------------------------------------
// Needs no keys (the parser does not look inside C, AT or shared), but is binary, so it is
// written here rather than by hand.

// A multi-recipient body (DESIGN.md, "Multi-recipient send"), written field by field.
class multi_recipient_body {
 public:
  multi_recipient_body(std::uint8_t version, std::uint8_t count) : version_(version) {
    out_ = {version, count};
  }
  multi_recipient_body& recipient(std::uint8_t tag, std::uint8_t kind = 0x00) {
    if (version_ == 0x23) {
      out_.push_back(kind);
    }
    for (std::uint8_t i = 0; i < 16; ++i) {
      out_.push_back(static_cast<std::uint8_t>(tag + 0x11 * i));
    }
    return *this;
  }
  // An included entry: (device id, registration id) pairs, then 48 bytes of key material.
  multi_recipient_body& entry(std::uint8_t tag,
                              std::initializer_list<std::pair<std::uint8_t, std::uint16_t>> devices,
                              std::uint8_t key) {
    recipient(tag);
    std::size_t i = 0;
    for (const auto& [id, registration_id] : devices) {
      const auto word =
          static_cast<std::uint16_t>(registration_id | (++i < devices.size() ? 0x8000 : 0));
      out_.insert(out_.end(),
                  {id, static_cast<std::uint8_t>(word >> 8), static_cast<std::uint8_t>(word)});
    }
    return fill(48, key);
  }
  multi_recipient_body& excluded(std::uint8_t tag) {
    recipient(tag);
    out_.push_back(0x00);
    return *this;
  }
  // n bytes counting up from `from`: key material, or E.pub || ciphertext.
  multi_recipient_body& fill(std::size_t n, std::uint8_t from) {
    for (std::size_t i = 0; i < n; ++i) {
      out_.push_back(static_cast<std::uint8_t>(from + i));
    }
    return *this;
  }
  const bytes& body() const { return out_; }

 private:
  std::uint8_t version_;
  bytes out_;
};

void multi_recipient_seeds() {
  using body = multi_recipient_body;
  write("multi_recipient", "v23-one.bin",
        body(0x23, 1).entry(1, {{1, 42}}, 0x10).fill(40, 0xA0).body());
  write("multi_recipient", "v22-one.bin",
        body(0x22, 1).entry(1, {{1, 42}}, 0x10).fill(40, 0xA0).body());
  // Several accounts, several devices, an excluded recipient, an account in two entries,
  // the largest registration id and bit 14 set.
  write("multi_recipient", "v23-several.bin",
        body(0x23, 5)
            .entry(1, {{1, 0x3FFF}, {2, 0x4000 | 7}, {127, 1}}, 0x10)
            .excluded(2)
            .entry(3, {{1, 5}}, 0x20)
            .entry(1, {{3, 9}}, 0x30)
            .excluded(4)
            .fill(64, 0xA0)
            .body());
  write("multi_recipient", "v22-several.bin",
        body(0x22, 4)
            .entry(1, {{2, 100}, {1, 200}}, 0x10)
            .entry(3, {{1, 5}}, 0x20)
            .excluded(2)
            .entry(1, {{4, 9}}, 0x30)
            .fill(32, 0xA0)
            .body());
  // Near misses: each breaks one rule.
  write("multi_recipient", "duplicate-device.bin",
        body(0x23, 2).entry(1, {{1, 1}}, 0x10).entry(1, {{1, 2}}, 0x20).fill(32, 0xA0).body());
  write("multi_recipient", "excluded-and-included.bin",
        body(0x23, 2).excluded(1).entry(1, {{1, 1}}, 0x10).fill(32, 0xA0).body());
  // An excluded PNI (kind 0x01): the kind rule holds for excluded recipients too.
  write("multi_recipient", "kind-pni.bin",
        body(0x23, 2)
            .entry(1, {{1, 1}}, 0x10)
            .recipient(2, 0x01)
            .fill(1, 0x00)
            .fill(32, 0xA0)
            .body());
  write("multi_recipient", "too-many.bin",
        body(0x23, 9).entry(1, {{1, 1}}, 0x10).fill(32, 0xA0).body());
  write("multi_recipient", "too-large.bin",
        body(0x22, 1).entry(1, {{1, 1}}, 0x10).fill(512 - 49 + 1, 0xA0).body());
  write("multi_recipient", "shared-31.bin",
        body(0x23, 1).entry(1, {{1, 1}}, 0x10).fill(31, 0xA0).body());
}

}  // namespace

// --- sender_certificate ------------------------------------------------------------------

namespace certificate {

namespace pb = sealpost::v1::sealed_sender;

bytes signed_by(const ccrypto::identity_key_pair& signer, const std::string& message) {
  const auto signature = ccrypto::identity_sign(
      signer, {reinterpret_cast<const std::uint8_t*>(message.data()), message.size()});
  return {signature.begin(), signature.end()};
}

// A ServerCertificate for the fixtures' server key, signed by `root`.
std::string server_certificate(const ccrypto::identity_key_pair& root, std::uint32_t key_id) {
  const auto server_key = fx::fixed_identity(fx::certificate_server_tag).public_key;
  pb::ServerCertificate::Certificate inner;
  inner.set_id(key_id);
  inner.set_key(std::string(server_key.begin(), server_key.end()));
  pb::ServerCertificate outer;
  outer.set_certificate(inner.SerializeAsString());
  const bytes signature = signed_by(root, outer.certificate());
  outer.set_signature(std::string(signature.begin(), signature.end()));
  return outer.SerializeAsString();
}

// A SenderCertificate signed by the fixtures' server key.
bytes sender_certificate(std::uint32_t device, std::uint64_t expires, const std::string& signer) {
  const auto identity = fx::fixed_identity(0x74).public_key;
  pb::SenderCertificate::Certificate inner;
  inner.set_sender_device(device);
  inner.set_expires(expires);
  inner.set_identity_key(std::string(identity.begin(), identity.end()));
  inner.set_signer(signer);
  inner.set_sender_uuid("6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f");
  pb::SenderCertificate outer;
  outer.set_certificate(inner.SerializeAsString());
  const bytes signature =
      signed_by(fx::fixed_identity(fx::certificate_server_tag), outer.certificate());
  outer.set_signature(std::string(signature.begin(), signature.end()));
  const std::string out = outer.SerializeAsString();
  return {out.begin(), out.end()};
}

}  // namespace certificate

void sender_certificate_seeds() {
  const auto root = fx::fixed_identity(fx::certificate_root_tag);
  const std::string server = certificate::server_certificate(root, 1);
  const std::uint64_t day = 86400000;
  write("sender_certificate", "valid.bin",
        certificate::sender_certificate(2, fx::certificate_check_ms + day, server));
  write("sender_certificate", "valid-at-expiry.bin",
        certificate::sender_certificate(127, fx::certificate_check_ms, server));
  write("sender_certificate", "expired.bin",
        certificate::sender_certificate(1, fx::certificate_check_ms - 1, server));
  write("sender_certificate", "device-zero.bin",
        certificate::sender_certificate(0, fx::certificate_check_ms + day, server));
  write("sender_certificate", "revoked-key-id.bin",
        certificate::sender_certificate(1, fx::certificate_check_ms + day,
                                        certificate::server_certificate(root, 0xDEADC357)));
  write("sender_certificate", "other-root.bin",
        certificate::sender_certificate(
            1, fx::certificate_check_ms + day,
            certificate::server_certificate(fx::fixed_identity(0x73), 1)));
}

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: fuzz_make_seeds <corpus folder, e.g. tests/fuzz/corpus>\n";
    return 2;
  }
  root = argv[1];
  device_body_seeds();
  signature_seeds();
  ratchet_seeds();
  content_seeds();
  local_state_seeds();
  websocket_seeds();
  multi_recipient_seeds();
  sender_certificate_seeds();
  std::cout << "seeds written under " << root.string() << "\n";
  return 0;
}
