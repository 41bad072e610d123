// Requests of the load generator over the shared test HTTP connection.
#include "connection.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

namespace sealpost::loadtest {

asio::awaitable<http_result> connection::request(http::verb method, const std::string& target,
                                                 const std::string& body, const std::string& auth) {
  // Every request says JSON, even one without a body, as the load generator always has.
  std::map<std::string, std::string> headers{{"Content-Type", "application/json"}};
  if (!auth.empty())
    headers.emplace("Authorization", auth);
  sealpost::testing::http_limits limits;
  limits.connect = std::chrono::seconds(10);
  limits.exchange = std::chrono::seconds(30);
  auto res = co_await http_.request(sealpost::testing::make_request(method, target, body, headers),
                                    limits);
  if (res.how != http_result::kind::answered)
    throw boost::system::system_error(res.error);
  co_return res;
}

asio::awaitable<void> sleep_for(sclock::duration d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(asio::use_awaitable);
}

}  // namespace sealpost::loadtest
