// Credential checks; the database is consulted only on a cache miss.
#include "auth/authenticator.hpp"

#include "auth/credentials.hpp"
#include "crypto/base64.hpp"
#include "metrics/metrics.hpp"
#include "model/ids.hpp"
#include "net/request_error.hpp"
#include "storage/transaction.hpp"

namespace sealpost::auth {
namespace {

std::string cache_key(const std::string& account_id, std::int32_t device_id) {
  return account_id + "." + std::to_string(device_id);
}

// Splits "<uuid>.<device_id>"; nullopt when malformed.
std::optional<std::pair<std::string, std::int32_t>> parse_login(std::string_view login) {
  const auto dot = login.find('.');
  if (dot == std::string_view::npos)
    return std::nullopt;
  const auto account = login.substr(0, dot);
  const auto device = model::parse_device_id(login.substr(dot + 1));
  if (!model::is_canonical_uuid(account) || !device)
    return std::nullopt;
  return std::pair{std::string(account), *device};
}

net::request_error unauthorized(std::string message) {
  return net::request_error(net::api_errc::unauthorized, "unauthorized", std::move(message));
}

}  // namespace

authenticator::authenticator(storage::db_pool& db, std::chrono::milliseconds cache_ttl,
                             limits::rate_limiter& failures_per_ip, metrics::registry& metrics)
    : db_(db), cache_ttl_(cache_ttl), failures_per_ip_(failures_per_ip), metrics_(metrics) {}

boost::asio::awaitable<authenticated_device> authenticator::authenticate(
    std::string_view authorization, const boost::asio::ip::address& remote) {
  constexpr std::string_view scheme = "Basic ";
  if (authorization.size() <= scheme.size() || authorization.substr(0, scheme.size()) != scheme) {
    throw unauthorized("HTTP Basic credentials are required");
  }
  auto decoded = crypto::base64_decode(authorization.substr(scheme.size()));
  if (!decoded)
    throw unauthorized("malformed Authorization header");
  std::string pair(decoded->begin(), decoded->end());
  const auto colon = pair.find(':');
  if (colon == std::string::npos)
    throw unauthorized("malformed Authorization header");
  co_return co_await authenticate(std::string_view(pair).substr(0, colon),
                                  std::string_view(pair).substr(colon + 1), remote.to_string());
}

boost::asio::awaitable<authenticated_device> authenticator::authenticate(
    std::string_view login, std::string_view password, const std::string& remote_ip) {
  // An IP that has used up its failures is refused before any check, so guessing stays slow.
  if (auto wait = failures_per_ip_.check(remote_ip)) {
    net::api_error err{net::api_errc::too_many_requests, "rate_limited",
                       "too many failed authentications; retry later"};
    err.retry_after = *wait;
    throw net::request_error(std::move(err));
  }
  auto parsed = parse_login(login);
  if (!parsed || password.size() > kMaxPasswordLength)
    fail(remote_ip);
  auto record = co_await lookup(parsed->first, parsed->second);
  if (!record || !password_matches(*record, password))
    fail(remote_ip);
  co_return authenticated_device{parsed->first, parsed->second};
}

void authenticator::fail(const std::string& remote_ip) {
  metrics_.auth_failed();
  failures_per_ip_.acquire(remote_ip);
  throw unauthorized("invalid credentials");
}

boost::asio::awaitable<std::optional<storage::credential_record>> authenticator::lookup(
    const std::string& account_id, std::int32_t device_id) {
  const auto key = cache_key(account_id, device_id);
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(key); it != cache_.end()) {
      if (it->second.expires > now)
        co_return it->second.record;
      cache_.erase(it);
    }
  }
  auto record = co_await storage::in_transaction(
      db_, [&](pqxx::work& tx) { return storage::find_credential(tx, account_id, device_id); });
  if (record && cache_ttl_.count() > 0) {
    std::lock_guard lock(mutex_);
    // Expired entries are dropped on lookup; a full sweep keeps the table bounded.
    if (cache_.size() > 100000)
      std::erase_if(cache_, [&](const auto& e) { return e.second.expires <= now; });
    cache_[key] = cached{*record, now + cache_ttl_};
  }
  co_return record;
}

void authenticator::forget(const std::string& account_id, std::int32_t device_id) {
  std::lock_guard lock(mutex_);
  cache_.erase(cache_key(account_id, device_id));
}

void authenticator::forget_account(const std::string& account_id) {
  std::lock_guard lock(mutex_);
  std::erase_if(cache_, [&](const auto& e) { return e.first.rfind(account_id + ".", 0) == 0; });
}

}  // namespace sealpost::auth
