// The deployment's sealed-sender keys in auto mode: one row that every node shares.
#pragma once

#include <openssl/crypto.h>

#include <optional>
#include <pqxx/transaction>
#include <string>
#include <utility>

namespace sealpost::storage {

struct stored_sealed_sender_keys {
  std::string trust_root;          // 33 bytes, 0x05
  std::string server_certificate;  // a serialized ServerCertificate
  std::string server_private_key;  // PKCS#8 PEM: secret, wiped with the struct

  stored_sealed_sender_keys() = default;
  stored_sealed_sender_keys(std::string root, std::string certificate, std::string private_key)
      : trust_root(std::move(root)),
        server_certificate(std::move(certificate)),
        server_private_key(std::move(private_key)) {}
  stored_sealed_sender_keys(const stored_sealed_sender_keys&) = delete;
  stored_sealed_sender_keys& operator=(const stored_sealed_sender_keys&) = delete;
  stored_sealed_sender_keys(stored_sealed_sender_keys&&) = default;
  stored_sealed_sender_keys& operator=(stored_sealed_sender_keys&&) = default;
  ~stored_sealed_sender_keys() {
    OPENSSL_cleanse(server_private_key.data(), server_private_key.size());
  }
};

// Offers `candidate` as the deployment's keys and returns the row that is stored: the
// candidate when no node offered one before, else the earlier node's (INSERT ... ON
// CONFLICT DO NOTHING, then read, so concurrent first starts agree).
stored_sealed_sender_keys offer_sealed_sender_keys(pqxx::work& tx,
                                                   const stored_sealed_sender_keys& candidate);

// The stored row, if a node has made one.
std::optional<stored_sealed_sender_keys> find_sealed_sender_keys(pqxx::work& tx);

}  // namespace sealpost::storage
