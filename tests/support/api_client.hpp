// An authenticated JSON client for the Sealpost API, for integration tests.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "http_client.hpp"
#include "test_identity.hpp"

namespace sealpost::testing {

struct device_login {
  std::string account_id;
  std::int32_t device_id = 0;
  std::string password;
};

class api_client {
 public:
  api_client(std::uint16_t port, device_login login) : http_(port), login_(std::move(login)) {}

  http_result call(http::verb method, const std::string& target,
                   const boost::json::value& body = nullptr);
  http_result get(const std::string& target) { return call(http::verb::get, target); }
  const device_login& login() const { return login_; }

 private:
  http_client http_;
  device_login login_;
};

// Registers `identity` as a new account; REQUIREs 201.
device_login register_account(std::uint16_t port, const test_identity& identity,
                              const std::string& username, std::size_t one_time_keys = 5);

// `count` accounts of their own (no one-time keys) to send from, each with a fresh identity.
std::vector<device_login> register_senders(std::uint16_t port, int count);

// A username unique to this test run.
std::string unique_username(const std::string& prefix);

}  // namespace sealpost::testing

namespace sealpost::testing {

// Links a new device with `identity` and `one_time_keys` one-time prekeys to the primary's
// account. Throws std::runtime_error unless the link token and the link are answered 201.
device_login link_device(std::uint16_t port, api_client& primary, const test_identity& identity,
                         std::size_t one_time_keys = 5);

}  // namespace sealpost::testing
