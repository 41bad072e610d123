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
# Keys made here: identity key = Ed25519 with type byte 0x0E; signed and one-time prekeys =
# X25519 with type byte 0x05; the signed prekey's signature is Ed25519 by the identity key
# over the 33 bytes of its public key, type byte included.
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

# The signed prekey object with id $1, signed by the identity key.
signed_prekey_json() {
  local id=$1 dir=$KEY_DIR/signed_prekey_$1
  mkdir -p "$dir"
  new_prekey "$dir/private.pem" "$dir/public.bin"
  openssl pkeyutl -sign -rawin -inkey "$KEY_DIR/identity.pem" -in "$dir/public.bin" \
    -out "$dir/signature.bin"
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

# Identity key: Ed25519, typed 0x0E.
openssl genpkey -algorithm ed25519 -out "$KEY_DIR/identity.pem"
{ printf '\x0e'; openssl pkey -in "$KEY_DIR/identity.pem" -pubout -outform DER | tail -c 32; } \
  >"$KEY_DIR/identity.bin"

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
