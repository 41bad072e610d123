// Key transparency for this device (DESIGN.md, "Reference client: what it checks, when"):
// the log's configuration pinned at first contact, and the log checked against the view this
// device retained, so that a server that rewrites or forks its log, or changes its keys, is
// caught. A failure is recorded with the answers that conflict and stays until a later check
// passes; nothing of a failed answer is retained.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/local_state.hpp"
#include "net/api_client.hpp"

namespace sealpost::client {

// What `sealpost kt status` shows.
struct kt_status {
  bool pinned = false;
  std::string fingerprint;  // SHA-256 of the pinned configuration, hex
  std::uint64_t tree_size = 0;
  std::uint64_t last_check_ms = 0;
  std::string failure;  // empty: none
  std::size_t evidence = 0;
};

// What one check found.
struct kt_check_report {
  bool server_has_kt = true;  // false: the server answers 404 (key transparency off)
  bool pinned_now = false;    // this check pinned the configuration
  std::string failure;        // empty: the log verified
  std::uint64_t tree_size = 0;
  std::uint64_t newest_timestamp_ms = 0;
};

class key_directory {
 public:
  key_directory(local_state& state, net::api_client& api) noexcept : state_(state), api_(api) {}

  // Pins the configuration (first use), then verifies the newest signed head against the
  // retained view and retains the new one. A failure is recorded in the state, not thrown.
  kt_check_report check_log(std::uint64_t now_ms);

  [[nodiscard]] kt_status status() const;
  // The answers that conflict, as a JSON array, for `sealpost kt evidence`.
  [[nodiscard]] std::string evidence_json() const;

 private:
  // The failure of the configuration the server now answers with; empty when it is the
  // pinned one (pinning it when none is).
  std::string check_configuration(const net::kt_config& config, kt_check_report& report);
  void record_failure(const std::string& failure, const std::string& answer);

  local_state& state_;
  net::api_client& api_;
};

}  // namespace sealpost::client
