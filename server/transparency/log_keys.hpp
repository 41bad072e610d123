// The key-transparency log's two P-256 keys and its Configuration (DESIGN.md, "Suite,
// configuration, keys" and "Operator"): from the operator's files, or in auto mode from the
// kt_config row that the first node makes. Either way the Configuration is fixed when the log
// is created, and a node whose keys or fixed settings differ from it refuses to start.
#pragma once

#include <pqxx/connection>
#include <stdexcept>
#include <string>

#include "config/config.hpp"
#include "keytrans/tree_head.hpp"
#include "keytrans/vrf.hpp"
#include "xeddsa/openssl_check.hpp"

namespace sealpost::transparency {

class log_key_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct log_keys {
  ossl::pkey_ptr signing_key;         // signs TreeHeadTBS
  keytrans::vrf_private_key vrf_key;  // secret: maps labels to search keys
  keytrans::bytes configuration;      // the encoded Configuration every head signs
  keytrans::p256_public_key signing_public_key{};
  keytrans::bytes vrf_public_key;  // SEC1 compressed
};

// The Configuration of a log with these public keys and the [kt] settings fixed at creation.
keytrans::configuration log_configuration(const keytrans::p256_public_key& signing_public_key,
                                          const keytrans::bytes& vrf_public_key,
                                          const config::server_config& cfg);

// True when [kt] names its key files (file mode), false for auto mode.
bool uses_key_files(const config::server_config& cfg);

// The keys of the two files [kt] names (not yet checked against a stored log); throws
// log_key_error naming the file that is missing or not a P-256 key.
log_keys load_key_files(const config::server_config& cfg);

// The keys this node uses, checked against the log's stored Configuration (made now when the
// log does not exist yet). Throws log_key_error naming what does not fit.
log_keys keys_for_node(const config::server_config& cfg, pqxx::connection& conn);

// A fresh P-256 key as PKCS#8 PEM (for `admin kt new-keys`); the caller wipes the text.
std::string new_p256_private_pem();
// The public keys of PEM files as `admin kt new-keys` prints them (base64 of the wire forms).
struct public_keys_text {
  std::string signing;  // SEC1 uncompressed
  std::string vrf;      // SEC1 compressed
};
public_keys_text public_keys_of_pems(const std::string& signing_pem, const std::string& vrf_pem);

}  // namespace sealpost::transparency
