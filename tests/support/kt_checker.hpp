// A test-side client of the key-transparency routes: it pins /v1/kt/config, decodes every
// answer and checks it with the reference client's checks (common/keytrans/kt_proof.hpp and
// response_check.hpp), keeping the view it retained between calls. Failures are returned as
// text, so a test can expect them.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "keytrans/kt_proof.hpp"
#include "keytrans/labels.hpp"
#include "keytrans/response_check.hpp"

namespace sealpost::testing {

struct kt_search_result {
  std::uint32_t version = 0;
  std::string value;  // raw bytes
  std::uint64_t tree_size = 0;
  std::vector<std::uint64_t> ladder_positions;
};

class kt_checker {
 public:
  // `config` is the body of GET /v1/kt/config; REQUIREs that it is well formed.
  explicit kt_checker(const boost::json::value& config);

  // ?last=N for the next request (empty when nothing is retained yet).
  [[nodiscard]] std::string last_query() const;

  // Checks {"proof": KtProof} of GET /v1/kt/head; on success retains its view. Returns the
  // failure, or nullopt.
  std::optional<std::string> check_head(const boost::json::value& body);
  // Checks a search answer for `label` (raw bytes); on success retains its view.
  std::optional<std::string> check_search(const std::string& label, const boost::json::value& body,
                                          kt_search_result* result = nullptr,
                                          keytrans::kt_search_outcome* outcome = nullptr);
  // Checks a /v1/kt/monitor answer for `entries`; on success retains its view and returns the
  // entries moved up in `moved`.
  std::optional<std::string> check_monitor(const std::string& label,
                                           const std::vector<keytrans::kt_map_entry>& entries,
                                           const boost::json::value& body,
                                           std::vector<keytrans::kt_map_entry>* moved = nullptr);
  // Checks a /v1/kt/owner answer against the owner's state; on success retains its view.
  std::optional<std::string> check_owner(const std::string& label,
                                         const keytrans::kt_owner_state& state,
                                         const boost::json::value& body,
                                         std::size_t max_owner_ladders,
                                         keytrans::kt_owner_outcome* outcome = nullptr);

  [[nodiscard]] const keytrans::kt_retained_view& retained() const { return retained_; }
  [[nodiscard]] std::uint64_t window_ms() const { return window_ms_; }

 private:
  [[nodiscard]] keytrans::kt_check_context context() const;

  keytrans::bytes configuration_;
  keytrans::bytes signature_public_key_;
  keytrans::bytes vrf_public_key_;
  std::uint64_t max_ahead_ms_ = 0;
  std::uint64_t max_behind_ms_ = 0;
  std::uint64_t window_ms_ = 0;
  keytrans::kt_retained_view retained_;
};

// Raw label bytes of an account id (canonical text) or a username.
std::string kt_account_label(const std::string& account_id);
std::string kt_username_label(const std::string& username);

}  // namespace sealpost::testing
