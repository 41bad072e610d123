#!/usr/bin/env python3
"""Writes tests/vectors/access_key.json: unidentified access keys derived from profile keys
the way libsignal's ProfileKey.deriveAccessKey() does (DESIGN.md, "Unidentified access
keys"): the first 16 bytes of AES-256-GCM under the 32-byte profile key, with a 12-byte
zero nonce, over 16 zero bytes, no associated data. Computed with the Python
`cryptography` package, independently of the C++ client.

Usage: python3 tests/vectors/tools/make_access_key.py [OUTPUT]
(default OUTPUT: tests/vectors/access_key.json next to this tools/ directory).
Deterministic: re-running gives identical output.
"""

import hashlib
import json
import sys
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PROFILE_KEY_SIZE = 32
ACCESS_KEY_SIZE = 16

# A known answer from Signal's own tests: Signal-Android,
# libsignal/service/src/test/java/org/whispersystems/signalservice/api/crypto/
# UnidentifiedAccessTest.java (testKeyDerivation), profile key 32 x 0x02. Only the values
# are copied; the script checks that its own derivation agrees.
SIGNAL_PROFILE_KEY = bytes([0x02] * PROFILE_KEY_SIZE)
SIGNAL_ACCESS_KEY = "5a723acee52c5ea02b92a3a360c09595"


def derive_access_key(profile_key: bytes) -> bytes:
    assert len(profile_key) == PROFILE_KEY_SIZE
    sealed = AESGCM(profile_key).encrypt(bytes(12), bytes(ACCESS_KEY_SIZE), None)
    return sealed[:ACCESS_KEY_SIZE]


def fixed_bytes(label: str) -> bytes:
    """Deterministic test bytes: SHA-512 of a label, truncated."""
    return hashlib.sha512(label.encode()).digest()[:PROFILE_KEY_SIZE]


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / \
        "access_key.json"
    keys = [
        ("all zero", bytes(PROFILE_KEY_SIZE)),
        ("all 0xff", bytes([0xFF] * PROFILE_KEY_SIZE)),
        ("all 0x02 (Signal-Android UnidentifiedAccessTest)", SIGNAL_PROFILE_KEY),
        ("0x00..0x1f", bytes(range(PROFILE_KEY_SIZE))),
        ("sha-512 of 'alice profile key'", fixed_bytes("alice profile key")),
        ("sha-512 of 'bob profile key'", fixed_bytes("bob profile key")),
    ]
    vectors = []
    for name, key in keys:
        access_key = derive_access_key(key)
        vectors.append({"name": name, "profile_key": key.hex(), "access_key": access_key.hex()})
    if derive_access_key(SIGNAL_PROFILE_KEY).hex() != SIGNAL_ACCESS_KEY:
        raise SystemExit("derivation disagrees with Signal's known answer")
    document = {
        "description": "Unidentified access keys (libsignal ProfileKey.deriveAccessKey()): "
                       "AES-256-GCM(profile_key, nonce = 12 zero bytes, plaintext = 16 zero "
                       "bytes, no associated data), first 16 bytes. Made by "
                       "tests/vectors/tools/make_access_key.py with the Python cryptography "
                       "package. All byte strings are hex.",
        "note": "The 'all 0x02' access key is also Signal's own known answer: Signal-Android, "
                "libsignal/service/src/test/java/org/whispersystems/signalservice/api/crypto/"
                "UnidentifiedAccessTest.java, testKeyDerivation (EXPECTED_RESULT); the "
                "generator checks that it agrees.",
        "vectors": vectors,
    }
    out.write_text(json.dumps(document, indent=2) + "\n")


if __name__ == "__main__":
    main()
