// Cross-checks tests/vectors/sealed_sender_v1.json against the real libsignal
// (@signalapp/libsignal-client 0.103.0, the version DESIGN.md targets), and writes
// tests/vectors/sealed_sender_v1_libsignal.json: messages that libsignal itself sealed,
// which the C++ tests open.
//
// Not part of the build or CI (it needs npm). To re-run:
//   mkdir /tmp/ls && cd /tmp/ls && npm install @signalapp/libsignal-client@0.103.0
//   NODE_PATH=/tmp/ls/node_modules node tests/vectors/tools/check_sealed_sender_v1_libsignal.mjs
// Exits 1 if libsignal disagrees with any vector it can open (those with a 0x05
// recipient: libsignal has no 0x0E identity keys).
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(join(process.env.NODE_PATH ?? process.cwd(), 'x.js'));
const S = require('@signalapp/libsignal-client');

const vectorsDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const hex = (text) => new Uint8Array(Buffer.from(text, 'hex'));
const toHex = (bytes) => Buffer.from(bytes).toString('hex');

// The one identity store libsignal's sealed-sender calls need: our key pair, and the
// recipient's identity key when sealing.
class Store extends S.IdentityKeyStore {
  constructor(ourPrivate, theirPublic) {
    super();
    this.ourPrivate = ourPrivate;
    this.theirPublic = theirPublic;
  }
  async getIdentityKey() { return this.ourPrivate; }
  async getLocalRegistrationId() { return 1; }
  async saveIdentity() { return S.IdentityChange.NewOrUnchanged; }
  async isTrustedIdentity() { return true; }
  async getIdentity() { return this.theirPublic; }
}

const document = JSON.parse(readFileSync(join(vectorsDir, 'sealed_sender_v1.json'), 'utf8'));
let failures = 0;
const sealed = [];
for (const v of document.vectors) {
  if (!v.recipient_identity.startsWith('05')) {
    console.log(`skip (0x0E recipient): ${v.name}`);
    continue;
  }
  const recipientPrivate = S.PrivateKey.deserialize(hex(v.recipient_dh_private));
  const senderPrivate = S.PrivateKey.deserialize(hex(v.sender_dh_private));
  if (toHex(recipientPrivate.getPublicKey().serialize()) !== v.recipient_identity ||
      toHex(senderPrivate.getPublicKey().serialize()) !== v.sender_identity) {
    console.log(`FAIL keys: ${v.name}`);
    failures += 1;
    continue;
  }

  // libsignal opens the Python-made message and finds the same content.
  const usmc = await S.sealedSenderDecryptToUsmc(hex(v.message), new Store(recipientPrivate, null));
  const same = toHex(usmc.serialize()) === v.usmc_bytes && usmc.msgType() === v.usmc.type &&
      toHex(usmc.contents()) === v.usmc.content;
  console.log(`${same ? 'ok  ' : 'FAIL'} libsignal opens: ${v.name}`);
  failures += same ? 0 : 1;

  // libsignal seals the same content to the same recipient (with its own ephemeral key).
  const address = S.ProtocolAddress.new('9d0652a3-dcc3-4d11-975f-74d61598733f', 1);
  const message = await S.sealedSenderEncrypt(
      S.UnidentifiedSenderMessageContent.deserialize(hex(v.usmc_bytes)), address,
      new Store(senderPrivate, recipientPrivate.getPublicKey()));
  sealed.push({
    name: `libsignal 0.103.0 sealed: ${v.name}`,
    recipient_identity: v.recipient_identity,
    recipient_dh_private: v.recipient_dh_private,
    sender_identity: v.sender_identity,
    usmc_bytes: v.usmc_bytes,
    message: toHex(message),
  });
}

writeFileSync(join(vectorsDir, 'sealed_sender_v1_libsignal.json'), JSON.stringify({
  description: 'Sealed sender v1 messages sealed by libsignal-client 0.103.0 ' +
      '(sealedSenderEncrypt of UnidentifiedSenderMessageContent.deserialize(usmc_bytes)), ' +
      'with the keys of tests/vectors/sealed_sender_v1.json; made by ' +
      'tests/vectors/tools/check_sealed_sender_v1_libsignal.mjs. Hex throughout.',
  vectors: sealed,
}, null, 2) + '\n');
console.log(`${sealed.length} libsignal-sealed messages written; ${failures} failure(s)`);
process.exit(failures === 0 ? 0 : 1);
