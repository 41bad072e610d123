#!/usr/bin/env python3
"""Writes tests/vectors/sealed_sender_v1.json: libsignal's single-recipient sealed-sender
format (SSv1, version byte 0x11), computed independently of the C++ client from the Python
`cryptography` package, with every intermediate value. The protobuf bytes are written by
hand (tag, varint length, value), as protobuf's canonical encoding does.

Usage: python3 tests/vectors/tools/make_sealed_sender_v1.py [OUTPUT]
(default OUTPUT: tests/vectors/sealed_sender_v1.json next to this tools/ directory).
Deterministic: fixed private scalars and seeds, so re-running gives identical output.
"""

import hashlib
import hmac
import json
import sys
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

RAW = serialization.Encoding.Raw
RAW_PUBLIC = serialization.PublicFormat.Raw
VERSION_BYTE = 0x11
SALT_PREFIX = b"UnidentifiedDelivery"
MAC_SIZE = 10  # the HMAC-SHA256 tag is truncated to its first 10 bytes

# USMC message types (libsignal UnidentifiedSenderMessage.Message.Type).
PREKEY_MESSAGE, MESSAGE, SENDERKEY_MESSAGE, PLAINTEXT_CONTENT = 1, 2, 7, 8


def fixed_bytes(label: str, size: int = 32) -> bytes:
    """Deterministic test bytes: SHA-512 of a label, truncated."""
    return hashlib.sha512(label.encode()).digest()[:size]


# --- protobuf canonical encoding, by hand ---------------------------------------------

def varint(value: int) -> bytes:
    assert value >= 0
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field_varint(number: int, value: int) -> bytes:
    return varint(number << 3 | 0) + varint(value)


def field_bytes(number: int, value: bytes) -> bytes:
    return varint(number << 3 | 2) + varint(len(value)) + value


def field_fixed64(number: int, value: int) -> bytes:
    return varint(number << 3 | 1) + value.to_bytes(8, "little")


# --- keys ---------------------------------------------------------------------------

def x25519_public(private: bytes) -> bytes:
    return X25519PrivateKey.from_private_bytes(private).public_key().public_bytes(RAW, RAW_PUBLIC)


def x25519(private: bytes, public: bytes) -> bytes:
    shared = X25519PrivateKey.from_private_bytes(private).exchange(
        X25519PublicKey.from_public_bytes(public))
    assert shared != bytes(32)
    return shared


def x25519_identity(label: str) -> dict:
    """A 0x05 identity: typed key 0x05 || u; the DH key is the same X25519 key."""
    private = fixed_bytes(label)
    public = x25519_public(private)
    return {"typed": bytes([0x05]) + public, "dh_private": private, "dh_public": public}


def ed25519_identity(label: str) -> dict:
    """An old-device 0x0E identity: typed key 0x0E || Ed25519 A; its DH key is the X25519
    key of the Ed25519 scalar, clamp(SHA-512(seed)[0..32]) (X25519 clamps on use)."""
    seed = fixed_bytes(label)
    a = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(RAW, RAW_PUBLIC)
    dh_private = hashlib.sha512(seed).digest()[:32]
    return {"typed": bytes([0x0E]) + a, "dh_private": dh_private,
            "dh_public": x25519_public(dh_private), "ed25519_seed": seed}


# --- the construction -----------------------------------------------------------------

def hkdf96(salt: bytes, ikm: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=96, salt=salt, info=b"").derive(ikm)


def ctr_then_mac(cipher_key: bytes, mac_key: bytes, plaintext: bytes) -> bytes:
    """AES-256-CTR with a zero 16-byte initial counter block, then the first 10 bytes of
    HMAC-SHA256(mac_key, ciphertext) appended."""
    encryptor = Cipher(algorithms.AES(cipher_key), modes.CTR(bytes(16))).encryptor()
    ciphertext = encryptor.update(plaintext) + encryptor.finalize()
    return ciphertext + hmac.new(mac_key, ciphertext, hashlib.sha256).digest()[:MAC_SIZE]


def encode_usmc(usmc: dict) -> bytes:
    out = field_varint(1, usmc["type"])
    out += field_bytes(2, usmc["sender_certificate"])
    out += field_bytes(3, usmc["content"])
    if usmc.get("content_hint") is not None:
        out += field_varint(4, usmc["content_hint"])
    if usmc.get("group_id") is not None:
        out += field_bytes(5, usmc["group_id"])
    return out


def sender_certificate(sender: dict, device: int, uuid: str) -> bytes:
    """A SenderCertificate shaped like the server's (DESIGN.md); signatures are filler,
    since this layer never checks them."""
    server_inner = field_varint(1, 1) + field_bytes(2, bytes([0x05]) + fixed_bytes("server key"))
    server = field_bytes(1, server_inner) + field_bytes(2, fixed_bytes("trust root sig", 64))
    inner = (field_varint(2, device) + field_fixed64(3, 1_900_000_000_000)
             + field_bytes(4, sender["typed"]) + field_bytes(5, server)
             + field_bytes(6, uuid.encode()))
    return field_bytes(1, inner) + field_bytes(2, fixed_bytes("server sig " + uuid, 64))


def make_case(name: str, recipient: dict, sender: dict, ephemeral_private: bytes,
              usmc: dict) -> dict:
    ephemeral_public = x25519_public(ephemeral_private)
    ephemeral_typed = bytes([0x05]) + ephemeral_public

    ephemeral_salt = SALT_PREFIX + recipient["typed"] + ephemeral_typed
    ephemeral_dh = x25519(ephemeral_private, recipient["dh_public"])
    assert ephemeral_dh == x25519(recipient["dh_private"], ephemeral_public)
    ephemeral_keys = hkdf96(ephemeral_salt, ephemeral_dh)
    chain_key, e_cipher_key, e_mac_key = (ephemeral_keys[0:32], ephemeral_keys[32:64],
                                          ephemeral_keys[64:96])
    encrypted_static = ctr_then_mac(e_cipher_key, e_mac_key, sender["typed"])

    static_salt = chain_key + encrypted_static
    static_dh = x25519(sender["dh_private"], recipient["dh_public"])
    assert static_dh == x25519(recipient["dh_private"], sender["dh_public"])
    static_keys = hkdf96(static_salt, static_dh)
    s_cipher_key, s_mac_key = static_keys[32:64], static_keys[64:96]

    usmc_bytes = encode_usmc(usmc)
    encrypted_message = ctr_then_mac(s_cipher_key, s_mac_key, usmc_bytes)

    message = (bytes([VERSION_BYTE]) + field_bytes(1, ephemeral_typed)
               + field_bytes(2, encrypted_static) + field_bytes(3, encrypted_message))

    case = {
        "name": name,
        "recipient_identity": recipient["typed"],
        "recipient_dh_private": recipient["dh_private"],
        "recipient_dh_public": recipient["dh_public"],
        "sender_identity": sender["typed"],
        "sender_dh_private": sender["dh_private"],
        "sender_dh_public": sender["dh_public"],
        "ephemeral_private": ephemeral_private,
        "ephemeral_public": ephemeral_typed,
        "usmc": {key: value for key, value in usmc.items() if value is not None},
        "usmc_bytes": usmc_bytes,
        "ephemeral_salt": ephemeral_salt,
        "ephemeral_dh": ephemeral_dh,
        "ephemeral_chain_key": chain_key,
        "ephemeral_cipher_key": e_cipher_key,
        "ephemeral_mac_key": e_mac_key,
        "encrypted_static": encrypted_static,
        "static_salt": static_salt,
        "static_dh": static_dh,
        "static_cipher_key": s_cipher_key,
        "static_mac_key": s_mac_key,
        "encrypted_message": encrypted_message,
        "message": message,
    }
    if "ed25519_seed" in recipient:
        case["recipient_ed25519_seed"] = recipient["ed25519_seed"]
    return case


def make_rejected(name: str, recipient: dict, sealed_sender_key: bytes,
                  ephemeral_private: bytes, expected_error: str) -> dict:
    """A message the recipient must refuse, made with the honest ephemeral layer: the
    sealed sender key is `sealed_sender_key` (which has no usable static DH), so the
    encrypted message is filler."""
    ephemeral_typed = bytes([0x05]) + x25519_public(ephemeral_private)
    ephemeral_salt = SALT_PREFIX + recipient["typed"] + ephemeral_typed
    ephemeral_keys = hkdf96(ephemeral_salt, x25519(ephemeral_private, recipient["dh_public"]))
    encrypted_static = ctr_then_mac(ephemeral_keys[32:64], ephemeral_keys[64:96],
                                    sealed_sender_key)
    encrypted_message = fixed_bytes("filler " + name, 48)
    fields = [field_bytes(1, ephemeral_typed), field_bytes(2, encrypted_static),
              field_bytes(3, encrypted_message)]
    return {
        "name": name,
        "recipient_identity": recipient["typed"],
        "recipient_dh_private": recipient["dh_private"],
        "sealed_sender_key": sealed_sender_key,
        "message": bytes([VERSION_BYTE]) + b"".join(fields),
        "expected_error": expected_error,
    }


def make_reordered(case: dict) -> dict:
    """An honest message with its protobuf fields written in the order 2, 1, 3: valid
    protobuf that libsignal's decoder would take, but not the canonical encoding."""
    fields = [field_bytes(1, case["ephemeral_public"]), field_bytes(2, case["encrypted_static"]),
              field_bytes(3, case["encrypted_message"])]
    return {
        "name": "honest message, fields out of canonical order (2, 1, 3)",
        "recipient_identity": case["recipient_identity"],
        "recipient_dh_private": case["recipient_dh_private"],
        "sealed_sender_key": case["sender_identity"],
        "message": bytes([VERSION_BYTE]) + fields[1] + fields[0] + fields[2],
        "expected_error": "malformed_message",
    }


def to_json(value):
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    return value


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / \
        "sealed_sender_v1.json"
    alice = x25519_identity("alice identity")
    bob = x25519_identity("bob identity")
    carol_old_device = ed25519_identity("carol ed25519 identity seed")

    cases = [
        make_case("0x05 recipient, 1:1 message, no hint, no group", bob, alice,
                  fixed_bytes("ephemeral 1"),
                  {"type": MESSAGE,
                   "sender_certificate": sender_certificate(
                       alice, 1, "0b1e7a3c-5d2f-4e8a-9c6b-1a2b3c4d5e6f"),
                   "content": b"a ratchet message stands here"}),
        make_case("0x0E recipient (typed key in the salt, X25519 form in the DH), prekey "
                  "message, resendable, group id", carol_old_device, alice,
                  fixed_bytes("ephemeral 2"),
                  {"type": PREKEY_MESSAGE,
                   "sender_certificate": sender_certificate(
                       alice, 3, "0b1e7a3c-5d2f-4e8a-9c6b-1a2b3c4d5e6f"),
                   "content": fixed_bytes("prekey message body", 64),
                   "content_hint": 1, "group_id": fixed_bytes("group", 32)}),
        make_case("sender key message, 300-byte content (two-byte lengths), implicit hint",
                  alice, bob, fixed_bytes("ephemeral 3"),
                  {"type": SENDERKEY_MESSAGE,
                   "sender_certificate": sender_certificate(
                       bob, 127, "f00dfeed-0000-4000-8000-00000000beef"),
                   "content": (fixed_bytes("long content a", 64) * 5)[:300],
                   "content_hint": 2}),
        make_case("plaintext content, empty content, hint 0 and empty group id written",
                  bob, alice, fixed_bytes("ephemeral 4"),
                  {"type": PLAINTEXT_CONTENT,
                   "sender_certificate": sender_certificate(
                       alice, 2, "0b1e7a3c-5d2f-4e8a-9c6b-1a2b3c4d5e6f"),
                   "content": b"", "content_hint": 0, "group_id": b""}),
    ]
    # X25519 point of order 8 (RFC 7748 section 6.1 / libsodium's blocklist).
    order_8_point = bytes.fromhex(
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")
    rejected = [
        make_rejected("sealed sender key is a low-order point", bob,
                      bytes([0x05]) + order_8_point, fixed_bytes("ephemeral 5"),
                      "invalid_identity_key"),
        make_rejected("sealed sender key is an Ed25519 (0x0E) key", bob,
                      carol_old_device["typed"], fixed_bytes("ephemeral 6"),
                      "invalid_identity_key"),
        make_reordered(cases[0]),
    ]
    document = {
        "description": "Sealed sender v1 (libsignal sealed_sender_encrypt_from_usmc), made "
                       "by tests/vectors/tools/make_sealed_sender_v1.py with the Python "
                       "cryptography package. All byte strings are hex. Typed keys are "
                       "33 bytes (0x05 || X25519 u, or 0x0E || Ed25519 A); dh keys are raw "
                       "32-byte X25519 keys. message = 0x11 || UnidentifiedSenderMessage.",
        "vectors": [to_json(case) for case in cases],
        "rejected_description": "Messages the recipient must refuse with expected_error, "
                                "though their ephemeral layer is honest.",
        "rejected": [to_json(case) for case in rejected],
    }
    out.write_text(json.dumps(document, indent=2) + "\n")


if __name__ == "__main__":
    main()
