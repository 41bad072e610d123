// Construction of the per-node rate limiters from config.
#include "app/services.hpp"

namespace sealpost::app {

rate_limiters::rate_limiters(const config::server_config& c)
    : registration_per_ip("registration_per_ip", c.rate_registration_per_ip_burst,
                          c.rate_registration_per_ip_per_minute),
      auth_failure_per_ip("auth_failure_per_ip", c.rate_auth_failure_per_ip_burst,
                          c.rate_auth_failure_per_ip_per_minute),
      bundle_per_requester("bundle_per_requester", c.rate_bundle_per_requester_burst,
                           c.rate_bundle_per_requester_per_minute),
      bundle_per_pair("bundle_per_pair", c.rate_bundle_per_pair_burst,
                      c.rate_bundle_per_pair_per_minute),
      link_token_per_account("link_token_per_account", c.rate_link_token_per_account_burst,
                             c.rate_link_token_per_account_per_minute),
      messages_per_sender("messages_per_sender", c.rate_messages_per_sender_burst,
                          c.rate_messages_per_sender_per_minute) {}

}  // namespace sealpost::app
