// Making a device: identity key, registration id, password and prekeys for a new one, and
// opening an existing state file (with a server URL that may replace the stored one).
#include "core/enrolment.hpp"

#include <filesystem>
#include <system_error>
#include <utility>

#include "core/prekeys.hpp"
#include "crypto/identity_key.hpp"
#include "crypto/random.hpp"
#include "encoding/base64.hpp"

namespace sealpost::client {
namespace {

std::uint32_t random_registration_id() {
  // Rejection sampling: uniform over 1..16380.
  constexpr std::uint32_t range = protocol::max_registration_id;
  constexpr std::uint32_t limit = UINT32_MAX - UINT32_MAX % range;
  for (;;) {
    std::uint32_t value = 0;
    crypto::random_fill({reinterpret_cast<std::uint8_t*>(&value), sizeof value});
    if (value < limit) {
      return value % range + 1;
    }
  }
}

std::string random_password() {
  const crypto::secret_bytes<> raw = crypto::random_secret(24);
  return encoding::base64_encode(raw.view());
}

// A fresh device: identity, registration id, password, one signed prekey and `one_time`
// one-time prekeys, and the request that registers its public half.
std::pair<local_state, net::new_device_request> new_device(const std::string& server_url,
                                                           enrolment kind, std::size_t one_time) {
  if (one_time > max_prekeys_per_upload) {
    throw usage_error("at most 100 one-time prekeys can be uploaded at once");
  }
  local_state state;
  state.server_url = server_url;
  state.identity.identity_key = crypto::generate_identity();
  state.identity.registration_id = random_registration_id();
  state.password = random_password();
  state.signed_prekeys.push_back(new_prekey(state.next_signed_prekey_id++));
  net::new_device_request request;
  request.password = state.password;
  request.registration_id = state.identity.registration_id;
  const crypto::typed_public_key identity = state.identity_key();
  request.identity_key.assign(identity.begin(), identity.end());
  request.signed_prekey = signed_public(state, state.signed_prekeys.back());
  request.one_time_prekeys = add_one_time_prekeys(state, one_time);
  if (kind == enrolment::new_account) {
    state.profile_key = crypto::generate_profile_key();
    const crypto::access_key key = crypto::derive_access_key(*state.profile_key);
    request.unidentified_access_key = net::byte_vector(key.view().begin(), key.view().end());
  }
  return {std::move(state), std::move(request)};
}

// Trust on first use, right after registering: the device is new, so there is nothing older
// to compare the root with. A failure here does not undo the registration: the first sealed
// send or receive pins it instead.
void pin_trust_root(messenger_core& core) {
  try {
    if (core.sealed.pin_trust_root()) {
      core.store.save();
    }
  } catch (const std::exception&) {
  }
}

void validate_config(const messenger_config& config) {
  if (config.state_path.empty()) {
    throw usage_error("no state file path given");
  }
}

}  // namespace

std::unique_ptr<messenger_core> enrol_device(const messenger_config& config, enrolment kind,
                                             std::size_t one_time, const enrol_call& call) {
  validate_config(config);
  net::parse_server_url(config.server_url);  // a bad URL fails before anything is written
  const state_file::lock guard = state_file::acquire(config.state_path);
  state_file file = state_file::create(config.state_path, config.passphrase, config.kdf);
  auto [state, request] = new_device(config.server_url, kind, one_time);
  file.write(encode_state(state).view());
  auto core =
      std::make_unique<messenger_core>(state_store(config, std::move(file), std::move(state)));
  net::registered_device device;
  try {
    device = call(core->api, request);
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(config.state_path, ignored);
    throw;
  }
  core->store.state().account_id = device.account_id;
  core->store.state().device_id = device.device_id;
  core->api.set_login(core->store.login());
  core->store.save();
  pin_trust_root(*core);
  return core;
}

std::unique_ptr<messenger_core> open_device(const messenger_config& config) {
  validate_config(config);
  const state_file::lock guard = state_file::acquire(config.state_path);
  state_file file = state_file::open(config.state_path, config.passphrase);
  local_state state = decode_state(file.read().view());
  if (state.account_id.empty()) {
    throw state_error(state_error::kind::corrupt,
                      "the registration that created " + config.state_path.string() +
                          " never completed; remove the file and register again");
  }
  const bool new_url = !config.server_url.empty() && config.server_url != state.server_url;
  if (new_url) {
    net::parse_server_url(config.server_url);
    state.server_url = config.server_url;
  }
  auto core =
      std::make_unique<messenger_core>(state_store(config, std::move(file), std::move(state)));
  if (new_url) {
    core->store.override_server_url(config.server_url);
    core->store.save();
  }
  return core;
}

}  // namespace sealpost::client
