// The keys a node signs delivery certificates with, from the operator's files or, in auto
// mode, from the row every node shares (DESIGN.md, "Sealed sender": operator).
#pragma once

#include <cstdint>
#include <pqxx/connection>

#include "config/config.hpp"
#include "crypto/signing_key.hpp"
#include "sealed_sender/certificates.hpp"
#include "storage/sealed_sender_repository.hpp"

namespace sealpost::sealed_sender {

struct signing_keys {
  crypto::curve25519_public_key trust_root{};  // what clients pin
  bytes server_certificate;                    // signed by the trust root
  std::uint32_t key_id = 0;                    // the certificate's
  crypto::signing_key server_key;              // the key the certificate certifies
};

// Checks that the pieces belong together: the certificate parses, its key id is allowed,
// the trust root verifies it, and the private key's public form is the certified key.
// Throws certificate_error naming the piece that does not fit.
signing_keys assemble(std::span<const std::uint8_t> trust_root,
                      std::span<const std::uint8_t> server_certificate,
                      crypto::signing_key server_key);

// True when [sealed_sender] names its three files (file mode), false for auto mode.
bool uses_key_files(const config::server_config& cfg);

// The keys of the three files [sealed_sender] names; throws certificate_error naming the
// config key whose file is missing, malformed or does not fit the others.
signing_keys load_key_files(const config::server_config& cfg);

// A fresh trust root and a server certificate with `key_id` that it signs. The trust
// root's private key is returned only to whoever keeps it (the admin command); auto mode
// drops it at once.
struct new_deployment_keys {
  crypto::signing_key trust_root;
  crypto::signing_key server_key;
  bytes server_certificate;
};
new_deployment_keys generate_deployment_keys(std::uint32_t key_id);

// The keys of the auto-mode row, checked as assemble does; throws certificate_error.
signing_keys assemble_stored(const storage::stored_sealed_sender_keys& stored);

// The keys this node uses: the files in file mode, else the deployment's row (made by the
// first node that starts). Throws certificate_error naming what does not fit.
signing_keys keys_for_node(const config::server_config& cfg, pqxx::connection& conn);

}  // namespace sealpost::sealed_sender
