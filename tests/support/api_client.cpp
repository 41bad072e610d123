// JSON API helpers over the test HTTP client.
#include "api_client.hpp"

#include <atomic>
#include <random>
#include <stdexcept>

namespace sealpost::testing {

http_result api_client::call(http::verb method, const std::string& target,
                             const boost::json::value& body) {
  std::map<std::string, std::string> headers{
      {"Authorization", basic_auth(login_.account_id, login_.device_id, login_.password)}};
  return http_.request(method, target, body.is_null() ? "" : boost::json::serialize(body), headers);
}

std::vector<device_login> register_senders(std::uint16_t port, int count) {
  std::vector<device_login> senders;
  for (int i = 0; i < count; ++i) {
    test_identity id;
    senders.push_back(register_account(port, id, unique_username("s"), 0));
  }
  return senders;
}

device_login register_account(std::uint16_t port, const test_identity& identity,
                              const std::string& username, std::size_t one_time_keys) {
  const auto password = random_password();
  http_client http(port);
  auto res = http.request(
      http::verb::post, "/v1/accounts",
      boost::json::serialize(identity.registration(username, password, one_time_keys)));
  if (res.status != 201)
    throw std::runtime_error("registration failed: " + std::to_string(res.status) + " " + res.body);
  auto body = res.json().as_object();
  return {std::string(body.at("account_id").as_string()),
          static_cast<std::int32_t>(body.at("device_id").as_int64()), password};
}

std::string unique_username(const std::string& prefix) {
  static std::atomic<int> counter{0};
  static const auto run = std::random_device{}() % 100000;
  return prefix + "_" + std::to_string(run) + "_" + std::to_string(counter++);
}

}  // namespace sealpost::testing

namespace sealpost::testing {

device_login link_device(std::uint16_t port, api_client& primary, const test_identity& identity,
                         std::size_t one_time_keys) {
  auto token = primary.call(http::verb::post, "/v1/devices/link-tokens");
  if (token.status != 201)
    throw std::runtime_error("link token failed: " + token.body);
  const auto password = random_password();
  boost::json::object body = identity.registration("unused", password, one_time_keys);
  body.erase("username");
  body["link_token"] = token.json().at("token");
  auto res =
      http_client(port).request(http::verb::post, "/v1/devices", boost::json::serialize(body));
  if (res.status != 201)
    throw std::runtime_error("link failed: " + res.body);
  return {primary.login().account_id,
          static_cast<std::int32_t>(res.json().at("device_id").as_int64()), password};
}

}  // namespace sealpost::testing
