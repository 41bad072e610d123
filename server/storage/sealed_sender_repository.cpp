// SQL for the sealed_sender_keys row (schema 8).
#include "storage/sealed_sender_repository.hpp"

#include "storage/pq.hpp"

namespace sealpost::storage {
namespace {

constexpr const char* kOffer = R"sql(
INSERT INTO sealed_sender_keys (trust_root, server_certificate, server_private_key)
VALUES ($1, $2, $3) ON CONFLICT (singleton) DO NOTHING)sql";

constexpr const char* kRead =
    "SELECT trust_root, server_certificate, server_private_key FROM sealed_sender_keys";

}  // namespace

stored_sealed_sender_keys offer_sealed_sender_keys(pqxx::work& tx,
                                                   const stored_sealed_sender_keys& candidate) {
  tx.exec_params(kOffer, bytea(candidate.trust_root), bytea(candidate.server_certificate),
                 candidate.server_private_key);
  return std::move(*find_sealed_sender_keys(tx));
}

std::optional<stored_sealed_sender_keys> find_sealed_sender_keys(pqxx::work& tx) {
  const auto rows = tx.exec(kRead);
  if (rows.empty())
    return std::nullopt;
  return stored_sealed_sender_keys(bytes_of(rows[0][0]), bytes_of(rows[0][1]),
                                   rows[0][2].as<std::string>());
}

}  // namespace sealpost::storage
