#include "resources/kt_publication.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "storage/kt_repository.hpp"
#include "storage/transaction.hpp"
#include "transparency/labels.hpp"

namespace sealpost::resources {
namespace {

namespace asio = boost::asio;

// How often a waiter looks at the entry counter: cheap (no database), and short next to the
// sequencer's interval.
constexpr auto kPollInterval = std::chrono::milliseconds(10);

struct publication_state {
  bool consumed = false;
  std::optional<std::uint64_t> position;
};

}  // namespace

kt_change queue_kt_change(const app::services& s, pqxx::work& tx, const std::string& account_id,
                          const std::optional<std::string>& username) {
  if (s.kt == nullptr)
    return {};
  kt_change change;
  change.label = transparency::account_label(account_id);
  std::vector<std::string> labels{change.label};
  if (username)
    labels.push_back(transparency::username_label(*username));
  change.pending_ids = storage::enqueue_kt_labels(tx, labels);
  return change;
}

asio::awaitable<std::optional<std::uint64_t>> await_kt_publication(app::services& s,
                                                                   kt_change change) {
  if (s.kt == nullptr || s.kt_published == nullptr || s.cfg.kt_confirm_wait_ms == 0 ||
      change.pending_ids.empty())
    co_return std::nullopt;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(s.cfg.kt_confirm_wait_ms);
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    const auto seen = s.kt_published->generation();
    const auto state = co_await storage::in_transaction(s.db, [&](pqxx::work& tx) {
      publication_state st;
      st.consumed = storage::count_kt_pending(tx, change.pending_ids) == 0;
      if (st.consumed) {
        const auto latest = storage::latest_kt_versions(tx, {change.label});
        if (const auto it = latest.find(change.label); it != latest.end())
          st.position = it->second.position;
      }
      return st;
    });
    if (state.consumed)
      co_return state.position;
    // Look again once any node has appended an entry.
    while (s.kt_published->generation() == seen) {
      if (std::chrono::steady_clock::now() >= deadline)
        co_return std::nullopt;
      timer.expires_after(kPollInterval);
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
  }
}

boost::json::value kt_position_json(const std::optional<std::uint64_t>& position) {
  if (!position)
    return nullptr;
  return *position;
}

net::response with_kt_position(net::response response,
                               const std::optional<std::uint64_t>& position) {
  if (position)
    response.set("Sealpost-KT-Position", std::to_string(*position));
  return response;
}

}  // namespace sealpost::resources
