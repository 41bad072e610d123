// Validation of a new device's credentials and keys.
#include "resources/device_enrollment.hpp"

#include <openssl/crypto.h>

#include "auth/credentials.hpp"
#include "resources/key_codec.hpp"

namespace sealpost::resources {

storage::new_device read_new_device(net::json_reader& body, const config::server_config& cfg) {
  std::string password = body.string("password");
  if (password.size() < auth::kMinPasswordLength || password.size() > auth::kMaxPasswordLength) {
    OPENSSL_cleanse(password.data(), password.size());
    net::throw_bad_field("password", "must be 16 to 512 characters (a random secret)");
  }
  storage::new_device device;
  auto credential = auth::hash_new_password(password);
  OPENSSL_cleanse(password.data(), password.size());
  device.password_salt = std::move(credential.salt);
  device.password_hash = std::move(credential.hash);
  device.identity.registration_id =
      static_cast<std::int32_t>(body.integer("registration_id", 1, 16380));
  device.identity.identity_key = read_identity_key(body);
  device.keys = read_key_upload(body, device.identity.identity_key, cfg);
  require_signed_prekey(device.keys);
  return device;
}

}  // namespace sealpost::resources
