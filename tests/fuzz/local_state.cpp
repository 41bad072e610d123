// Fuzz target: the client's local state file and backup formats (client/core/sealed_box.*,
// client/core/local_state.*): the sealed-box header, the state file opened the way
// state_file::read does (header, scrypt key from the passphrase, AES-GCM open), and the
// LocalState and Backup decoders on the raw input as well (what a decryption yields is
// only as trustworthy as the disk or the server that stored it).
//
// Properties: parse_header accepts only the expected magic and version and the documented
// scrypt limits, and copies salt and generation from their offsets; decode_state and
// decode_backup either decode or throw state_error(corrupt), nothing else; what they
// accept re-encodes to a fixed point (encode(decode(encode(decode(x)))) ==
// encode(decode(x))).
#include "core/local_state.hpp"

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/errors.hpp"
#include "core/sealed_box.hpp"
#include "fuzz_check.hpp"
#include "quiet_protobuf.hpp"

namespace {

using namespace sealpost::client;

// The passphrase the seed files were sealed with (make_seeds.cpp).
constexpr std::string_view kPassphrase = "fuzz passphrase";

std::vector<std::uint8_t> copy_of(const sealpost::client::crypto::secret_bytes<>& bytes) {
  return {bytes.view().begin(), bytes.view().end()};
}

void check_state(std::span<const std::uint8_t> bytes) {
  try {
    const auto first = copy_of(encode_state(decode_state(bytes)));
    const auto second = copy_of(encode_state(decode_state(first)));
    FUZZ_CHECK(first == second);
  } catch (const state_error& e) {
    FUZZ_CHECK(e.error_kind() == state_error::kind::corrupt);
  }
}

local_state holding(const backup_contents& backup) {
  local_state state;
  state.account_id = backup.account_id;
  state.username = backup.username;
  for (const contact& c : backup.contacts) {
    state.contacts.insert_or_assign(c.account_id, c);
  }
  state.history.assign(backup.history.begin(), backup.history.end());
  return state;
}

void check_backup(std::span<const std::uint8_t> bytes) {
  try {
    const backup_contents decoded = decode_backup(bytes);
    const auto first = copy_of(encode_backup(holding(decoded), decoded.created_at_ms));
    const backup_contents again = decode_backup(first);
    FUZZ_CHECK(again.account_id == decoded.account_id && again.username == decoded.username &&
               again.created_at_ms == decoded.created_at_ms);
    const auto second = copy_of(encode_backup(holding(again), again.created_at_ms));
    FUZZ_CHECK(first == second);
  } catch (const state_error& e) {
    FUZZ_CHECK(e.error_kind() == state_error::kind::corrupt);
  }
}

void check_sealed(const sealed_box::magic& magic, std::span<const std::uint8_t> bytes) {
  const auto header = sealed_box::parse_header(magic, bytes);
  if (!header) {
    return;
  }
  FUZZ_CHECK(bytes.size() >= sealed_box::header_size + sealpost::client::crypto::aead_tag_size);
  FUZZ_CHECK(std::equal(magic.begin(), magic.end(), bytes.begin()));
  FUZZ_CHECK(std::has_single_bit(header->kdf.n) && header->kdf.n >= 2 &&
             header->kdf.n <= (std::uint64_t{1} << 20));
  FUZZ_CHECK(header->kdf.r >= 1 && header->kdf.r <= 32 && header->kdf.p >= 1 &&
             header->kdf.p <= 16);
  constexpr std::size_t salt_offset = sealed_box::magic_size + 4;
  FUZZ_CHECK(std::equal(header->salt.begin(), header->salt.end(), bytes.begin() + salt_offset));
  FUZZ_CHECK(std::equal(header->generation.begin(), header->generation.end(),
                        bytes.begin() + salt_offset + sealed_box::salt_size));

  // Only cheap scrypt parameters are worth deriving a key for in a fuzzer (the seeds use
  // N = 2, r = 1, p = 1); the header check above covers the rest.
  if (header->kdf.n > 16 || header->kdf.r > 2 || header->kdf.p > 2) {
    return;
  }
  const auto key = sealed_box::derive_key(kPassphrase, *header);
  const auto payload = sealed_box::open(key, bytes);
  if (!payload) {
    return;
  }
  if (magic == sealed_box::state_magic) {
    check_state(payload->view());
  } else {
    check_backup(payload->view());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  check_sealed(sealed_box::state_magic, bytes);
  check_sealed(sealed_box::backup_magic, bytes);
  check_state(bytes);
  check_backup(bytes);
  return 0;
}
