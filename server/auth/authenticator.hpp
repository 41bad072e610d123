// HTTP Basic authentication of devices ("<account_uuid>.<device_id>:<password>"), with a
// short-lived per-node cache of credential records and a per-IP limit on failures.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

#include "limits/rate_limiter.hpp"
#include "net/caller.hpp"
#include "net/request_context.hpp"
#include "storage/account_repository.hpp"
#include "storage/db_pool.hpp"

namespace sealpost::metrics {
class registry;
}

namespace sealpost::auth {

using authenticated_device = net::authenticated_device;

class authenticator {
 public:
  authenticator(storage::db_pool& db, std::chrono::milliseconds cache_ttl,
                limits::rate_limiter& failures_per_ip, metrics::registry& metrics);

  // The device named by an Authorization header value (HTTP Basic). Throws request_error:
  // 401 (missing, malformed or wrong credentials), 429 (too many failures from this IP).
  // Needs only the request's header, so a refused request's body is never read.
  boost::asio::awaitable<authenticated_device> authenticate(std::string_view authorization,
                                                            const boost::asio::ip::address& remote);

  // The same for credentials given another way (the WebSocket's query parameters).
  boost::asio::awaitable<authenticated_device> authenticate(std::string_view login,
                                                            std::string_view password,
                                                            const std::string& remote_ip);

  // Drops a cached record at once (device removed, account deleted) on this node.
  void forget(const std::string& account_id, std::int32_t device_id);
  void forget_account(const std::string& account_id);

 private:
  struct cached {
    storage::credential_record record;
    std::chrono::steady_clock::time_point expires;
  };
  boost::asio::awaitable<std::optional<storage::credential_record>> lookup(
      const std::string& account_id, std::int32_t device_id);
  [[noreturn]] void fail(const std::string& remote_ip);

  storage::db_pool& db_;
  std::chrono::milliseconds cache_ttl_;
  limits::rate_limiter& failures_per_ip_;
  metrics::registry& metrics_;
  std::mutex mutex_;
  std::unordered_map<std::string, cached> cache_;
};

}  // namespace sealpost::auth
