// What the /v1/kt/* routes answer (DESIGN.md, "REST" [D1]), assembled from the kt_ tables as of
// one tree size: the KtProof (entries, inclusion, signed head), ladders with their PrefixProofs,
// and the versions they look up. Pure reading: every row is immutable once its entry exists,
// and nothing past the snapshot's tree size is used, so a batch appending meanwhile changes
// nothing here.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <pqxx/transaction>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "keytrans/distinguished.hpp"
#include "storage/kt_repository.hpp"
#include "transparency/log_keys.hpp"

namespace sealpost::transparency {

// A request the log cannot answer; resources/kt.cpp maps each kind to its status.
class kt_query_error : public std::runtime_error {
 public:
  enum class kind : std::uint8_t { unavailable, invalid_request, not_found };
  kt_query_error(kind k, const std::string& message) : std::runtime_error(message), kind_(k) {}
  [[nodiscard]] kind which() const noexcept { return kind_; }

 private:
  kind kind_;
};

// A contact-map entry a client monitors: the version it holds and where it sits.
struct map_entry {
  std::uint64_t position = 0;
  std::uint32_t version = 0;
};

struct owner_query {
  std::string label;
  std::uint64_t start = 0;
  std::optional<std::uint32_t> greatest_version;
  std::vector<map_entry> entries;
};

class log_view {
 public:
  // The log as of its newest entry; throws kt_query_error(unavailable) before the first entry,
  // and (invalid_request) when `last` is 0 or past the tree size.
  log_view(pqxx::work& tx, const log_keys& keys, const config::server_config& cfg,
           std::optional<std::uint64_t> last);

  [[nodiscard]] std::uint64_t tree_size() const noexcept { return tree_size_; }

  // {"proof": KtProof} for GET /v1/kt/head.
  boost::json::object head();
  // The search response for `label` (GET /v1/kt/accounts/..., /usernames/...).
  boost::json::object search(const std::string& label);
  // POST /v1/kt/monitor for `label`'s map entries.
  boost::json::object monitor(const std::string& label, const std::vector<map_entry>& entries);
  // POST /v1/kt/owner.
  boost::json::object owner(const owner_query& query, std::size_t max_owner_ladders);
  // GET /v1/kt/audit: the AuditorUpdate (§15.2) of entries [start, start + limit).
  boost::json::object audit(std::uint64_t start, std::uint64_t limit);

 private:
  struct ladder {
    std::uint64_t position = 0;
    std::optional<std::uint32_t> greatest;
    std::vector<std::uint32_t> lookups;
  };

  std::optional<std::uint64_t> timestamp_of(std::uint64_t position);
  keytrans::timestamp_lookup lookup();
  const std::vector<storage::kt_version_row>& versions_of(const std::string& label);
  std::optional<std::uint32_t> greatest_at(const std::string& label, std::uint64_t position);
  std::string search_key_of(const std::string& label, std::uint32_t version,
                            std::string* vrf_proof);
  boost::json::object ladder_json(const std::string& label, const ladder& l);
  boost::json::array versions_json(const std::string& label, const std::vector<ladder>& ladders,
                                   std::optional<std::uint32_t> without_commitment);
  boost::json::object proof(std::vector<std::uint64_t> positions);
  std::vector<ladder> monitoring_ladders(const std::string& label,
                                         const std::vector<map_entry>& entries);

  pqxx::work& tx_;
  const log_keys& keys_;
  const config::server_config& cfg_;
  std::optional<std::uint64_t> last_;
  std::uint64_t tree_size_ = 0;
  storage::kt_entry_row newest_;
  std::map<std::uint64_t, storage::kt_entry_row> entries_;
  std::map<std::string, std::vector<storage::kt_version_row>> versions_;
  // Search keys and VRF proofs evaluated for versions the log does not hold: an answer looks
  // the same one up in several ladders and again in `versions`.
  struct evaluated_version {
    std::string search_key;
    std::string vrf_proof;
  };
  std::map<std::pair<std::string, std::uint32_t>, evaluated_version> evaluated_;
};

}  // namespace sealpost::transparency
