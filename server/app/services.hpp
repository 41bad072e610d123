// The shared services that HTTP resources are registered with.
#pragma once

#include "auth/authenticator.hpp"
#include "config/config.hpp"
#include "delivery/wakeup_router.hpp"
#include "limits/rate_limiter.hpp"
#include "metrics/metrics.hpp"
#include "sealed_sender/signing_keys.hpp"
#include "storage/db_pool.hpp"
#include "transparency/log_keys.hpp"
#include "transparency/publication_watch.hpp"

namespace sealpost::app {

// Every abuse limit of the design, each configured by its rate_limits.* keys.
struct rate_limiters {
  limits::rate_limiter registration_per_ip;
  limits::rate_limiter auth_failure_per_ip;
  limits::rate_limiter bundle_per_requester;
  limits::rate_limiter bundle_per_pair;
  limits::rate_limiter username_lookup_per_device;
  limits::rate_limiter link_token_per_account;
  limits::rate_limiter messages_per_sender;
  limits::rate_limiter unidentified_messages_per_ip;
  limits::rate_limiter kt_queries_per_account;
  limits::rate_limiter kt_public_per_ip;

  rate_limiters(const config::server_config& cfg, metrics::registry& metrics);
};

struct services {
  const config::server_config& cfg;
  storage::db_pool& db;
  auth::authenticator& auth;
  rate_limiters& limits;
  metrics::registry& metrics;
  delivery::wakeup_router& wakeups;
  // The keys delivery certificates are signed with; null when sealed_sender.enabled is off.
  const sealed_sender::signing_keys* sealed_sender = nullptr;
  // The key-transparency log's keys and the count of entries appended; null when kt.enabled
  // is off.
  const transparency::log_keys* kt = nullptr;
  const transparency::publication_watch* kt_published = nullptr;
};

}  // namespace sealpost::app
