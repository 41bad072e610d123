// Construction of the per-node rate limiters from config.
#include "app/services.hpp"

namespace sealpost::app {

namespace {

// Each limiter counts its refusals in sealpost_rate_limited_total{limiter="<name>"}.
limits::rate_limiter make(metrics::registry& m, const std::string& name, std::uint64_t burst,
                          std::uint64_t per_minute) {
  auto* refusals = &m.rate_limited(name);
  return limits::rate_limiter(name, burst, per_minute, [refusals] { refusals->Increment(); });
}

}  // namespace

rate_limiters::rate_limiters(const config::server_config& c, metrics::registry& m)
    : registration_per_ip(make(m, "registration_per_ip", c.rate_registration_per_ip_burst,
                               c.rate_registration_per_ip_per_minute)),
      auth_failure_per_ip(make(m, "auth_failure_per_ip", c.rate_auth_failure_per_ip_burst,
                               c.rate_auth_failure_per_ip_per_minute)),
      bundle_per_requester(make(m, "bundle_per_requester", c.rate_bundle_per_requester_burst,
                                c.rate_bundle_per_requester_per_minute)),
      bundle_per_pair(make(m, "bundle_per_pair", c.rate_bundle_per_pair_burst,
                           c.rate_bundle_per_pair_per_minute)),
      username_lookup_per_device(make(m, "username_lookup_per_device",
                                      c.rate_username_lookup_per_device_burst,
                                      c.rate_username_lookup_per_device_per_minute)),
      link_token_per_account(make(m, "link_token_per_account", c.rate_link_token_per_account_burst,
                                  c.rate_link_token_per_account_per_minute)),
      messages_per_sender(make(m, "messages_per_sender", c.rate_messages_per_sender_burst,
                               c.rate_messages_per_sender_per_minute)),
      unidentified_messages_per_ip(make(m, "unidentified_messages_per_ip",
                                        c.rate_unidentified_messages_per_ip_burst,
                                        c.rate_unidentified_messages_per_ip_per_minute)),
      kt_queries_per_account(make(m, "kt_queries_per_account", c.rate_kt_queries_per_account_burst,
                                  c.rate_kt_queries_per_account_per_minute)),
      kt_public_per_ip(make(m, "kt_public_per_ip", c.rate_kt_public_per_ip_burst,
                            c.rate_kt_public_per_ip_per_minute)) {}

}  // namespace sealpost::app
