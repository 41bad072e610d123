#!/usr/bin/env bash
# Makes the JSON body of a Sealpost registration, device link or key upload with real keys,
# using nothing but bash, openssl (3.0+) and base64. For trying the API with curl; a real
# client keeps its private keys somewhere better than a folder of PEM files.
#
#   make-registration.sh USERNAME [N]      body for POST /v1/accounts
#   make-registration.sh --link TOKEN [N]  body for POST /v1/devices (linking a new device)
#   make-registration.sh --keys FIRST N    body for PUT /v1/keys: N one-time prekeys with
#                                          key_ids FIRST..FIRST+N-1 and a new signed prekey
#
# N is the number of one-time prekeys (default 5; the server takes at most 100 per request).
# The body goes to stdout. Private keys and the device password stay in $KEY_DIR (default:
# a new folder under /tmp, named on stderr); --keys signs with the identity key found there,
# so point KEY_DIR at the folder the registration or link used.
#
# Environment: KEY_DIR; PASSWORD (default: 24 random bytes, base64); REGISTRATION_ID
# (default: random in 1..16380); INVITE (added as "invite" to a registration).
#
# Keys made here (DESIGN.md, "Keys, certificates, signatures"): the identity key is an
# Ed25519 key pair published in its 0x05 form, 0x05 || the X25519 public key of
# clamp(SHA-512(seed)[0..32]); signed and one-time prekeys are X25519 with type byte 0x05;
# the signed prekey's signature is the identity key's RFC 8032 signature over the 33 bytes of
# its public key, type byte included, with the sign bit of the Ed25519 public key copied into
# the top bit of its last byte (XEdDSA, as libsignal verifies it).
set -euo pipefail

die() { echo "make-registration: $*" >&2; exit 2; }
usage() { sed -n '6,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

mode="register"
case ${1:-} in
  "" | -h | --help) usage ;;
  --link) mode="link"; [[ $# -ge 2 && $# -le 3 ]] || usage; link_token=$2; shift 2 ;;
  --keys) mode="keys"; [[ $# -eq 3 ]] || usage; first_id=$2; shift 2 ;;
  *) [[ $# -le 2 ]] || usage; username=$1; shift ;;
esac
count=${1:-5}
[[ $count =~ ^[0-9]+$ ]] || die "N must be a number, got '$count'"
if [[ $mode == keys ]]; then
  [[ $first_id =~ ^[0-9]+$ ]] || die "FIRST must be a number, got '$first_id'"
fi

# Strings go into the JSON as they are: refuse what would need escaping.
for value in "${username:-}" "${link_token:-}" "${PASSWORD:-}" "${INVITE:-}"; do
  [[ $value != *[\"\\]* ]] || die "quotes and backslashes are not supported in arguments"
done

if [[ $mode == keys ]]; then
  [[ -n ${KEY_DIR:-} ]] || die "--keys needs KEY_DIR: the folder of the device's identity key"
  [[ -f $KEY_DIR/identity.pem ]] || die "no identity key in $KEY_DIR"
elif [[ -z ${KEY_DIR:-} ]]; then
  KEY_DIR=$(mktemp -d /tmp/sealpost-device.XXXXXX)
elif [[ -e $KEY_DIR/identity.pem ]]; then
  die "$KEY_DIR already holds a device; use another KEY_DIR"
fi
mkdir -p "$KEY_DIR"
chmod 700 "$KEY_DIR"

b64() { base64 -w0 <"$1"; }

# A typed X25519 public key (0x05 + 32 bytes) in file $2, private key (PEM) in $1.
new_prekey() {
  openssl genpkey -algorithm x25519 -out "$1"
  { printf '\x05'; openssl pkey -in "$1" -pubout -outform DER | tail -c 32; } >"$2"
}

# The last byte of file $1, as a number.
last_byte() { tail -c 1 "$1" | od -An -tu1 | tr -d ' '; }

# Signs file $1 with the identity key into file $2: RFC 8032, then the sign bit of the
# Ed25519 public key A (the top bit of A[31]) into the top bit of signature[63].
xeddsa_sign() {
  local raw=$2.ed25519 edwards=$KEY_DIR/identity.ed25519.bin
  openssl pkeyutl -sign -rawin -inkey "$KEY_DIR/identity.pem" -in "$1" -out "$raw"
  local last=$(($(last_byte "$raw") | ($(last_byte "$edwards") & 128)))
  { head -c 63 "$raw"; printf "\\x$(printf %02x "$last")"; } >"$2"
  rm -f "$raw"
}

# The signed prekey object with id $1, signed by the identity key.
signed_prekey_json() {
  local id=$1 dir=$KEY_DIR/signed_prekey_$1
  mkdir -p "$dir"
  new_prekey "$dir/private.pem" "$dir/public.bin"
  xeddsa_sign "$dir/public.bin" "$dir/signature.bin"
  printf '{"key_id":%d,"public_key":"%s","signature":"%s"}' \
    "$id" "$(b64 "$dir/public.bin")" "$(b64 "$dir/signature.bin")"
}

# A JSON array of $2 one-time prekeys with key_ids from $1.
one_time_prekeys_json() {
  local first=$1 n=$2 id sep=""
  printf '['
  for ((id = first; id < first + n; id++)); do
    local dir=$KEY_DIR/one_time_prekey_$id
    [[ ! -e $dir ]] || die "one-time prekey $id already exists in $KEY_DIR"
    mkdir -p "$dir"
    new_prekey "$dir/private.pem" "$dir/public.bin"
    printf '%s{"key_id":%d,"public_key":"%s"}' "$sep" "$id" "$(b64 "$dir/public.bin")"
    sep=","
  done
  printf ']'
}

if [[ $mode == keys ]]; then
  # The new signed prekey gets the next free key_id of the folder.
  spk_id=1
  while [[ -e $KEY_DIR/signed_prekey_$spk_id ]]; do spk_id=$((spk_id + 1)); done
  spk=$(signed_prekey_json "$spk_id")
  otks=$(one_time_prekeys_json "$first_id" "$count")
  printf '{"signed_prekey":%s,"one_time_prekeys":%s}\n' "$spk" "$otks"
  exit 0
fi

# Identity key: Ed25519, published as 0x05 || the X25519 key of the Ed25519 scalar. The
# X25519 private key is the first half of SHA-512(seed) (OpenSSL clamps it), wrapped in the
# fixed PKCS#8 header of an X25519 key so that openssl can compute its public key.
openssl genpkey -algorithm ed25519 -out "$KEY_DIR/identity.pem"
openssl pkey -in "$KEY_DIR/identity.pem" -pubout -outform DER | tail -c 32 \
  >"$KEY_DIR/identity.ed25519.bin"
x25519_pkcs8_header='\x30\x2e\x02\x01\x00\x30\x05\x06\x03\x2b\x65\x6e\x04\x22\x04\x20'
{
  printf '\x05'
  { printf "$x25519_pkcs8_header"
    openssl pkey -in "$KEY_DIR/identity.pem" -outform DER | tail -c 32 |
      openssl dgst -sha512 -binary | head -c 32
  } | openssl pkey -inform DER -pubout -outform DER | tail -c 32
} >"$KEY_DIR/identity.bin"

password=${PASSWORD:-$(openssl rand -base64 24)}
printf '%s' "$password" >"$KEY_DIR/password"
registration_id=${REGISTRATION_ID:-$((16#$(openssl rand -hex 2) % 16380 + 1))}

spk=$(signed_prekey_json 1)
otks=$(one_time_prekeys_json 1 "$count")
if [[ $mode == register ]]; then
  printf '{"username":"%s",' "$username"
  [[ -z ${INVITE:-} ]] || printf '"invite":"%s",' "$INVITE"
else
  printf '{"link_token":"%s",' "$link_token"
fi
printf '"password":"%s","registration_id":%d,"identity_key":"%s","signed_prekey":%s,"one_time_prekeys":%s}\n' \
  "$password" "$registration_id" "$(b64 "$KEY_DIR/identity.bin")" "$spk" "$otks"

echo "make-registration: keys and password in $KEY_DIR (password: $KEY_DIR/password)" >&2
