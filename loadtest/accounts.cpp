// Registrations and device links for the load generator, with the tests' signed identities.
#include "accounts.hpp"

#include <boost/json.hpp>
#include <random>
#include <stdexcept>

#include "test_identity.hpp"

namespace sealpost::loadtest {

namespace json = boost::json;
using sealpost::testing::test_identity;

std::string login::auth() const {
  return sealpost::testing::basic_auth(account_id, device_id, password);
}

namespace {

std::string unique_username(const char* kind) {
  static const auto run = std::random_device{}() % 1000000;
  static int counter = 0;
  return std::string("lt") + std::to_string(run) + "_" + kind + std::to_string(counter++);
}

}  // namespace

asio::awaitable<login> register_account(connection& c, std::size_t one_time_keys,
                                        const char* kind) {
  const test_identity id;
  const auto password = sealpost::testing::random_password();
  auto res = co_await c.request(
      http::verb::post, "/v1/accounts",
      json::serialize(id.registration(unique_username(kind), password, one_time_keys)));
  if (res.status != 201) {
    throw std::runtime_error("registration failed: " + std::to_string(res.status) + " " + res.body +
                             (res.status == 429 ? " (raise the server's rate limits)" : ""));
  }
  auto body = json::parse(res.body).as_object();
  co_return login{std::string(body.at("account_id").as_string()),
                  static_cast<std::int32_t>(body.at("device_id").as_int64()), password};
}

asio::awaitable<login> link_device(connection& c, const login& primary) {
  auto token = co_await c.request(http::verb::post, "/v1/devices/link-tokens", "", primary.auth());
  if (token.status != 201)
    throw std::runtime_error("link token failed: " + token.body);
  const test_identity id;
  const auto password = sealpost::testing::random_password();
  auto body = id.registration("unused", password, 0);
  body.erase("username");  // linking takes no username
  body["link_token"] = json::parse(token.body).at("token");
  auto res = co_await c.request(http::verb::post, "/v1/devices", json::serialize(body));
  if (res.status != 201)
    throw std::runtime_error("link failed: " + res.body);
  co_return login{primary.account_id,
                  static_cast<std::int32_t>(json::parse(res.body).at("device_id").as_int64()),
                  password};
}

}  // namespace sealpost::loadtest
